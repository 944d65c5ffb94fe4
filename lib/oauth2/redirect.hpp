// The browser's request to zmail's loopback redirect URI (RFC 8252 7.3): the request line of an
// HTTP/1.x GET, its path and query. Pure: fed whatever bytes arrived on the socket.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace zmail::oauth2 {

/// The most a redirect request may take before its header ends; more is not a browser's redirect.
inline constexpr std::size_t redirect_request_limit = 16 * 1024;

struct RedirectRequest {
    std::string method;                         ///< "GET"
    std::string path;                           ///< "/" (without the query)
    std::map<std::string, std::string> query;   ///< decoded
};

/// True once `received` holds a whole request header (an empty line ends it).
bool redirect_request_complete(std::string_view received);

/// The request line of `received` parsed; nullopt when it is not an HTTP/1.x request line.
std::optional<RedirectRequest> parse_redirect_request(std::string_view received);

/// What the redirect says: the authorization code, or the server's error.
struct RedirectResult {
    std::string code;                 ///< the authorization code (empty on error)
    std::string error, description;   ///< RFC 6749 4.1.2.1 error and error_description
    bool state_matches = false;       ///< the `state` is the one zmail sent
};

/// Reads the code (or the error) and checks the state against `expected_state` (in constant
/// time over the expected length).
RedirectResult read_redirect(const RedirectRequest& request, std::string_view expected_state);

}  // namespace zmail::oauth2
