// Logging in through lib/net (libcurl connect-only) to the fixture's Dovecot: every protocol and
// security mode, the failures users meet (wrong password, untrusted certificate, wrong name,
// closed port, plaintext), and that traces never show a credential.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "error.hpp"
#include "fixture.hpp"
#include "net/connection.hpp"
#include "text/base64.hpp"

namespace zmail {
namespace {

using net::Connection;
using net::Protocol;
using net::Security;
using test::server_env;
using test::server_options;

/// Reads one line (without CRLF) from the stream; `pending` keeps bytes read past it.
std::string read_line(net::Stream& stream, std::string& pending) {
    for (;;) {
        const auto crlf = pending.find("\r\n");
        if (crlf != std::string::npos) {
            std::string line = pending.substr(0, crlf);
            pending.erase(0, crlf + 2);
            return line;
        }
        char buffer[4096];
        const std::size_t n = stream.read_some(buffer, sizeof buffer);
        pending.append(buffer, n);
    }
}

/// Reads lines until `is_last` accepts one; returns them all.
std::vector<std::string> read_reply(net::Stream& stream, std::string& pending,
                                    const std::function<bool(const std::string&)>& is_last) {
    std::vector<std::string> lines;
    do {
        lines.push_back(read_line(stream, pending));
    } while (!is_last(lines.back()));
    return lines;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

bool smtp_last(const std::string& line) { return line.size() >= 4 && line[3] == ' '; }

/// Asks for the capabilities over the raw stream, checks the reply, logs out.
void check_session(Connection& connection, Protocol protocol) {
    std::string pending;
    switch (protocol) {
    case Protocol::imap: {
        connection.write("z1 CAPABILITY\r\n");
        const auto lines = read_reply(connection, pending, [](const std::string& l) { return l.starts_with("z1 "); });
        EXPECT_EQ(lines.back().substr(0, 6), "z1 OK ") << joined(lines);
        EXPECT_NE(joined(lines).find("* CAPABILITY IMAP4rev1"), std::string::npos) << joined(lines);
        connection.write("z2 LOGOUT\r\n");
        const auto bye = read_reply(connection, pending, [](const std::string& l) { return l.starts_with("z2 "); });
        EXPECT_TRUE(bye.front().starts_with("* BYE")) << joined(bye);
        EXPECT_TRUE(bye.back().starts_with("z2 OK")) << joined(bye);
        break;
    }
    case Protocol::pop3: {
        connection.write("CAPA\r\n");
        const auto lines = read_reply(connection, pending, [](const std::string& l) { return l == "."; });
        EXPECT_TRUE(lines.front().starts_with("+OK")) << joined(lines);
        EXPECT_NE(joined(lines).find("UIDL"), std::string::npos) << joined(lines);
        connection.write("QUIT\r\n");
        EXPECT_TRUE(read_line(connection, pending).starts_with("+OK"));
        break;
    }
    case Protocol::smtp: {
        connection.write("EHLO client.example.test\r\n");
        const auto lines = read_reply(connection, pending, smtp_last);
        for (const auto& l : lines) EXPECT_TRUE(l.starts_with("250")) << joined(lines);
        EXPECT_NE(joined(lines).find("PIPELINING"), std::string::npos) << joined(lines);
        connection.write("QUIT\r\n");
        EXPECT_TRUE(read_line(connection, pending).starts_with("221")) << pending;
        break;
    }
    }
}

struct LoginCase {
    Protocol protocol;
    Security security;
};

class LoginTest : public ::testing::TestWithParam<LoginCase> {};

TEST_P(LoginTest, LogsInWithVerifiedCertificateAndTalksOverTheStream) {
    const auto [protocol, security] = GetParam();
    const std::string user = test::create_user();
    Connection connection(server_options(protocol, security, user));

    const auto& report = connection.report();
    EXPECT_FALSE(report.greeting.empty());
    EXPECT_TRUE(report.tls_version == "TLSv1.2" || report.tls_version == "TLSv1.3") << report.tls_version;
    EXPECT_FALSE(report.tls_cipher.empty());
    EXPECT_FALSE(report.capabilities.empty());
    EXPECT_FALSE(report.login_reply.empty());
    const auto& t = report.timings;
    EXPECT_LE(t.name_lookup, t.connect);
    EXPECT_LT(t.connect, t.tls_handshake);
    EXPECT_LT(t.tls_handshake, t.login);
    EXPECT_EQ(connection.peer(), server_env().host + ":" + std::to_string(server_options(protocol, security, user).port));

    switch (protocol) {
    case Protocol::imap: EXPECT_NE(report.login_reply.find(" OK "), std::string::npos) << report.login_reply; break;
    case Protocol::pop3: EXPECT_TRUE(report.login_reply.starts_with("+OK")) << report.login_reply; break;
    case Protocol::smtp: EXPECT_TRUE(report.login_reply.starts_with("235")) << report.login_reply; break;
    }
    check_session(connection, protocol);
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, LoginTest,
                         ::testing::Values(LoginCase{Protocol::imap, Security::tls},
                                           LoginCase{Protocol::imap, Security::starttls},
                                           LoginCase{Protocol::pop3, Security::tls},
                                           LoginCase{Protocol::pop3, Security::starttls},
                                           LoginCase{Protocol::smtp, Security::tls},
                                           LoginCase{Protocol::smtp, Security::starttls}),
                         [](const auto& info) {
                             return std::string(net::protocol_name(info.param.protocol)) + "_" +
                                    net::security_name(info.param.security);
                         });

/// Runs `attempt` and returns the zmail::Error it throws (fails the test if none).
Error expect_error(const std::function<void()>& attempt) {
    try {
        attempt();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no zmail::Error thrown";
    return Error(ErrorKind::Internal, "none");
}

Error connect_error(const net::ServerOptions& options) {
    return expect_error([&] { Connection c(options); });
}

class WrongPasswordTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(WrongPasswordTest, IsAnAuthErrorWithTheServersWords) {
    auto o = server_options(GetParam(), Security::tls, "alice");
    o.secret = "not-the-password-77";
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Auth) << e.what();
    const std::string message = e.what();
    EXPECT_NE(message.find("as 'alice'"), std::string::npos) << message;
    EXPECT_NE(message.find(server_env().host + ":" + std::to_string(o.port)), std::string::npos) << message;
    EXPECT_EQ(message.find(o.secret), std::string::npos);
    EXPECT_EQ(e.server_reply.find(o.secret), std::string::npos);
    EXPECT_FALSE(e.hint.empty());
    switch (GetParam()) {
    case Protocol::imap: EXPECT_NE(e.server_reply.find("AUTHENTICATIONFAILED"), std::string::npos) << e.server_reply; break;
    case Protocol::pop3: EXPECT_NE(e.server_reply.find("-ERR"), std::string::npos) << e.server_reply; break;
    case Protocol::smtp: EXPECT_NE(e.server_reply.find("535"), std::string::npos) << e.server_reply; break;
    }
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, WrongPasswordTest,
                         ::testing::Values(Protocol::imap, Protocol::pop3, Protocol::smtp),
                         [](const auto& info) { return std::string(net::protocol_name(info.param)); });

TEST(LoginErrors, UnrelatedCaIsATlsError) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.ca_file = server_env().other_ca_file;
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Tls) << e.what();
    EXPECT_NE(std::string(e.what()).find("unknown certificate authority"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("ca_file"), std::string::npos) << e.hint;
}

TEST(LoginErrors, UnrelatedCaFailsStarttlsToo) {
    auto o = server_options(Protocol::smtp, Security::starttls, "alice");
    o.ca_file = server_env().other_ca_file;
    EXPECT_EQ(connect_error(o).kind, ErrorKind::Tls);
}

TEST(LoginErrors, NameNotInCertificateIsATlsError) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.host = server_env().mismatch_host;
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Tls) << e.what();
    EXPECT_NE(std::string(e.what()).find("not valid for the name '127.0.0.3'"), std::string::npos) << e.what();
}

