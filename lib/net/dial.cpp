#include "net/dial.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace zmail::net {

namespace {

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

}  // namespace

Dial::Dial(const std::string& host, int port) {
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
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_ADDRCONFIG;
        addrinfo* found = nullptr;
        const std::string service = std::to_string(port);
        if (getaddrinfo(name.c_str(), service.c_str(), &hints, &found) != 0 || !found) return;
        for (const addrinfo* a = found; a; a = a->ai_next) {
            if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
            if (length_ == 0) {
                std::memcpy(&address_, a->ai_addr, a->ai_addrlen);
                length_ = a->ai_addrlen;
            }
            resolved_.push_back(address_text(a->ai_addr));
        }
        freeaddrinfo(found);
        if (length_ == 0) return;
    }
    fd_ = ::socket(address_.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd_ < 0) return;
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address_), length_) == 0) {
        connected_at_ = std::chrono::steady_clock::now();
    } else if (errno != EINPROGRESS) {
        ::close(fd_);
        fd_ = -1;
    }
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

int Dial::take(std::chrono::milliseconds timeout) {
    int fd = fd_;
    fd_ = -1;
    if (fd < 0) return -1;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (connected_at_ == std::chrono::steady_clock::time_point{}) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLOUT, 0};
        const int rc = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
        if (rc < 0 && errno == EINTR) continue;
        int error = 0;
        socklen_t size = sizeof error;
        if (rc <= 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error != 0) {
            ::close(fd);
            return -1;
        }
        connected_at_ = std::chrono::steady_clock::now();
    }
    return fd;
}

}  // namespace zmail::net
