// Versions of zmail and the libraries it runs with (for --version -v and bug reports).
#pragma once

#include <string>

namespace zmail {

/// "zmail 0.1.0 (libcurl/7.88.1 OpenSSL/3.0.19 ...)".
std::string version_text();

}  // namespace zmail
