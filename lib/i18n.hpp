// Messages in the user's language: gettext (glibc's libintl) with the text domain "zmail".
//
// English is the source language. Every message a person reads goes through tr() (or translate()
// for a text marked with N_ in a table); xgettext finds them by those names (scripts/i18n-check).
// Placeholders are "{}", filled in order; a translation whose grammar wants another order writes
// "{0}", "{1}", ... (the arguments counted from 0) and keeps their number. Translation is on only after enable_translation() (main does it
// unless --json is given): --json output, the tests and the library's callers get English.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace zmail {

/// Marks a literal for extraction without translating it (for static tables; translate at use).
#define N_(text) text

/// Switches translation on for the process: LC_MESSAGES and LC_CTYPE from the environment, the
/// catalogs from $ZMAIL_LOCALEDIR, else next to the binary (build tree: locale/; installed:
/// ../share/locale), else the configured locale directory.
void enable_translation();

/// Whether enable_translation() found a locale and ran.
bool translation_enabled();

/// The translation of `message_id` in the user's language, or `message_id` itself.
const char* translate(const char* message_id);

namespace detail {
inline std::string as_text(std::string_view value) { return std::string(value); }
inline std::string as_text(const std::string& value) { return value; }
inline std::string as_text(const char* value) { return value ? value : ""; }
inline std::string as_text(char value) { return std::string(1, value); }
template <class Number>
    requires std::is_arithmetic_v<Number>
std::string as_text(Number value) {
    return std::to_string(value);
}
std::string fill(std::string_view format, const std::string* arguments, std::size_t count);
}  // namespace detail

/// The translation of `format` with its "{}" placeholders replaced by `arguments` in order.
template <class... Arguments>
std::string tr(const char* format, const Arguments&... arguments) {
    if constexpr (sizeof...(Arguments) == 0) {
        return translate(format);
    } else {
        const std::string texts[] = {detail::as_text(arguments)...};
        return detail::fill(translate(format), texts, sizeof...(Arguments));
    }
}

}  // namespace zmail
