#include "text/mutf7.hpp"

#include <cstdint>
#include <vector>

#include "error.hpp"
#include "i18n.hpp"
#include "text/utf8.hpp"

namespace zmail::text {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int modified_base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

bool is_printable_ascii(char32_t c) { return c >= 0x20 && c <= 0x7E; }

/// Appends UTF-16 code units to a base64 run and closes it with '-'.
class RunWriter {
public:
    explicit RunWriter(std::string& out) : out_(out) {}

    void add(char32_t code_point) {
        if (!open_) {
            out_ += '&';
            open_ = true;
        }
        if (code_point >= 0x10000) {
            const char32_t offset = code_point - 0x10000;
            add_unit(static_cast<std::uint16_t>(0xD800 + (offset >> 10)));
            add_unit(static_cast<std::uint16_t>(0xDC00 + (offset & 0x3FF)));
        } else {
            add_unit(static_cast<std::uint16_t>(code_point));
        }
    }

    void close() {
        if (!open_) return;
        if (count_ > 0) out_ += alphabet[(bits_ << (6 - count_)) & 63];
        out_ += '-';
        open_ = false;
        bits_ = 0;
        count_ = 0;
    }

private:
    void add_unit(std::uint16_t unit) {
        bits_ = (bits_ << 16) | unit;
        count_ += 16;
        while (count_ >= 6) {
            count_ -= 6;
            out_ += alphabet[(bits_ >> count_) & 63];
        }
        bits_ &= (1u << count_) - 1;
    }

    std::string& out_;
    bool open_ = false;
    std::uint32_t bits_ = 0;
    int count_ = 0;
};

/// `why` is marked with N_() and translated here.
[[noreturn]] void fail(std::string_view name, const char* why) {
    throw Error(ErrorKind::Protocol, tr("cannot decode mailbox name '{}': {}", printable(name), translate(why)));
}

/// Decode the base64 text of one run (between '&' and '-') and append it as UTF-8.
void decode_run(std::string_view name, std::string_view run, std::string& out) {
    std::vector<std::uint16_t> units;
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : run) {
        const int value = modified_base64_value(c);
        if (value < 0) fail(name, N_("invalid character in modified base64"));
        bits = (bits << 6) | static_cast<std::uint32_t>(value);
        count += 6;
        if (count >= 16) {
            count -= 16;
            units.push_back(static_cast<std::uint16_t>(bits >> count));
            bits &= (1u << count) - 1;
        }
    }
    if (count >= 6 || bits != 0) fail(name, N_("modified base64 does not end on a character"));
    if (units.empty()) fail(name, N_("empty modified base64 run"));

    for (std::size_t i = 0; i < units.size(); ++i) {
        char32_t code_point = units[i];
        if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            if (i + 1 >= units.size() || units[i + 1] < 0xDC00 || units[i + 1] > 0xDFFF) {
                fail(name, N_("unpaired surrogate"));
            }
            code_point = 0x10000 + ((code_point - 0xD800) << 10) + (units[++i] - 0xDC00);
        } else if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            fail(name, N_("unpaired surrogate"));
        }
        if (is_printable_ascii(code_point)) fail(name, N_("printable ASCII inside modified base64"));
        if (code_point == 0) fail(name, N_("NUL character"));
        append_utf8(out, code_point);
    }
}

}  // namespace

std::string mutf7_encode(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size() * 2);
    RunWriter run(out);
    std::size_t pos = 0;
    while (pos < utf8.size()) {
        const Utf8Step step = next_utf8(utf8, pos);
        if (!step.valid) {
            throw Error(ErrorKind::Data, tr("cannot encode mailbox name '{}': not valid UTF-8", printable(utf8)));
        }
        if (step.code_point == 0) {
            throw Error(ErrorKind::Data, tr("cannot encode mailbox name '{}': contains NUL", printable(utf8)));
        }
        pos += step.length;
        if (is_printable_ascii(step.code_point)) {
            run.close();
            out += static_cast<char>(step.code_point);
            if (step.code_point == '&') out += '-';
        } else {
            run.add(step.code_point);
        }
    }
    run.close();
    return out;
}

std::string mutf7_decode(std::string_view mutf7) {
    std::string out;
    out.reserve(mutf7.size());
    bool after_run = false;  // the previous characters were a base64 run
    std::size_t pos = 0;
    while (pos < mutf7.size()) {
        const char c = mutf7[pos];
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) fail(mutf7, N_("raw 8-bit byte"));
        if (byte < 0x20 || byte == 0x7F) fail(mutf7, N_("raw control character"));
        if (c != '&') {
            out += c;
            after_run = false;
            ++pos;
            continue;
        }
        const std::size_t end = mutf7.find('-', pos + 1);
        if (end == std::string_view::npos) fail(mutf7, N_("'&' without terminating '-'"));
        if (end == pos + 1) {
            out += '&';
            after_run = false;
        } else {
            if (after_run) fail(mutf7, N_("two modified base64 runs back to back"));
            decode_run(mutf7, mutf7.substr(pos + 1, end - pos - 1), out);
            after_run = true;
        }
        pos = end + 1;
    }
    return out;
}

std::string mutf7_decode_or_raw(std::string_view name) {
    try {
        return mutf7_decode(name);
    } catch (const Error&) {
        return std::string(name);
    }
}

}  // namespace zmail::text
