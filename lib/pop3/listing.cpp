#include "pop3/listing.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_map>

#include "error.hpp"
#include "i18n.hpp"
#include "text/ascii.hpp"
#include "text/strings.hpp"

namespace zmail::pop3 {

namespace {

using text::excerpt;

/// A plain decimal number (digits only), or nullopt when it is not one or exceeds `max`.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t max) {
    if (text.empty()) return std::nullopt;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

/// `message` is marked with N_ ("malformed LIST line") and translated here, when it is thrown.
[[noreturn]] void malformed(const char* message, std::string_view line) {
    throw Error(ErrorKind::Protocol, translate(message), {}, excerpt(line));
}

}  // namespace

std::uint32_t parse_message_number(std::string_view text) {
    auto value = parse_decimal(text, std::numeric_limits<std::uint32_t>::max());
    if (!value || *value == 0) malformed(N_("malformed message number"), text);
    return static_cast<std::uint32_t>(*value);
}

MaildropStat parse_stat(std::string_view text) {
    std::string_view rest = text;
    auto count = parse_decimal(text::next_word(rest), std::numeric_limits<std::uint32_t>::max());
    auto size = parse_decimal(text::next_word(rest), std::numeric_limits<std::uint64_t>::max());
    if (!count || !size) malformed(N_("malformed STAT reply"), text);
    return MaildropStat{static_cast<std::uint32_t>(*count), *size};
}

ListEntry parse_list_line(std::string_view line) {
    std::string_view rest = line;
    auto number = parse_decimal(text::next_word(rest), std::numeric_limits<std::uint32_t>::max());
    auto size = parse_decimal(text::next_word(rest), std::numeric_limits<std::uint64_t>::max());
    if (!number || *number == 0 || !size) malformed(N_("malformed LIST line"), line);
    return ListEntry{static_cast<std::uint32_t>(*number), *size};
}

UidlEntry parse_uidl_line(std::string_view line) {
    std::string_view rest = line;
    auto number = parse_decimal(text::next_word(rest), std::numeric_limits<std::uint32_t>::max());
    std::string_view uid = text::next_word(rest);
    if (!number || *number == 0 || !rest.empty()) malformed(N_("malformed UIDL line"), line);
    if (uid.empty() || uid.size() > max_uid_length) malformed(N_("malformed UIDL line"), line);
    for (char c : uid) {
        if (c < 0x21 || c > 0x7E) malformed(N_("malformed UIDL line"), line);
    }
    return UidlEntry{static_cast<std::uint32_t>(*number), std::string(uid)};
}

UidlListing parse_uidl_listing(const std::vector<std::string>& lines) {
    UidlListing listing;
    listing.entries.reserve(lines.size());
    std::unordered_map<std::uint32_t, bool> numbers;
    std::unordered_map<std::string_view, int> uid_count;
    numbers.reserve(lines.size());
    uid_count.reserve(lines.size());
    for (const std::string& line : lines) {
        listing.entries.push_back(parse_uidl_line(line));
        if (!numbers.emplace(listing.entries.back().number, true).second) {
            throw Error(ErrorKind::Protocol,
                        tr("message {} listed twice in UIDL listing", listing.entries.back().number), {},
                        excerpt(line));
        }
    }
    // Views into entries are stable now that the vector no longer grows.
    for (const UidlEntry& entry : listing.entries) {
        if (++uid_count[entry.uid] == 2) listing.duplicate_uids.push_back(entry.uid);
    }
    std::sort(listing.duplicate_uids.begin(), listing.duplicate_uids.end());
    return listing;
}

std::vector<ListEntry> parse_list_listing(const std::vector<std::string>& lines) {
    std::vector<ListEntry> entries;
    entries.reserve(lines.size());
    std::unordered_map<std::uint32_t, bool> numbers;
    numbers.reserve(lines.size());
    for (const std::string& line : lines) {
        entries.push_back(parse_list_line(line));
        if (!numbers.emplace(entries.back().number, true).second) {
            throw Error(ErrorKind::Protocol, tr("message {} listed twice in LIST listing", entries.back().number),
                        {}, excerpt(line));
        }
    }
    return entries;
}

Capabilities parse_capabilities(const std::vector<std::string>& lines) {
    Capabilities caps;
    caps.capa_supported = true;
    caps.lines = lines;
    for (const std::string& line : lines) {
        std::string_view rest = line;
        std::string keyword = text::ascii_upper(text::next_word(rest));
        if (keyword == "PIPELINING") {
            caps.pipelining = true;
        } else if (keyword == "UIDL") {
            caps.uidl = true;
        } else if (keyword == "TOP") {
            caps.top = true;
        } else if (keyword == "USER") {
            caps.user = true;
        } else if (keyword == "RESP-CODES") {
            caps.resp_codes = true;
        } else if (keyword == "AUTH-RESP-CODE") {
            caps.auth_resp_code = true;
        } else if (keyword == "STLS") {
            caps.stls = true;
        } else if (keyword == "UTF8") {
            caps.utf8 = true;
        } else if (keyword == "SASL") {
            while (!rest.empty()) caps.sasl.push_back(text::ascii_upper(text::next_word(rest)));
        } else if (keyword == "IMPLEMENTATION") {
            caps.implementation = std::string(text::trim_blanks(rest));
        } else if (keyword == "EXPIRE") {
            std::string policy = text::ascii_upper(text::next_word(rest));
            if (policy == "NEVER") {
                caps.expire_days = -1;
            } else if (auto days = parse_decimal(policy, std::numeric_limits<long>::max())) {
                caps.expire_days = static_cast<long>(*days);
            }
            caps.expire_per_user = caps.expire_days && text::ascii_upper(text::next_word(rest)) == "USER";
        } else if (keyword == "LOGIN-DELAY") {
            if (auto seconds = parse_decimal(text::next_word(rest), std::numeric_limits<long>::max())) {
                caps.login_delay_seconds = static_cast<long>(*seconds);
            }
        }
    }
    return caps;
}

}  // namespace zmail::pop3
