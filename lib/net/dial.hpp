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
///
/// The whole dial, the name lookup included, keeps within `budget` (the connect timeout); the
/// Connection gives libcurl only what is left of it, so a dead DNS server or a dead address
/// costs about one connect timeout, as before.
class Dial {
public:
    /// Resolves `host` (an IP literal, or a name through getaddrinfo, waited for at most
    /// `budget`) and starts connecting.
    Dial(const std::string& host, int port, std::chrono::milliseconds budget);
    ~Dial();
    Dial(const Dial&) = delete;
    Dial& operator=(const Dial&) = delete;

    /// Every address the name resolved to, as CURLOPT_RESOLVE wants them ("192.0.2.1",
    /// "[2001:db8::1]"), so libcurl does not resolve the name a second time. Empty for an IP
    /// literal, when resolving failed or was too slow, and for scoped (link-local) IPv6
    /// addresses, which CURLOPT_RESOLVE cannot carry (then there is no early dial either).
    const std::vector<std::string>& resolved() const { return resolved_; }

    /// Whether the connect was started to exactly `address` (and is still ours).
    bool dialed(const sockaddr* address, socklen_t length) const;

    /// Waits for the connect to complete and gives up the socket: a connected descriptor the
    /// caller now owns, or -1 (then it is closed). It waits until the budget is spent, but no
    /// more than 200 ms when the name has other addresses: libcurl tries the next one after
    /// that long, and it cannot while its callback waits here.
    int take();

    /// What is left of the budget (never less than 1 ms).
    std::chrono::milliseconds remaining() const;

    /// Whether the environment names a proxy libcurl would use for URLs of `scheme` ("imaps"):
    /// then nothing may connect to the server directly, so there is no early dial.
    static bool proxy_in_environment(const std::string& scheme);

    /// When take() saw the connect complete (for the timings `zmail settings test` shows).
    std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }

private:
    void resolve(const std::string& name, int port);

    int fd_ = -1;
    sockaddr_storage address_{};
    socklen_t length_ = 0;
    std::vector<std::string> resolved_;
    std::chrono::steady_clock::time_point deadline_;
    std::chrono::steady_clock::time_point connected_at_{};
};

}  // namespace zmail::net
