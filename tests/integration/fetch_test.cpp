// zmail fetch against the fixture's Dovecot POP3: keep and delete modes, scope new, byte-identical
// delivery compared with `doveadm fetch` (after CRLF -> LF), Japanese and Chinese messages, bodies
// with lines starting with "." and "From ", the output contract (silent under cron, --json,
// --dry-run), max_size, the account lock, mbox and MDA delivery, and STARTTLS.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "util/lock_file.hpp"
#include "../support/files.hpp"

namespace zmail {
namespace {

namespace fs = std::filesystem;
using zmail::testing::read_file;
using test::run_zmail;
using test::server_env;

/// The test messages: CRLF line ends as a server would store them.
std::vector<std::string> sample_messages() {
    return {
        "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: plain\r\nMessage-ID: <1@example.test>\r\n\r\n"
        "Hello.\r\n",
        // ISO-2022-JP, as Japanese mail programs send it
        "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nTo: bob@example.test\r\n"
        "Subject: =?ISO-2022-JP?B?GyRCJCIkaiQsJEgkJhsoQg==?=\r\nMessage-ID: <2@example.jp>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n"
        "\x1b$B$3$s$K$A$O\x1b(B\r\n",
        // GB18030 8-bit body and a UTF-8 subject
        "From: li@example.cn\r\nTo: bob@example.test\r\nSubject: =?UTF-8?B?5Lit5paH6YKu5Lu2?=\r\n"
        "Message-ID: <3@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=GB18030\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n\xc4\xe3\xba\xc3\xa3\xac\xca\xc0\xbd\xe7\r\n",
        // lines POP3 dot-stuffs and mbox quotes
        "From: dots@example.test\r\nSubject: dots and froms\r\nMessage-ID: <4@example.test>\r\n\r\n"
        ".\r\n..\r\n.leading dot\r\nFrom the start of a line\r\n>From quoted\r\n \r\nend\r\n",
        // a larger message, several read buffers long
        [] {
            std::string m = "From: big@example.test\r\nSubject: big\r\nMessage-ID: <5@example.test>\r\n\r\n";
            for (int i = 0; i < 6000; ++i) m += "line " + std::to_string(i) + " 日本語 中文 .x From y\r\n";
            return m;
        }(),
    };
}

class FetchIntegration : public ::testing::Test {
protected:
    std::string user, dir, config, maildir;
    std::map<std::string, std::string> env;

    void SetUp() override {
        user = test::create_user();
        dir = test::make_scratch_dir("fetch");
        config = dir + "/config.json";
        maildir = dir + "/Mail";
        env = {{"ZMAIL_CONFIG", config}, {"XDG_STATE_HOME", dir + "/state"}, {"HOME", dir},
               {"ZMAIL_TEST_PASSWORD", test::password_for(user)}};
        add_account("work", "pop3s", "tls");
    }

