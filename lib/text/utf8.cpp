#include "text/utf8.hpp"

#include <uninorm.h>

#include <cstdlib>

namespace zmail::text {

std::string to_nfc(std::string_view text) {
    if (is_ascii(text) || !is_valid_utf8(text)) return std::string(text);
    std::size_t length = 0;
    uint8_t* normalized = u8_normalize(UNINORM_NFC, reinterpret_cast<const uint8_t*>(text.data()), text.size(),
                                       nullptr, &length);
    if (!normalized) return std::string(text);  // out of memory: leave it as it is
    std::string out(reinterpret_cast<const char*>(normalized), length);
    std::free(normalized);
    return out;
}

bool is_nfc(std::string_view text) {
    return is_ascii(text) || (is_valid_utf8(text) && to_nfc(text) == text);
}


Utf8Step next_utf8(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<unsigned char>(text[pos]);
    if (lead < 0x80) return {lead, 1, true};

    std::size_t needed = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    char32_t code_point = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1;
        code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        needed = 2;
        code_point = lead & 0x0F;
        if (lead == 0xE0) lower = 0xA0;  // no overlong forms
        if (lead == 0xED) upper = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        needed = 3;
        code_point = lead & 0x07;
        if (lead == 0xF0) lower = 0x90;  // no overlong forms
        if (lead == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
    } else {
        return {replacement_character, 1, false};
    }

    for (std::size_t i = 1; i <= needed; ++i) {
        if (pos + i >= text.size()) return {replacement_character, i, false};
        const auto byte = static_cast<unsigned char>(text[pos + i]);
        const unsigned char low = i == 1 ? lower : 0x80;
        const unsigned char high = i == 1 ? upper : 0xBF;
        if (byte < low || byte > high) return {replacement_character, i, false};
        code_point = (code_point << 6) | (byte & 0x3F);
    }
    return {code_point, needed + 1, true};
}

void append_utf8(std::string& out, char32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

bool is_valid_utf8(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Utf8Step step = next_utf8(text, pos);
        if (!step.valid) return false;
        pos += step.length;
    }
    return true;
}

std::string sanitize_utf8(std::string_view text) {
    if (is_valid_utf8(text)) return std::string(text);
    std::string out;
    out.reserve(text.size() + 8);
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Utf8Step step = next_utf8(text, pos);
        if (step.valid) {
            out.append(text.substr(pos, step.length));
        } else {
            append_utf8(out, replacement_character);
        }
        pos += step.length;
    }
    return out;
}

bool is_ascii(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    const std::string valid = sanitize_utf8(text);
    std::string out;
    out.reserve(valid.size());
    for (char c : valid) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\0': out += "\\0"; break;
        default:
            if (byte < 0x20 || byte == 0x7F) {
                out += "\\x";
                out += hex[byte >> 4];
                out += hex[byte & 0x0F];
            } else {
                out += c;
            }
        }
    }
    return out;
}

}  // namespace zmail::text
