#include "imap/folder_name.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/mailbox_name.hpp"
#include "text/mutf7.hpp"
#include "text/utf8.hpp"

namespace zmail::imap {

namespace {

template <typename T>
Mapped<T> refuse(std::string why) {
    return Mapped<T>{std::nullopt, std::move(why)};
}

std::vector<std::string> split(std::string_view text, char delimiter) {
    std::vector<std::string> parts;
    if (delimiter == '\0') return {std::string(text)};
    std::size_t start = 0;
    while (true) {
        const std::size_t at = text.find(delimiter, start);
        parts.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) return parts;
        start = at + 1;
    }
}

/// The personal prefix without its trailing delimiter is INBOX ("INBOX." on Courier and Cyrus).
bool prefix_is_inbox(const ServerNaming& naming) {
    std::string_view p = naming.personal_prefix;
    if (!p.empty() && p.back() == naming.delimiter) p.remove_suffix(1);
    return is_inbox(p);
}

/// `raw` without the personal prefix, or nullopt when it lies outside it.
std::optional<std::string_view> strip_prefix(std::string_view raw, const ServerNaming& naming) {
    const std::string& prefix = naming.personal_prefix;
    if (prefix.empty()) return raw;
    if (raw.size() < prefix.size()) return std::nullopt;
    const std::string_view head = raw.substr(0, prefix.size());
    const bool same = prefix_is_inbox(naming) ? is_inbox(head.substr(0, head.size() - 1)) && head.back() == prefix.back()
                                              : head == prefix;
    if (!same) return std::nullopt;
    return raw.substr(prefix.size());
}

std::optional<std::string> decode(std::string_view raw, const ServerNaming& naming) {
    if (naming.utf8) {
        if (!text::is_valid_utf8(raw) || raw.find('\0') != std::string_view::npos) return std::nullopt;
        return std::string(raw);
    }
    try {
        return text::mutf7_decode(raw);
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::string encode(std::string_view utf8, const ServerNaming& naming) {
    return naming.utf8 ? std::string(utf8) : text::mutf7_encode(utf8);
}

const char* hex = "0123456789ABCDEF";

void append_escape(std::string& out, unsigned char c) {
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
}

bool must_escape(unsigned char c, Layout layout) {
    return c == '%' || c == '/' || c < 0x20 || c == 0x7f || (layout == Layout::maildir_plus && c == '.');
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // lower-case hex is not canonical
}

}  // namespace

Mapped<Levels> levels_from_server(std::string_view raw, const ServerNaming& naming) {
    if (is_inbox(raw)) return {Levels{"INBOX"}, {}};
    const auto inside = strip_prefix(raw, naming);
    if (!inside) return refuse<Levels>(tr("it is outside the personal namespace '{}'", naming.personal_prefix));
    const auto utf8 = decode(*inside, naming);
    if (!utf8) return refuse<Levels>(naming.utf8 ? tr("it is not UTF-8") : tr("it is not valid modified UTF-7"));
    Levels levels = split(*utf8, naming.delimiter);
    for (const auto& level : levels)
        if (level.empty()) return refuse<Levels>(tr("it has an empty level"));
    if (is_inbox(levels.front())) {
        if (naming.personal_prefix.empty())
            levels.front() = "INBOX";  // INBOX in any case, and so is the start of its children
        else
            levels.insert(levels.begin(), "INBOX");  // "INBOX.Inbox": a namesake below INBOX, kept apart
    }
    return {std::move(levels), {}};
}

Mapped<std::string> server_from_levels(const Levels& levels, const ServerNaming& naming) {
    if (levels.empty()) return refuse<std::string>(tr("it is empty"));
    if (levels.size() == 1 && is_inbox(levels.front())) return {std::string("INBOX"), {}};
    std::size_t first = 0;
    if (!naming.personal_prefix.empty() && is_inbox(levels.front())) {
        if (!is_inbox(levels[1]))
            // TRANSLATORS: both {} are the same folder name
            return refuse<std::string>(tr("this server keeps every folder below INBOX: '{}' there is the top-level "
                                          "folder '{}'",
                                          levels[1], levels[1]));
        first = 1;
    }
    if (naming.delimiter == '\0' && levels.size() - first > 1)
        return refuse<std::string>(tr("this server has no folder hierarchy"));
    std::string name;
    for (std::size_t i = first; i < levels.size(); ++i) {
        const std::string& level = levels[i];
        if (level.empty() || level.find('\0') != std::string::npos)
            return refuse<std::string>(tr("it has an empty level"));
        if (naming.delimiter != '\0' && level.find(naming.delimiter) != std::string::npos)
            // TRANSLATORS: the 1st {} is a folder level, the 2nd a character such as '.' or '/'
            return refuse<std::string>(tr("'{}' holds '{}', which this server uses between folder levels", level,
                                          naming.delimiter));
        if (i > first) name += naming.delimiter;
        name += i == 0 && is_inbox(level) ? std::string("INBOX") : level;
    }
    try {
        return {naming.personal_prefix + encode(name, naming), {}};
    } catch (const Error& e) {
        return refuse<std::string>(e.what());
    }
}

std::string escape_level(std::string_view level, Layout layout) {
    std::string out;
    const bool reserved = level == "cur" || level == "new" || level == "tmp";
    // a name not in NFC keeps its exact bytes only escaped: a directory name in NFC is the name
    // Linux programs write, and one macOS decomposed is refused with the name it should have
    const bool decomposed = !text::is_nfc(level);
    for (std::size_t i = 0; i < level.size(); ++i) {
        const auto c = static_cast<unsigned char>(level[i]);
        if (must_escape(c, layout) || (decomposed && c >= 0x80) || (i == 0 && (c == '.' || reserved)))
            append_escape(out, c);
        else out += static_cast<char>(c);
    }
    return out;
}

Mapped<std::string> unescape_level(std::string_view escaped, Layout layout) {
    std::string level;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] != '%') {
            level += escaped[i];
            continue;
        }
        const int high = i + 2 < escaped.size() ? hex_value(escaped[i + 1]) : -1;
        const int low = i + 2 < escaped.size() ? hex_value(escaped[i + 2]) : -1;
        if (high < 0 || low < 0) return refuse<std::string>(tr("a '%' must be written %25"));
        level += static_cast<char>(high * 16 + low);
        i += 2;
    }
    if (level.empty()) return refuse<std::string>(tr("it has an empty level"));
    if (!text::is_valid_utf8(level) || level.find('\0') != std::string::npos)
        return refuse<std::string>(tr("it is not UTF-8"));
    const std::string canonical = escape_level(level, layout);
    if (canonical != escaped && !text::is_nfc(level) && !text::is_ascii(escaped))
        return refuse<std::string>(tr("it is not in Unicode NFC (macOS writes names decomposed): name it '{}'",
                                      escape_level(text::to_nfc(level), layout)));
    if (canonical != escaped) return refuse<std::string>(tr("its canonical form is '{}'", canonical));
    return {std::move(level), {}};
}

