// The test servers themselves: doveadm helpers, the submission -> receiver -> LMTP path and the
// receiver's provider-like policy (unknown recipient, try later, sender not owned), spoken over
// a lib/net Connection. Other integration tests rely on all of this.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "error.hpp"
#include "fixture.hpp"
#include "net/connection.hpp"

namespace zmail {
namespace {

using test::address_of;
using test::server_env;

/// A minimal SMTP client over the Stream: one command, one (possibly multi-line) reply.
class Smtp {
public:
    explicit Smtp(const std::string& user)
        : connection_(test::server_options(net::Protocol::smtp, net::Security::starttls, user)) {}

    std::string command(const std::string& line) {
        connection_.write(line + "\r\n");
        return reply();
    }

    std::string reply() {
        std::string all;
        for (;;) {
            const std::string line = read_line();
            all += line + "\n";
            if (line.size() < 4 || line[3] == ' ') return all;
        }
    }

    /// MAIL, RCPT..., DATA; returns the reply to each step ("" for steps not reached).
    std::vector<std::string> send(const std::string& from, const std::vector<std::string>& to,
                                  const std::string& message) {
        std::vector<std::string> replies{command("MAIL FROM:<" + from + ">")};
        bool any = false;
        for (const auto& rcpt : to) {
            replies.push_back(command("RCPT TO:<" + rcpt + ">"));
            any = any || replies.back().starts_with("250");
        }
        if (!replies.front().starts_with("250") || !any) {
            command("RSET");
            return replies;
        }
        replies.push_back(command("DATA"));
        std::string stuffed;  // RFC 5321 4.5.2: a line starting with '.' gets one more
        for (std::size_t start = 0; start < message.size();) {
            const std::size_t end = message.find("\r\n", start);
            const std::size_t next = end == std::string::npos ? message.size() : end + 2;
            if (message[start] == '.') stuffed += '.';
            stuffed.append(message, start, next - start);
            start = next;
        }
        connection_.write(stuffed + ".\r\n");
        replies.push_back(reply());
        return replies;
    }

    ~Smtp() {
        try {
            command("QUIT");
        } catch (const Error&) {
        }
    }

private:
    std::string read_line() {
        for (;;) {
            if (const auto crlf = pending_.find("\r\n"); crlf != std::string::npos) {
                std::string line = pending_.substr(0, crlf);
                pending_.erase(0, crlf + 2);
                return line;
            }
            char buffer[4096];
            pending_.append(buffer, connection_.read_some(buffer, sizeof buffer));
        }
    }

