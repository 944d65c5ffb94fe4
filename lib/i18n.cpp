#include "i18n.hpp"

#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <libintl.h>
#include <system_error>

#ifndef ZMAIL_LOCALEDIR
#define ZMAIL_LOCALEDIR "/usr/local/share/locale"
#endif

namespace zmail {
namespace {

bool enabled = false;

bool has_catalogs(const std::filesystem::path& directory) {
    std::error_code ignored;
    return std::filesystem::exists(directory / "ja" / "LC_MESSAGES" / "zmail.mo", ignored);
}

std::string locale_directory() {
    if (const char* chosen = std::getenv("ZMAIL_LOCALEDIR"); chosen && *chosen) return chosen;
    std::error_code failed;
    const auto binary = std::filesystem::read_symlink("/proc/self/exe", failed);
    if (!failed) {
        const auto here = binary.parent_path();
        if (has_catalogs(here / "locale")) return (here / "locale").string();
        if (has_catalogs(here.parent_path() / "share" / "locale"))
            return (here.parent_path() / "share" / "locale").string();
    }
    return ZMAIL_LOCALEDIR;
}

}  // namespace

void enable_translation() {
    // Only messages and characters follow the locale: numbers and dates in our output do not.
    if (!std::setlocale(LC_MESSAGES, "")) return;
    const std::string directory = locale_directory();
    bindtextdomain("zmail", directory.c_str());
    bind_textdomain_codeset("zmail", "UTF-8");
    textdomain("zmail");
    enabled = true;
}

bool translation_enabled() { return enabled; }

const char* translate(const char* message_id) {
    if (!enabled || !message_id || !*message_id) return message_id;
    return dgettext("zmail", message_id);
}

namespace detail {
std::string fill(std::string_view format, const std::string* arguments, std::size_t count) {
    std::string out;
    out.reserve(format.size() + 32);
    std::size_t next = 0;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] == '{' && i + 1 < format.size() && format[i + 1] == '}') {
            if (next < count) out += arguments[next++];
            ++i;
        } else if (format[i] == '{' && i + 2 < format.size() && format[i + 1] >= '0' && format[i + 1] <= '9' &&
                   format[i + 2] == '}') {
            // {0}, {1}, ...: a translation that needs the arguments in another order
            const std::size_t index = static_cast<std::size_t>(format[i + 1] - '0');
            if (index < count) out += arguments[index];
            i += 2;
        } else {
            out += format[i];
        }
    }
    return out;
}
}  // namespace detail

}  // namespace zmail
