#include "imap/date_time.hpp"

#include <algorithm>
#include <cstdio>

namespace zmail::imap {
namespace {

constexpr const char* month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    year -= month <= 2;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
    const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

struct CivilDate {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

CivilDate civil_from_days(std::int64_t days) {
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
    const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const unsigned mp = (5 * day_of_year + 2) / 153;
    const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

bool is_leap(std::int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(std::int64_t year, unsigned month) {
    static constexpr unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Reads exactly `count` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, std::size_t count, int& value) {
    if (pos + count > text.size()) return false;
    value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        char c = text[pos + i];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    pos += count;
    return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c) return false;
    ++pos;
    return true;
}

int month_from_name(std::string_view name) {
    for (int i = 0; i < 12; ++i) {
        std::string_view m = month_names[i];
        bool same = name.size() == 3;
        for (std::size_t k = 0; same && k < 3; ++k) {
            char c = name[k];
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            char d = m[k];
            if (d >= 'a' && d <= 'z') d = static_cast<char>(d - 'a' + 'A');
            same = c == d;
        }
        if (same) return i + 1;
    }
    return 0;
}

}  // namespace

std::optional<DateTime> parse_date_time(std::string_view text) {
    std::size_t pos = 0;
    if (pos < text.size() && text[pos] == ' ') ++pos;  // " 7-Jul-1996"
    int day = 0;
    if (!read_digits(text, pos, 1, day)) return std::nullopt;
    int second_digit = 0;
    if (pos < text.size() && text[pos] != '-') {
        if (!read_digits(text, pos, 1, second_digit)) return std::nullopt;
        day = day * 10 + second_digit;
    }
    if (!expect(text, pos, '-') || pos + 3 > text.size()) return std::nullopt;
    int month = month_from_name(text.substr(pos, 3));
    pos += 3;
    int year = 0, hour = 0, minute = 0, second = 0, zone_hours = 0, zone_minutes = 0;
    if (month == 0 || !expect(text, pos, '-') || !read_digits(text, pos, 4, year) || !expect(text, pos, ' ') ||
        !read_digits(text, pos, 2, hour) || !expect(text, pos, ':') || !read_digits(text, pos, 2, minute) ||
        !expect(text, pos, ':') || !read_digits(text, pos, 2, second) || !expect(text, pos, ' '))
        return std::nullopt;
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    if (!read_digits(text, pos, 2, zone_hours) || !read_digits(text, pos, 2, zone_minutes) || pos != text.size())
        return std::nullopt;
    if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month)) || hour > 23 ||
        minute > 59 || second > 60 || zone_minutes > 59)
        return std::nullopt;
    const int offset = sign * (zone_hours * 60 + zone_minutes);
    const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t local = days * 86400 + hour * 3600 + minute * 60 + second;
    return DateTime{static_cast<std::time_t>(local - std::int64_t(offset) * 60), offset};
}

std::string format_date_time(std::time_t utc, int offset_minutes) {
    offset_minutes = std::clamp(offset_minutes, -1439, 1439);
    const std::int64_t local = static_cast<std::int64_t>(utc) + std::int64_t(offset_minutes) * 60;
    std::int64_t days = local / 86400;
    std::int64_t seconds = local % 86400;
    if (seconds < 0) {
        seconds += 86400;
        days -= 1;
    }
    const CivilDate date = civil_from_days(days);
    const int zone = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%02u-%s-%04lld %02d:%02d:%02d %c%02d%02d", date.day,
                  month_names[date.month - 1], static_cast<long long>(date.year), static_cast<int>(seconds / 3600),
                  static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60),
                  offset_minutes < 0 ? '-' : '+', zone / 60, zone % 60);
    return buffer;
}

std::string format_search_date(std::time_t utc, int offset_minutes) {
    const std::string full = format_date_time(utc, offset_minutes);  // "01-Feb-1994 ..."
    std::string_view date = std::string_view(full).substr(0, full.find(' '));
    if (date.front() == '0') date.remove_prefix(1);
    return std::string(date);
}

}  // namespace zmail::imap
