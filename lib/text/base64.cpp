#include "text/base64.hpp"

#include <cstdint>

#include "error.hpp"

namespace zmail::text {

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

std::string base64_encode(std::string_view bytes, std::size_t line_length) {
    line_length -= line_length % 4;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4 + (line_length ? bytes.size() / line_length * 2 + 2 : 0));
    std::size_t column = 0;
    const auto put = [&](char c) {
        out += c;
        if (line_length != 0 && ++column == line_length) {
            out += "\r\n";
            column = 0;
        }
    };
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t group = (static_cast<unsigned char>(bytes[i]) << 16) |
                                    (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                                    static_cast<unsigned char>(bytes[i + 2]);
        put(alphabet[(group >> 18) & 63]);
        put(alphabet[(group >> 12) & 63]);
        put(alphabet[(group >> 6) & 63]);
        put(alphabet[group & 63]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        put(alphabet[(group >> 18) & 63]);
        put(alphabet[(group >> 12) & 63]);
        put(rest == 2 ? alphabet[(group >> 6) & 63] : '=');
        put('=');
    }
    if (line_length != 0 && column != 0) out += "\r\n";
    return out;
}

std::string base64_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=') {
            // Padding ends the quantum: whole bytes already came out, drop leftover bits.
            bits = 0;
            count = 0;
            continue;
        }
        const int value = base64_value(c);
        if (value < 0) continue;
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

}  // namespace zmail::text
