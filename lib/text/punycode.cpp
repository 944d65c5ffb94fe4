#include "text/punycode.hpp"

#include <cstdint>
#include <vector>

#include "error.hpp"
#include "i18n.hpp"
#include "text/utf8.hpp"

namespace zmail::text {

namespace {

constexpr std::uint32_t base = 36;
constexpr std::uint32_t t_min = 1;
constexpr std::uint32_t t_max = 26;
constexpr std::uint32_t skew = 38;
constexpr std::uint32_t damp = 700;
constexpr std::uint32_t initial_bias = 72;
constexpr std::uint32_t initial_n = 0x80;
constexpr std::uint32_t max_value = 0x7FFFFFFF;
constexpr std::size_t max_label = 63;

std::uint32_t adapt(std::uint32_t delta, std::uint32_t points, bool first) {
    delta = first ? delta / damp : delta / 2;
    delta += delta / points;
    std::uint32_t k = 0;
    while (delta > ((base - t_min) * t_max) / 2) {
        delta /= base - t_min;
        k += base;
    }
    return k + (base - t_min + 1) * delta / (delta + skew);
}

std::uint32_t threshold(std::uint32_t k, std::uint32_t bias) {
    if (k <= bias) return t_min;
    if (k >= bias + t_max) return t_max;
    return k - bias;
}

char digit_char(std::uint32_t digit) {
    return static_cast<char>(digit < 26 ? 'a' + digit : '0' + (digit - 26));
}

int digit_value(char c) {
    if (c >= 'a' && c <= 'z') return c - 'a';
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= '0' && c <= '9') return c - '0' + 26;
    return -1;
}

std::optional<std::vector<char32_t>> code_points(std::string_view utf8) {
    std::vector<char32_t> points;
    for (std::size_t pos = 0; pos < utf8.size();) {
        const Utf8Step step = next_utf8(utf8, pos);
        if (!step.valid) return std::nullopt;
        points.push_back(step.code_point);
        pos += step.length;
    }
    return points;
}

/// The partial UTS #46 mapping: full-width ASCII, and simple upper-case letters.
char32_t map_code_point(char32_t c) {
    if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII
    if (c >= 'A' && c <= 'Z') return c + 0x20;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;  // Cyrillic
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    return c;
}

bool is_label_separator(char32_t c) { return c == '.' || c == 0x3002 || c == 0xFF0E || c == 0xFF61; }

bool is_forbidden(char32_t c) {
    if (c < 0x80) return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
    if (c <= 0xA0) return true;  // C1 controls, no-break space
    if (c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
        c == 0x205F || c == 0x3000 || c == 0xFEFF || c == 0xFFFD) {
        return true;
    }
    return false;
}

/// `why` is marked with N_() and translated here.
[[noreturn]] void fail(std::string_view domain, const char* why) {
    throw Error(ErrorKind::Usage, tr("cannot convert domain '{}' to ASCII: {}", printable(domain), translate(why)));
}

}  // namespace

std::optional<std::string> punycode_encode(std::string_view label) {
    const auto input = code_points(label);
    if (!input) return std::nullopt;
    std::string out;
    for (char32_t c : *input) {
        if (c < 0x80) out += static_cast<char>(c);
    }
    const auto basic = static_cast<std::uint32_t>(out.size());
    std::uint32_t handled = basic;
    if (basic > 0) out += '-';
    std::uint32_t n = initial_n;
    std::uint32_t delta = 0;
    std::uint32_t bias = initial_bias;
    while (handled < input->size()) {
        std::uint32_t m = max_value;
        for (char32_t c : *input) {
            if (c >= n && c < m) m = c;
        }
        if ((m - n) > (max_value - delta) / (handled + 1)) return std::nullopt;
        delta += (m - n) * (handled + 1);
        n = m;
        for (char32_t c : *input) {
            if (c < n && ++delta > max_value) return std::nullopt;
            if (c != n) continue;
            std::uint32_t q = delta;
            for (std::uint32_t k = base;; k += base) {
                const std::uint32_t t = threshold(k, bias);
                if (q < t) break;
                out += digit_char(t + (q - t) % (base - t));
                q = (q - t) / (base - t);
            }
            out += digit_char(q);
            bias = adapt(delta, handled + 1, handled == basic);
            delta = 0;
            ++handled;
        }
        ++delta;
        ++n;
    }
    return out;
}

std::optional<std::string> punycode_decode(std::string_view encoded) {
    std::vector<char32_t> output;
    std::size_t in = 0;
    if (const std::size_t dash = encoded.rfind('-'); dash != std::string_view::npos) {
        for (std::size_t i = 0; i < dash; ++i) {
            if (static_cast<unsigned char>(encoded[i]) >= 0x80) return std::nullopt;
            output.push_back(static_cast<unsigned char>(encoded[i]));
        }
        in = dash + 1;
    }
    std::uint32_t n = initial_n;
    std::uint32_t i = 0;
    std::uint32_t bias = initial_bias;
    while (in < encoded.size()) {
        const std::uint32_t old_i = i;
        std::uint32_t weight = 1;
        for (std::uint32_t k = base;; k += base) {
            if (in >= encoded.size()) return std::nullopt;
            const int value = digit_value(encoded[in++]);
            if (value < 0) return std::nullopt;
            const auto digit = static_cast<std::uint32_t>(value);
            if (digit > (max_value - i) / weight) return std::nullopt;
            i += digit * weight;
            const std::uint32_t t = threshold(k, bias);
            if (digit < t) break;
            if (weight > max_value / (base - t)) return std::nullopt;
            weight *= base - t;
        }
        const auto count = static_cast<std::uint32_t>(output.size() + 1);
        bias = adapt(i - old_i, count, old_i == 0);
        if (i / count > max_value - n) return std::nullopt;
        n += i / count;
        i %= count;
        if (n < 0x80 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF)) return std::nullopt;
        output.insert(output.begin() + i, n);
        ++i;
    }
    std::string out;
    for (char32_t c : output) append_utf8(out, c);
    return out;
}

std::string domain_to_ascii(std::string_view domain) {
    if (!is_valid_utf8(domain)) fail(domain, N_("not valid UTF-8"));
    for (char c : domain) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) fail(domain, N_("contains a control character"));
    }
    if (is_ascii(domain)) return std::string(domain);

    const std::vector<char32_t> points = code_points(domain).value_or(std::vector<char32_t>{});
    std::vector<std::string> labels(1);
    for (char32_t c : points) {
        c = map_code_point(c);
        if (is_label_separator(c)) {
            labels.emplace_back();
            continue;
        }
        if (is_forbidden(c)) fail(domain, N_("contains a character not allowed in host names"));
        append_utf8(labels.back(), c);
    }
    std::string out;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const std::string& label = labels[i];
        if (label.empty()) {
            if (i + 1 == labels.size() && i > 0) break;  // trailing root dot
            fail(domain, N_("empty label"));
        }
        std::string ascii = label;
        if (!is_ascii(label)) {
            const auto encoded = punycode_encode(label);
            if (!encoded) fail(domain, N_("label cannot be encoded"));
            ascii = "xn--" + *encoded;
        }
        if (ascii.size() > max_label) fail(domain, N_("label longer than 63 characters"));
        if (i > 0) out += '.';
        out += ascii;
    }
    if (labels.back().empty()) out += '.';
    return out;
}

}  // namespace zmail::text
