#include "text/address.hpp"

#include <algorithm>
#include <optional>

#include "error.hpp"
#include "i18n.hpp"
#include "text/punycode.hpp"
#include "text/rfc2047.hpp"
#include "text/utf8.hpp"

namespace zmail::text {

namespace {

// ---------------------------------------------------------------------------------------
// Tokens

enum class TokenKind { Atom, Quoted, Comment, Literal, Special };

struct Token {
    TokenKind kind;
    std::string text;  // unescaped content for Quoted and Comment; the character for Special
    bool space_before;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special(char c) { return std::string_view("<>,:;@.").find(c) != std::string_view::npos; }

/// Length of an RFC 2047 encoded word starting at `pos` (so that '.', '?' and the like in
/// it do not split it), or 0.
std::size_t encoded_word_length(std::string_view text, std::size_t pos) {
    if (!text.substr(pos).starts_with("=?")) return 0;
    int question_marks = 1;
    for (std::size_t i = pos + 2; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte <= 0x20 || byte == 0x7F) return 0;
        if (text[i] != '?') continue;
        ++question_marks;
        if (question_marks >= 4 && i + 1 < text.size() && text[i + 1] == '=') return i + 2 - pos;
        if (question_marks >= 4) return 0;
    }
    return 0;
}

/// Quoted string or comment content, unescaped; `pos` is on the opening character and
/// moves past the closing one. When that is missing, nullopt and `pos` is unchanged.
std::optional<std::string> read_delimited(std::string_view text, std::size_t& pos, char open, char close) {
    std::string content;
    int depth = 1;
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            content += text[++i];
            continue;
        }
        if (c == close && --depth == 0) {
            pos = i + 1;
            return content;
        }
        if (c == open && open != close) ++depth;
        content += c;
    }
    return std::nullopt;
}

std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    bool space = false;
    bool unbalanced_quote = false;
    bool unbalanced_comment = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const char c = text[pos];
        if (is_space(c)) {
            space = true;
            ++pos;
            continue;
        }
        if (c == '"' || c == '(') {
            const bool quote = c == '"';
            bool& unbalanced = quote ? unbalanced_quote : unbalanced_comment;
            std::optional<std::string> content;
            if (!unbalanced) content = read_delimited(text, pos, c, quote ? '"' : ')');
            if (!content) {
                // Unbalanced: read on as if the character were not there. Once one has run to
                // the end, later ones are not tried, so that broken input stays linear.
                unbalanced = true;
                ++pos;
                continue;
            }
            tokens.push_back({quote ? TokenKind::Quoted : TokenKind::Comment, std::move(*content), space});
        } else if (c == '[') {
            const std::size_t end = text.find(']', pos);
            const std::size_t stop = end == std::string_view::npos ? text.size() : end + 1;
            tokens.push_back({TokenKind::Literal, std::string(text.substr(pos, stop - pos)), space});
            pos = stop;
        } else if (is_special(c)) {
            tokens.push_back({TokenKind::Special, std::string(1, c), space});
            ++pos;
        } else {
            const std::size_t start = pos;
            while (pos < text.size()) {
                if (const std::size_t word = encoded_word_length(text, pos)) {
                    pos += word;
                    continue;
                }
                const char d = text[pos];
                if (is_space(d) || is_special(d) || d == '"' || d == '(' || d == '[') break;
                ++pos;
            }
            tokens.push_back({TokenKind::Atom, std::string(text.substr(start, pos - start)), space});
        }
        space = false;
    }
    return tokens;
}

bool is_special_token(const Token& token, char c) {
    return token.kind == TokenKind::Special && token.text[0] == c;
}

// ---------------------------------------------------------------------------------------
// Mailboxes

/// Display text of phrase tokens: quoted strings unquoted, one space where there was any.
std::string phrase_text(const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& token : tokens) {
        if (token.kind == TokenKind::Comment) continue;
        if (!out.empty() && token.space_before) out += ' ';
        out += token.text;
    }
    return out;
}

/// An addr-spec from tokens, blanks and comments dropped, quoted strings re-quoted.
std::string address_text(const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& token : tokens) {
        if (token.kind == TokenKind::Comment) continue;
        if (token.kind != TokenKind::Quoted) {
            out += token.text;
            continue;
        }
        out += '"';
        for (char c : token.text) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    return out;
}

