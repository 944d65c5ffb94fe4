#include "version.hpp"

#include "error.hpp"
#include "net/curl_library.hpp"

namespace zmail {

std::string version_text() {
    std::string text = std::string("zmail ") + ZMAIL_VERSION;
    try {
        text += std::string(" (") + net::curl_library().version() + ")";
    } catch (const Error& error) {
        text += std::string(" (") + error.what() + ")";
    }
    return text;
}

}  // namespace zmail
