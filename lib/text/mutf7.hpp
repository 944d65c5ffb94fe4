// IMAP modified UTF-7 (RFC 3501 section 5.1.3), the encoding of mailbox names on the wire
// when UTF8=ACCEPT is not enabled: "送信済み" <-> "&kAFP4W4IMH8-", "Entwürfe" <-> "Entw&APw-rfe".
#pragma once

#include <string>
#include <string_view>

namespace zmail::text {

/// Encode a UTF-8 mailbox name into modified UTF-7, in canonical form: printable ASCII
/// stands for itself, '&' becomes "&-", everything else (controls and non-ASCII, as UTF-16
/// with surrogate pairs) goes into one base64 run per stretch, with ',' for '/'.
/// Throws zmail::Error{Data} when `utf8` is not valid UTF-8 or contains NUL.
std::string mutf7_encode(std::string_view utf8);

/// Decode a modified UTF-7 mailbox name into UTF-8, strictly: accepts only what
/// mutf7_encode produces, so mutf7_encode(mutf7_decode(x)) == x. Rejected: raw 8-bit or
/// control bytes, an '&' without its '-', characters outside the modified base64 alphabet,
/// leftover bits that are not zero or not fewer than 6, odd byte counts, unpaired
/// surrogates, printable ASCII or NUL inside a base64 run, and two runs back to back.
/// "&-" is '&'. Throws zmail::Error{Protocol} naming the mailbox.
std::string mutf7_decode(std::string_view mutf7);

/// mutf7_decode when that succeeds, else `name` unchanged (which may then be raw UTF-8 from
/// a server that ignores RFC 3501, or bytes that are not UTF-8 at all). For display only;
/// the protocol must keep using the server's own bytes.
std::string mutf7_decode_or_raw(std::string_view name);

}  // namespace zmail::text