std::string trim_blanks(std::string text) {
    const auto not_blank = [](char c) { return c != ' ' && c != '\t'; };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_blank));
    text.erase(std::find_if(text.rbegin(), text.rend(), not_blank).base(), text.end());
    return text;
}

/// What one entry between commas holds while it is read.
struct Entry {
    std::vector<Token> phrase;  // tokens outside angle brackets
    std::vector<Token> angle;   // tokens inside them
    std::vector<std::string> comments;
    bool has_angle = false;
    bool angle_open = false;
};

class ListParser {
public:
    explicit ListParser(std::string_view fallback_charset) : fallback_(fallback_charset) {}

    std::vector<Address> parse(const std::vector<Token>& tokens) {
        for (const Token& token : tokens) feed(token);
        finish_entry();
        return std::move(result_);
    }

private:
    void feed(const Token& token) {
        if (entry_.angle_open) {
            if (is_special_token(token, '>')) entry_.angle_open = false;
            else if (token.kind == TokenKind::Comment) entry_.comments.push_back(token.text);
            else entry_.angle.push_back(token);
            return;
        }
        if (token.kind == TokenKind::Comment) {
            entry_.comments.push_back(token.text);
        } else if (is_special_token(token, '<')) {
            entry_.has_angle = true;
            entry_.angle_open = true;
        } else if (is_special_token(token, ',')) {
            finish_entry();
        } else if (is_special_token(token, ';')) {
            finish_entry();
            in_group_ = false;
            group_.clear();
        } else if (is_special_token(token, ':') && !in_group_ && !entry_.has_angle && !has_at(entry_.phrase)) {
            group_ = decode(phrase_text(entry_.phrase));
            in_group_ = true;
            entry_ = Entry{};
        } else if (!entry_.has_angle) {
            entry_.phrase.push_back(token);
        }
    }

    static bool has_at(const std::vector<Token>& tokens) {
        return std::any_of(tokens.begin(), tokens.end(), [](const Token& t) { return is_special_token(t, '@'); });
    }

    std::string decode(const std::string& text) const { return trim_blanks(decode_header(text, fallback_)); }

    void finish_entry() {
        Entry entry = std::move(entry_);
        entry_ = Entry{};
        Address address;
        if (entry.has_angle) {
            address.address = address_text(entry.angle);
            if (address.address.starts_with('@')) {  // source route "@a,@b:user@host"
                const std::size_t colon = address.address.find(':');
                address.address = colon == std::string::npos ? std::string() : address.address.substr(colon + 1);
            }
            address.display_name = decode(phrase_text(entry.phrase));
        } else {
            split_bare(entry.phrase, address);
        }
        if (address.display_name.empty() && !entry.comments.empty()) {
            std::string joined;
            for (const std::string& comment : entry.comments) joined += (joined.empty() ? "" : " ") + comment;
            address.display_name = decode(joined);
        }
        address.address = sanitize_utf8(address.address);
        if (address.address.empty() && address.display_name.empty()) return;
        address.group = group_;
        result_.push_back(std::move(address));
    }

    /// "addr@host", or the broken "Name addr@host": the last blank-separated chunk is the
    /// address when it alone holds the '@'.
    void split_bare(const std::vector<Token>& tokens, Address& address) const {
        std::size_t last_chunk = 0;
        for (std::size_t i = 1; i < tokens.size(); ++i) {
            if (tokens[i].space_before) last_chunk = i;
        }
        const std::vector<Token> head(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(last_chunk));
        const std::vector<Token> tail(tokens.begin() + static_cast<std::ptrdiff_t>(last_chunk), tokens.end());
        if (last_chunk > 0 && !has_at(head) && has_at(tail) && !is_special_token(tail.front(), '@') &&
            !is_special_token(tail.back(), '@')) {
            address.display_name = decode(phrase_text(head));
            address.address = address_text(tail);
            return;
        }
        address.address = address_text(tokens);
    }

