// Values that zmail itself writes into header fields (Date, Message-ID, In-Reply-To) and the
// checks every user-given header value passes before it goes into a message: no line breaks
// (header injection), valid UTF-8, a field name made of the characters RFC 5322 allows.
// Pure: no I/O besides the random bytes of a new Message-ID.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace zmail::mime {

/// The RFC 5322 date-time for a Date field: "Tue, 14 Nov 2023 10:00:00 +0900", in English
/// whatever the locale, at `offset_minutes` east of UTC (clamped to -1439..1439).
std::string format_date(std::time_t utc, int offset_minutes);

/// The local time zone's offset from UTC at `utc`, in minutes east (e.g. 540 for JST).
int local_offset_minutes(std::time_t utc);

/// 26 random characters [a-z2-7] (128 bits from the kernel), for Message-IDs and MIME
/// boundaries. Throws zmail::Error{Internal} when no random bytes can be had.
std::string random_token();

/// A new Message-ID "<26 random base32 characters@domain>" (128 random bits from the kernel).
/// `domain` is the right-hand side, already in ASCII (punycode); "localhost" when empty.
/// Throws zmail::Error{Internal} when no random bytes can be had.
std::string new_message_id(std::string_view domain);

/// The domain part of `address` ("taro@例え.jp" -> "例え.jp"); empty when there is no '@'.
std::string domain_of(std::string_view address);

/// A message identifier as given on the command line ("abc@x" or "<abc@x>") in its header
/// form "<abc@x>". Throws zmail::Error{Usage} naming `option` for line breaks and other control
/// characters, blanks, angle brackets inside, a missing '@', or non-ASCII.
std::string normalize_message_id(std::string_view option, std::string_view id);

/// Throws zmail::Error{Usage} "refusing <what>: it contains a line break (header injection)"
/// when `value` holds CR or LF, and a similar error for NUL and other control characters
/// except TAB, or for invalid UTF-8. `what` names the value ("--subject", "the To address").
void check_header_value(std::string_view what, std::string_view value);

/// Throws zmail::Error{Usage} unless `name` is a field name: 1 to 76 printable ASCII
/// characters other than ':' and blanks.
void check_field_name(std::string_view name);

}  // namespace zmail::mime
