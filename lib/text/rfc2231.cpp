#include "text/rfc2231.hpp"

#include <algorithm>
#include <unordered_map>

#include "error.hpp"
#include "i18n.hpp"
#include "text/ascii.hpp"
#include "text/charset.hpp"
#include "text/rfc2047.hpp"

namespace zmail::text {

namespace {

constexpr std::size_t max_line = 78;
constexpr unsigned max_section = 999;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
    return text;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

/// One name=value as written, before sections are joined.
struct RawParameter {
    std::string base;      // lower-case name without '*' markers
    int section = -1;      // -1: no section number
    bool extended = false; // ends with '*': charset'language' and percent-encoding
    std::string value;     // quoted strings already unquoted
};

/// Reads "name=value" pairs separated by ';' from a header value.
class ParameterReader {
public:
    explicit ParameterReader(std::string_view text) : text_(text) {}

    std::string_view main_value() {
        const std::size_t end = std::min(text_.find(';'), text_.size());
        pos_ = end;
        return text_.substr(0, end);
    }

    bool next(RawParameter& out) {
        while (pos_ < text_.size()) {
            skip_separators();
            if (pos_ >= text_.size()) return false;
            const std::size_t name_start = pos_;
            while (pos_ < text_.size() && text_[pos_] != '=' && text_[pos_] != ';') ++pos_;
            const std::string_view name = trim(text_.substr(name_start, pos_ - name_start));
            if (pos_ >= text_.size() || text_[pos_] == ';') continue;  // no '=': not a parameter
            ++pos_;  // '='
            if (name.empty()) {
                read_value();  // "=value" without a name: skip it
                continue;
            }
            out = split_name(name);
            out.value = read_value();
            return true;
        }
        return false;
    }

private:
    void skip_separators() {
        while (pos_ < text_.size() && (is_blank(text_[pos_]) || text_[pos_] == ';')) ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '(') skip_comment();
    }

    void skip_comment() {
        int depth = 0;
        for (; pos_ < text_.size(); ++pos_) {
            if (text_[pos_] == '\\') { ++pos_; continue; }
            if (text_[pos_] == '(') ++depth;
            if (text_[pos_] == ')' && --depth == 0) { ++pos_; return; }
        }
    }

    static RawParameter split_name(std::string_view name) {
        RawParameter parameter;
        if (name.ends_with('*')) {
            parameter.extended = true;
            name.remove_suffix(1);
        }
        const std::size_t star = name.rfind('*');
        if (star != std::string_view::npos && star + 1 < name.size() &&
            std::all_of(name.begin() + static_cast<std::ptrdiff_t>(star) + 1, name.end(),
                        [](char c) { return c >= '0' && c <= '9'; })) {
            const std::string_view digits = name.substr(star + 1);
            parameter.section = digits.size() > 3 ? static_cast<int>(max_section) + 1 : std::stoi(std::string(digits));
            name = name.substr(0, star);
        }
        parameter.base = ascii_lower(trim(name));
        return parameter;
    }

    std::string read_value() {
        while (pos_ < text_.size() && is_blank(text_[pos_])) ++pos_;
        std::string value;
        if (pos_ < text_.size() && text_[pos_] == '"') {
            for (++pos_; pos_ < text_.size() && text_[pos_] != '"'; ++pos_) {
                if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
                value += text_[pos_];
            }
            if (pos_ < text_.size()) ++pos_;  // closing quote
            while (pos_ < text_.size() && text_[pos_] != ';') ++pos_;  // junk after the quotes
            return value;
        }
        const std::size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ';') ++pos_;
        return std::string(trim(text_.substr(start, pos_ - start)));
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

std::string decode_plain(std::string_view value, std::string_view fallback_charset) {
    return decode_header(value, fallback_charset);
}

/// Join RFC 2231 sections (sorted by number, first of duplicates kept) and convert.
std::string join_sections(std::vector<const RawParameter*> sections, std::string_view fallback_charset) {
    std::stable_sort(sections.begin(), sections.end(),
                     [](const RawParameter* a, const RawParameter* b) { return a->section < b->section; });
    std::string bytes;
    std::string charset;
    int previous = -2;
    bool first = true;
    for (const RawParameter* section : sections) {
        if (section->section == previous) continue;
        previous = section->section;
        std::string_view value = section->value;
        if (section->extended && first) {
            const std::size_t quote1 = value.find('\'');
            const std::size_t quote2 = quote1 == std::string_view::npos ? quote1 : value.find('\'', quote1 + 1);
            if (quote2 != std::string_view::npos) {
                charset = std::string(value.substr(0, quote1));
                value = value.substr(quote2 + 1);
            }
        }
        first = false;
        bytes += section->extended ? percent_decode(value) : std::string(value);
    }
    if (!charset.empty()) return to_utf8(bytes, charset);
    if (is_valid_utf8(bytes)) return bytes;
    return fallback_charset.empty() ? sanitize_utf8(bytes) : to_utf8(bytes, fallback_charset);
}

std::string strip_comments(std::string_view text) {
    std::string out;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\' && depth > 0) { ++i; continue; }
        if (c == '(') { ++depth; continue; }
        if (c == ')' && depth > 0) { --depth; continue; }
        if (depth == 0) out += c;
    }
    return out;
}

bool is_token_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

bool is_attribute_char(char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

void check_arguments(std::string_view name, std::string_view value) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char) ||
        name.find('*') != std::string_view::npos) {
        throw Error(ErrorKind::Internal, tr("invalid MIME parameter name '{}'", printable(name)));
    }
    if (!is_valid_utf8(value)) {
        throw Error(ErrorKind::Data, tr("cannot encode parameter '{}': value is not valid UTF-8", name));
    }
}

