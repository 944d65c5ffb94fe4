// Getting the secret at login time: password command, environment, netrc, file, plaintext,
// OAuth2 token command. No error message may ever carry the secret.
#include "profile/account.hpp"
#include "profile/credentials.hpp"
#include "profile/profile.hpp"

#include "profile_test_support.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace zmail::profile {
namespace {

using testing::error_of;
using testing::config_with_account;
using testing::ScopedEnv;
using testing::TempDir;
using testing::write_text;

constexpr const char* secret = "hunter2-s3cret";

bool mentions_secret(const Error& e) {
    return std::string(e.what()).find(secret) != std::string::npos || e.hint.find(secret) != std::string::npos ||
           e.server_reply.find(secret) != std::string::npos;
}

TEST(NetrcLookup, MachineLoginPassword) {
    const char* netrc = R"(machine imap.example.com login alice password a-pass
machine imap.example.com login bob password b-pass
machine smtp.example.com
    login alice
    password smtp-pass
)";
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "alice"), "a-pass");
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "bob"), "b-pass");
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "carol"), "");
    EXPECT_EQ(netrc_lookup(netrc, "smtp.example.com", "alice"), "smtp-pass");
    EXPECT_EQ(netrc_lookup(netrc, "pop.example.com", "alice"), "");
    EXPECT_EQ(netrc_lookup("", "imap.example.com", "alice"), "");
}

TEST(NetrcLookup, EntryWithoutLoginFitsAnyUser) {
    EXPECT_EQ(netrc_lookup("machine h password p", "h", "anyone"), "p");
    EXPECT_EQ(netrc_lookup("machine h login u", "h", "u"), "") << "an entry without a password gives nothing";
}

TEST(NetrcLookup, DefaultIsTheFallback) {
    const char* netrc = "machine imap.example.com login alice password a-pass\ndefault login alice password d-pass\n";
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "alice"), "a-pass");
    EXPECT_EQ(netrc_lookup(netrc, "other.example.com", "alice"), "d-pass");
    EXPECT_EQ(netrc_lookup(netrc, "other.example.com", "bob"), "");
    EXPECT_EQ(netrc_lookup("default password any", "h", "u"), "any");
}

TEST(NetrcLookup, QuotedTokensAndComments) {
    const char* netrc = R"(# my mail passwords
machine imap.example.com login "taro yamada" password "pass with \"quotes\" and spaces"
# machine imap.example.com login x password commented-out
machine pop.example.com login u password "#not-a-comment"
machine smtp.example.com login u password ab#cd
)";
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "taro yamada"), R"(pass with "quotes" and spaces)");
    EXPECT_EQ(netrc_lookup(netrc, "imap.example.com", "x"), "");
    EXPECT_EQ(netrc_lookup(netrc, "pop.example.com", "u"), "#not-a-comment");
    EXPECT_EQ(netrc_lookup(netrc, "smtp.example.com", "u"), "ab#cd");
}

TEST(NetrcLookup, OtherTokensAreSkipped) {
    EXPECT_EQ(netrc_lookup("machine h account acc login u password p", "h", "u"), "p");
    EXPECT_EQ(netrc_lookup("machine a login u password pa machine h login u password ph", "h", "u"), "ph");
}

class ObtainSecret : public ::testing::Test {
protected:
    TempDir dir;
    std::string config = dir.file("config.json");

    /// The secret of account "work" (address user@example.com) with these extra members.
    std::string obtain(const std::string& members, const std::string& host = "imap.example.com") {
        write_text(config, config_with_account("work", R"("address": "user@example.com",
            "imap": {"host": "imap.example.com"}, )" + members));
        Profile p = Profile::load(config);
        return obtain_secret(p, resolve_account(p, "work"), host);
    }
    Error obtain_error(const std::string& members) {
        Error e = error_of([&] { obtain(members); });
        EXPECT_FALSE(mentions_secret(e)) << e.what() << " / " << e.hint;
        return e;
    }
    static std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }
};

TEST_F(ObtainSecret, CommandFirstLine) {
    EXPECT_EQ(obtain(R"("password": {"command": "printf 'hunter2-s3cret\\nsecond line\\n'"})"), secret);
    EXPECT_EQ(obtain(R"("password": {"command": "printf 'crlf-pass\\r\\n'"})"), "crlf-pass");
    EXPECT_EQ(obtain(R"("password": {"command": "printf 'no-newline'"})"), "no-newline");
    EXPECT_EQ(obtain(R"("password": {"command": "printf '  spaced  \\n'"})"), "  spaced  ")
        << "spaces are part of the password";
}

