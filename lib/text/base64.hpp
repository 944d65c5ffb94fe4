// Base64 (RFC 4648 / RFC 2045): the MIME body and header codec and the strict form IMAP
// and SASL exchanges need.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zmail::text {

/// Encode `bytes` with the standard alphabet and '=' padding. With `line_length` > 0 a CRLF
/// follows every `line_length` output characters (rounded down to a multiple of 4; MIME
/// bodies use 76) and the last line; with 0 the result is one line without CRLF.
std::string base64_encode(std::string_view bytes, std::size_t line_length = 0);

/// Decode MIME base64 leniently: whitespace, line breaks and characters outside the
/// alphabet are skipped, padding may be missing, and decoding continues after a padded
/// quantum (some mailers concatenate encoded blocks). Never throws.
std::string base64_decode(std::string_view text);

/// The value of a standard base64 alphabet character, or -1.
int base64_value(char c);

}  // namespace zmail::text
