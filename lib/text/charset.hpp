// Charset conversion to and from UTF-8 through glibc iconv, with the aliases and supersets
// real mail needs (GB2312 mail written in GBK, Shift_JIS mail written in CP932,
// ISO-2022-JP mail written with Windows (CP50221) extensions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "text/utf8.hpp"

namespace zmail::text {

/// The result of decoding: always valid UTF-8.
struct Decoded {
    std::string text;
    /// False when some input was replaced by U+FFFD, or the charset was not known and the
    /// bytes were taken as UTF-8.
    bool exact = true;
};

/// Decode `bytes` written in `charset` (a MIME charset name, any case; quotes and blanks
/// around it and an RFC 2231 language suffix as in "utf-8*ja" are ignored).
/// Never throws. Each undecodable sequence becomes one U+FFFD and the text around it is
/// kept. Unknown or empty charset names: the bytes are taken as UTF-8 (sanitized).
/// Aliases: GB2312/GBK/X-GBK/CP936 -> GB18030; Shift_JIS/SJIS/x-sjis/Windows-31J -> CP932;
/// ISO-2022-JP -> ISO-2022-JP with CP50221 extensions (NEC and IBM rows, half-width kana,
/// JIS X 0212/0213); EUC-JP -> EUC-JP then eucJP-ms; Big5 -> Big5, CP950, Big5-HKSCS;
/// EUC-KR/ks_c_5601-1987 -> CP949; ISO-8859-1/US-ASCII -> Windows-1252 when not UTF-8.
Decoded decode_to_utf8(std::string_view bytes, std::string_view charset);

/// decode_to_utf8(bytes, charset).text
std::string to_utf8(std::string_view bytes, std::string_view charset);

/// Encode UTF-8 text into `charset`. Returns std::nullopt when `utf8` is not valid UTF-8,
/// the charset is unknown, or the result would not decode (with decode_to_utf8) back to
/// exactly `utf8`: a character has no representation, maps one way only (U+301C in
/// Shift_JIS), or is ESC/SO/SI in ISO-2022-JP. Callers then fall back to UTF-8. Each call is a complete conversion: for stateful charsets such as
/// ISO-2022-JP the result starts in and returns to the initial (ASCII) state, so it ends
/// with ESC ( B whenever it left ASCII; pieces converted separately can be concatenated
/// or placed in separate encoded words. GB2312 means strict EUC-CN here, not GB18030.
std::optional<std::string> from_utf8(std::string_view utf8, std::string_view charset);

/// True when from_utf8 would accept `charset` as a target.
bool can_encode_to(std::string_view charset);

/// The canonical spelling of a charset name for MIME headers ("UTF-8", "ISO-2022-JP",
/// "GB18030", "Shift_JIS", ...); unknown names are upper-cased.
std::string canonical_charset_name(std::string_view charset);

}  // namespace zmail::text