TEST_F(ObtainSecret, CommandFailing) {
    Error e = obtain_error(R"("password": {"command": "echo hunter2-s3cret; exit 3"})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("exit 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'work'"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("echo"), std::string::npos) << "the command itself is not quoted";
}

TEST_F(ObtainSecret, CommandPrintingNothing) {
    Error e = obtain_error(R"("password": {"command": "true"})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("printed nothing"), std::string::npos) << e.what();
    EXPECT_EQ(obtain_error(R"("password": {"command": "printf '\\nhunter2-s3cret\\n'"})").kind, ErrorKind::Config)
        << "an empty first line is no password";
}

TEST_F(ObtainSecret, OAuth2TokenCommand) {
    EXPECT_EQ(obtain(R"("auth": {"mechanism": "xoauth2"}, "oauth2": {"token_command": "echo ya29.token"})"),
              "ya29.token");
    Error e = obtain_error(R"("auth": {"mechanism": "xoauth2"}, "oauth2": {"token_command": "echo hunter2-s3cret; false"})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(e.hint.find("oauth2.token_command"), std::string::npos) << e.hint;
}

TEST_F(ObtainSecret, Environment) {
    ScopedEnv set("ZMAIL_TEST_PASSWORD", secret);
    EXPECT_EQ(obtain(R"("password": {"env": "ZMAIL_TEST_PASSWORD"})"), secret);
    ScopedEnv unset("ZMAIL_TEST_PASSWORD", std::nullopt);
    Error e = obtain_error(R"("password": {"env": "ZMAIL_TEST_PASSWORD"})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'ZMAIL_TEST_PASSWORD'"), std::string::npos) << e.what();
    ScopedEnv empty("ZMAIL_TEST_PASSWORD", "");
    EXPECT_EQ(obtain_error(R"("password": {"env": "ZMAIL_TEST_PASSWORD"})").kind, ErrorKind::Config);
}

// Once a secret is read no core file may hold it (RLIMIT_CORE 0), and the process is not
// dumpable (no ptrace, no /proc/PID/mem for the user's other processes; not under ASan, whose
// leak checker needs ptrace).
TEST_F(ObtainSecret, NoCoreDumpOnceASecretIsInMemory) {
    ScopedEnv set("ZMAIL_TEST_PASSWORD", secret);
    EXPECT_EQ(obtain(R"("password": {"env": "ZMAIL_TEST_PASSWORD"})"), secret);
    struct rlimit core {};
    ASSERT_EQ(::getrlimit(RLIMIT_CORE, &core), 0);
    EXPECT_EQ(core.rlim_cur, 0u);
#if !defined(__SANITIZE_ADDRESS__)
    EXPECT_EQ(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
#endif
}

TEST_F(ObtainSecret, Netrc) {
    std::string netrc = dir.file("netrc");
    write_text(netrc, "machine imap.example.com login user@example.com password hunter2-s3cret\n"
                      "machine smtp.example.com login someone-else password other\n");
    ScopedEnv env("NETRC", netrc);
    EXPECT_EQ(obtain(R"("password": {"netrc": true})"), secret);
    Error e = error_of([&] { obtain(R"("password": {"netrc": true})", "smtp.example.com"); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_FALSE(mentions_secret(e));
    EXPECT_NE(std::string(e.what()).find("'smtp.example.com'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(netrc), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("machine smtp.example.com login user@example.com"), std::string::npos) << e.hint;
}

TEST_F(ObtainSecret, NetrcMissingFile) {
    ScopedEnv env("NETRC", dir.file("no-such-netrc"));
    Error e = obtain_error(R"("password": {"netrc": true})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
}

TEST_F(ObtainSecret, NetrcUsesTheLoginUser) {
    std::string netrc = dir.file("netrc");
    write_text(netrc, "machine imap.example.com login user@example.com password wrong\n"
                      "machine imap.example.com login login-name password right\n");
    ScopedEnv env("NETRC", netrc);
    EXPECT_EQ(obtain(R"("user": "login-name", "password": {"netrc": true})"), "right");
}

TEST_F(ObtainSecret, PasswordFile) {
    std::string file = dir.file("password");
    write_text(file, std::string(secret) + "\nignored\n", 0600);
    EXPECT_EQ(obtain(R"("password": {"file": )" + quoted(file) + "}"), secret);
    write_text(file, std::string(secret) + "\r\n", 0400);
    EXPECT_EQ(obtain(R"("password": {"file": )" + quoted(file) + "}"), secret);
}

TEST_F(ObtainSecret, PasswordFileOthersCanReadIsRefused) {
    std::string file = dir.file("password");
    for (mode_t mode : {0644, 0640, 0604, 0660}) {
        write_text(file, std::string(secret) + "\n", mode);
        Error e = obtain_error(R"("password": {"file": )" + quoted(file) + "}");
        EXPECT_EQ(e.kind, ErrorKind::Permission) << std::oct << mode;
        EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
        EXPECT_NE(e.hint.find("chmod 600"), std::string::npos) << e.hint;
    }
}

TEST_F(ObtainSecret, PasswordFileEmptyOrMissing) {
    std::string file = dir.file("password");
    write_text(file, "\n", 0600);
    EXPECT_EQ(obtain_error(R"("password": {"file": )" + quoted(file) + "}").kind, ErrorKind::Config);
    Error missing = obtain_error(R"("password": {"file": )" + quoted(dir.file("nothing")) + "}");
    EXPECT_EQ(missing.kind, ErrorKind::Config) << missing.what();
    EXPECT_NE(std::string(missing.what()).find(dir.file("nothing")), std::string::npos) << missing.what();
}

TEST_F(ObtainSecret, Plaintext) {
    EXPECT_EQ(obtain(R"("password": {"plain": "hunter2-s3cret"})"), secret);
}

TEST_F(ObtainSecret, NoSource) {
    Error e = obtain_error("\"name\": \"x\"");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("no password source"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("password.command"), std::string::npos) << e.hint;
}

}  // namespace
}  // namespace zmail::profile