TEST(LoginErrors, AltHostIsInTheCertificate) {
    auto o = server_options(Protocol::pop3, Security::starttls, "alice");
    o.host = server_env().alt_host;
    Connection connection(o);
    check_session(connection, Protocol::pop3);
}

TEST(LoginErrors, VerificationOffWarnsAndConnects) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.host = server_env().mismatch_host;
    o.tls_verify = false;
    std::vector<std::string> warnings;
    o.warning = [&](std::string_view line) { warnings.emplace_back(line); };
    Connection connection(o);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("verification is off"), std::string::npos) << warnings[0];
    check_session(connection, Protocol::imap);
}

TEST(LoginErrors, HostNameIsResolvedOnceAndConnects) {
    // a name, not a literal: libcurl resolves it and connects
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.host = "localhost";
    std::vector<std::string> trace;
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    Connection connection(o);
    bool connected = false;
    for (const std::string& line : trace) connected = connected || line.find("Connected to localhost") != std::string::npos;
    EXPECT_TRUE(connected) << joined(trace);
    check_session(connection, Protocol::imap);
}

int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);  // bound, never listened: nothing accepts on it now
    return ntohs(address.sin_port);
}

TEST(LoginErrors, ClosedPortIsANetworkError) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.port = closed_port();
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Network) << e.what();
    EXPECT_NE(std::string(e.what()).find(":" + std::to_string(o.port) + "': connection refused"), std::string::npos)
        << e.what();
    EXPECT_NE(e.hint.find("993"), std::string::npos) << e.hint;
}

