// The TCP connect zmail starts before it loads libcurl (see curl_library.hpp).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <vector>

namespace zmail::net {

/// A non-blocking TCP connect to the first address of host:port, started at construction.
/// Connection hands the socket to libcurl (CURLOPT_OPENSOCKETFUNCTION) when libcurl asks for
/// that address; any failure here only means libcurl connects by itself, as it would have, and
/// reports the error in its usual words. Never throws.
class Dial {
public:
    /// Resolves `host` (an IP literal, or a name through getaddrinfo) and starts connecting.
    Dial(const std::string& host, int port);
    ~Dial();
    Dial(const Dial&) = delete;
    Dial& operator=(const Dial&) = delete;

    /// Every address the name resolved to, as CURLOPT_RESOLVE wants them ("192.0.2.1",
    /// "[2001:db8::1]"), so libcurl does not resolve the name a second time. Empty for an IP
    /// literal or when resolving failed.
    const std::vector<std::string>& resolved() const { return resolved_; }

    /// Whether the connect was started to exactly `address`.
    bool dialed(const sockaddr* address, socklen_t length) const;

    /// Waits up to `timeout` for the connect to complete and gives up the socket: a connected
    /// descriptor the caller now owns, or -1 when it failed or is still pending (then it is closed).
    int take(std::chrono::milliseconds timeout);

    /// Whether the environment names a proxy libcurl would use for URLs of `scheme` ("imaps"):
    /// then nothing may connect to the server directly, so there is no early dial.
    static bool proxy_in_environment(const std::string& scheme);

    /// When the connect completed (for the timings `zmail settings test` shows).
    std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }

private:
    int fd_ = -1;
    sockaddr_storage address_{};
    socklen_t length_ = 0;
    std::vector<std::string> resolved_;
    std::chrono::steady_clock::time_point connected_at_{};
};

}  // namespace zmail::net
