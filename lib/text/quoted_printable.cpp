#include "text/quoted_printable.hpp"

namespace zmail::text {

namespace {

constexpr std::size_t max_line = 76;
constexpr char hex_digits[] = "0123456789ABCDEF";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Writes one input line (without its line break) as quoted-printable lines.
class LineEncoder {
public:
    explicit LineEncoder(std::string& out) : out_(out) {}

    void encode(std::string_view line) {
        column_ = 0;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            const auto byte = static_cast<unsigned char>(c);
            const bool last = i + 1 == line.size();
            bool literal = (byte >= 33 && byte <= 126 && c != '=') || (is_blank(c) && !last);
            if (i == 0 && c == '.') literal = false;
            if (i == 0 && c == 'F' && line.starts_with("From ")) literal = false;
            if (literal) {
                put(std::string_view(&line[i], 1), last);
            } else {
                const char triple[3] = {'=', hex_digits[byte >> 4], hex_digits[byte & 0x0F]};
                put(std::string_view(triple, 3), last);
            }
        }
    }

private:
    /// Append `piece`, first breaking the line softly when it would not fit. The final piece
    /// of a line may use all 76 columns; others leave room for the soft break's '='.
    void put(std::string_view piece, bool last) {
        const std::size_t limit = last ? max_line : max_line - 1;
        if (column_ + piece.size() > limit) {
            out_ += "=\r\n";
            column_ = 0;
        }
        out_ += piece;
        column_ += piece.size();
    }

    std::string& out_;
    std::size_t column_ = 0;
};

}  // namespace

std::string quoted_printable_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    LineEncoder encoder(out);
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t newline = text.find('\n', start);
        if (newline == std::string_view::npos) {
            encoder.encode(text.substr(start));
            break;
        }
        std::size_t end = newline;
        if (end > start && text[end - 1] == '\r') --end;
        encoder.encode(text.substr(start, end - start));
        out += "\r\n";
        start = newline + 1;
    }
    return out;
}

std::string quoted_printable_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t newline = text.find('\n', start);
        const bool has_break = newline != std::string_view::npos;
        if (!has_break) newline = text.size();
        std::size_t end = newline;
        std::string_view line_break;
        if (has_break) {
            if (end > start && text[end - 1] == '\r') --end;
            line_break = text.substr(end, newline + 1 - end);
        }
        std::string_view line = text.substr(start, end - start);
        while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
        bool soft = false;
        if (!line.empty() && line.back() == '=') {
            soft = true;
            line.remove_suffix(1);
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '=') {
                const int high = i + 1 < line.size() ? hex_value(line[i + 1]) : -1;
                const int low = i + 2 < line.size() ? hex_value(line[i + 2]) : -1;
                if (high >= 0 && low >= 0) {
                    out += static_cast<char>(high * 16 + low);
                    i += 2;
                    continue;
                }
            }
            out += line[i];
        }
        if (!soft) out += line_break;
        start = newline + 1;
    }
    return out;
}

}  // namespace zmail::text
