#include "mime/header_values.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "error.hpp"
#include "i18n.hpp"
#include "text/utf8.hpp"

namespace zmail::mime {

namespace {

constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::string format_date(std::time_t utc, int offset_minutes) {
    offset_minutes = std::clamp(offset_minutes, -1439, 1439);
    const std::time_t local = utc + static_cast<std::time_t>(offset_minutes) * 60;
    std::tm tm{};
    gmtime_r(&local, &tm);
    const int magnitude = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d", day_names[tm.tm_wday % 7],
                  tm.tm_mday, month_names[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
    return buffer;
}

int local_offset_minutes(std::time_t utc) {
    std::tm tm{};
    if (!localtime_r(&utc, &tm)) return 0;
    return static_cast<int>(tm.tm_gmtoff / 60);
}

std::string random_token() {
    unsigned char random[16];
    std::size_t have = 0;
    while (have < sizeof random) {
        const ssize_t n = ::getrandom(random + have, sizeof random - have, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::Internal, tr("cannot get random bytes for a Message-ID: {}", std::strerror(errno)));
        }
        have += static_cast<std::size_t>(n);
    }
    // base32 (RFC 4648 alphabet, lower case): 128 bits -> 26 characters, no padding
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    std::string local;
    unsigned buffer = 0;
    int bits = 0;
    for (unsigned char byte : random) {
        buffer = (buffer << 8) | byte;
        bits += 8;
        while (bits >= 5) {
            local += alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) local += alphabet[(buffer << (5 - bits)) & 31];
    return local;
}

std::string new_message_id(std::string_view domain) {
    return "<" + random_token() + "@" + std::string(domain.empty() ? "localhost" : domain) + ">";
}

std::string domain_of(std::string_view address) {
    const std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

std::string normalize_message_id(std::string_view option, std::string_view id) {
    check_header_value(option, id);
    std::string_view inner = id;
    while (!inner.empty() && (inner.front() == ' ' || inner.front() == '\t')) inner.remove_prefix(1);
    while (!inner.empty() && (inner.back() == ' ' || inner.back() == '\t')) inner.remove_suffix(1);
    if (inner.size() >= 2 && inner.front() == '<' && inner.back() == '>') inner = inner.substr(1, inner.size() - 2);
    auto bad = [&](const std::string& why) {
        // TRANSLATORS: the 1st {} is an option (--in-reply-to), the 2nd its value, the 3rd why it is invalid
        return Error(ErrorKind::Usage, tr("invalid {} '{}': {}", option, text::printable(id), why),
                     tr("give a message identifier such as '<abc123@example.com>', as in the Message-ID field"));
    };
    if (inner.empty()) throw bad(tr("it is empty"));
    for (char c : inner) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) throw bad(tr("it is not ASCII"));
        if (c == ' ' || c == '\t' || c == '<' || c == '>' || is_control(u))
            throw bad(tr("it contains '{}'", text::printable(std::string(1, c))));
    }
    if (inner.find('@') == std::string_view::npos) throw bad(tr("it has no '@'"));
    return "<" + std::string(inner) + ">";
}

void check_header_value(std::string_view what, std::string_view value) {
    if (value.find_first_of("\r\n") != std::string_view::npos)
        throw Error(ErrorKind::Usage,
                    // TRANSLATORS: the 1st {} names the value ("the Subject", "-F"), the 2nd is the value
                    tr("refusing {} '{}': it contains a line break (header injection)", what, text::printable(value)),
                    tr("a header value must be one line; remove the CR and LF characters"));
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (is_control(u) && c != '\t')
            throw Error(ErrorKind::Usage,
                        // TRANSLATORS: the 1st {} names the value ("the Subject", "-F"), the 2nd is the value
                        tr("refusing {} '{}': it contains a control character", what, text::printable(value)));
    }
    if (!text::is_valid_utf8(value))
        // TRANSLATORS: the 1st {} names the value ("the Subject", "-F"), the 2nd is the value
        throw Error(ErrorKind::Usage, tr("refusing {} '{}': it is not valid UTF-8", what, text::printable(value)));
}

void check_field_name(std::string_view name) {
    bool ok = !name.empty() && name.size() <= 76;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127 || c == ':') ok = false;
    }
    if (!ok)
        throw Error(ErrorKind::Usage, tr("invalid header field name '{}'", text::printable(name)),
                    tr("write --header 'Name: value' with a name of letters, digits and '-'"));
}

}  // namespace zmail::mime
