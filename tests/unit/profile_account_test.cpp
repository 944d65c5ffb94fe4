// Accounts as the commands see them: effective values, credential sources, policy warnings.
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include "profile_test_support.hpp"

#include <gtest/gtest.h>

namespace zmail::profile {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::config_with_account;
using testing::ScopedEnv;
using testing::TempDir;
using testing::write_text;

class AccountTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string config = dir.file("config.json");
    ScopedEnv home{"HOME", dir.file("home")};
    ScopedEnv state{"XDG_STATE_HOME", dir.file("state")};

    Profile load(const std::string& members) {
        write_text(config, config_with_account("work", members));
        return Profile::load(config);
    }
    Account resolve(const std::string& members) { return resolve_account(load(members), "work"); }

    static bool has_warning(const Account& a, const std::string& part) {
        for (const auto& w : policy_warnings(a))
            if (w.find(part) != std::string::npos) return true;
        return false;
    }
};

TEST_F(AccountTest, UnknownAccount) {
    Profile p = load(R"("address": "a@b.c")");
    Error e = error_of([&] { resolve_account(p, "play"); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'play'"), std::string::npos);
    EXPECT_NE(e.hint.find("work"), std::string::npos) << e.hint;
}

TEST_F(AccountTest, DefaultsWhenNothingIsSet) {
    Account a = resolve(R"("preset": "zoho", "address": "me@zoho.com")");
    EXPECT_EQ(a.name, "work");
    EXPECT_EQ(a.user, "me@zoho.com") << "the user defaults to the address";
    EXPECT_EQ(a.maildir, dir.file("home") + "/Mail/work");
    EXPECT_EQ(a.state_dir, dir.file("state") + "/zmail/work");
    EXPECT_TRUE(a.tls_verify);
    EXPECT_EQ(a.auth_mechanism, "plain");
    EXPECT_TRUE(a.fetch.keep);
    EXPECT_EQ(a.fetch.scope, "all");
    EXPECT_EQ(a.fetch.delivery, "maildir");
    EXPECT_EQ(a.fetch.max_size, 0);
    EXPECT_EQ(a.fetch.limit, 0);
    EXPECT_EQ(a.sync.folders, std::vector<std::string>{"*"});
    EXPECT_TRUE(a.sync.exclude.empty());
    EXPECT_EQ(a.sync.expunge, "immediate");
    EXPECT_EQ(a.sync.direction, "both");
    EXPECT_EQ(a.sync.layout, "fs");
    EXPECT_FALSE(a.sync.delete_folders);
    EXPECT_EQ(a.sync.mass_delete_percent, 50);
    EXPECT_EQ(a.credentials.kind, CredentialSource::Kind::None);
    EXPECT_FALSE(a.imap.allow_plaintext);
}

TEST_F(AccountTest, StateDirWithoutXdgStateHome) {
    ScopedEnv no_state("XDG_STATE_HOME", std::nullopt);
    Account a = resolve(R"("address": "a@b.c", "imap": {"host": "h"})");
    EXPECT_EQ(a.state_dir, dir.file("home") + "/.local/state/zmail/work");
}

TEST_F(AccountTest, StoredValuesAndHomeExpansion) {
    Account a = resolve(R"("preset": "fastmail", "address": "a@fastmail.com", "user": "login-name",
        "name": "山田 太郎", "aliases": ["b@fastmail.com"], "maildir": "~/mail/fm", "state_dir": "/var/z",
        "ca_file": "~/ca.pem", "tls_verify": false, "auth": {"mechanism": "login"},
        "fetch": {"keep": false, "scope": "new", "delivery": "mbox:~/mbox", "max_size": 1000000, "limit": 10},
        "sync": {"folders": ["INBOX", "送信済み"], "exclude": ["Spam"], "expunge": "flag-only", "direction": "pull",
                 "layout": "maildir++", "delete_folders": true, "mass_delete_percent": 10},
        "send": {"sent_folder": "Sent Items"})");
    EXPECT_EQ(a.user, "login-name");
    EXPECT_EQ(a.display_name, "山田 太郎");
    EXPECT_EQ(a.aliases, std::vector<std::string>{"b@fastmail.com"});
    EXPECT_EQ(a.maildir, dir.file("home") + "/mail/fm");
    EXPECT_EQ(a.state_dir, "/var/z");
    EXPECT_EQ(a.ca_file, dir.file("home") + "/ca.pem");
    EXPECT_FALSE(a.tls_verify);
    EXPECT_EQ(a.auth_mechanism, "login");
    EXPECT_FALSE(a.fetch.keep);
    EXPECT_EQ(a.fetch.scope, "new");
    EXPECT_EQ(a.fetch.delivery, "mbox:~/mbox");
    EXPECT_EQ(a.fetch.max_size, 1000000);
    EXPECT_EQ(a.fetch.limit, 10);
    EXPECT_EQ(a.sync.folders, (std::vector<std::string>{"INBOX", "送信済み"}));
    EXPECT_EQ(a.sync.exclude, std::vector<std::string>{"Spam"});
    EXPECT_EQ(a.sync.expunge, "flag-only");
    EXPECT_EQ(a.sync.direction, "pull");
    EXPECT_EQ(a.sync.layout, "maildir++");
    EXPECT_TRUE(a.sync.delete_folders);
    EXPECT_EQ(a.sync.mass_delete_percent, 10);
    EXPECT_EQ(a.send.sent_folder, "Sent Items");
}

TEST_F(AccountTest, EffectiveValue) {
    Profile p = load(R"("preset": "zoho-org", "address": "you@yourdomain.com", "smtp": {"port": 587})");
    EXPECT_EQ(effective_value(p, "work", "imap.host"), "imappro.zoho.com");
    EXPECT_EQ(effective_value(p, "work", "pop.port"), 995);
    EXPECT_EQ(effective_value(p, "work", "smtp.port"), 587) << "stored wins";
    EXPECT_EQ(effective_value(p, "work", "smtp.security"), "tls") << "the preset still gives the security";
    EXPECT_EQ(effective_value(p, "work", "user"), "you@yourdomain.com");
    EXPECT_EQ(effective_value(p, "work", "send.save_sent"), "auto");
    EXPECT_EQ(effective_value(p, "work", "send.sent_folder"), "Sent");
    EXPECT_EQ(effective_value(p, "work", "sync.folders"), json::array({"*"}));
    EXPECT_EQ(effective_value(p, "work", "sync.mass_delete_percent"), 50);
    EXPECT_EQ(effective_value(p, "work", "tls_verify"), true);
    EXPECT_EQ(effective_value(p, "work", "preset"), "zoho-org");
    EXPECT_EQ(effective_value(p, "work", "auth.mechanism"), "plain");
    EXPECT_TRUE(effective_value(p, "work", "password.command").is_null());
    EXPECT_TRUE(effective_value(p, "work", "colour").is_null());

    Profile custom = load(R"("address": "a@b.c", "imap": {"host": "mail.example.com", "port": 143})");
    EXPECT_EQ(effective_value(custom, "work", "preset"), "custom");
    EXPECT_EQ(effective_value(custom, "work", "imap.security"), "starttls");
    EXPECT_TRUE(effective_value(custom, "work", "smtp.port").is_null()) << "no SMTP server, no port";
    EXPECT_TRUE(effective_value(custom, "work", "smtp.security").is_null());
    EXPECT_TRUE(effective_value(custom, "work", "smtp.host").is_null());
}

TEST_F(AccountTest, CredentialSources) {
    using Kind = CredentialSource::Kind;
    struct Case {
        const char* members;
        Kind kind;
        const char* value;
    } cases[] = {
        {R"("password": {"command": "pass show mail"})", Kind::Command, "pass show mail"},
        {R"("password": {"env": "MAIL_PASSWORD"})", Kind::Environment, "MAIL_PASSWORD"},
        {R"("password": {"netrc": true})", Kind::Netrc, ""},
        {R"("password": {"netrc": false})", Kind::None, ""},
        {R"("password": {"file": "~/.mailpass"})", Kind::File, "HOME/.mailpass"},
        {R"("password": {"plain": "hunter2"})", Kind::Plain, ""},
        {R"("oauth2": {"token_command": "oauth2 get"})", Kind::OAuth2Command, "oauth2 get"},
        {R"("password": {"command": "pass", "env": "X", "plain": "hunter2"})", Kind::Command, "pass"},
        {R"("password": {"env": "X", "file": "/f"})", Kind::Environment, "X"},
        {R"("password": {"command": "pass"}, "oauth2": {"token_command": "tok"})", Kind::Command, "pass"},
        {R"("password": {"command": "pass"}, "oauth2": {"token_command": "tok"}, "auth": {"mechanism": "xoauth2"})",
         Kind::OAuth2Command, "tok"},
    };
    for (const auto& c : cases) {
        Account a = resolve(std::string(R"("address": "a@b.c", )") + c.members);
        EXPECT_EQ(a.credentials.kind, c.kind) << c.members;
        std::string want = c.value;
        if (want.starts_with("HOME")) want = dir.file("home") + want.substr(4);
        EXPECT_EQ(a.credentials.value, want) << c.members;
    }
}

TEST_F(AccountTest, JsonHasEffectiveValuesAndNoSecrets) {
    Account a = resolve(R"("preset": "zoho-org", "address": "you@yourdomain.com",
                           "password": {"plain": "hunter2-secret"})");
    json j = account_to_json(a);
    EXPECT_EQ(j["imap"]["endpoint"], "imappro.zoho.com:993");
    EXPECT_EQ(j["pop"]["endpoint"], "poppro.zoho.com:995");
    EXPECT_EQ(j["smtp"]["endpoint"], "smtp.zoho.com:465");
    EXPECT_EQ(j["smtp"]["security"], "tls");
    EXPECT_EQ(j["send"]["save_sent"], "never");
    EXPECT_EQ(j["send"]["save_sent_setting"], "auto");
    EXPECT_EQ(j["credentials"], "plaintext password in the config file");
    EXPECT_EQ(j.dump().find("hunter2"), std::string::npos) << j.dump();

    Account c = resolve(R"("address": "a@b.c", "imap": {"host": "h"}, "password": {"command": "echo hunter2"})");
    EXPECT_EQ(account_to_json(c)["credentials"], "password command");
    EXPECT_EQ(account_to_json(c).dump().find("hunter2"), std::string::npos);
}

TEST_F(AccountTest, NoWarningsForASoundAccount) {
    Account a = resolve(R"("preset": "zoho-org", "address": "a@b.c", "password": {"command": "pass mail"})");
    EXPECT_EQ(policy_warnings(a), std::vector<std::string>{});
}

TEST_F(AccountTest, WarnsWhenPopDeletesMailThatImapShows) {
    Account a = resolve(R"("preset": "zoho-org", "address": "a@b.c", "fetch": {"keep": false},
                           "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(a, "fetch.keep is false"));
    Account pop_only = resolve(R"("address": "a@b.c", "pop": {"host": "pop.example.com"}, "fetch": {"keep": false},
                                  "password": {"command": "p"})");
    EXPECT_FALSE(has_warning(pop_only, "fetch.keep")) << "no IMAP, nothing to lose there";
}

TEST_F(AccountTest, WarnsWhenSavingSentMailTheServerAlreadyFiles) {
    Account a = resolve(R"("preset": "gmail", "address": "a@b.c", "send": {"save_sent": "always"},
                           "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(a, "twice"));
    Account yahoo = resolve(R"("preset": "yahoo", "address": "a@b.c", "send": {"save_sent": "always"},
                               "password": {"command": "p"})");
    EXPECT_FALSE(has_warning(yahoo, "twice"));
}

TEST_F(AccountTest, WarnsAboutUnsafeTransport) {
    Account a = resolve(R"("preset": "fastmail", "address": "a@b.c", "tls_verify": false,
                           "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(a, "tls_verify is false"));

    Account port25 = resolve(R"("address": "a@b.c", "smtp": {"host": "smtp.example.com", "port": 25},
                                "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(port25, "smtp.port is 25"));
    EXPECT_EQ(port25.smtp.security, "starttls");

    Account none = resolve(R"("address": "a@b.c", "imap": {"host": "h", "security": "none"},
                              "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(none, "imap.security is none"));
    EXPECT_TRUE(has_warning(none, "refuses it until imap.allow_plaintext"));
    Account allowed = resolve(R"("address": "a@b.c", "imap": {"host": "h", "security": "none", "allow_plaintext": true},
                                 "password": {"command": "p"})");
    EXPECT_TRUE(has_warning(allowed, "imap.security is none"));
    EXPECT_FALSE(has_warning(allowed, "refuses"));
}

TEST_F(AccountTest, WarnsAboutMissingAndPlaintextPasswords) {
    EXPECT_TRUE(has_warning(resolve(R"("preset": "gmail", "address": "a@b.c")"), "no password source"));
    Account plain = resolve(R"("preset": "gmail", "address": "a@b.c", "password": {"plain": "hunter2"})");
    EXPECT_TRUE(has_warning(plain, "password.plain"));
    for (const auto& w : policy_warnings(plain)) EXPECT_EQ(w.find("hunter2"), std::string::npos) << w;
}

TEST_F(AccountTest, OwnsAddressIgnoringCase) {
    Account a = resolve(R"("address": "Taro@Example.JP", "aliases": ["info@example.jp"], "imap": {"host": "h"})");
    EXPECT_TRUE(account_owns_address(a, "taro@example.jp"));
    EXPECT_TRUE(account_owns_address(a, "INFO@example.jp"));
    EXPECT_FALSE(account_owns_address(a, "hanako@example.jp"));
    EXPECT_FALSE(account_owns_address(a, ""));
}

}  // namespace
}  // namespace zmail::profile
