// Provider presets: the built-in table, what an account gets from its preset, and the user
// presets file beside the config.
#include "profile/account.hpp"
#include "profile/presets.hpp"
#include "profile/profile.hpp"

#include "profile_test_support.hpp"

#include <gtest/gtest.h>
#include <set>

namespace zmail::profile {
namespace {

using testing::error_of;
using testing::config_with_account;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

const Preset& builtin(const std::string& name) {
    for (const auto& p : builtin_presets())
        if (p.name == name) return p;
    throw std::runtime_error("no built-in preset " + name);
}

std::string endpoint(const PresetServer& s) { return s.host + ":" + std::to_string(s.port) + " " + s.security; }

/// An account of `preset` in a fresh profile, resolved.
class PresetAccount : public ::testing::Test {
protected:
    TempDir dir;
    std::string config = dir.file("config.json");

    Account resolve(const std::string& members) {
        write_text(config, config_with_account("work", members));
        return resolve_account(Profile::load(config), "work");
    }
    Account with_preset(const std::string& preset) {
        return resolve(R"("preset": ")" + preset + R"(", "address": "you@yourdomain.com")");
    }
};

TEST(BuiltinPresets, NamesAreUniqueAndFindable) {
    std::set<std::string> names;
    for (const auto& p : builtin_presets()) {
        EXPECT_TRUE(names.insert(p.name).second) << "duplicate preset " << p.name;
        EXPECT_FALSE(p.description.empty()) << p.name;
        ASSERT_TRUE(find_preset(builtin_presets(), p.name)) << p.name;
    }
    for (const char* name : {"zoho", "zoho-org", "gmail", "outlook", "yahoo", "icloud", "fastmail", "qq",
                             "netease-163", "netease-126", "custom"})
        EXPECT_TRUE(names.count(name)) << name;
    EXPECT_FALSE(find_preset(builtin_presets(), "Gmail")) << "names are case-sensitive";
    EXPECT_FALSE(find_preset(builtin_presets(), "zoho-mars"));
    EXPECT_FALSE(find_preset(builtin_presets(), ""));
}

struct ZohoRegionHosts {
    const char* suffix;
    const char* domain;
};

class ZohoRegions : public ::testing::TestWithParam<ZohoRegionHosts> {};

TEST_P(ZohoRegions, PersonalUsesImapAndPopHosts) {
    const auto& r = GetParam();
    const Preset& p = builtin(std::string("zoho") + r.suffix);
    EXPECT_EQ(endpoint(p.imap), std::string("imap.") + r.domain + ":993 tls");
    EXPECT_EQ(endpoint(p.pop), std::string("pop.") + r.domain + ":995 tls");
    EXPECT_EQ(endpoint(p.smtp), std::string("smtp.") + r.domain + ":465 tls");
    EXPECT_EQ(p.smtp_alternate_port, 587);
    EXPECT_TRUE(p.files_sent_mail);
    EXPECT_NE(p.password_note.find(std::string("accounts.") + r.domain), std::string::npos) << p.password_note;
    ASSERT_FALSE(p.web_policies.empty());
    EXPECT_NE(p.web_policies[0].where.find(std::string("mail.") + r.domain), std::string::npos);
}

TEST_P(ZohoRegions, OrganisationUsesTheProHosts) {
    const auto& r = GetParam();
    const Preset& p = builtin(std::string("zoho-org") + r.suffix);
    EXPECT_EQ(endpoint(p.imap), std::string("imappro.") + r.domain + ":993 tls");
    EXPECT_EQ(endpoint(p.pop), std::string("poppro.") + r.domain + ":995 tls");
    EXPECT_EQ(endpoint(p.smtp), std::string("smtp.") + r.domain + ":465 tls");
    EXPECT_TRUE(p.files_sent_mail);
    EXPECT_EQ(p.sent_folder, "Sent");
    EXPECT_EQ(p.junk_folder, "Spam");
}

INSTANTIATE_TEST_SUITE_P(EveryDataCentre, ZohoRegions,
                         ::testing::Values(ZohoRegionHosts{"", "zoho.com"}, ZohoRegionHosts{"-eu", "zoho.eu"},
                                           ZohoRegionHosts{"-in", "zoho.in"}, ZohoRegionHosts{"-au", "zoho.com.au"},
                                           ZohoRegionHosts{"-jp", "zoho.jp"}, ZohoRegionHosts{"-cn", "zoho.com.cn"},
                                           ZohoRegionHosts{"-sa", "zoho.sa"}, ZohoRegionHosts{"-ca", "zohocloud.ca"}),
                         [](const ::testing::TestParamInfo<ZohoRegionHosts>& info) {
                             std::string name = info.param.domain;
                             for (char& c : name)
                                 if (c == '.') c = '_';
                             return name;
                         });

TEST_F(PresetAccount, ZohoOrganisation) {
    Account a = with_preset("zoho-org");
    EXPECT_EQ(a.preset.name, "zoho-org");
    EXPECT_EQ(a.imap.endpoint(), "imappro.zoho.com:993");
    EXPECT_EQ(a.imap.security, "tls");
    EXPECT_EQ(a.pop.endpoint(), "poppro.zoho.com:995");
    EXPECT_EQ(a.pop.security, "tls");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.zoho.com:465");
    EXPECT_EQ(a.smtp.security, "tls");
    EXPECT_EQ(a.send.save_sent_setting, "auto");
    EXPECT_EQ(a.send.save_sent, "never");
    EXPECT_NE(a.send.save_sent_reason.find("zoho-org"), std::string::npos) << a.send.save_sent_reason;
    EXPECT_EQ(a.send.sent_folder, "Sent");
    EXPECT_EQ(a.user, "you@yourdomain.com");
    EXPECT_FALSE(a.imap_id);
}

TEST_F(PresetAccount, ZohoJapanOrganisation) {
    Account a = with_preset("zoho-org-jp");
    EXPECT_EQ(a.imap.endpoint(), "imappro.zoho.jp:993");
    EXPECT_EQ(a.pop.endpoint(), "poppro.zoho.jp:995");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.zoho.jp:465");
}

TEST_F(PresetAccount, GmailNeverSavesSentMail) {
    Account a = with_preset("gmail");
    EXPECT_EQ(a.imap.endpoint(), "imap.gmail.com:993");
    EXPECT_EQ(a.send.save_sent, "never");
    EXPECT_EQ(a.send.sent_folder, "[Gmail]/Sent Mail");
}

TEST_F(PresetAccount, YahooAndFastmailAlwaysSaveSentMail) {
    for (const char* preset : {"yahoo", "fastmail"}) {
        Account a = with_preset(preset);
        EXPECT_EQ(a.send.save_sent_setting, "auto") << preset;
        EXPECT_EQ(a.send.save_sent, "always") << preset;
        EXPECT_TRUE(a.imap.configured()) << preset;
    }
}

TEST_F(PresetAccount, ExplicitSaveSentWinsOverThePreset) {
    Account a = resolve(R"("preset": "gmail", "address": "a@gmail.com", "send": {"save_sent": "always"})");
    EXPECT_EQ(a.send.save_sent, "always");
    EXPECT_EQ(a.send.save_sent_reason, "set in the account");
    Account b = resolve(R"("preset": "fastmail", "address": "a@b.c", "send": {"save_sent": "never"})");
    EXPECT_EQ(b.send.save_sent, "never");
}

TEST_F(PresetAccount, ICloudHasNoPop) {
    EXPECT_TRUE(builtin("icloud").pop.host.empty());
    EXPECT_TRUE(preset_to_json(builtin("icloud"))["pop"].is_null());
    Account a = with_preset("icloud");
    EXPECT_FALSE(a.pop.configured());
    EXPECT_EQ(a.imap.endpoint(), "imap.mail.me.com:993");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.mail.me.com:587");
    EXPECT_EQ(a.smtp.security, "starttls");
    EXPECT_EQ(account_to_json(a)["pop"], nullptr);
}

TEST_F(PresetAccount, NetEaseNeedsImapId) {
    for (const char* preset : {"netease-163", "netease-126"}) {
        EXPECT_TRUE(builtin(preset).imap_id_required) << preset;
        Account a = with_preset(preset);
        EXPECT_TRUE(a.imap_id) << preset;
        EXPECT_EQ(a.send.sent_folder, "已发送");
    }
    EXPECT_EQ(with_preset("netease-163").imap.host, "imap.163.com");
    Account off = resolve(R"("preset": "netease-163", "address": "a@163.com", "imap": {"id": false})");
    EXPECT_FALSE(off.imap_id) << "the account may override the preset";
}

TEST_F(PresetAccount, OutlookUsesOAuth2) {
    Account a = with_preset("outlook");
    EXPECT_EQ(a.auth_mechanism, "xoauth2");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.office365.com:587");
    EXPECT_EQ(a.smtp.security, "starttls");
}

TEST_F(PresetAccount, CustomWithPort143IsStarttls) {
    Account a = resolve(R"("preset": "custom", "address": "a@example.com", "imap": {"host": "mail.example.com", "port": 143})");
    EXPECT_EQ(a.imap.endpoint(), "mail.example.com:143");
    EXPECT_EQ(a.imap.security, "starttls");
    EXPECT_FALSE(a.pop.configured());
    EXPECT_FALSE(a.smtp.configured());
}

TEST_F(PresetAccount, CustomServerDefaultsFollowSecurity) {
    Account a = resolve(R"("address": "a@example.com",
        "imap": {"host": "imap.example.com"},
        "pop": {"host": "pop.example.com", "security": "starttls"},
        "smtp": {"host": "smtp.example.com", "port": 587})");
    EXPECT_EQ(a.preset.name, "custom") << "no preset key means custom";
    EXPECT_EQ(a.imap.endpoint(), "imap.example.com:993");
    EXPECT_EQ(a.imap.security, "tls");
    EXPECT_EQ(a.pop.endpoint(), "pop.example.com:110");
    EXPECT_EQ(a.pop.security, "starttls");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.example.com:587");
    EXPECT_EQ(a.smtp.security, "starttls");
    EXPECT_EQ(a.send.save_sent, "always") << "custom servers do not file sent mail";
}

TEST_F(PresetAccount, CustomWithoutImapCannotSaveSentMail) {
    Account a = resolve(R"("address": "a@example.com", "smtp": {"host": "smtp.example.com"})");
    EXPECT_EQ(a.send.save_sent, "never");
    EXPECT_NE(a.send.save_sent_reason.find("no IMAP"), std::string::npos) << a.send.save_sent_reason;
}

TEST_F(PresetAccount, StoredValuesOverrideThePreset) {
    Account a = resolve(R"("preset": "zoho-org", "address": "a@b.c", "smtp": {"port": 587, "security": "starttls"})");
    EXPECT_EQ(a.smtp.endpoint(), "smtp.zoho.com:587");
    EXPECT_EQ(a.smtp.security, "starttls");
    EXPECT_EQ(a.imap.endpoint(), "imappro.zoho.com:993");
}

TEST(PresetJson, CarriesServersPoliciesAndNotes) {
    nlohmann::json j = preset_to_json(builtin("zoho-org"));
    EXPECT_EQ(j["name"], "zoho-org");
    EXPECT_EQ(j["imap"]["host"], "imappro.zoho.com");
    EXPECT_EQ(j["imap"]["port"], 993);
    EXPECT_EQ(j["pop"]["host"], "poppro.zoho.com");
    EXPECT_EQ(j["smtp"]["security"], "tls");
    EXPECT_EQ(j["smtp_alternate_port"], 587);
    EXPECT_EQ(j["files_sent_mail"], true);
    EXPECT_EQ(j["folders"]["sent"], "Sent");
    EXPECT_FALSE(j["web_policies"].empty());
    EXPECT_FALSE(j["notes"].empty());
    EXPECT_TRUE(j.contains("password_note"));
    EXPECT_FALSE(preset_to_json(builtin("custom")).contains("smtp_alternate_port"));
}

class UserPresets : public ::testing::Test {
protected:
    TempDir dir;
    std::string config = dir.file("config.json");
    std::string presets = dir.file("presets.json");
};

TEST_F(UserPresets, MissingFileGivesTheBuiltInPresets) {
    EXPECT_EQ(load_presets(presets).size(), builtin_presets().size());
    EXPECT_EQ(load_presets("").size(), builtin_presets().size());
}

TEST_F(UserPresets, AddAndOverridePresets) {
    write_text(presets, R"({"presets": {
  "sakura": {"description": "さくらのメールボックス",
             "imap": {"host": "imap.sakura.ne.jp", "port": 993, "security": "tls"},
             "smtp": {"host": "smtp.sakura.ne.jp", "port": 587, "security": "starttls"},
             "files_sent_mail": false, "folders": {"sent": "送信済み", "junk": "迷惑メール"},
             "notes": ["one", "two"]},
  "gmail": {"description": "Gmail through a proxy", "imap": {"host": "imap.proxy.example", "port": 10993, "security": "tls"},
            "files_sent_mail": true}
}})",
               0644);
    auto all = load_presets(presets);
    EXPECT_EQ(all.size(), builtin_presets().size() + 1);
    auto sakura = find_preset(all, "sakura");
    ASSERT_TRUE(sakura);
    EXPECT_EQ(sakura->description, "さくらのメールボックス");
    EXPECT_EQ(endpoint(sakura->smtp), "smtp.sakura.ne.jp:587 starttls");
    EXPECT_TRUE(sakura->pop.host.empty());
    EXPECT_EQ(sakura->sent_folder, "送信済み");
    EXPECT_EQ(sakura->notes, (std::vector<std::string>{"one", "two"}));
    auto gmail = find_preset(all, "gmail");
    ASSERT_TRUE(gmail);
    EXPECT_EQ(gmail->imap.host, "imap.proxy.example") << "a user preset replaces the built-in one";
    EXPECT_TRUE(gmail->smtp.host.empty()) << "and replaces it whole";

    write_text(config, config_with_account("work", R"("preset": "sakura", "address": "a@example.jp")"));
    Profile p = Profile::load(config);
    EXPECT_TRUE(find_preset(p.presets(), "sakura"));
    Account a = resolve_account(p, "work");
    EXPECT_EQ(a.imap.endpoint(), "imap.sakura.ne.jp:993");
    EXPECT_EQ(a.send.save_sent, "always");
    EXPECT_EQ(a.send.sent_folder, "送信済み");
}

