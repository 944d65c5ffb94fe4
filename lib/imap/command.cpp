// CommandWriter: the string, flag and literal encoding of IMAP commands.
#include "imap/command.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/uid_set.hpp"

namespace zmail::imap {
namespace {

// Longer strings are sent as literals to keep command lines short.
constexpr std::size_t max_quoted_length = 1024;
// LITERAL- allows non-synchronizing literals up to this size (RFC 7888 4).
constexpr std::uint64_t literal_minus_limit = 4096;

bool is_atom_char(unsigned char c) {
    if (c <= 0x20 || c >= 0x7f) return false;
    switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']': return false;
    default: return true;
    }
}

bool is_atom_safe(std::string_view value) {
    if (value.empty()) return false;
    // ']' and '[' are allowed in an astring atom, but quoting "[Gmail]/Sent" is kinder to old servers.
    for (unsigned char c : value)
        if (!is_atom_char(c) || c == '[') return false;
    // "NIL" is a valid astring atom, but some servers read it as NIL; quoting is always safe.
    return !(value.size() == 3 && (value[0] | 0x20) == 'n' && (value[1] | 0x20) == 'i' && (value[2] | 0x20) == 'l');
}

bool is_quotable(std::string_view value, bool utf8) {
    if (value.size() > max_quoted_length) return false;
    for (unsigned char c : value) {
        if (c == '\r' || c == '\n' || c == 0) return false;
        if (c >= 0x80 && !utf8) return false;
    }
    return true;
}

bool is_keyword_char(unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
    case '.': case '-': case '_': case '[': case ']': case '<': case '>': case '(': case ')':
    case '\\': case '$': case ' ': case ':': case ',': case '*': case '+': case '=': return true;
    default: return false;
    }
}

}  // namespace

bool is_valid_flag(std::string_view flag) {
    if (!flag.empty() && flag.front() == '\\') flag.remove_prefix(1);
    if (flag.empty()) return false;
    for (unsigned char c : flag)
        if (!is_atom_char(c)) return false;
    return true;
}

std::string quote(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

std::string Command::text() const {
    std::string out;
    for (const auto& part : parts) out += part.bytes;
    return out;
}

CommandWriter::CommandWriter(std::string tag, EncodeOptions options) : options_(options) {
    if (tag.empty())
        throw Error(ErrorKind::Internal, tr("empty imap command tag"));
    for (unsigned char c : tag)
        if (!is_atom_char(c) || c == '+')
            throw Error(ErrorKind::Internal, tr("invalid imap command tag '{}'", tag));
    command_.parts.push_back({tag + " ", false});
    command_.tag = std::move(tag);
}

CommandWriter& CommandWriter::keyword(std::string_view text) {
    if (text.empty())
        throw Error(ErrorKind::Internal, tr("empty imap command word"));
    for (unsigned char c : text)
        if (!is_keyword_char(c))
            throw Error(ErrorKind::Internal, tr("invalid imap command word '{}'", text));
    command_.parts.back().bytes += text;
    return *this;
}

CommandWriter& CommandWriter::space() {
    command_.parts.back().bytes += ' ';
    return *this;
}

CommandWriter& CommandWriter::number(std::uint64_t value) {
    command_.parts.back().bytes += std::to_string(value);
    return *this;
}

void CommandWriter::literal_announcement(std::uint64_t size) {
    const bool non_synchronizing =
        options_.literal_plus || (options_.literal_minus && size <= literal_minus_limit);
    std::string& bytes = command_.parts.back().bytes;
    bytes += '{';
    bytes += std::to_string(size);
    if (non_synchronizing) bytes += '+';
    bytes += "}\r\n";
    if (!non_synchronizing) command_.parts.back().wait_for_continuation = true;
}

CommandWriter& CommandWriter::string(std::string_view value) {
    if (value.find('\0') != std::string_view::npos)
        throw Error(ErrorKind::Data, tr("cannot send a string with a NUL byte to the imap server"));
    if (is_quotable(value, options_.utf8)) {
        command_.parts.back().bytes += quote(value);
        return *this;
    }
    literal_announcement(value.size());
    if (command_.parts.back().wait_for_continuation) command_.parts.push_back({});
    command_.parts.back().bytes += value;
    return *this;
}

CommandWriter& CommandWriter::astring(std::string_view value) {
    if (is_atom_safe(value)) {
        command_.parts.back().bytes += value;
        return *this;
    }
    return string(value);
}

CommandWriter& CommandWriter::flag_list(const std::vector<std::string>& flags) {
    std::string& bytes = command_.parts.back().bytes;
    bytes += '(';
    for (std::size_t i = 0; i < flags.size(); ++i) {
        if (!is_valid_flag(flags[i]))
            throw Error(ErrorKind::Data, tr("invalid imap flag '{}'", flags[i]));
        if (i > 0) bytes += ' ';
        bytes += flags[i];
    }
    bytes += ')';
    return *this;
}

CommandWriter& CommandWriter::sequence_set(std::string_view set) {
    if (!is_valid_sequence_set(set))
        throw Error(ErrorKind::Internal, tr("invalid imap sequence set '{}'", set.substr(0, 100)));
    command_.parts.back().bytes += set;
    return *this;
}

Command CommandWriter::finish() {
    command_.parts.back().bytes += "\r\n";
    return std::move(command_);
}

Command CommandWriter::finish_with_message(std::uint64_t size) {
    literal_announcement(size);
    command_.message_size = size;
    return std::move(command_);
}

}  // namespace zmail::imap
