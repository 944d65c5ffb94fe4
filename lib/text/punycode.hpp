// Punycode (RFC 3492) and the IDNA label handling SMTP needs for non-ASCII domains:
// "例え.テスト" <-> "xn--r8jz45g.xn--zckzah". Written here so zmail needs no libidn.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace zmail::text {

/// Punycode-encode the code points of one UTF-8 label (no "xn--" prefix); std::nullopt when
/// `label` is not valid UTF-8 or the encoding overflows.
std::optional<std::string> punycode_encode(std::string_view label);

/// Decode a Punycode label (no "xn--" prefix) into UTF-8; std::nullopt when malformed.
std::optional<std::string> punycode_decode(std::string_view encoded);

/// The ASCII (A-label) form of a domain for SMTP. All-ASCII domains (and [literals]) come
/// back unchanged. Otherwise labels are split at '.', U+3002, U+FF0E and U+FF61, mapped
/// (full-width ASCII to ASCII, upper to lower case for ASCII, Latin-1, Greek and Cyrillic;
/// a partial UTS #46 mapping, no NFKC), and non-ASCII labels become "xn--" + Punycode.
/// Throws zmail::Error{Usage} naming the domain for empty or over-long labels, spaces,
/// control characters and characters not allowed in host names.
std::string domain_to_ascii(std::string_view domain);

}  // namespace zmail::text
