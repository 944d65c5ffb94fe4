// The IMAP session against a scripted fake server (tests/fault/fake_imap_server.py, plaintext on
// 127.0.0.1, logged in through lib/net like a real one): cuts in the middle of a literal or a line,
// garbage, a giant line, a server that stops answering, BYE and an unknown tag each end in a clean
// zmail::Error of the right kind, quickly, never a hang or a crash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../support/errors.hpp"
#include "error.hpp"
#include "imap/session.hpp"
#include "imap/session_messages.hpp"
#include "net/connection.hpp"

namespace zmail {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs the fake server with a scenario; kills it when destroyed.
class FakeServer {
public:
    explicit FakeServer(const std::string& scenario) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            dup2(out[1], STDOUT_FILENO);
            close(out[0]);
            close(out[1]);
            const std::string script = std::string(ZMAIL_SOURCE_DIR) + "/tests/fault/fake_imap_server.py";
            execl("/usr/bin/python3", "python3", script.c_str(), scenario.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        std::string line;
        char c = 0;
        while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
        close(out[0]);
        port_ = line.empty() ? 0 : std::stoi(line);
        if (port_ == 0) throw std::runtime_error("fake_imap_server.py did not start");
    }
    ~FakeServer() {
        kill(pid_, SIGTERM);
        int status = 0;
        waitpid(pid_, &status, 0);
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    net::ServerOptions options() const {
        net::ServerOptions o;
        o.protocol = net::Protocol::imap;
        o.host = "127.0.0.1";
        o.port = port_;
        o.security = net::Security::none;
        o.allow_plaintext = true;
        o.mechanism = net::Mechanism::plain;
        o.user = "alice";
        o.secret = "fake-password";
        o.connect_timeout_seconds = 5;
        o.io_timeout_seconds = 2;
        return o;
    }

private:
    pid_t pid_ = -1;
    int port_ = 0;
};

using zmail::testing::error_of;

class CountingSink : public imap::MessageSink {
public:
    void begin(const imap::BodyStart&) override { ++begun; }
    void data(std::string_view bytes, std::uint64_t) override { bytes_seen += bytes.size(); }
    void complete(const imap::FetchedMessage&) override { ++completed; }
    void abandon() noexcept override { ++abandoned; }
    int begun = 0, completed = 0, abandoned = 0;
    std::size_t bytes_seen = 0;
};

/// Logs in to the fake server, runs `action` on a fresh session, and returns its error. The
/// session's destructor runs inside the timed part: it must not hang either.
Error fault_of(const std::string& scenario, const std::function<void(imap::Session&)>& action,
               std::chrono::seconds limit = std::chrono::seconds(10)) {
    FakeServer server(scenario);
    net::Connection connection(server.options());
    const auto start = Clock::now();
    Error error(ErrorKind::Internal, "none");
    {
        imap::Session session(connection);
        session.start();
        error = error_of([&] { action(session); });
        EXPECT_TRUE(session.broken()) << scenario;
        EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Network) << scenario;
    }
    EXPECT_LT(Clock::now() - start, limit) << scenario;
    return error;
}

}  // namespace

// The suite's Dovecot offers every mechanism zmail has; this server offers PLAIN and LOGIN only.
TEST(ImapFaults, AMechanismTheServerLacksIsNamed) {
    FakeServer server("ok");
    auto o = server.options();
    o.mechanism = net::Mechanism::xoauth2;
    const Error e = error_of([&] { net::Connection connection(o); });
    EXPECT_EQ(e.kind, ErrorKind::Auth) << e.what() << " / " << e.hint;
    EXPECT_NE(std::string(e.what()).find("does not offer the XOAUTH2 mechanism"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("PLAIN"), std::string::npos) << e.hint;
}

// Outlook offers XOAUTH2 only: an account set to OAUTHBEARER logs in with XOAUTH2, the same token.
TEST(ImapFaults, AnOAuthMechanismTheServerLacksGivesWayToTheOther) {
    FakeServer server("xoauth2_only");
    auto o = server.options();
    o.mechanism = net::Mechanism::oauthbearer;
    std::vector<std::string> trace;
    o.trace = [&trace](std::string_view line) { trace.emplace_back(line); };
    net::Connection connection(o);
    imap::Session session(connection);
    session.start();
    session.noop();
    session.logout();
    bool used_xoauth2 = false;
    for (const auto& line : trace) used_xoauth2 = used_xoauth2 || line.find("AUTHENTICATE XOAUTH2") != std::string::npos;
    EXPECT_TRUE(used_xoauth2);
}

TEST(ImapFaults, ControlCaseLogsInAndOut) {
    FakeServer server("ok");
    net::Connection connection(server.options());
    imap::Session session(connection);
    EXPECT_TRUE(session.capabilities().has("UIDPLUS"));
    session.noop();
    session.logout();
    EXPECT_FALSE(session.broken());
}

TEST(ImapFaults, CutInTheMiddleOfALiteral) {
    CountingSink sink;
    const Error error = fault_of("cut_literal", [&sink](imap::Session& session) {
        const std::vector<std::uint32_t> uids{1};
        imap::Messages(session).uid_fetch_bodies(uids, sink);
    });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_NE(std::string(error.what()).find("closed in the middle of a response"), std::string::npos) << error.what();
    EXPECT_EQ(sink.begun, 1);
    EXPECT_EQ(sink.completed, 0);
    EXPECT_EQ(sink.abandoned, 1);
    EXPECT_EQ(sink.bytes_seen, 300u);
}

TEST(ImapFaults, CutInTheMiddleOfALine) {
    const Error error = fault_of("cut_line", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_NE(std::string(error.what()).find("closed in the middle of a response"), std::string::npos) << error.what();
}

TEST(ImapFaults, GarbageReply) {
    const Error error = fault_of("garbage", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(error.what()).find("to 'NOOP'"), std::string::npos) << error.what();
    EXPECT_NE(error.server_reply.find("HTTP/1.1 400 Bad Request"), std::string::npos) << error.server_reply;
}

TEST(ImapFaults, GiantLine) {
    const Error error = fault_of("giant_line", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(error.what()).find("server response line too long"), std::string::npos) << error.what();
    EXPECT_LE(error.server_reply.size(), 400u);
}

TEST(ImapFaults, ServerStopsAnswering) {
    const Error error = fault_of("stall", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Temporary);
    EXPECT_NE(std::string(error.what()).find("within 2 seconds"), std::string::npos) << error.what();
}

TEST(ImapFaults, ServerStopsInTheMiddleOfALiteral) {
    CountingSink sink;
    const Error error = fault_of("stall_literal", [&sink](imap::Session& session) {
        const std::vector<std::uint32_t> uids{1};
        imap::Messages(session).uid_fetch_bodies(uids, sink);
    });
    EXPECT_EQ(error.kind, ErrorKind::Temporary);
    EXPECT_EQ(sink.completed, 0);
    EXPECT_EQ(sink.abandoned, 1);
}

TEST(ImapFaults, ByeWithTheServersWords) {
    const Error error = fault_of("bye", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_EQ(error.server_reply, "* BYE Server shutting down for maintenance");
}

TEST(ImapFaults, AnswerForATagNeverSent) {
    const Error error = fault_of("bad_tag", [](imap::Session& session) { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_EQ(error.server_reply, "Q99 OK who asked?");
}

}  // namespace zmail
