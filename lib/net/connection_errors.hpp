// Turning a failed libcurl connect-and-login into a zmail::Error with the right kind and hint.
// No I/O: everything it needs is passed in, so unit tests can feed it recorded failures.
#pragma once

#include <string>
#include <vector>

#include "error.hpp"
#include "net/login_transcript.hpp"
#include "net/server.hpp"

namespace zmail::net {

/// What is known about a failed login. References must outlive the call.
struct FailedLogin {
    const ServerOptions& options;         ///< host, user, security, mechanism (the secret is never read)
    std::string peer;                     ///< "host:port"
    int curl_code = 0;                    ///< the CURLcode of curl_easy_perform
    std::string curl_message;             ///< curl_easy_strerror(curl_code)
    std::string detail;                   ///< libcurl's error buffer (may be empty)
    long verify_result = 0;               ///< CURLINFO_SSL_VERIFYRESULT (an X509_V_ERR_* value)
    const LoginTranscript& transcript;    ///< the server's lines seen so far
    bool connected = false;               ///< the TCP connection was established
};

/// The error for a failed login: Network, Tls, Auth, Temporary, Protocol or Config. The message
/// names host:port (and the user for login failures), never the secret; the server's words go
/// to server_reply. curl_code CURLE_LOGIN_DENIED with no login attempted in the transcript means
/// the server offered no usable mechanism (or no AUTH at all).
/// With a proxy in the transcript, a Network error's hint names the variable that set it.
Error login_error(const FailedLogin& failed);

/// The SASL mechanisms the capability lines offer (IMAP "AUTH=X", SMTP "AUTH X Y", POP3 "SASL X Y").
std::vector<std::string> offered_mechanisms(const LoginTranscript& transcript);

/// The step of the login that failed.
enum class LoginStep {
    resolve,  ///< the server's (or the proxy's) name did not resolve
    connect,  ///< no TCP connection (refused, unreachable, timed out, or the proxy failed)
    tls,      ///< the TLS handshake or the certificate check (also STARTTLS missing, a bad CA file)
    login,    ///< everything after: the greeting, capabilities, authentication
};

/// Which step `failed` stopped at.
LoginStep login_step(const FailedLogin& failed);

}  // namespace zmail::net
