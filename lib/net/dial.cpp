#include "net/dial.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace zmail::net {

namespace {

/// libcurl 7.88's happy-eyeballs delay: how long it gives one address before trying another.
constexpr std::chrono::milliseconds next_address_after{200};

/// An IPv6 literal as it appears in a URL ("[::1]") without its brackets.
std::string bare_host(const std::string& host) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

std::string address_text(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address->sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, text, sizeof text);
        return text;
    }
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]";
}

bool scoped(const sockaddr* address) {
    return address->sa_family == AF_INET6 && reinterpret_cast<const sockaddr_in6*>(address)->sin6_scope_id != 0;
}

/// getaddrinfo on a thread of its own, so the caller can stop waiting for it; the thread and
/// the result outlive an abandoned wait (shared ownership).
struct Lookup {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    addrinfo* result = nullptr;
    ~Lookup() {
        if (result) freeaddrinfo(result);
    }
};

}  // namespace

Dial::Dial(const std::string& host, int port, std::chrono::milliseconds budget)
    : deadline_(std::chrono::steady_clock::now() + budget) {
    const std::string name = bare_host(host);
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, name.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&address_, &v4, sizeof v4);
        length_ = sizeof v4;
    } else if (inet_pton(AF_INET6, name.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&address_, &v6, sizeof v6);
        length_ = sizeof v6;
    } else {
        resolve(name, port);
        if (length_ == 0) return;
    }
    fd_ = ::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd_ < 0) return;
    // Only a connect still in progress is kept: libcurl 7.88 calls connect() again on the
    // socket it is given (CURL_SOCKOPT_ALREADY_CONNECTED is ignored before 8.0, curl issue
    // 10626). On Linux that second call returns 0 once this connect has completed, but it
    // would fail with EISCONN had this one succeeded at once (never seen for TCP).
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address_), length_) == 0 || errno != EINPROGRESS) {
        ::close(fd_);
        fd_ = -1;
    }
}

void Dial::resolve(const std::string& name, int port) {
    auto lookup = std::make_shared<Lookup>();
    try {
        std::thread([lookup, name, service = std::to_string(port)] {
            addrinfo hints{};
            hints.ai_family = AF_UNSPEC;  // as libcurl asks (no AI_ADDRCONFIG: "localhost" keeps ::1)
            hints.ai_socktype = SOCK_STREAM;
            addrinfo* found = nullptr;
            if (getaddrinfo(name.c_str(), service.c_str(), &hints, &found) != 0) found = nullptr;
            std::lock_guard<std::mutex> lock(lookup->mutex);
            lookup->result = found;
            lookup->done = true;
            lookup->finished.notify_all();
        }).detach();
    } catch (const std::system_error&) {
        return;  // no thread: libcurl resolves the name itself
    }
    std::unique_lock<std::mutex> lock(lookup->mutex);
    if (!lookup->finished.wait_until(lock, deadline_, [&] { return lookup->done; }) || !lookup->result) return;

    std::vector<std::string> addresses;
    for (const addrinfo* a = lookup->result; a; a = a->ai_next) {
        if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
        if (scoped(a->ai_addr)) return;  // a zone CURLOPT_RESOLVE cannot carry: leave it all to libcurl
        if (length_ == 0) {
            std::memcpy(&address_, a->ai_addr, a->ai_addrlen);
            length_ = a->ai_addrlen;
        }
        addresses.push_back(address_text(a->ai_addr));
    }
    resolved_ = std::move(addresses);
}

bool Dial::proxy_in_environment(const std::string& scheme) {
    std::string upper = scheme + "_PROXY";
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& name : {scheme + "_proxy", upper, std::string("all_proxy"), std::string("ALL_PROXY")}) {
        const char* value = std::getenv(name.c_str());
        if (value && *value) return true;
    }
    return false;
}

Dial::~Dial() {
    if (fd_ >= 0) ::close(fd_);
}

bool Dial::dialed(const sockaddr* address, socklen_t length) const {
    if (fd_ < 0 || length != length_ || address->sa_family != address_.ss_family) return false;
    if (address->sa_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(address);
        const auto* b = reinterpret_cast<const sockaddr_in*>(&address_);
        return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
    }
    const auto* a = reinterpret_cast<const sockaddr_in6*>(address);
    const auto* b = reinterpret_cast<const sockaddr_in6*>(&address_);
    return a->sin6_port == b->sin6_port && std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0 &&
           a->sin6_scope_id == b->sin6_scope_id;
}

std::chrono::milliseconds Dial::remaining() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(1));
}

int Dial::take() {
    int fd = fd_;
    fd_ = -1;
    if (fd < 0) return -1;
    auto deadline = deadline_;
    if (resolved_.size() > 1) deadline = std::min(deadline, std::chrono::steady_clock::now() + next_address_after);
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLOUT, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
        if (rc < 0 && errno == EINTR) continue;
        int error = 0;
        socklen_t size = sizeof error;
        if (rc <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
            ::close(fd);
            return -1;
        }
        connected_at_ = std::chrono::steady_clock::now();
        return fd;
    }
}

}  // namespace zmail::net