TEST(LoginErrors, UnknownHostIsANetworkError) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.host = "no-such-host.invalid";
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Network) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot resolve 'no-such-host.invalid'"), std::string::npos) << e.what();
}

TEST(LoginErrors, ProxyInTheEnvironmentMeansNoDirectConnection) {
    // the "server": a listener that must never see a connection
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.port = ntohs(address.sin_port);
    const std::string proxy = "socks5h://127.0.0.1:" + std::to_string(closed_port());
    ::setenv("all_proxy", proxy.c_str(), 1);
    const Error e = connect_error(o);
    ::unsetenv("all_proxy");
    EXPECT_EQ(e.kind, ErrorKind::Network) << e.what();  // the proxy refused
    EXPECT_NE(e.hint.find("the proxy that all_proxy names"), std::string::npos) << e.hint;
    EXPECT_LT(::accept(listener, nullptr, nullptr), 0);  // and nothing went around it
    EXPECT_EQ(errno, EAGAIN);
    ::close(listener);
}

TEST(LoginErrors, NoProxyHostsConnectDirectly) {
    // libcurl's own proxy rules: no_proxy naming the host wins over all_proxy
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    const std::string proxy = "socks5h://127.0.0.1:" + std::to_string(closed_port());
    ::setenv("all_proxy", proxy.c_str(), 1);
    ::setenv("no_proxy", o.host.c_str(), 1);
    try {
        Connection connection(o);
        EXPECT_EQ(connection.report().proxy, "");
        check_session(connection, Protocol::imap);
    } catch (const Error& e) {
        ADD_FAILURE() << e.what() << " / " << e.hint;
    }
    ::unsetenv("all_proxy");
    ::unsetenv("no_proxy");
}

TEST(LoginErrors, ImplicitTlsOnAStarttlsPortSuggestsStarttls) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    o.port = server_env().port("imap");
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Tls) << e.what();
    EXPECT_NE(e.hint.find("starttls"), std::string::npos) << e.what() << " / " << e.hint;
}

TEST(LoginErrors, ServerWithoutStarttlsIsATlsError) {
    auto o = server_options(Protocol::smtp, Security::starttls, "alice");
    o.port = server_env().port("sink");  // the receiver speaks SMTP without STARTTLS
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Tls) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not offer STARTTLS"), std::string::npos) << e.what();
}

TEST(LoginErrors, PlaintextNeedsAllowPlaintext) {
    auto o = server_options(Protocol::imap, Security::none, "alice");
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Config) << e.what();
    EXPECT_NE(std::string(e.what()).find("without TLS"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("imap.allow_plaintext"), std::string::npos) << e.hint;
    o.protocol = Protocol::pop3;
    EXPECT_NE(connect_error(o).hint.find("pop.allow_plaintext"), std::string::npos);
}

class PlaintextRefusedTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(PlaintextRefusedTest, ServerRefusesPlaintextLoginOnANonLocalAddress) {
    auto o = server_options(GetParam(), Security::starttls, "alice");  // the plain ports
    o.security = Security::none;
    o.allow_plaintext = true;
    o.host = server_env().alt_host;  // Dovecot treats 127.0.0.1 -> 127.0.0.1 as secure, not .2
    std::vector<std::string> trace;
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    const Error e = connect_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Auth) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not allow logging in without TLS"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("starttls"), std::string::npos) << e.hint;
    EXPECT_FALSE(e.server_reply.empty());
    for (const auto& line : trace) EXPECT_EQ(line.find(o.secret), std::string::npos) << line;
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, PlaintextRefusedTest,
                         ::testing::Values(Protocol::imap, Protocol::pop3, Protocol::smtp),
                         [](const auto& info) { return std::string(net::protocol_name(info.param)); });

