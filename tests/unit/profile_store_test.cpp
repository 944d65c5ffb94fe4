// The JSON profile store: loading, every validation error, saving, set/get/unset.
#include "profile/profile.hpp"

#include "profile_test_support.hpp"

#include <gtest/gtest.h>
#include <cctype>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace zmail::profile {
namespace {

using testing::error_of;
using testing::config_with_account;
using testing::file_mode;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

class ProfileStore : public ::testing::Test {
protected:
    TempDir dir;
    std::string config = dir.file("config.json");

    /// Writes `text` as the config, loads it expecting an error, checks the file is unchanged.
    Error load_error(const std::string& text, mode_t mode = 0600) {
        write_text(config, text, mode);
        Error e = error_of([&] { Profile::load(config); });
        EXPECT_EQ(read_text(config), text) << "loading must never change the file";
        return e;
    }
    Error account_error(const std::string& members) {
        return load_error(config_with_account("work", members));
    }
};

TEST_F(ProfileStore, MissingFileIsAnEmptyProfile) {
    Profile p = Profile::load(config);
    EXPECT_FALSE(p.exists());
    EXPECT_TRUE(p.account_names().empty());
    EXPECT_EQ(p.default_account(), "");
    EXPECT_EQ(p.path(), config);
    EXPECT_FALSE(p.presets().empty());
    EXPECT_EQ(file_mode(config), 0u) << "loading must not create the file";
}

TEST_F(ProfileStore, MissingDirectoryIsAnEmptyProfile) {
    Profile p = Profile::load(dir.file("not/there/config.json"));
    EXPECT_FALSE(p.exists());
    EXPECT_TRUE(p.account_names().empty());
}

TEST_F(ProfileStore, LoadsAValidFile) {
    write_text(config, R"({
  "version": 1,
  "default": "home",
  "accounts": {
    "work": {"preset": "zoho-org", "address": "you@yourdomain.com"},
    "home": {"preset": "gmail", "address": "me@gmail.com", "imap": {"port": 993}}
  }
})");
    Profile p = Profile::load(config);
    EXPECT_TRUE(p.exists());
    EXPECT_EQ(p.account_names(), (std::vector<std::string>{"home", "work"}));
    EXPECT_EQ(p.default_account(), "home");
    EXPECT_TRUE(p.has_account("work"));
    EXPECT_FALSE(p.has_account("play"));
    EXPECT_EQ(p.account("work")["address"], "you@yourdomain.com");
    EXPECT_EQ(p.stored("home", "imap.port"), nlohmann::json(993));
    EXPECT_EQ(p.stored("home", "imap.host"), std::nullopt);
    EXPECT_EQ(p.stored("home", "smtp.port"), std::nullopt);
}

TEST_F(ProfileStore, VersionAndAccountsMayBeLeftOut) {
    write_text(config, "{}");
    Profile p = Profile::load(config);
    EXPECT_TRUE(p.exists());
    EXPECT_TRUE(p.account_names().empty());
}

TEST_F(ProfileStore, MalformedJsonNamesLineAndColumn) {
    Error e = load_error("{\n  \"version\": 1,\n  \"accounts\": {,\n}\n");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("line 3, column 16"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(config), std::string::npos) << e.what();
    EXPECT_FALSE(e.hint.empty());
}