std::string path_from_levels(const Levels& levels, Layout layout) {
    const bool inbox_first = !levels.empty() && is_inbox(levels.front());
    if (layout == Layout::maildir_plus && inbox_first && levels.size() == 1) return "";
    std::string path;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        const std::string escaped = i == 0 && inbox_first ? "INBOX" : escape_level(levels[i], layout);
        if (layout == Layout::maildir_plus) path += "." + escaped;
        else path += (i == 0 ? "" : "/") + escaped;
    }
    return path;
}

Mapped<Levels> levels_from_path(std::string_view path, Layout layout) {
    std::vector<std::string> parts;
    if (layout == Layout::maildir_plus) {
        if (path.empty()) return {Levels{"INBOX"}, {}};
        if (path.front() != '.' || path.find('/') != std::string_view::npos)
            return refuse<Levels>(tr("a Maildir++ folder is one directory starting with '.'"));
        parts = split(path.substr(1), '.');
    } else {
        parts = split(path, '/');
    }
    Levels levels;
    for (const auto& part : parts) {
        auto level = unescape_level(part, layout);
        if (!level) return refuse<Levels>(level.why);
        levels.push_back(std::move(*level.value));
    }
    if (is_inbox(levels.front()) && levels.front() != "INBOX")
        return refuse<Levels>(tr("'{}' is INBOX: the directory must be named INBOX", levels.front()));
    if (layout == Layout::maildir_plus && levels.size() == 1 && levels.front() == "INBOX")
        return refuse<Levels>(tr("INBOX is the Maildir++ root itself"));
    return {std::move(levels), {}};
}

std::string display_name(const Levels& levels) { return path_from_levels(levels, Layout::fs); }

}  // namespace zmail::imap