TEST(LoginErrors, LoginMechanismWorks) {
    for (auto protocol : {Protocol::imap, Protocol::pop3, Protocol::smtp}) {
        auto o = server_options(protocol, Security::tls, "bob");
        o.mechanism = net::Mechanism::login;
        Connection connection(o);
        check_session(connection, protocol);
    }
}

TEST(Stream, ReadTimesOutAsTemporary) {
    auto o = server_options(Protocol::imap, Security::tls, "alice");
    Connection connection(o);
    connection.set_io_timeout(std::chrono::seconds(1));
    char buffer[64];
    const auto start = std::chrono::steady_clock::now();
    const Error e = expect_error([&] { connection.read_some(buffer, sizeof buffer); });
    EXPECT_EQ(e.kind, ErrorKind::Temporary) << e.what();
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST(Stream, PeerCloseIsANetworkError) {
    Connection connection(server_options(Protocol::pop3, Security::tls, "alice"));
    std::string pending;
    connection.write("QUIT\r\n");
    EXPECT_TRUE(read_line(connection, pending).starts_with("+OK"));
    char buffer[64];
    const Error e = expect_error([&] {
        for (;;) connection.read_some(buffer, sizeof buffer);
    });
    EXPECT_EQ(e.kind, ErrorKind::Network) << e.what();
    EXPECT_NE(std::string(e.what()).find("closed the connection"), std::string::npos) << e.what();
}

class TraceTest : public ::testing::TestWithParam<LoginCase> {};

TEST_P(TraceTest, NeverShowsThePasswordOrTheSaslPayload) {
    const auto [protocol, security] = GetParam();
    const std::string user = test::create_user();
    auto o = server_options(protocol, security, user);
    std::vector<std::string> trace;
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    {
        Connection connection(o);
        check_session(connection, protocol);
    }
    const std::string password = test::password_for(user);
    const std::string plain_payload = text::base64_encode(std::string(1, '\0') + user + '\0' + password);
    const std::string all = joined(trace);
    EXPECT_EQ(all.find(password), std::string::npos) << all;
    EXPECT_EQ(all.find(plain_payload), std::string::npos) << all;
    EXPECT_EQ(all.find(text::base64_encode(password)), std::string::npos) << all;
    // The trace is still useful: the login command with its mechanism, the server's replies,
    // libcurl's notes and our own traffic.
    const std::string login = protocol == Protocol::imap ? "AUTHENTICATE PLAIN <redacted>" : "AUTH PLAIN <redacted>";
    EXPECT_NE(all.find("C: "), std::string::npos);
    EXPECT_NE(all.find(login), std::string::npos) << all;
    EXPECT_NE(all.find("S: "), std::string::npos) << all;
    EXPECT_NE(all.find("* "), std::string::npos) << all;
    const std::string own = protocol == Protocol::imap ? "C: z1 CAPABILITY" : protocol == Protocol::pop3 ? "C: CAPA" : "C: EHLO";
    EXPECT_NE(all.find(own), std::string::npos) << all;
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, TraceTest,
                         ::testing::Values(LoginCase{Protocol::imap, Security::starttls},
                                           LoginCase{Protocol::pop3, Security::tls},
                                           LoginCase{Protocol::smtp, Security::starttls}),
                         [](const auto& info) {
                             return std::string(net::protocol_name(info.param.protocol)) + "_" +
                                    net::security_name(info.param.security);
                         });

TEST(Trace, LoginMechanismExchangeIsRedacted) {
    auto o = server_options(Protocol::smtp, Security::tls, "bob");
    o.mechanism = net::Mechanism::login;
    std::vector<std::string> trace;
    o.trace = [&](std::string_view line) { trace.emplace_back(line); };
    Connection connection(o);
    check_session(connection, Protocol::smtp);
    const std::string all = joined(trace);
    EXPECT_EQ(all.find(text::base64_encode("bob")), std::string::npos) << all;
    EXPECT_EQ(all.find(text::base64_encode(o.secret)), std::string::npos) << all;
    EXPECT_NE(all.find("S: 334 "), std::string::npos) << all;
    EXPECT_NE(all.find("C: <redacted>"), std::string::npos) << all;
}

}  // namespace
}  // namespace zmail
