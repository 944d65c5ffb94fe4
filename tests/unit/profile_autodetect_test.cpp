// Autodetection from the address: the domain table, the MX rules per provider and Zoho data
// centre, RFC 6186 SRV records, and failed lookups falling through. DNS is a fake here; the CLI
// test (tests/cli/settings_autodetect_test.sh) runs the real resolver against a local server.
#include "profile/autodetect.hpp"

#include <gtest/gtest.h>
#include <map>

namespace zmail::profile {
namespace {

/// DNS from tables; a name in `fail` answers nothing (a timeout).
class FakeDns : public DnsSource {
public:
    std::map<std::string, std::vector<dns::MxRecord>> mx_records;
    std::map<std::string, std::vector<dns::SrvRecord>> srv_records;
    std::vector<std::string> fail;
    mutable std::vector<std::string> asked;

    std::vector<dns::MxRecord> mx(const std::string& domain) const override {
        return find(mx_records, domain);
    }
    std::vector<dns::SrvRecord> srv(const std::string& name) const override { return find(srv_records, name); }

private:
    template <class Records>
    typename Records::mapped_type find(const Records& table, const std::string& name) const {
        asked.push_back(name);
        for (const auto& f : fail)
            if (f == name) throw Error(ErrorKind::Network, "cannot look up '" + name + "' in DNS: timed out");
        auto it = table.find(name);
        return it == table.end() ? typename Records::mapped_type{} : it->second;
    }
};

const std::vector<Preset>& presets() { return builtin_presets(); }

Detection detect(const std::string& address, const FakeDns& dns) { return detect_settings(address, presets(), dns); }

TEST(Autodetect, BigProvidersByDomainWithoutDns) {
    FakeDns dns;
    const std::pair<const char*, const char*> cases[] = {
        {"me@zoho.com", "zoho"},         {"me@zoho.eu", "zoho-eu"},       {"me@zoho.jp", "zoho-jp"},
        {"me@zoho.com.cn", "zoho-cn"},   {"me@zohocloud.ca", "zoho-ca"},  {"me@zoho.com.au", "zoho-au"},
        {"me@Gmail.COM", "gmail"},       {"me@hotmail.com", "outlook"},   {"me@live.com", "outlook"},
        {"me@outlook.com", "outlook"},   {"me@me.com", "icloud"},         {"me@icloud.com", "icloud"},
        {"me@yahoo.com", "yahoo"},       {"me@fastmail.com", "fastmail"}, {"me@qq.com", "qq"},
        {"me@163.com", "netease-163"},   {"me@126.com", "netease-126"},   {"me@gmail.com.", "gmail"}};
    for (const auto& [address, preset] : cases) {
        Detection d = detect(address, dns);
        EXPECT_EQ(d.preset, preset) << address;
        EXPECT_EQ(d.source, Detection::Source::Domain) << address;
    }
    EXPECT_TRUE(dns.asked.empty());
    EXPECT_EQ(detect("you@zoho.eu", dns).reason, "domain zoho.eu: Zoho Mail personal, Europe (zoho.eu)");
}

TEST(Autodetect, ZohoOrganisationDataCentreFromMx) {
    const std::pair<const char*, const char*> cases[] = {
        {"mx.zoho.com", "zoho-org"},      {"mx2.zoho.com", "zoho-org"},   {"mx.zoho.eu", "zoho-org-eu"},
        {"mx3.zoho.in", "zoho-org-in"},   {"mx.zoho.com.au", "zoho-org-au"}, {"mx.zoho.jp", "zoho-org-jp"},
        {"mx.zoho.com.cn", "zoho-org-cn"}, {"mx.zoho.sa", "zoho-org-sa"}, {"mx.zohocloud.ca", "zoho-org-ca"},
        {"MX.ZOHO.JP", "zoho-org-jp"}};
    for (const auto& [host, preset] : cases) EXPECT_EQ(mx_preset(host, presets()), preset) << host;
    EXPECT_EQ(mx_preset("smtpin.zoho.com", presets()), "");
    EXPECT_EQ(mx_preset("mx.zoho.example", presets()), "");
    EXPECT_EQ(mx_preset("mxa.zoho.com", presets()), "");

    FakeDns dns;
    dns.mx_records["yourcompany.co.jp"] = {{10, "mx.zoho.jp"}, {20, "mx2.zoho.jp"}};
    Detection d = detect("you@yourcompany.co.jp", dns);
    EXPECT_EQ(d.preset, "zoho-org-jp");
    EXPECT_EQ(d.source, Detection::Source::Mx);
    EXPECT_EQ(d.reason, "MX mx.zoho.jp: Zoho Mail organisation (own domain), Japan (zoho.jp)");
    EXPECT_EQ(dns.asked, std::vector<std::string>{"yourcompany.co.jp"});
}

TEST(Autodetect, HostedMailByMx) {
    const std::pair<const char*, const char*> cases[] = {
        {"aspmx.l.google.com", "gmail"},
        {"alt1.aspmx.l.google.com", "gmail"},
        {"aspmx2.googlemail.com", "gmail"},
        {"smtp.google.com", "gmail"},
        {"example-org.mail.protection.outlook.com", "outlook"},
        {"mx01.mail.icloud.com", "icloud"},
        {"in1-smtp.messagingengine.com", "fastmail"},
        {"mx1.qq.com", "qq"},
        {"163mx01.mxmail.netease.com", "netease-163"},
        {"126mx00.mxmail.netease.com", "netease-126"},
        {"mxbiz1.qq.com", ""},                       // Tencent business mail: no preset
        {"qiye163mx01.mxmail.netease.com", ""},      // NetEase enterprise: no preset
        {"google.com.evil.example", ""},
        {"mail.protection.outlook.com.example", ""},
    };
    for (const auto& [host, preset] : cases) EXPECT_EQ(mx_preset(host, presets()), preset) << host;
}

TEST(Autodetect, FirstKnownMxByPreferenceWins) {
    FakeDns dns;
    dns.mx_records["example.org"] = {{5, "filter.example.org"}, {10, "aspmx.l.google.com"}};
    Detection d = detect("a@example.org", dns);
    EXPECT_EQ(d.preset, "gmail");
    EXPECT_EQ(d.reason, "MX aspmx.l.google.com: Gmail and Google Workspace");
}

TEST(Autodetect, OnlyPresetsThatExist) {
    std::vector<Preset> some = {*find_preset(presets(), "custom")};
    EXPECT_EQ(domain_preset("gmail.com", some), "");
    EXPECT_EQ(mx_preset("mx.zoho.jp", some), "");
}

TEST(Autodetect, SrvRecordsGiveACustomAccount) {
    FakeDns dns;
    dns.mx_records["example.org"] = {{10, "mail.example.org"}};
    dns.srv_records["_imaps._tcp.example.org"] = {{0, 1, 993, "imap.example.org"}};
    dns.srv_records["_submission._tcp.example.org"] = {{0, 1, 587, "smtp.example.org"}};
    Detection d = detect("a@example.org", dns);
    EXPECT_EQ(d.source, Detection::Source::Srv);
    EXPECT_EQ(d.preset, "custom");
    EXPECT_EQ(d.imap.host, "imap.example.org");
    EXPECT_EQ(d.imap.port, 993);
    EXPECT_EQ(d.imap.security, "tls");
    EXPECT_FALSE(d.pop.found());
    EXPECT_EQ(d.smtp.host, "smtp.example.org");
    EXPECT_EQ(d.smtp.security, "starttls");
    EXPECT_EQ(d.reason, "SRV records of example.org (RFC 6186): IMAP imap.example.org:993 (tls), "
                        "SMTP smtp.example.org:587 (starttls)");
    nlohmann::json account = nlohmann::json::object();
    add_detected_servers(d, account);
    EXPECT_EQ(account["imap"], (nlohmann::json{{"host", "imap.example.org"}, {"port", 993}, {"security", "tls"}}));
    EXPECT_FALSE(account.contains("pop"));
    EXPECT_EQ(detection_to_json(d)["source"], "srv");
}

TEST(Autodetect, NothingFoundNamesWhatWasTried) {
    FakeDns dns;
    dns.mx_records["example.net"] = {{10, "mx.example.net"}};
    Detection d = detect("a@example.net", dns);
    EXPECT_FALSE(d.found());
    Error e = nothing_detected("a@example.net", d);
    EXPECT_EQ(e.kind, ErrorKind::Usage);
    EXPECT_NE(std::string(e.what()).find("MX mx.example.net: no known provider"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no SRV records"), std::string::npos) << e.what();
    EXPECT_NE(e.hint.find("--preset"), std::string::npos);
}

TEST(Autodetect, AFailedLookupFallsThroughWithoutWaitingAgain) {
    FakeDns dns;
    dns.fail = {"example.com"};
    Detection d = detect("a@example.com", dns);
    EXPECT_FALSE(d.found());
    EXPECT_EQ(dns.asked.size(), 1u);  // no SRV lookups after a timeout
    EXPECT_NE(nothing_detected("a@example.com", d).what(), std::string());

    FakeDns srv_fails;
    srv_fails.fail = {"_pop3s._tcp.example.com"};
    srv_fails.srv_records["_imaps._tcp.example.com"] = {{0, 0, 993, "imap.example.com"}};
    EXPECT_FALSE(detect("a@example.com", srv_fails).found());
}

TEST(Autodetect, AddressWithoutDomainIsAUsageError) {
    FakeDns dns;
    for (const char* address : {"nobody", "nobody@", "a@b c"}) {
        try {
            detect(address, dns);
            ADD_FAILURE() << address;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind, ErrorKind::Usage) << address;
        }
    }
    EXPECT_EQ(address_domain("You@Example.ORG."), "example.org");
}

}  // namespace
}  // namespace zmail::profile
