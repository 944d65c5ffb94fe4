// The IMAP date-time of INTERNALDATE and APPEND (RFC 3501 9: "17-Jul-1996 02:44:25 -0700"), both
// ways, and the date of SEARCH SINCE/BEFORE ("1-Feb-1994"). Pure: independent of the local time zone
// and locale.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace zmail::imap {

/// A point in time and the zone offset it was written in.
struct DateTime {
    std::time_t utc = 0;         ///< seconds since the epoch, UTC
    int offset_minutes = 0;      ///< the zone, e.g. -420 for "-0700"
    bool operator==(const DateTime&) const = default;
};

/// Parses "17-Jul-1996 02:44:25 -0700" (no quotes). The day may be one digit or space-padded
/// (" 7-Jul-1996 ..."); the month name is case-insensitive. Returns nullopt when malformed or out
/// of range (the caller decides whether that is a protocol error).
std::optional<DateTime> parse_date_time(std::string_view text);

/// Formats as "24-Dec-2020 18:00:00 +0100" (no quotes; day always two digits): the local time at
/// `offset_minutes` east of UTC. `offset_minutes` must be within -1439..1439 (clamped otherwise).
std::string format_date_time(std::time_t utc, int offset_minutes);

/// Formats the date part only, as SEARCH SINCE/BEFORE want it: "1-Feb-1994" for the UTC date of
/// `utc` shifted by `offset_minutes`.
std::string format_search_date(std::time_t utc, int offset_minutes = 0);

}  // namespace zmail::imap
