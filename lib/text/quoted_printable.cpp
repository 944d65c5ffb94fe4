#include "text/quoted_printable.hpp"

namespace zmail::text {

namespace {

constexpr std::size_t max_line = 76;
constexpr char hex_digits[] = "0123456789ABCDEF";

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

}  // namespace zmail::text