TEST_F(ProfileStore, MalformedJsonOnTheFirstLine) {
    Error e = load_error("{,");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("line 1, column 2"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, ParseErrorCountsColumnsInCharactersNotBytes) {
    // "送信" is six bytes but two characters; the second comma is the 15th character of line 2.
    Error e = load_error("{\n\"name\": \"送信\" ,, \n}");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("line 2, column 15"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, ParseErrorNeverQuotesTheFile) {
    // A hand-edited password with a missing quote must not be echoed in the message.
    Error e = load_error(config_with_account("work", R"("address": "a@b.c", "password": {"plain": "hunter2
"})"));
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    EXPECT_EQ(e.hint.find("hunter2"), std::string::npos) << e.hint;
    EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos) << e.what();

    Error unquoted = load_error(R"({"accounts": {"w": {"address": "a@b.c", "password": {"plain": hunter2}}}})");
    EXPECT_EQ(unquoted.kind, ErrorKind::Config);
    EXPECT_EQ(std::string(unquoted.what()).find("hunter2"), std::string::npos) << unquoted.what();
    EXPECT_EQ(std::string(unquoted.what()).find("\"plain\": h"), std::string::npos) << unquoted.what();
}

TEST_F(ProfileStore, EmptyFileIsASyntaxError) {
    Error e = load_error("");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("line 1, column 1"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, TopLevelMustBeAnObject) {
    Error e = load_error("[1, 2]");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("object"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, UnsupportedVersion) {
    Error e = load_error(R"({"version": 2, "accounts": {}})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("1"), std::string::npos) << e.hint;
    EXPECT_EQ(load_error(R"({"version": "1"})").kind, ErrorKind::Config);
}

TEST_F(ProfileStore, UnknownTopLevelKeyIsNamedWithTheAllowedKeys) {
    Error e = load_error(R"({"version": 1, "acounts": {}})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'acounts'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("version, default, accounts"), std::string::npos) << e.hint;
}

TEST_F(ProfileStore, TopLevelValuesOfTheWrongType) {
    EXPECT_EQ(load_error(R"({"default": 3, "accounts": {}})").kind, ErrorKind::Config);
    EXPECT_EQ(load_error(R"({"accounts": []})").kind, ErrorKind::Config);
    EXPECT_EQ(load_error(R"({"accounts": {"work": "x"}})").kind, ErrorKind::Config);
}

TEST_F(ProfileStore, UnknownAccountKeyNamesThePathAndListsTheKeys) {
    Error e = account_error(R"("address": "a@b.c", "colour": "blue")");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'accounts.work.colour'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(config), std::string::npos) << e.what();
    for (const char* key : {"preset", "address", "imap", "pop", "smtp", "password", "fetch", "sync", "send"})
        EXPECT_NE(e.hint.find(key), std::string::npos) << key << " missing from: " << e.hint;
}

TEST_F(ProfileStore, UnknownNestedKeyListsTheKeysOfItsGroup) {
    Error e = account_error(R"("address": "a@b.c", "imap": {"hots": "x"})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'accounts.work.imap.hots'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("under 'imap'"), std::string::npos) << e.hint;
    for (const char* key : {"host", "port", "security", "allow_plaintext", "id"})
        EXPECT_NE(e.hint.find(key), std::string::npos) << key << " missing from: " << e.hint;
    EXPECT_EQ(e.hint.find("mass_delete_percent"), std::string::npos) << e.hint;
}

TEST_F(ProfileStore, GroupThatIsNotAnObject) {
    Error e = account_error(R"("address": "a@b.c", "imap": "imap.example.com")");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'accounts.work.imap'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("host"), std::string::npos) << e.hint;
}

// One bad value per ValueType; each names the full key path and says what the key takes.
struct BadValue {
    const char* members;
    const char* path;
    const char* allowed;
};

class ProfileStoreBadValue : public ProfileStore, public ::testing::WithParamInterface<BadValue> {};

TEST_P(ProfileStoreBadValue, IsAConfigErrorNamingTheKey) {
    const BadValue& bad = GetParam();
    Error e = account_error(std::string(R"("address": "a@b.c", )") + bad.members);
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find(std::string("'") + bad.path + "'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find(bad.allowed), std::string::npos) << e.hint;
}

INSTANTIATE_TEST_SUITE_P(
    EveryValueType, ProfileStoreBadValue,
    ::testing::Values(
        BadValue{R"("name": 42)", "accounts.work.name", "a string"},                            // String
        BadValue{R"("tls_verify": "no")", "accounts.work.tls_verify", "true or false"},         // Boolean
        BadValue{R"("fetch": {"keep": 1})", "accounts.work.fetch.keep", "true or false"},       // Boolean
        BadValue{R"("imap": {"port": 70000})", "accounts.work.imap.port", "from 1 to 65535"},   // Integer
        BadValue{R"("imap": {"port": 0})", "accounts.work.imap.port", "from 1 to 65535"},       // Integer
        BadValue{R"("imap": {"port": "993"})", "accounts.work.imap.port", "from 1 to 65535"},   // Integer
        BadValue{R"("imap": {"port": 993.5})", "accounts.work.imap.port", "from 1 to 65535"},   // Integer
        BadValue{R"("fetch": {"limit": -1})", "accounts.work.fetch.limit", "0 or more"},        // Integer
        BadValue{R"("sync": {"mass_delete_percent": 101})", "accounts.work.sync.mass_delete_percent",
                 "from 1 to 100"},                                                              // Integer
        BadValue{R"("smtp": {"security": "ssl"})", "accounts.work.smtp.security",
                 "tls, starttls or none"},                                                      // Choice
        BadValue{R"("send": {"save_sent": true})", "accounts.work.send.save_sent",
                 "auto, always or never"},                                                      // Choice
        BadValue{R"("aliases": "b@b.c")", "accounts.work.aliases", "a list of strings"},        // List
        BadValue{R"("sync": {"folders": ["INBOX", 3]})", "accounts.work.sync.folders",
                 "a list of strings"},                                                          // List
        BadValue{R"("password": {"plain": 1234})", "accounts.work.password.plain", "a string"}  // Secret
        ),
    [](const ::testing::TestParamInfo<BadValue>& info) {
        std::string name = std::string(info.param.path).substr(std::string("accounts.work.").size());
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return name + "_" + std::to_string(info.index);
    });

TEST_F(ProfileStore, ControlCharactersInStringsAreRefused) {
    Error e = account_error(R"("address": "a@b.c", "name": "Evil\r\nBcc: x@y.z")");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("control characters"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, UnknownPresetIsNamed) {
    Error e = account_error(R"("preset": "zoho-mars", "address": "a@b.c")");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'zoho-mars'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("zmail settings presets"), std::string::npos) << e.hint;
}

TEST_F(ProfileStore, AccountWithoutAddress) {
    Error e = account_error(R"("preset": "gmail")");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("no address"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, BadAccountNameInTheFile) {
    Error e = load_error(R"({"accounts": {"../etc": {"address": "a@b.c"}}})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'../etc'"), std::string::npos) << e.what();
}

TEST_F(ProfileStore, DefaultNamingAMissingAccount) {
    Error e = load_error(R"({"default": "play", "accounts": {"work": {"address": "a@b.c"}}})");
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'play'"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("settings default"), std::string::npos) << e.hint;
}

TEST_F(ProfileStore, PlaintextPasswordInAFileOthersCanRead) {
    std::string text = config_with_account("work", R"("address": "a@b.c", "password": {"plain": "hunter2"})");
    for (mode_t mode : {0644, 0640, 0604}) {
        Error e = load_error(text, mode);
        EXPECT_EQ(e.kind, ErrorKind::Permission) << std::oct << mode;
        EXPECT_EQ(exit_code(e.kind), 77);
        EXPECT_NE(e.hint.find("chmod 600"), std::string::npos) << e.hint;
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
        EXPECT_EQ(e.hint.find("hunter2"), std::string::npos) << e.hint;
        EXPECT_EQ(file_mode(config), mode) << "zmail must not chmod the file itself";
    }
    write_text(config, text, 0600);
    EXPECT_NO_THROW(Profile::load(config));
}

TEST_F(ProfileStore, OtherPasswordSourcesMayBeInAReadableFile) {
    write_text(config, config_with_account("work", R"("address": "a@b.c", "password": {"command": "pass mail"})"),
               0644);
    EXPECT_NO_THROW(Profile::load(config));
}

TEST_F(ProfileStore, DirectoryInsteadOfAFile) {
    ASSERT_EQ(::mkdir(config.c_str(), 0700), 0);
    Error e = error_of([&] { Profile::load(config); });
    EXPECT_EQ(e.kind, ErrorKind::Storage);
    EXPECT_NE(std::string(e.what()).find(config), std::string::npos) << e.what();
}

// An unreadable config: a Permission error naming the config (not presets.json beside it).
// Root reads everything, so as root the check runs in a child that has become nobody.
TEST_F(ProfileStore, UnreadableFileIsAPermissionErrorNamingIt) {
    std::string text = config_with_account("work", R"("address": "a@b.c")");
    write_text(config, text, 0600);
    ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);  // nobody may pass through but not read the file
    ASSERT_EQ(::chmod(config.c_str(), 0000), 0);
    std::fflush(nullptr);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int status = 10;
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(11);
        try {
            Profile::load(config);
            status = 12;  // loaded: wrong
        } catch (const Error& e) {
            bool names_config = std::string(e.what()).find("'" + config + "'") != std::string::npos;
            status = e.kind == ErrorKind::Permission && names_config ? 0 : 13;
        } catch (...) {
            status = 14;
        }
        ::_exit(status);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "10 unknown, 11 setuid failed, 12 loaded, 13 wrong error, 14 other";
    ::chmod(config.c_str(), 0600);
    ::chmod(dir.path().c_str(), 0700);
    EXPECT_EQ(read_text(config), text);
}

TEST_F(ProfileStore, SaveWritesMode0600AtomicallyAndRoundTrips) {
    Profile p = Profile::load(config);
    p.add_account("work", {{"preset", "zoho-org"}, {"address", "you@yourdomain.com"}});
    p.add_account("home", {{"preset", "gmail"}, {"address", "me@gmail.com"}, {"aliases", {"other@gmail.com"}}});
    p.set_default_account("home");
    p.set("work", "imap.port", 993);
    p.set("work", "name", "山田 太郎");
    mode_t old_umask = ::umask(0);
    p.save();
    ::umask(old_umask);

    EXPECT_EQ(file_mode(config), 0600u);
    EXPECT_EQ(testing::directory_entries(dir.path()), std::vector<std::string>{"config.json"})
        << "no temp file may be left behind";
    std::string text = read_text(config);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');

    Profile again = Profile::load(config);
    EXPECT_EQ(again.account_names(), (std::vector<std::string>{"home", "work"}));
    EXPECT_EQ(again.default_account(), "home");
    EXPECT_EQ(again.account("work"), p.account("work"));
    EXPECT_EQ(again.account("home"), p.account("home"));
    EXPECT_EQ(again.stored("work", "name"), nlohmann::json("山田 太郎"));
    again.save();
    EXPECT_EQ(read_text(config), text) << "saving an unchanged profile gives the same bytes";
}

TEST_F(ProfileStore, SaveNarrowsAReadableFileTo0600) {
    write_text(config, config_with_account("work", R"("address": "a@b.c")"), 0644);
    Profile p = Profile::load(config);
    p.set("work", "name", "A");
    p.save();
    EXPECT_EQ(file_mode(config), 0600u);
}

TEST_F(ProfileStore, SaveCreatesMissingDirectoriesPrivately) {
    std::string nested = dir.file("xdg/zmail/config.json");
    Profile p = Profile::load(nested);
    p.add_account("work", {{"address", "a@b.c"}, {"preset", "fastmail"}});
    p.save();
    EXPECT_EQ(file_mode(nested), 0600u);
    EXPECT_EQ(file_mode(dir.file("xdg/zmail")), 0700u);
    EXPECT_TRUE(Profile::load(nested).has_account("work"));
}

TEST_F(ProfileStore, SaveIntoAnUnwritablePlaceIsAStorageError) {
    std::string blocked = dir.file("not-yet");
    Profile p = Profile::load(blocked + "/config.json");  // missing: an empty profile
    p.add_account("work", {{"address", "a@b.c"}});
    write_text(blocked, "x");  // now a file is where the directory should be
    Error e = error_of([&] { p.save(); });
    EXPECT_EQ(e.kind, ErrorKind::Storage);
    EXPECT_EQ(read_text(blocked), "x");
}

TEST_F(ProfileStore, SetGetUnset) {
    write_text(config, config_with_account("work", R"("preset": "zoho-org", "address": "a@b.c")"));
    Profile p = Profile::load(config);
    EXPECT_EQ(p.stored("work", "fetch.keep"), std::nullopt);
    p.set("work", "fetch.keep", false);
    EXPECT_EQ(p.stored("work", "fetch.keep"), nlohmann::json(false));
    p.set("work", "fetch.keep", true);
    EXPECT_EQ(p.stored("work", "fetch.keep"), nlohmann::json(true));
    p.set("work", "sync.folders", nlohmann::json::array({"INBOX", "送信済み"}));
    EXPECT_EQ(p.stored("work", "sync.folders"), nlohmann::json::array({"INBOX", "送信済み"}));

    EXPECT_TRUE(p.unset("work", "fetch.keep"));
    EXPECT_EQ(p.stored("work", "fetch.keep"), std::nullopt);
    EXPECT_FALSE(p.account("work").contains("fetch")) << "an emptied group is dropped";
    EXPECT_FALSE(p.unset("work", "fetch.keep")) << "unsetting what is not set reports false";
    EXPECT_TRUE(p.account("work").contains("sync"));
    EXPECT_TRUE(p.unset("work", "sync")) << "a whole group can be unset";
    EXPECT_FALSE(p.account("work").contains("sync"));
}

TEST_F(ProfileStore, SetRefusesUnknownKeysBadValuesAndUnknownPresets) {
    write_text(config, config_with_account("work", R"("address": "a@b.c")"));
    Profile p = Profile::load(config);
    nlohmann::json before = p.account("work");

    Error unknown = error_of([&] { p.set("work", "imap.hots", "x"); });
    EXPECT_EQ(unknown.kind, ErrorKind::Usage);
    EXPECT_NE(std::string(unknown.what()).find("'imap.hots'"), std::string::npos);

    Error bad = error_of([&] { p.set("work", "imap.port", "not a number"); });
    EXPECT_EQ(bad.kind, ErrorKind::Usage) << bad.what();
    EXPECT_NE(std::string(bad.what()).find("'imap.port'"), std::string::npos) << bad.what();

    Error preset = error_of([&] { p.set("work", "preset", "nope"); });
    EXPECT_EQ(preset.kind, ErrorKind::Usage);
    EXPECT_NE(std::string(preset.what()).find("'nope'"), std::string::npos);

    Error account = error_of([&] { p.set("play", "name", "x"); });
    EXPECT_EQ(account.kind, ErrorKind::Config);
    EXPECT_NE(std::string(account.what()).find("no account 'play'"), std::string::npos);
    EXPECT_NE(account.hint.find("work"), std::string::npos) << account.hint;

    EXPECT_EQ(p.account("work"), before) << "a refused set changes nothing";
}

TEST_F(ProfileStore, UnsetRefusesTheAddressAndUnknownKeys) {
    write_text(config, config_with_account("work", R"("address": "a@b.c")"));
    Profile p = Profile::load(config);
    EXPECT_EQ(error_of([&] { p.unset("work", "address"); }).kind, ErrorKind::Usage);
    EXPECT_EQ(error_of([&] { p.unset("work", "colour"); }).kind, ErrorKind::Usage);
    EXPECT_EQ(error_of([&] { p.unset("play", "name"); }).kind, ErrorKind::Config);
    EXPECT_EQ(p.stored("work", "address"), nlohmann::json("a@b.c"));
}

TEST_F(ProfileStore, AddAccountChecksNameDuplicateAndContent) {
    Profile p = Profile::load(config);
    for (const char* name : {"", ".hidden", "-x", "a/b", "a b", "名前"})
        EXPECT_EQ(error_of([&] { p.add_account(name, {{"address", "a@b.c"}}); }).kind, ErrorKind::Usage) << name;
    EXPECT_EQ(error_of([&] { p.add_account(std::string(65, 'a'), {{"address", "a@b.c"}}); }).kind,
              ErrorKind::Usage);
    EXPECT_NO_THROW(p.add_account(std::string(64, 'a'), {{"address", "a@b.c"}}));
    EXPECT_NO_THROW(p.add_account("work.2_x-y", {{"address", "a@b.c"}}));
    Error taken = error_of([&] { p.add_account("work.2_x-y", {{"address", "b@b.c"}}); });
    EXPECT_EQ(taken.kind, ErrorKind::Usage);
    EXPECT_NE(std::string(taken.what()).find("already exists"), std::string::npos);
    EXPECT_EQ(error_of([&] { p.add_account("bad", {{"address", "a@b.c"}, {"colour", 1}}); }).kind,
              ErrorKind::Config);
    EXPECT_FALSE(p.has_account("bad"));
}

TEST_F(ProfileStore, DefaultAccount) {
    Profile p = Profile::load(config);
    EXPECT_EQ(p.default_account(), "");
    p.add_account("work", {{"address", "a@b.c"}});
    EXPECT_EQ(p.default_account(), "work") << "the only account is the default";
    p.add_account("home", {{"address", "b@b.c"}});
    EXPECT_EQ(p.default_account(), "") << "two accounts and no default key";
    p.set_default_account("home");
    EXPECT_EQ(p.default_account(), "home");
    Error e = error_of([&] { p.set_default_account("play"); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_EQ(p.default_account(), "home");
    p.remove_account("home");
    EXPECT_EQ(p.default_account(), "work") << "removing the default drops the key";
    p.save();
    EXPECT_NO_THROW(Profile::load(config));
    EXPECT_EQ(error_of([&] { p.remove_account("home"); }).kind, ErrorKind::Config);
}

TEST(ProfilePaths, ConfigPathPrecedence) {
    testing::ScopedEnv home("HOME", "/home/tester");
    {
        testing::ScopedEnv zmail("ZMAIL_CONFIG", "/etc/zmail.json");
        testing::ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
        EXPECT_EQ(config_path("~/explicit.json"), "/home/tester/explicit.json");
        EXPECT_EQ(config_path("relative.json"), "relative.json");
        EXPECT_EQ(config_path(""), "/etc/zmail.json");
    }
    {
        testing::ScopedEnv zmail("ZMAIL_CONFIG", "~/z.json");
        EXPECT_EQ(config_path(""), "/home/tester/z.json");
    }
    {
        testing::ScopedEnv zmail("ZMAIL_CONFIG", "");
        testing::ScopedEnv xdg("XDG_CONFIG_HOME", "/xdg");
        EXPECT_EQ(config_path(""), "/xdg/zmail/config.json");
    }
    {
        testing::ScopedEnv zmail("ZMAIL_CONFIG", std::nullopt);
        testing::ScopedEnv xdg("XDG_CONFIG_HOME", std::nullopt);
        EXPECT_EQ(config_path(""), "/home/tester/.config/zmail/config.json");
    }
    EXPECT_EQ(presets_path_for("/xdg/zmail/config.json"), "/xdg/zmail/presets.json");
    EXPECT_EQ(presets_path_for("config.json"), "./presets.json");
}

}  // namespace
}  // namespace zmail::profile
