// The early TCP connect (lib/net/dial): against a listening loopback socket, a closed port, and
// the address matching Connection relies on to hand the socket to libcurl.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/dial.hpp"

namespace zmail::net {
namespace {

using namespace std::chrono_literals;

/// A loopback listener on a free port, closed at the end of the test.
struct Listener {
    int fd = -1;
    int port = 0;
    Listener() {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(fd, 4);
        socklen_t length = sizeof address;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        port = ntohs(address.sin_port);
    }
    ~Listener() { ::close(fd); }
};

sockaddr_in loopback(int port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

const sockaddr* as_sockaddr(const sockaddr_in& address) { return reinterpret_cast<const sockaddr*>(&address); }

TEST(Dial, ConnectsToAnIpLiteralAndGivesUpTheSocketOnce) {
    Listener listener;
    Dial dial("127.0.0.1", listener.port, 5s);
    EXPECT_TRUE(dial.resolved().empty());  // nothing for libcurl to be told: it parses literals itself
    const sockaddr_in address = loopback(listener.port);
    EXPECT_TRUE(dial.dialed(as_sockaddr(address), sizeof address));
    const int fd = dial.take();
    ASSERT_GE(fd, 0);
    EXPECT_NE(dial.connected_at(), std::chrono::steady_clock::time_point{});
    const int accepted = ::accept(listener.fd, nullptr, nullptr);
    EXPECT_GE(accepted, 0);
    EXPECT_EQ(::write(fd, "x", 1), 1);
    char byte = 0;
    EXPECT_EQ(::read(accepted, &byte, 1), 1);
    EXPECT_EQ(byte, 'x');
    // given up: a second take has nothing, and the dial no longer claims the address
    EXPECT_EQ(dial.take(), -1);
    EXPECT_FALSE(dial.dialed(as_sockaddr(address), sizeof address));
    ::close(accepted);
    ::close(fd);
}

TEST(Dial, MatchesOnlyTheAddressAndPortItDialed) {
    Listener listener;
    Dial dial("127.0.0.1", listener.port, 5s);
    const sockaddr_in other_port = loopback(listener.port == 65535 ? 1 : listener.port + 1);
    EXPECT_FALSE(dial.dialed(as_sockaddr(other_port), sizeof other_port));
    sockaddr_in other_host = loopback(listener.port);
    other_host.sin_addr.s_addr = htonl(0x7f000002);
    EXPECT_FALSE(dial.dialed(as_sockaddr(other_host), sizeof other_host));
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(listener.port));
    EXPECT_FALSE(dial.dialed(reinterpret_cast<const sockaddr*>(&v6), sizeof v6));
}

TEST(Dial, RefusedConnectGivesNoSocket) {
    int port = 0;
    {
        Listener listener;  // bound and closed again: nothing listens on the port now
        port = listener.port;
    }
    Dial dial("127.0.0.1", port, 5s);
    EXPECT_EQ(dial.take(), -1);
}

TEST(Dial, ResolvesANameForLibcurl) {
    Listener listener;
    Dial dial("localhost", listener.port, 5s);
    // as many addresses as the resolver gives, as libcurl would ask for them
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    std::size_t expected = 0;
    if (getaddrinfo("localhost", "993", &hints, &found) == 0) {
        for (const addrinfo* a = found; a; a = a->ai_next) expected += a->ai_family == AF_INET || a->ai_family == AF_INET6;
        freeaddrinfo(found);
    }
    EXPECT_EQ(dial.resolved().size(), expected);
    for (const std::string& address : dial.resolved())
        EXPECT_TRUE(address == "127.0.0.1" || address == "[::1]") << address;
}

TEST(Dial, UnknownNameDialsNothing) {
    Dial dial("no-such-host.invalid", 993, 5s);
    EXPECT_TRUE(dial.resolved().empty());
    EXPECT_EQ(dial.take(), -1);
}

TEST(Dial, BracketedIpv6LiteralConnects) {
    const int listener = ::socket(AF_INET6, SOCK_STREAM, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0) << "no ::1 here";
    ::listen(listener, 1);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

    Dial dial("[::1]", ntohs(address.sin6_port), 5s);  // as the URL has it; never looked up
    EXPECT_TRUE(dial.resolved().empty());
    EXPECT_TRUE(dial.dialed(reinterpret_cast<const sockaddr*>(&address), sizeof address));
    const int fd = dial.take();
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    ::close(listener);
}

TEST(Dial, KeepsWithinItsBudget) {
    Listener listener;
    Dial dial("127.0.0.1", listener.port, 300ms);
    EXPECT_LE(dial.remaining(), 300ms);
    EXPECT_GE(dial.remaining(), 1ms);
    std::this_thread::sleep_for(350ms);
    EXPECT_EQ(dial.remaining(), 1ms);  // spent: libcurl gets the least it takes, not a fresh timeout
}

TEST(Dial, ProxyInTheEnvironmentMeansNoDirectConnect) {
    const char* names[] = {"imaps_proxy", "IMAPS_PROXY", "all_proxy", "ALL_PROXY", "smtp_proxy"};
    std::vector<std::pair<std::string, std::string>> saved;
    for (const char* name : names) {
        if (const char* value = std::getenv(name)) saved.emplace_back(name, value);
        ::unsetenv(name);
    }
    EXPECT_FALSE(Dial::proxy_in_environment("imaps"));
    for (const char* name : {"imaps_proxy", "IMAPS_PROXY", "all_proxy", "ALL_PROXY"}) {
        ::setenv(name, "socks5h://127.0.0.1:9050", 1);
        EXPECT_TRUE(Dial::proxy_in_environment("imaps")) << name;
        ::unsetenv(name);
    }
    ::setenv("smtp_proxy", "socks5h://127.0.0.1:9050", 1);
    EXPECT_FALSE(Dial::proxy_in_environment("imaps"));  // another scheme's proxy
    ::setenv("imaps_proxy", "", 1);
    EXPECT_FALSE(Dial::proxy_in_environment("imaps"));  // empty: no proxy
    for (const char* name : names) ::unsetenv(name);
    for (const auto& [name, value] : saved) ::setenv(name.c_str(), value.c_str(), 1);
}

}  // namespace
}  // namespace zmail::net
