// Mailbox names between zmail (UTF-8, as the user types them) and the IMAP wire (modified UTF-7, or
// UTF-8 once UTF8=ACCEPT is enabled). Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

namespace zmail::imap {

/// The wire form of a UTF-8 mailbox name: modified UTF-7 ("送信済み" -> "&kAFP4W4IMH8-"), or the UTF-8
/// itself when `utf8_accepted` (UTF8=ACCEPT enabled). "INBOX" in any case is sent as "INBOX". LIST
/// wildcards ('*', '%') pass through unchanged. Throws zmail::Error{Data} when `utf8` is not valid
/// UTF-8 or contains NUL.
std::string encode_mailbox_name(std::string_view utf8, bool utf8_accepted);

/// The UTF-8 form of a name the server sent. Without UTF8=ACCEPT the name is decoded from modified
/// UTF-7; a name that is not valid modified UTF-7 (some servers send raw UTF-8) is returned as it is.
/// Never throws.
std::string decode_mailbox_name(std::string_view raw, bool utf8_accepted);

/// True when `name` is INBOX in any letter case (RFC 3501 5.1: INBOX is case-insensitive).
bool is_inbox(std::string_view name);

/// True when the two names denote the same mailbox: equal bytes, or both INBOX in any case.
bool same_mailbox(std::string_view a, std::string_view b);

}  // namespace zmail::imap
