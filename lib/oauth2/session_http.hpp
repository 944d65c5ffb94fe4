// HTTPS POSTs to an OAuth2 authorization server over libcurl. Bodies carry tokens: they are
// returned to the caller and never traced.
#pragma once

#include "oauth2/url.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace zmail::oauth2 {

struct HttpOptions {
    std::string ca_file;        ///< when set, the only CA trusted (the account's ca_file)
    bool tls_verify = true;
    int timeout_seconds = 30;
    std::function<void(std::string_view)> trace;  ///< "* HTTP POST URL (grant_type=...)", "* HTTP 200"
};

struct HttpAnswer {
    long status = 0;
    std::string body;
};

/// POSTs `fields` as a form to `url` and returns the status and body, whatever the status.
/// https only, except for a URL on this machine (loopback). Throws Error{Config} for a bad URL,
/// Error{Network}, Error{Tls} or Error{Temporary} (timeout) when no answer arrives.
HttpAnswer post_form(const std::string& url, const Fields& fields, const HttpOptions& options);

}  // namespace zmail::oauth2