    std::string_view fallback_;
    std::vector<Address> result_;
    Entry entry_;
    bool in_group_ = false;
    std::string group_;
};

// ---------------------------------------------------------------------------------------
// Validation

/// `why` is marked with N_() and translated here.
[[noreturn]] void invalid(std::string_view address, const char* why) {
    throw Error(ErrorKind::Usage, tr("invalid address '{}': {}", printable(address), translate(why)));
}

bool is_atext_or_utf8(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) return true;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view text, bool (*allowed)(char)) {
    if (text.empty() || text.front() == '.' || text.back() == '.') return false;
    if (text.find("..") != std::string_view::npos) return false;
    return std::all_of(text.begin(), text.end(), [&](char c) { return c == '.' || allowed(c); });
}

bool is_quoted_local(std::string_view local) {
    if (local.size() < 2 || local.front() != '"' || local.back() != '"') return false;
    for (std::size_t i = 1; i + 1 < local.size(); ++i) {
        if (local[i] == '\\') {
            if (++i + 1 >= local.size()) return false;  // escape of the closing quote
        } else if (local[i] == '"') {
            return false;
        }
    }
    return true;
}

bool is_host_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x80 || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

/// The '@' between local part and domain: the last one (a quoted local part may hold '@').
std::size_t split_point(std::string_view address) { return address.rfind('@'); }

}  // namespace

std::vector<Address> parse_address_list(std::string_view header_value, std::string_view fallback_charset) {
    return ListParser(fallback_charset).parse(tokenize(unfold_header(header_value)));
}

std::optional<Address> parse_address(std::string_view header_value, std::string_view fallback_charset) {
    std::vector<Address> list = parse_address_list(header_value, fallback_charset);
    if (list.empty()) return std::nullopt;
    return std::move(list.front());
}

void validate_address(std::string_view address) {
    // TRANSLATORS: why an address is invalid ("invalid address '': empty")
    if (address.empty()) invalid(address, N_("empty"));
    for (char c : address) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\r' || c == '\n') invalid(address, N_("contains a line break"));
        if (c == '\0') invalid(address, N_("contains a NUL byte"));
        if (byte < 0x20 || byte == 0x7F) invalid(address, N_("contains a control character"));
    }
    if (!is_valid_utf8(address)) invalid(address, N_("not valid UTF-8"));
    const std::size_t at = split_point(address);
    if (at == std::string_view::npos) invalid(address, N_("missing '@'"));
    const std::string_view local = address.substr(0, at);
    const std::string_view domain = address.substr(at + 1);
    if (local.empty()) invalid(address, N_("empty local part"));
    if (domain.empty()) invalid(address, N_("empty domain"));
    if (!is_quoted_local(local) && !is_dot_atom(local, is_atext_or_utf8))
        invalid(address, N_("invalid local part"));
    if (domain.front() == '[') {
        const bool closed = domain.size() >= 2 && domain.back() == ']';
        const std::string_view inner = closed ? domain.substr(1, domain.size() - 2) : domain;
        if (!closed || inner.empty() || inner.find_first_of("[]\\ ") != std::string_view::npos) {
            invalid(address, N_("invalid domain literal"));
        }
    } else if (!is_dot_atom(domain, is_host_char)) {
        invalid(address, N_("invalid domain"));
    }
}

std::string format_address(const Address& address, std::string_view charset) {
    validate_address(address.address);
    const std::string phrase = encode_phrase(address.display_name, charset);
    if (phrase.empty()) return address.address;
    return phrase + " <" + address.address + ">";
}

std::string format_address_list(const std::vector<Address>& addresses, std::string_view charset) {
    std::string out;
    for (const Address& address : addresses) {
        if (!out.empty()) out += ", ";
        out += format_address(address, charset);
    }
    return out;
}

std::string address_to_ascii(std::string_view address) {
    validate_address(address);
    const std::size_t at = split_point(address);
    return std::string(address.substr(0, at + 1)) + domain_to_ascii(address.substr(at + 1));
}

bool needs_smtputf8(std::string_view address) {
    const std::size_t at = split_point(address);
    return !is_ascii(address.substr(0, at == std::string_view::npos ? address.size() : at));
}

}  // namespace zmail::text