    net::Connection connection_;
    std::string pending_;
};

std::string message_from(const std::string& from, const std::string& subject) {
    return "From: " + from + "\r\nTo: someone@example.test\r\nSubject: " + subject +
           "\r\nMessage-ID: <" + subject + "@example.test>\r\n\r\nbody line\r\n.leading dot\r\n";
}

int inbox_messages(const std::string& user) {
    const std::string out = test::run_doveadm({"mailbox", "status", "-u", user, "messages", "INBOX"});
    return std::stoi(out.substr(out.find('=') + 1));
}

TEST(Fixture, EnvironmentIsComplete) {
    const auto& env = server_env();
    EXPECT_EQ(env.host, "127.0.0.1");
    EXPECT_EQ(env.alt_host, "127.0.0.2");
    EXPECT_EQ(env.mismatch_host, "127.0.0.3");
    for (const char* name : {"imap", "imaps", "pop3", "pop3s", "submission", "submissions", "lmtp", "sink"})
        EXPECT_GT(env.port(name), 1024) << name;
    EXPECT_TRUE(std::filesystem::exists(env.ca_file));
    EXPECT_TRUE(std::filesystem::exists(env.other_ca_file));
    EXPECT_EQ(env.users.at("alice"), "alice-pass-1");
    EXPECT_EQ(env.domain, "example.test");
}

TEST(Fixture, NewUserHasSpecialUseFoldersAndSavedMessages) {
    const std::string user = test::create_user();
    EXPECT_NE(user, test::create_user());
    const std::string folders = test::run_doveadm({"mailbox", "list", "-u", user});
    for (const char* folder : {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"})
        EXPECT_NE(folders.find(folder), std::string::npos) << folders;
    test::save_message(user, "INBOX", message_from("a@example.test", "saved-1"));
    test::save_message(user, "Archive", message_from("a@example.test", "saved-2"));
    EXPECT_EQ(inbox_messages(user), 1);
    const std::string status = test::run_doveadm({"mailbox", "status", "-u", user, "messages", "Archive"});
    EXPECT_EQ(status, "Archive messages=1\n");
    EXPECT_THROW(test::run_doveadm({"mailbox", "status", "-u", user, "messages", "NoSuchFolder"}), std::runtime_error);
}

TEST(Fixture, SubmissionReachesTheReceiverAndLocalMailboxes) {
    const std::string sender = test::create_user();
    const std::string recipient = test::create_user();
    const auto before = test::received_messages().size();
    {
        Smtp smtp(sender);
        const auto replies = smtp.send(address_of(sender), {address_of(recipient), "someone@elsewhere.test"},
                                       message_from(address_of(sender), "relay-" + sender));
        ASSERT_EQ(replies.size(), 5u);
        EXPECT_TRUE(replies.back().starts_with("250")) << replies.back();
    }
    const auto received = test::received_messages();
    ASSERT_EQ(received.size(), before + 1);
    const auto& m = received.back();
    EXPECT_EQ(m.mail_from, address_of(sender));
    EXPECT_EQ(m.rcpt_tos, (std::vector<std::string>{address_of(recipient), "someone@elsewhere.test"}));
    EXPECT_EQ(m.xclient_login, sender);
    EXPECT_NE(m.content.find("Subject: relay-" + sender + "\r\n"), std::string::npos);
    EXPECT_NE(m.content.find("\r\n.leading dot\r\n"), std::string::npos);  // dot-stuffing undone
    EXPECT_EQ(inbox_messages(recipient), 1);  // delivered over LMTP too
}

TEST(Fixture, ReceiverRefusesLikeAProvider) {
    const std::string user = test::create_user();
    const auto before = test::received_messages().size();
    Smtp smtp(user);
    auto replies = smtp.send("someone-else@example.test", {address_of(user)}, message_from("x", "not-owned"));
    EXPECT_TRUE(replies[0].starts_with("553 5.7.1 Sender address rejected: not owned by user")) << replies[0];

    replies = smtp.send(address_of(user), {"reject-me@example.test", "tempfail-me@example.test"},
                        message_from("x", "refused"));
    EXPECT_TRUE(replies[1].starts_with("550 5.1.1")) << replies[1];
    EXPECT_TRUE(replies[2].starts_with("451 4.3.0")) << replies[2];

    // An alias listed in aliases/<user> may be used as the sender.
    std::ofstream(std::filesystem::path(server_env().aliases_dir) / user) << "Shared@Example.test\n";
    replies = smtp.send("shared@example.test", {"friend@elsewhere.test"}, message_from("x", "alias"));
    EXPECT_TRUE(replies.back().starts_with("250")) << replies.back();
    EXPECT_EQ(test::received_messages().size(), before + 1);
}

TEST(Fixture, RunZmailUsesAPrivateEnvironment) {
    const auto result = test::run_zmail({"--version"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("zmail"), std::string::npos);
    const auto env = test::run_command({"sh", "-c", "echo $ZMAIL_CONFIG; cat"}, {{"ZMAIL_CONFIG", "/x/y.json"}},
                                       "from stdin");
    EXPECT_EQ(env.out, "/x/y.json\nfrom stdin");
    EXPECT_NE(test::default_zmail_config().find("/scratch/"), std::string::npos);
}

}  // namespace
}  // namespace zmail
