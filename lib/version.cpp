#include "version.hpp"

#include <curl/curl.h>

namespace zmail {

std::string version_text() { return std::string("zmail ") + ZMAIL_VERSION + " (" + curl_version() + ")"; }

}  // namespace zmail