TEST_F(UserPresets, AccountOfAPresetOnlyTheUserFileKnew) {
    write_text(config, config_with_account("work", R"("preset": "sakura", "address": "a@example.jp")"));
    Error e = error_of([&] { Profile::load(config); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find("'sakura'"), std::string::npos) << e.what();
}

TEST_F(UserPresets, MalformedFileIsAConfigError) {
    write_text(presets, "{\"presets\": {\"x\": {,}}}");
    Error e = error_of([&] { load_presets(presets); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find(presets), std::string::npos) << e.what();
    EXPECT_EQ(error_of([&] { Profile::load(config); }).kind, ErrorKind::Config)
        << "a broken presets file beside the config stops loading the profile";
}

struct BadPresetFile {
    const char* text;
    const char* mentions;
};

class UserPresetsInvalid : public UserPresets, public ::testing::WithParamInterface<BadPresetFile> {};

TEST_P(UserPresetsInvalid, IsAConfigError) {
    write_text(presets, GetParam().text);
    Error e = error_of([&] { load_presets(presets); });
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_NE(std::string(e.what()).find(GetParam().mentions), std::string::npos) << e.what();
}

INSTANTIATE_TEST_SUITE_P(
    Files, UserPresetsInvalid,
    ::testing::Values(BadPresetFile{R"([])", "no \"presets\" object"},
                      BadPresetFile{R"({"sakura": {}})", "no \"presets\" object"},
                      BadPresetFile{R"({"presets": []})", "no \"presets\" object"},
                      BadPresetFile{R"({"presets": {"x": 3}})", "presets.x"},
                      BadPresetFile{R"({"presets": {"x": {"colour": "red"}}})", "presets.x.colour"},
                      BadPresetFile{R"({"presets": {"x": {"imap": {"host": "h", "security": "ssl"}}}})",
                                    "presets.x.imap.security"},
                      BadPresetFile{R"({"presets": {"x": {"imap": {"port": "993"}}}})", "presets.x.imap.port"},
                      BadPresetFile{R"({"presets": {"x": {"imap": "h"}}})", "presets.x.imap"},
                      BadPresetFile{R"({"presets": {"x": {"description": 1}}})", "presets.x.description"},
                      BadPresetFile{R"({"presets": {"x": {"folders": {"outbox": "O"}}}})", "presets.x.folders.outbox"},
                      BadPresetFile{R"({"presets": {"x": {"files_sent_mail": "yes"}}})", "presets.x.files_sent_mail"}),
    [](const ::testing::TestParamInfo<BadPresetFile>& info) { return "case_" + std::to_string(info.index); });

TEST_F(UserPresets, PresetFromJsonReadsEveryField) {
    Preset p = preset_from_json("p", nlohmann::json::parse(R"({
        "description": "d", "imap": {"host": "i", "port": 1, "security": "none"},
        "pop": {"host": "p", "port": 2, "security": "starttls"}, "smtp": {"host": "s", "port": 3, "security": "tls"},
        "smtp_alternate_port": 4, "files_sent_mail": true, "imap_id_required": true, "auth_mechanism": "login",
        "password_note": "n", "folders": {"sent": "S", "drafts": "D", "junk": "J", "trash": "T", "archive": "A"},
        "notes": ["x"], "name": "ignored"})"),
                                 "presets.p");
    EXPECT_EQ(p.name, "p");
    EXPECT_EQ(endpoint(p.imap), "i:1 none");
    EXPECT_EQ(endpoint(p.pop), "p:2 starttls");
    EXPECT_EQ(endpoint(p.smtp), "s:3 tls");
    EXPECT_EQ(p.smtp_alternate_port, 4);
    EXPECT_TRUE(p.files_sent_mail);
    EXPECT_TRUE(p.imap_id_required);
    EXPECT_EQ(p.auth_mechanism, "login");
    EXPECT_EQ(p.password_note, "n");
    EXPECT_EQ(p.sent_folder + p.drafts_folder + p.junk_folder + p.trash_folder + p.archive_folder, "SDJTA");
    EXPECT_EQ(p.notes, std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace zmail::profile

namespace zmail::profile {
namespace {

TEST_F(PresetAccount, OutlookSignsInWithMicrosoftsEndpointsForTheTenant) {
    Account a = with_preset("outlook");
    EXPECT_EQ(a.auth_mechanism, "xoauth2");
    EXPECT_EQ(a.credentials.kind, CredentialSource::Kind::OAuth2Tokens);
    EXPECT_EQ(a.oauth2.authorize_url, "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
    EXPECT_EQ(a.oauth2.token_url, "https://login.microsoftonline.com/common/oauth2/v2.0/token");
    EXPECT_EQ(a.oauth2.device_url, "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode");
    for (const char* scope : {"https://outlook.office.com/IMAP.AccessAsUser.All",
                              "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send",
                              "offline_access"})
        EXPECT_NE(a.oauth2.scope.find(scope), std::string::npos) << scope;
    Account tenant = resolve(R"("preset": "outlook", "address": "you@contoso.com",
                                "oauth2": {"tenant": "contoso.onmicrosoft.com", "client_id": "abc"})");
    EXPECT_EQ(tenant.oauth2.token_url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    EXPECT_EQ(tenant.oauth2.client_id, "abc");
    EXPECT_EQ(tenant.oauth2.store, "file");
}

TEST_F(PresetAccount, GmailHasGooglesEndpointsAndAsksForOfflineAccess) {
    Account a = resolve(R"("preset": "gmail", "address": "you@gmail.com", "auth": {"mechanism": "oauthbearer"},
                          "oauth2": {"client_id": "id", "client_secret_env": "GOOGLE_SECRET"})");
    EXPECT_EQ(a.oauth2.authorize_url, "https://accounts.google.com/o/oauth2/v2/auth");
    EXPECT_EQ(a.oauth2.token_url, "https://oauth2.googleapis.com/token");
    EXPECT_EQ(a.oauth2.device_url, "https://oauth2.googleapis.com/device/code");
    EXPECT_EQ(a.oauth2.scope, "https://mail.google.com/");
    EXPECT_EQ(a.oauth2.client_secret.kind, CredentialSource::Kind::Environment);
    bool offline = false;
    for (const auto& [k, v] : a.oauth2.authorize_params) offline = offline || (k == "access_type" && v == "offline");
    EXPECT_TRUE(offline);
    EXPECT_EQ(a.credentials.kind, CredentialSource::Kind::OAuth2Tokens);
    Account command = resolve(R"("preset": "gmail", "address": "you@gmail.com", "auth": {"mechanism": "xoauth2"},
                                "oauth2": {"token_command": "oama access you@gmail.com"})");
    EXPECT_EQ(command.credentials.kind, CredentialSource::Kind::OAuth2Command);
}

}  // namespace
}  // namespace zmail::profile

namespace zmail::profile {
namespace {

TEST_F(PresetAccount, SyncJobsDefaultToFourCappedByTheProviderAndOneForCustom) {
    EXPECT_EQ(with_preset("gmail").sync.jobs, 4);
    EXPECT_EQ(with_preset("gmail").preset.imap_connections, 15);
    EXPECT_EQ(with_preset("netease-163").sync.jobs, 4);
    EXPECT_EQ(with_preset("custom").sync.jobs, 1);  // an unknown server's limit: one connection
    EXPECT_EQ(resolve(R"("preset": "gmail", "address": "a@gmail.com", "sync": {"jobs": 12})").sync.jobs, 12);
    write_text(dir.file("presets.json"),
               R"({"presets": {"small": {"imap": {"host": "imap.small.example", "port": 993, "security": "tls"},
                                          "imap_connections": 2}}})");
    write_text(config, config_with_account("work", R"("preset": "small", "address": "a@small.example")"));
    auto profile = Profile::load(config);
    EXPECT_EQ(resolve_account(profile, "work").sync.jobs, 2);
}

}  // namespace
}  // namespace zmail::profile
