#include "imap/lexer.hpp"

#include "error.hpp"
#include "i18n.hpp"

namespace zmail::imap {
namespace {

[[noreturn]] void lex_error(std::string message, std::string_view line) {
    throw Error(ErrorKind::Protocol, std::move(message), {}, shorten_for_reply(line));
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Position just after the closing quote of the quoted string opening at `pos`, or npos.
std::size_t skip_quoted(std::string_view line, std::size_t pos) {
    for (std::size_t i = pos + 1; i < line.size(); ++i) {
        if (line[i] == '\\') {
            ++i;
        } else if (line[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Reads "{n}" / "{n+}" starting at `pos` (the '{'); it must end the line.
LiteralAnnouncement read_announcement(std::string_view line, std::size_t pos) {
    ++pos;
    std::uint64_t size = 0;
    std::size_t digits = 0;
    while (pos < line.size() && line[pos] >= '0' && line[pos] <= '9') {
        if (size > (std::uint64_t(1) << 56))
            lex_error(tr("unexpected server response: literal size too large"), line);
        size = size * 10 + static_cast<std::uint64_t>(line[pos] - '0');
        ++pos;
        ++digits;
    }
    if (digits == 0) lex_error(tr("unexpected server response: expected a literal size after '{'"), line);
    if (pos < line.size() && line[pos] == '+') ++pos;
    if (pos >= line.size() || line[pos] != '}')
        lex_error(tr("unexpected server response: expected '}' after literal size"), line);
    ++pos;
    if (pos != line.size())
        lex_error(tr("unexpected server response: expected end of line after literal announcement"), line);
    return {size};
}

// End of the atom starting at `pos`; a "[...]" inside is part of the atom, spaces and all.
std::size_t atom_end(std::string_view line, std::size_t pos) {
    while (pos < line.size()) {
        const unsigned char c = static_cast<unsigned char>(line[pos]);
        if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || is_control(c)) break;
        if (c == '[') {
            ++pos;
            while (pos < line.size() && line[pos] != ']') {
                if (line[pos] == '"') {
                    pos = skip_quoted(line, pos);
                    if (pos == std::string_view::npos)
                        lex_error(tr("unexpected server response: unterminated quoted string in section"), line);
                } else if (is_control(static_cast<unsigned char>(line[pos]))) {
                    lex_error(tr("unexpected server response: control character in section"), line);
                } else {
                    ++pos;
                }
            }
            if (pos >= line.size()) lex_error(tr("unexpected server response: expected ']' to end section"), line);
        }
        ++pos;
    }
    return pos;
}

}  // namespace

std::optional<LiteralAnnouncement> lex_line(std::string_view line, RawResponse& response) {
    const std::size_t base = response.text.size();
    response.text.append(line);
    auto push = [&](TokenKind kind, std::size_t offset, std::size_t length) {
        response.tokens.push_back(
            {static_cast<std::uint32_t>(base + offset), static_cast<std::uint32_t>(length), kind});
    };
    std::size_t pos = 0;
    while (pos < line.size()) {
        const unsigned char c = static_cast<unsigned char>(line[pos]);
        if (c == ' ') {
            ++pos;
        } else if (c == '(') {
            push(TokenKind::OpenParen, pos, 1);
            ++pos;
        } else if (c == ')') {
            push(TokenKind::CloseParen, pos, 1);
            ++pos;
        } else if (c == '"') {
            std::size_t end = skip_quoted(line, pos);
            if (end == std::string_view::npos)
                lex_error(tr("unexpected server response: unterminated quoted string"), line);
            push(TokenKind::Quoted, pos + 1, end - pos - 2);
            pos = end;
        } else if (c == '{') {
            return read_announcement(line, pos);
        } else if (c == '~' && pos + 1 < line.size() && line[pos + 1] == '{') {
            return read_announcement(line, pos + 1);
        } else if (is_control(c)) {
            lex_error(tr("unexpected server response: control character in response"), line);
        } else {
            std::size_t end = atom_end(line, pos);
            push(TokenKind::Atom, pos, end - pos);
            pos = end;
        }
    }
    return std::nullopt;
}

std::string unquote(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size()) ++i;
        out += raw[i];
    }
    return out;
}

std::string to_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string shorten_for_reply(std::string_view text, std::size_t max) {
    if (text.size() <= max) return std::string(text);
    return std::string(text.substr(0, max)) + "...";
}

}  // namespace zmail::imap
