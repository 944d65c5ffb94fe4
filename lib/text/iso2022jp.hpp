// The ISO-2022-JP decoder used for mail labelled ISO-2022-JP: glibc's own converter
// rejects the Windows extensions (CP50221: NEC row 13 such as ①, NEC-selected IBM rows
// 89-92 such as 髙, half-width katakana after ESC ( I) that Japanese MUAs send every day,
// and passes unknown escape sequences through as raw ESC bytes. Internal to lib/text.
#pragma once

#include <string_view>

#include "text/charset.hpp"

namespace zmail::text {

/// Decode ISO-2022-JP and its relatives (ISO-2022-JP-1/2/3, CP50220/50221/50222) to UTF-8.
/// JIS X 0208 characters map as in glibc EUC-JP (0x2141 -> U+301C WAVE DASH); characters
/// outside it are looked up in CP932 (NEC and IBM extensions). Unknown escapes, bytes that
/// fit no character set and truncated characters become U+FFFD. Never throws.
Decoded decode_iso2022jp(std::string_view bytes);

}  // namespace zmail::text
