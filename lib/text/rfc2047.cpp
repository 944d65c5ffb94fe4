#include "text/rfc2047.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "error.hpp"
#include "i18n.hpp"
#include "text/base64.hpp"
#include "text/charset.hpp"

namespace zmail::text {

namespace {

constexpr std::size_t max_encoded_word = 75;
constexpr std::size_t max_line = 78;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_blank_only(std::string_view text) {
    return std::all_of(text.begin(), text.end(), is_blank);
}

// ---------------------------------------------------------------------------------------
// Decoding

/// One piece of a header value: raw text, or an encoded word.
struct Segment {
    bool is_word = false;
    std::string_view raw;      // the text as it appears in the header
    std::string charset;       // lower case, language suffix removed (words only)
    char encoding = 0;         // 'B' or 'Q' (words only)
    std::string_view payload;  // encoded text between the third '?' and "?=" (words only)
    bool drop = false;         // blanks between two words
};

bool is_word_byte(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7F && c != '?';
}

bool is_valid_base64_payload(std::string_view payload) {
    std::size_t end = payload.size();
    while (end > 0 && payload[end - 1] == '=') --end;
    return std::all_of(payload.begin(), payload.begin() + static_cast<std::ptrdiff_t>(end),
                       [](char c) { return base64_value(c) >= 0; });
}

/// Parse "=?charset?X?payload?=" at `pos`; nullopt when it is not a well-formed word.
std::optional<Segment> parse_word(std::string_view text, std::size_t pos) {
    if (!text.substr(pos).starts_with("=?")) return std::nullopt;
    std::size_t i = pos + 2;
    const std::size_t charset_start = i;
    while (i < text.size() && is_word_byte(text[i]) && text[i] != '=') ++i;
    if (i == charset_start || i >= text.size() || text[i] != '?' || i - charset_start > 64) return std::nullopt;
    std::string_view charset = text.substr(charset_start, i - charset_start);
    if (i + 2 >= text.size() || text[i + 2] != '?') return std::nullopt;
    const char encoding = static_cast<char>(text[i + 1] & ~0x20);  // upper case
    if (encoding != 'B' && encoding != 'Q') return std::nullopt;
    const std::size_t payload_start = i + 3;
    std::size_t end = payload_start;
    while (end < text.size() && is_word_byte(text[end])) ++end;
    if (end + 1 >= text.size() || text[end] != '?' || text[end + 1] != '=') return std::nullopt;

    Segment word;
    word.is_word = true;
    word.raw = text.substr(pos, end + 2 - pos);
    word.encoding = encoding;
    word.payload = text.substr(payload_start, end - payload_start);
    if (encoding == 'B' && !is_valid_base64_payload(word.payload)) return std::nullopt;
    if (const auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
    if (charset.empty()) return std::nullopt;
    word.charset.reserve(charset.size());
    for (char c : charset) word.charset += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return word;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string decode_q(std::string_view payload) {
    std::string out;
    out.reserve(payload.size());
    for (std::size_t i = 0; i < payload.size(); ++i) {
        const char c = payload[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=' && i + 2 < payload.size() && hex_value(payload[i + 1]) >= 0 &&
                   hex_value(payload[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(payload[i + 1]) * 16 + hex_value(payload[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string unfold_header(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        std::size_t next = i;
        if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') next = i + 1;
        if (value[next] == '\n' && (next + 1 == value.size() || is_blank(value[next + 1]))) {
            i = next;
            continue;
        }
        out += value[i];
    }
    return out;
}

namespace {

Segment raw_segment(std::string_view raw) {
    Segment segment;
    segment.raw = raw;
    return segment;
}

std::vector<Segment> split_segments(std::string_view text) {
    std::vector<Segment> segments;
    std::size_t raw_start = 0;
    std::size_t pos = 0;
    while ((pos = text.find("=?", pos)) != std::string_view::npos) {
        std::optional<Segment> word = parse_word(text, pos);
        if (!word) {
            ++pos;
            continue;
        }
        if (pos > raw_start) segments.push_back(raw_segment(text.substr(raw_start, pos - raw_start)));
        pos += word->raw.size();
        raw_start = pos;
        segments.push_back(std::move(*word));
    }
    if (raw_start < text.size()) segments.push_back(raw_segment(text.substr(raw_start)));
    for (std::size_t i = 1; i + 1 < segments.size(); ++i) {
        if (!segments[i].is_word && segments[i - 1].is_word && segments[i + 1].is_word &&
            is_blank_only(segments[i].raw)) {
            segments[i].drop = true;
        }
    }
    return segments;
}

std::string decode_raw(std::string_view raw, std::string_view fallback_charset) {
    if (is_valid_utf8(raw)) return std::string(raw);
    if (fallback_charset.empty()) return sanitize_utf8(raw);
    return to_utf8(raw, fallback_charset);
}

/// CR, LF and NUL cannot stand in a one-line header value: each line break or NUL
/// becomes one space.
std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// Encoding

void require_utf8(std::string_view text) {
    if (!is_valid_utf8(text)) {
        throw Error(ErrorKind::Data, tr("cannot encode header text '{}': not valid UTF-8", printable(text)));
    }
}

/// Makes B encoded words in one charset.
class WordMaker {
public:
    WordMaker(std::string_view text, std::string_view charset) {
        const std::string name = canonical_charset_name(charset);
        if (name != "UTF-8" && from_utf8(text, name)) charset_ = name;
        prefix_ = "=?" + charset_ + "?B?";
    }

    /// The shortest possible word (one character) still fits into `limit` columns.
    bool fits_any(std::size_t limit) const { return limit >= prefix_.size() + 2 + 16; }

    /// The longest word, at most `limit` characters long, encoding text from `pos` on;
    /// advances `pos`. Takes at least one character even when that exceeds `limit`.
    std::string take(std::string_view text, std::size_t& pos, std::size_t limit) const {
        std::size_t end = pos;
        std::string best;
        while (end < text.size()) {
            std::size_t next = end + next_utf8(text, end).length;
            std::string word = make(text.substr(pos, next - pos));
            if (word.size() > limit && !best.empty()) break;
            best = std::move(word);
            end = next;
            if (best.size() > limit) break;  // a single character that does not fit
        }
        pos = end;
        return best;
    }

private:
    std::string make(std::string_view piece) const {
        std::string bytes(piece);
        if (charset_ != "UTF-8") bytes = from_utf8(piece, charset_).value_or(std::string(piece));
        return prefix_ + base64_encode(bytes) + "?=";
    }

    std::string charset_ = "UTF-8";
    std::string prefix_;
};

/// Collects a header value, folding before blanks to keep lines within 78 characters.
class Folder {
public:
    explicit Folder(std::size_t name_length) : column_(name_length + 2) {}

    /// Add `word` after the blanks `blanks`; fold before the blanks when the line is full.
    void add(std::string_view blanks, std::string_view word) {
        if (started_ && !blanks.empty() && !word.empty() && column_ + blanks.size() + word.size() > max_line) {
            fold();
        }
        append(blanks);
        append(word);
    }

    /// Add encoded words for all of `text` after `blanks`.
    void add_encoded(std::string_view blanks, std::string_view text, const WordMaker& maker) {
        std::size_t pos = 0;
        std::string_view separator = blanks;
        while (pos < text.size()) {
            std::size_t room = max_line > column_ + separator.size() ? max_line - column_ - separator.size() : 0;
            if (!maker.fits_any(room) && started_ && !separator.empty()) {
                fold();
                room = max_line - column_ - separator.size();
            }
            const std::size_t limit = maker.fits_any(room) ? std::min(room, max_encoded_word) : max_encoded_word;
            const std::string word = maker.take(text, pos, limit);
            append(separator);
            append(word);
            separator = " ";
        }
    }

    std::string result() && { return std::move(out_); }

private:
    void fold() {
        out_ += "\r\n";
        column_ = 0;
    }

    void append(std::string_view piece) {
        out_ += piece;
        column_ += piece.size();
        if (!piece.empty()) started_ = true;
    }

    std::string out_;
    std::size_t column_;
    bool started_ = false;
};

/// A word needs encoding when it is not plain printable ASCII, when a reader could take it
/// for an encoded word, or when it is too long for any header line.
bool needs_encoding(std::string_view word) {
    for (char c : word) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F) return true;
    }
    return word.find("=?") != std::string_view::npos || word.size() > 900;
}

/// Split text into (blanks, word) pairs; the last pair may have an empty word.
std::vector<std::pair<std::string_view, std::string_view>> split_words(std::string_view text) {
    std::vector<std::pair<std::string_view, std::string_view>> pairs;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t word_start = std::find_if_not(text.begin() + static_cast<std::ptrdiff_t>(pos), text.end(),
                                                         is_blank) - text.begin();
        const std::size_t word_end = std::find_if(text.begin() + static_cast<std::ptrdiff_t>(word_start), text.end(),
                                                  is_blank) - text.begin();
        pairs.emplace_back(text.substr(pos, word_start - pos), text.substr(word_start, word_end - word_start));
        pos = word_end;
    }
    return pairs;
}

bool is_atext(char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

}  // namespace

std::string decode_header(std::string_view value, std::string_view fallback_charset) {
    const std::string text = unfold_header(value);
    const std::vector<Segment> segments = split_segments(text);
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < segments.size()) {
        const Segment& first = segments[i];
        if (!first.is_word) {
            if (!first.drop) out += decode_raw(first.raw, fallback_charset);
            ++i;
            continue;
        }
        // Join the bytes of adjacent words in the same charset, then convert once.
        std::string bytes;
        std::size_t last = i;
        for (std::size_t j = i; j < segments.size();) {
            const Segment& word = segments[j];
            bytes += word.encoding == 'B' ? base64_decode(word.payload) : decode_q(word.payload);
            last = j;
            std::size_t next = j + 1;
            if (next < segments.size() && segments[next].drop) ++next;
            if (next >= segments.size() || !segments[next].is_word || segments[next].charset != first.charset) break;
            j = next;
        }
        out += to_utf8(bytes, first.charset);
        i = last + 1;
    }
    return one_line(out);
}

std::string encode_unstructured(std::size_t name_length, std::string_view text, std::string_view charset) {
    require_utf8(text);
    const WordMaker maker(text, charset);
    Folder folder(name_length);
    const auto pairs = split_words(text);
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const auto [blanks, word] = pairs[i];
        if (word.empty() || !needs_encoding(word)) {
            folder.add(blanks, word);
            continue;
        }
        // A run of words needing encoding becomes one stretch of encoded words, blanks
        // inside it included (readers drop blanks between encoded words).
        const std::size_t run_start = static_cast<std::size_t>(word.data() - text.data());
        std::size_t run_end = run_start + word.size();
        while (i + 1 < pairs.size() && !pairs[i + 1].second.empty() && needs_encoding(pairs[i + 1].second)) {
            ++i;
            run_end = static_cast<std::size_t>(pairs[i].second.data() - text.data()) + pairs[i].second.size();
        }
        folder.add_encoded(blanks, text.substr(run_start, run_end - run_start), maker);
    }
    return std::move(folder).result();
}

std::string encode_words(std::string_view text, std::string_view charset) {
    require_utf8(text);
    const WordMaker maker(text, charset);
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (!out.empty()) out += ' ';
        out += maker.take(text, pos, max_encoded_word);
    }
    return out;
}

std::string encode_phrase(std::string_view display_name, std::string_view charset) {
    require_utf8(display_name);
    while (!display_name.empty() && is_blank(display_name.front())) display_name.remove_prefix(1);
    while (!display_name.empty() && is_blank(display_name.back())) display_name.remove_suffix(1);
    if (display_name.empty()) return {};

    const auto pairs = split_words(display_name);
    bool needs_words = false;
    bool plain_atoms = true;
    for (const auto& [blanks, word] : pairs) {
        if (needs_encoding(word)) needs_words = true;
        if (!blanks.empty() && blanks != " ") plain_atoms = false;
        if (!std::all_of(word.begin(), word.end(), is_atext)) plain_atoms = false;
    }
    if (needs_words) return encode_words(display_name, charset);
    if (plain_atoms) return std::string(display_name);
    std::string quoted = "\"";
    for (char c : display_name) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string fold_header(std::size_t name_length, std::string_view value) {
    Folder folder(name_length);
    for (const auto& [blanks, word] : split_words(value)) folder.add(blanks, word);
    return std::move(folder).result();
}

}  // namespace zmail::text
