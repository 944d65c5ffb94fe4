// The one place that turns server settings into a libcurl handle: connect, TLS or STARTTLS,
// SASL login (CURLOPT_CONNECT_ONLY), then a raw byte stream for the protocol sessions.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "error.hpp"
#include "net/connection_errors.hpp"
#include "net/server.hpp"
#include "net/stream.hpp"

namespace zmail::net {

/// Where the time went while connecting, each measured from the start of the login (the name
/// lookup from libcurl's NAMELOOKUP_TIME_T, the other steps from libcurl's debug notes).
struct LoginTimings {
    std::chrono::microseconds name_lookup{0};    ///< host name resolved
    std::chrono::microseconds connect{0};        ///< TCP connected
    std::chrono::microseconds tls_handshake{0};  ///< TLS established (0 with Security::none; with
                                                 ///< STARTTLS after the greeting and STARTTLS reply)
    std::chrono::microseconds login{0};          ///< logged in: the whole connect-and-login
};

/// What libcurl saw while connecting, for `zmail settings test` and for protocol sessions.
struct LoginReport {
    LoginTimings timings;
    std::string greeting;                   ///< the server's first line
    std::vector<std::string> capabilities;  ///< last CAPABILITY / CAPA / EHLO reply (IMAP: after login if sent)
    bool capabilities_after_login = false;  ///< IMAP: `capabilities` is the line the login's reply announced
    std::string login_reply;                ///< the server's final reply to the login
    std::string tls_version;                ///< "TLSv1.3"; empty without TLS
    std::string tls_cipher;                 ///< e.g. "TLS_AES_256_GCM_SHA384"; empty without TLS
    std::string address;                    ///< the address libcurl connected to (the proxy's, with a proxy)
    std::string proxy;                      ///< the variable naming the proxy libcurl used ("all_proxy"); empty: none
    /// The server is on this machine: `address` is a loopback one.
    bool loopback() const { return address.starts_with("127.") || address == "::1"; }
};

/// The error a failed login throws: an Error (kind, message, hint, server's words) that also says
/// which step failed and what was seen until then, for `zmail settings test`.
struct LoginFailure : Error {
    LoginStep step;
    LoginReport report;

    LoginFailure(Error error, LoginStep failed_step, LoginReport seen)
        : Error(std::move(error)), step(failed_step), report(std::move(seen)) {}
};

/// A connected, logged-in connection to one server. Construction does the whole login; the
/// object is then a Stream for the IMAP/POP3/SMTP session, which must send LOGOUT/QUIT itself
/// (the destructor only closes the socket; libcurl sends nothing for connect-only handles).
/// Not thread-safe; movable, not copyable. The trace and warning sinks must outlive the Connection.
class Connection final : public Stream {
public:
    /// Connects and logs in (libcurl resolves the name, applies the proxy the environment names
    /// and connects). Throws zmail::Error before any network use, and LoginFailure (an Error) after:
    ///   Config (Security::none without allow_plaintext, bad host/CA file, no user),
    ///   Network (cannot resolve, connect, connection dropped), Tls (untrusted certificate,
    ///   name mismatch, no STARTTLS, handshake failure), Auth (login refused, with the server's
    ///   words in server_reply), Temporary (timeout), Protocol (unexpected reply).
    explicit Connection(ServerOptions options);
    ~Connection() override;

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    Connection(Connection&&) noexcept;             ///< the moved-from object may only be destroyed
    Connection& operator=(Connection&&) noexcept;

    void write(std::string_view bytes) override;
    std::size_t read_some(char* buffer, std::size_t size) override;
    std::string peer() const override;

    /// The greeting, capabilities, login reply, TLS parameters and timings of the login.
    const LoginReport& report() const;
    /// Changes the I/O timeout for later reads and writes (e.g. a long IDLE).
    void set_io_timeout(std::chrono::seconds timeout);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace zmail::net