    void add_account(const std::string& name, const std::string& port_name, const std::string& security) {
        const auto& e = server_env();
        auto r = zmail({"settings", "add", name, "--preset", "custom", "--address", test::address_of(user), "--user",
                        user, "--pop", e.host + ":" + std::to_string(e.port(port_name)), "--ca-file", e.ca_file,
                        "--password-env", "ZMAIL_TEST_PASSWORD", "--maildir", maildir});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        r = zmail({"settings", "set", name, "pop.security", security});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    test::CommandResult zmail(const std::vector<std::string>& args) { return run_zmail(args, env); }

    void save(const std::vector<std::string>& messages) {
        for (const auto& m : messages) test::save_message(user, "INBOX", m);
    }

    int server_count() {
        std::string out = test::run_doveadm({"mailbox", "status", "-u", user, "messages", "INBOX"});
        return std::stoi(out.substr(out.find("messages=") + 9));
    }

    /// What the server holds for uid N, with LF line ends (doveadm prints "text:\n" first).
    std::string server_text(int uid) {
        std::string out = test::run_doveadm({"fetch", "-u", user, "text", "mailbox", "INBOX", "uid", std::to_string(uid)});
        EXPECT_EQ(out.rfind("text:\n", 0), 0u);
        return out.substr(6);
    }

    std::vector<std::string> local_messages(const std::string& folder = "INBOX") {
        std::vector<std::string> out;
        for (const char* sub : {"new", "cur"}) {
            fs::path d = fs::path(maildir) / folder / sub;
            if (!fs::exists(d)) continue;
            for (const auto& f : fs::directory_iterator(d)) out.push_back(read_file(f.path()));
        }
        std::sort(out.begin(), out.end());
        return out;
    }
};

TEST_F(FetchIntegration, KeepFetchesByteIdenticalCopiesOnceAndIsSilentUnderCron) {
    const auto messages = sample_messages();
    save(messages);
    auto r = zmail({"fetch"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("work: 5 messages"), std::string::npos) << r.out;
    EXPECT_EQ(r.err, "");

    std::vector<std::string> expected;
    for (int uid = 1; uid <= 5; ++uid) expected.push_back(server_text(uid));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(local_messages(), expected);
    EXPECT_EQ(server_count(), 5);

    // nothing new: no output at all (stdout is not a terminal here)
    r = zmail({"fetch"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(local_messages().size(), 5u);
}

/// CRLF -> LF, as the Maildir needs it.
std::string lf(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i)
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
    return out;
}

TEST_F(FetchIntegration, FiveThousandMessagesAreByteIdenticalToDoveadmFetch) {
    // written straight into the server's Maildir (thousands of doveadm saves would take minutes)
    const fs::path server_maildir = fs::path(server_env().mail_dir) / user / "Maildir";
    for (const char* sub : {"", "cur", "new", "tmp"}) {
        fs::create_directories(server_maildir / sub);
        ASSERT_EQ(::chown((server_maildir / sub).c_str(), 11000, 11000), 0);
    }
    const int count = 5000;
    for (int i = 0; i < count; ++i) {
        const char* eol = i % 10 == 0 ? "\r\n" : "\n";  // some stored with CRLF
        std::string m = std::string("From: sender") + std::to_string(i) + "@example.test" + eol +
                        "Subject: =?UTF-8?B?5pel5pys6Kqe?= " + std::to_string(i) + eol + "Message-ID: <" +
                        std::to_string(i) + "@bulk.test>" + eol + eol;
        for (int k = 0; k < 90 + i % 40; ++k) {
            if (k % 17 == 0) m += std::string(".dot line") + eol;
            else if (k % 23 == 0) m += std::string("From the body") + eol;
            else if (k % 29 == 0) m += std::string(".") + eol;
            else m += "line " + std::to_string(k) + " 日本語 中文 \xd6\xd0\xce\xc4 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + eol;
        }
        const std::string name = "1700000000.M" + std::to_string(i) + "P1.bulk,S=" + std::to_string(m.size());
        const fs::path tmp = server_maildir / "tmp" / name;
        std::ofstream(tmp, std::ios::binary) << m;
        ASSERT_EQ(::chown(tmp.c_str(), 11000, 11000), 0);
        fs::rename(tmp, server_maildir / "new" / name);
    }
    auto r = zmail({"fetch", "--keep"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("work: 5000 messages"), std::string::npos) << r.out;

    // every message as the server holds it, in one doveadm call: with two fields, each record
    // is "uid: N\ntext:\n<message>" and records are separated by "\f\n"
    const std::string all = test::run_doveadm({"fetch", "-u", user, "uid text", "mailbox", "INBOX", "all"});
    std::vector<std::string> expected;
    for (std::size_t start = 0; start < all.size();) {
        std::size_t end = all.find("\f\n", start);
        if (end == std::string::npos) end = all.size();
        const std::string record = all.substr(start, end - start);
        const std::size_t text = record.find("\ntext:\n");
        EXPECT_EQ(record.rfind("uid: ", 0), 0u);
        ASSERT_NE(text, std::string::npos);
        expected.push_back(lf(record.substr(text + 7)));
        start = end + 2;
    }
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(count));
    std::sort(expected.begin(), expected.end());
    const std::vector<std::string> local = local_messages();
    ASSERT_EQ(local.size(), expected.size());
    EXPECT_TRUE(local == expected) << "the Maildir differs from what the server holds";

    r = zmail({"fetch", "--keep"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(local_messages().size(), static_cast<std::size_t>(count));
}

TEST_F(FetchIntegration, DeleteRemovesOnlyDeliveredMessages) {
    save(sample_messages());
    auto r = zmail({"fetch", "--delete"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("5 deleted on the server"), std::string::npos) << r.out;
    EXPECT_EQ(server_count(), 0);
    EXPECT_EQ(local_messages().size(), 5u);
    save({sample_messages()[0]});
    r = zmail({"fetch", "--delete"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(server_count(), 0);
    EXPECT_EQ(local_messages().size(), 6u);
}

TEST_F(FetchIntegration, ScopeNewStartsFromNow) {
    save({sample_messages()[0], sample_messages()[1]});
    auto r = zmail({"fetch", "--scope", "new", "--delete"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("2 messages already on the server recorded as seen"), std::string::npos) << r.out;
    EXPECT_TRUE(local_messages().empty());
    EXPECT_EQ(server_count(), 2);

    save({sample_messages()[3]});
    const std::string arrived = server_text(3);
    r = zmail({"fetch", "--scope", "new", "--delete"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(local_messages(), std::vector<std::string>{arrived});
    EXPECT_EQ(server_count(), 2);  // the two old ones stay: they were never downloaded
}

TEST_F(FetchIntegration, JsonResultPerAccount) {
    save({sample_messages()[0], sample_messages()[3]});
    auto r = zmail({"--json", "fetch", "--max-size", "100"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["account"], "work");
    EXPECT_EQ(j[0]["fetched"], 0);
    EXPECT_EQ(j[0]["skipped"], 2);
    EXPECT_EQ(j[0]["left_on_server"], 2);
    EXPECT_TRUE(j[0]["errors"].empty());

    r = zmail({"--json", "fetch"});
    j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j[0]["fetched"], 2);
    EXPECT_GT(j[0]["bytes"].get<int>(), 100);
    EXPECT_EQ(j[0]["deleted"], 0);
}

TEST_F(FetchIntegration, MaxSizeIsReported) {
    save({sample_messages()[0], sample_messages()[4]});
    auto r = zmail({"fetch", "--max-size", "10K", "--delete"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("left on server: 1 message larger than 10 KB"), std::string::npos) << r.out;
    EXPECT_EQ(server_count(), 1);
    EXPECT_EQ(local_messages().size(), 1u);
}

TEST_F(FetchIntegration, DryRunListsAndChangesNothing) {
    save({sample_messages()[0], sample_messages()[1]});
    auto r = zmail({"fetch", "--dry-run", "--delete"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("would fetch 2 messages"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("delete 2 on the server"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(maildir));
    EXPECT_FALSE(fs::exists(dir + "/state/zmail/work/fetch"));
    EXPECT_EQ(server_count(), 2);
}

TEST_F(FetchIntegration, SecondFetchOfTheAccountExits75NamingTheHolder) {
    save({sample_messages()[0]});
    util::LockFile held(dir + "/state/zmail/work/fetch.lock", "zmail fetch work", 0);
    auto r = zmail({"fetch"});
    EXPECT_EQ(r.exit_code, 75);
    EXPECT_NE(r.err.find("another zmail is running (pid " + std::to_string(::getpid()) + ": zmail fetch work)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--wait"), std::string::npos);
    EXPECT_TRUE(local_messages().empty());
}

TEST_F(FetchIntegration, MboxAndMdaDelivery) {
    save({sample_messages()[3]});
    auto r = zmail({"fetch", "--deliver", "mbox:" + dir + "/inbox.mbox"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string mbox = read_file(dir + "/inbox.mbox");
    EXPECT_EQ(mbox.rfind("From MAILER-DAEMON ", 0), 0u);
    EXPECT_NE(mbox.find("\n>From the start of a line\n>>From quoted\n"), std::string::npos) << mbox;
    EXPECT_NE(mbox.find("\n.\n..\n.leading dot\n"), std::string::npos) << mbox;

    // another account on the same user delivers the same message to an MDA
    add_account("viamda", "pop3s", "tls");
    r = zmail({"fetch", "viamda", "--deliver", "mda:cat > '" + dir + "/mda-out'; echo \"$ZMAIL_ACCOUNT\" > '" + dir +
                                                   "/mda-account'"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_file(dir + "/mda-out"), server_text(1));
    EXPECT_EQ(read_file(dir + "/mda-account"), "viamda\n");

    r = zmail({"fetch", "viamda", "--delete", "--deliver", "mda:exit 75"});
    EXPECT_EQ(r.exit_code, 0);  // nothing new to deliver, and the delivered one is deleted
    EXPECT_EQ(server_count(), 0);
}

TEST_F(FetchIntegration, FailingMdaKeepsTheMessageOnTheServer) {
    save({sample_messages()[0], sample_messages()[1]});
    auto r = zmail({"fetch", "--delete", "--deliver", "mda:cat >/dev/null; exit 1"});
    EXPECT_EQ(r.exit_code, 75);
    EXPECT_NE(r.err.find("MDA 'cat >/dev/null; exit 1' exited with status 1"), std::string::npos) << r.err;
    EXPECT_EQ(server_count(), 2);
}

TEST_F(FetchIntegration, StarttlsOnThePlainPort) {
    add_account("starttls", "pop3", "starttls");
    save({sample_messages()[2]});
    auto r = zmail({"fetch", "starttls"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(local_messages(), std::vector<std::string>{server_text(1)});
}

TEST_F(FetchIntegration, WrongPasswordIsAnAuthErrorAndNothingChanges) {
    save({sample_messages()[0]});
    env["ZMAIL_TEST_PASSWORD"] = "wrong";
    auto r = zmail({"fetch", "--delete"});
    EXPECT_EQ(r.exit_code, 77) << r.err;
    EXPECT_EQ(r.err.find("wrong"), std::string::npos);
    EXPECT_EQ(server_count(), 1);
}

}  // namespace
}  // namespace zmail