/// Printable ASCII short enough for one header line stays a quoted string.
std::optional<std::string> encode_readable(std::string_view name, std::string_view value) {
    if (value.size() > 900) return std::nullopt;
    if (value.find("=?") != std::string_view::npos) return std::nullopt;  // readers would decode it as RFC 2047
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; })) return std::nullopt;
    std::string out(name);
    out += "=\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out += '"';
}

std::string percent_encode(std::string_view bytes) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : bytes) {
        if (is_attribute_char(c)) {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4];
            out += hex[byte & 0x0F];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> ParameterizedValue::find(std::string_view name) const {
    const std::string wanted = ascii_lower(name);
    for (const Parameter& parameter : parameters) {
        if (parameter.name == wanted) return parameter.value;
    }
    return std::nullopt;
}

ParameterizedValue parse_parameterized(std::string_view header_value, std::string_view fallback_charset) {
    ParameterizedValue result;
    const std::string unfolded = unfold_header(header_value);
    ParameterReader reader(unfolded);
    result.value = sanitize_utf8(ascii_lower(trim(strip_comments(reader.main_value()))));

    std::vector<RawParameter> raw;
    RawParameter parameter;
    while (reader.next(parameter)) {
        if (parameter.section <= static_cast<int>(max_section)) raw.push_back(std::move(parameter));
    }

    // Group by name, in order of first appearance.
    struct Group {
        std::string base;
        std::vector<const RawParameter*> sections;
        const RawParameter* plain = nullptr;
    };
    std::vector<Group> groups;
    std::unordered_map<std::string, std::size_t> index;
    for (const RawParameter& p : raw) {
        const auto [it, added] = index.try_emplace(p.base, groups.size());
        if (added) groups.push_back({p.base, {}, nullptr});
        Group& group = groups[it->second];
        if (p.extended || p.section >= 0) group.sections.push_back(&p);
        else if (group.plain == nullptr) group.plain = &p;
    }
    for (const Group& group : groups) {
        Parameter decoded;
        decoded.name = sanitize_utf8(group.base);
        decoded.value = group.sections.empty() ? decode_plain(group.plain->value, fallback_charset)
                                               : join_sections(group.sections, fallback_charset);
        result.parameters.push_back(std::move(decoded));
    }
    return result;
}

std::string encode_parameter(std::string_view name, std::string_view value) {
    check_arguments(name, value);
    if (auto readable = encode_readable(name, value)) return *readable;

    const std::string whole = std::string(name) + "*=UTF-8''" + percent_encode(value);
    if (whole.size() + 2 <= max_line) return whole;  // " " + whole + ";"

    std::string out;
    std::size_t pos = 0;
    for (unsigned section = 0; pos < value.size(); ++section) {
        std::string line = std::string(name) + '*' + std::to_string(section) + "*=";
        if (section == 0) line += "UTF-8''";
        bool took_any = false;
        while (pos < value.size()) {
            const std::size_t length = next_utf8(value, pos).length;
            const std::string piece = percent_encode(value.substr(pos, length));
            if (took_any && line.size() + piece.size() + 2 > max_line) break;
            line += piece;
            pos += length;
            took_any = true;
        }
        if (!out.empty()) out += ";\r\n ";
        out += line;
    }
    return out;
}

std::string encode_parameter_rfc2047(std::string_view name, std::string_view value) {
    check_arguments(name, value);
    if (auto readable = encode_readable(name, value)) return *readable;
    return std::string(name) + "=\"" + encode_words(value) + '"';
}

}  // namespace zmail::text
