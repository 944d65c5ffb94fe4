// `zmail settings login`: getting an account's first tokens. The authorization code grant with
// PKCE (RFC 7636) and a loopback redirect (RFC 8252), or the device authorization grant
// (RFC 8628) for a machine without a browser.
#pragma once

#include "oauth2/session_http.hpp"
#include "oauth2/session_tokens.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace zmail::oauth2 {

struct LoginOptions {
    bool device = false;          ///< the device grant instead of a browser
    int timeout_seconds = 300;    ///< how long to wait for the browser's redirect
    bool open_browser = true;     ///< run xdg-open when there is a display
    /// What the user must read: the URL to open, the device code. Never a token.
    std::function<void(std::string_view)> tell;
    HttpOptions http;
};

struct LoginResult {
    Tokens tokens;        ///< as stored (the caller shows only their state)
    std::string stored;   ///< TokenStore::describe()
};

/// Signs `account` in and stores its tokens. Throws Error{Config} without a client ID or
/// endpoint, Error{Auth} when the user or the provider refuses (or the redirect's state does not
/// match), Error{Temporary} when no redirect arrives in time or the device code expires.
LoginResult login(const profile::Profile& profile, const profile::Account& account, const LoginOptions& options);

}  // namespace zmail::oauth2
