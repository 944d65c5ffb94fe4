// RFC 5322 addresses: parsing From/To/Cc values as real MUAs write them (encoded words,
// quoted strings, comments, groups, broken quoting), formatting them back, and checking an
// address before it goes into a header or an SMTP command.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::text {

/// One mailbox.
struct Address {
    std::string display_name;  ///< decoded UTF-8 ("田中 太郎"); empty when none
    std::string address;       ///< addr-spec as written ("taro@example.jp"), without angle brackets
    std::string group;         ///< decoded name of the group it was listed in, else empty

    bool operator==(const Address&) const = default;
};

/// Parse an address-list header value (folded or not). Lenient, never throws; every string
/// in the result is valid UTF-8.
/// - Display names: atoms, quoted strings and encoded words (also encoded words inside
///   quotes, as Foxmail and Outlook write them), decoded with decode_header and
///   `fallback_charset` for raw 8-bit; a comment gives the name when there is no phrase
///   ("taro@example.jp (Taro)").
/// - Groups ("team: a@x, b@y;") are flattened; their members carry the group name. An empty
///   group ("undisclosed-recipients:;") yields nothing.
/// - Source routes in angle addresses are dropped; a missing '>' runs to the end of the
///   mailbox; "Name addr@host" without brackets is split at the last word.
/// - Entries with neither address nor name are skipped.
std::vector<Address> parse_address_list(std::string_view header_value, std::string_view fallback_charset = {});

/// The first mailbox of parse_address_list, or std::nullopt.
std::optional<Address> parse_address(std::string_view header_value, std::string_view fallback_charset = {});

/// Check that `address` is a plain addr-spec (local@domain, local part a dot-atom or quoted
/// string, UTF-8 allowed) that can go into a header or an SMTP command as it is.
/// Throws zmail::Error{Usage} ("invalid address '...': contains a line break") for CR, LF,
/// NUL and other control characters (header injection), invalid UTF-8, a missing or extra
/// '@', empty parts, blanks, brackets and other characters that do not belong.
void validate_address(std::string_view address);

/// Format for a header: "phrase <address>" with the display name through encode_phrase
/// (`charset` as there), or the bare address when there is no display name. One line; fold
/// with fold_header. Throws what validate_address throws, and Error{Data} for a display name
/// that is not valid UTF-8.
std::string format_address(const Address& address, std::string_view charset = "UTF-8");

/// format_address of each, joined with ", ". Same errors.
std::string format_address_list(const std::vector<Address>& addresses, std::string_view charset = "UTF-8");

/// The address with its domain in ASCII (Punycode) for SMTP: "user@例え.jp" ->
/// "user@xn--r8jz45g.jp". The local part is kept (see needs_smtputf8). Validates first;
/// throws Error{Usage} as validate_address and domain_to_ascii do.
std::string address_to_ascii(std::string_view address);

/// True when the local part of `address` is not ASCII, so that sending needs SMTPUTF8
/// even after address_to_ascii.
bool needs_smtputf8(std::string_view address);

}  // namespace zmail::text
