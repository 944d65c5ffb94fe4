#include "smtp/reply.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "error.hpp"
#include "i18n.hpp"
#include "text/ascii.hpp"
#include "text/strings.hpp"

namespace zmail::smtp {

namespace {

using text::excerpt;
using text::is_blank;
using text::is_digit;

/// 1..3 digits at `text[pos]`; advances pos. Returns -1 when there are none.
int read_small_number(std::string_view text, std::size_t& pos) {
    std::size_t start = pos;
    int value = 0;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) value = value * 10 + (text[pos++] - '0');
    if (pos == start || (pos < text.size() && is_digit(text[pos]))) return -1;
    return value;
}

/// Cuts a trailing CRLF (or LF, or CR) off a line.
std::string_view strip_line_end(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

void add_unique(std::vector<std::string>& list, std::string item) {
    if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) list.push_back(std::move(item));
}

}  // namespace

ReplyClass classify(int code) {
    if (code >= 200 && code < 300) return ReplyClass::Success;
    if (code >= 300 && code < 400) return ReplyClass::Intermediate;
    if (code >= 400 && code < 500) return ReplyClass::Temporary;
    if (code >= 500 && code < 600) return ReplyClass::Permanent;
    throw Error(ErrorKind::Protocol, tr("malformed SMTP reply code {}", code));
}

std::string EnhancedStatus::text() const {
    return std::to_string(klass) + "." + std::to_string(subject) + "." + std::to_string(detail);
}

std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text) {
    if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5') || text[1] != '.') {
        return std::nullopt;
    }
    std::size_t pos = 2;
    int subject = read_small_number(text, pos);
    if (subject < 0 || pos >= text.size() || text[pos] != '.') return std::nullopt;
    ++pos;
    int detail = read_small_number(text, pos);
    if (detail < 0 || (pos < text.size() && !is_blank(text[pos]))) return std::nullopt;
    return EnhancedStatus{text[0] - '0', subject, detail};
}

std::string Reply::text() const {
    std::string result;
    for (const std::string& line : lines) {
        if (!result.empty()) result += ' ';
        result += line;
    }
    return result;
}

void ReplyParser::reset() {
    in_progress_ = false;
    current_ = Reply{};
}

std::optional<Reply> ReplyParser::add_line(std::string_view line) {
    line = strip_line_end(line);
    // `message` is marked with N_ and translated only when it is thrown
    auto fail = [&](const char* message) -> Error {
        reset();
        return Error(ErrorKind::Protocol, translate(message), {}, excerpt(line));
    };
    if (line.size() > max_reply_line_length) throw fail(N_("malformed SMTP reply: line too long"));
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) || line[0] < '2' ||
        line[0] > '5') {
        throw fail(N_("malformed SMTP reply: no reply code"));
    }
    if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
        throw fail(N_("malformed SMTP reply: no blank or '-' after the reply code"));
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (in_progress_ && code != current_.code)
        throw fail(N_("malformed SMTP reply: reply code changed inside a multi-line reply"));
    if (current_.raw.size() + line.size() + 1 > max_reply_length)
        throw fail(N_("malformed SMTP reply: reply too long"));

    current_.code = code;
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
    if (auto enhanced = parse_enhanced_status(text); enhanced && enhanced->klass == line[0] - '0') {
        if (!current_.enhanced) current_.enhanced = enhanced;
        std::size_t end = text.find_first_of(" \t");
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    current_.lines.emplace_back(text);
    if (!current_.raw.empty()) current_.raw += '\n';
    current_.raw.append(line);

    if (line.size() > 3 && line[3] == '-') {
        in_progress_ = true;
        return std::nullopt;
    }
    Reply done = std::move(current_);
    reset();
    return done;
}

std::vector<Reply> parse_replies(std::string_view text) {
    std::vector<Reply> replies;
    ReplyParser parser;
    while (!text.empty()) {
        std::size_t newline = text.find('\n');
        std::string_view line = newline == std::string_view::npos ? text : text.substr(0, newline + 1);
        text.remove_prefix(line.size());
        if (auto reply = parser.add_line(line)) replies.push_back(std::move(*reply));
    }
    if (parser.in_progress())
        throw Error(ErrorKind::Protocol, tr("malformed SMTP reply: incomplete multi-line reply"));
    return replies;
}

Reply parse_reply(std::string_view text) {
    std::vector<Reply> replies = parse_replies(text);
    if (replies.size() != 1) {
        throw Error(ErrorKind::Protocol, tr("malformed SMTP reply: expected one reply, found {}", replies.size()));
    }
    return std::move(replies.front());
}

bool EhloCapabilities::has(std::string_view keyword) const {
    std::string wanted = text::ascii_upper(keyword);
    for (const std::string& line : keywords) {
        std::string_view rest = line;
        std::string word = text::ascii_upper(text::next_word(rest));
        if (word == wanted || word.starts_with(wanted + "=")) return true;
    }
    return false;
}

EhloCapabilities parse_ehlo(const Reply& reply) {
    EhloCapabilities caps;
    if (!reply.success() || reply.lines.empty()) return caps;
    caps.greeting = reply.lines.front();
    caps.keywords.assign(reply.lines.begin() + 1, reply.lines.end());
    for (const std::string& line : caps.keywords) {
        std::string_view rest = line;
        std::string keyword = text::ascii_upper(text::next_word(rest));
        if (keyword.starts_with("AUTH=")) {  // the pre-RFC 4954 form some servers still send
            add_unique(caps.auth, keyword.substr(5));
            keyword = "AUTH";
        }
        if (keyword == "SIZE") {
            caps.size = true;
            std::string_view limit = text::next_word(rest);
            std::uint64_t value = 0;
            auto [end, error] = std::from_chars(limit.data(), limit.data() + limit.size(), value);
            if (!limit.empty() && error == std::errc{} && end == limit.data() + limit.size()) caps.size_limit = value;
        } else if (keyword == "8BITMIME") {
            caps.eight_bit_mime = true;
        } else if (keyword == "SMTPUTF8") {
            caps.smtputf8 = true;
        } else if (keyword == "PIPELINING") {
            caps.pipelining = true;
        } else if (keyword == "STARTTLS") {
            caps.starttls = true;
        } else if (keyword == "DSN") {
            caps.dsn = true;
        } else if (keyword == "CHUNKING") {
            caps.chunking = true;
        } else if (keyword == "BINARYMIME") {
            caps.binary_mime = true;
        } else if (keyword == "ENHANCEDSTATUSCODES") {
            caps.enhanced_status_codes = true;
        } else if (keyword == "AUTH") {
            for (std::string_view word = text::next_word(rest); !word.empty(); word = text::next_word(rest)) {
                add_unique(caps.auth, text::ascii_upper(word));
            }
        }
    }
    return caps;
}

}  // namespace zmail::smtp
