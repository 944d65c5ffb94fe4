// UTF-8 primitives shared by the text codecs: step through code points, append them,
// validate and repair byte strings.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zmail::text {

/// U+FFFD, what every decoder here puts where input bytes could not be decoded.
inline constexpr char32_t replacement_character = 0xFFFD;

/// One step of UTF-8 decoding. When `valid` is false, `length` is the length of the
/// maximal ill-formed subpart (at least 1) and `code_point` is U+FFFD, so a caller that
/// emits one U+FFFD per step follows the Unicode "maximal subpart" practice.
struct Utf8Step {
    char32_t code_point;
    std::size_t length;
    bool valid;
};

/// Decode the code point starting at `pos` (which must be < text.size()). Overlong forms,
/// surrogates (U+D800..U+DFFF) and values above U+10FFFF are invalid.
Utf8Step next_utf8(std::string_view text, std::size_t pos);

/// Append the UTF-8 form of `code_point` (must be a Unicode scalar value) to `out`.
void append_utf8(std::string& out, char32_t code_point);

/// True when `text` is well-formed UTF-8 (US-ASCII included). NUL bytes are allowed.
bool is_valid_utf8(std::string_view text);

/// `text` with each ill-formed sequence replaced by one U+FFFD; valid text is returned unchanged.
std::string sanitize_utf8(std::string_view text);

/// `text` (valid UTF-8) in Unicode Normalization Form C (libunistring's u8_normalize): what
/// Linux programs write, where macOS file systems hand out decomposed names ("か" + U+3099 for
/// "が"). Invalid UTF-8 is returned unchanged.
std::string to_nfc(std::string_view text);
/// True when `text` is valid UTF-8 already in NFC (ASCII always is).
bool is_nfc(std::string_view text);

/// True when every byte of `text` is below 0x80.
bool is_ascii(std::string_view text);

/// `text` made safe to quote in an error message: valid UTF-8, control characters written
/// as \r, \n, \t, \0 or \xHH. Used so that header-injection attempts stay visible and inert.
std::string printable(std::string_view text);

}  // namespace zmail::text
