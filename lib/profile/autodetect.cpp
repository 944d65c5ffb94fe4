#include "profile/autodetect.hpp"

#include "i18n.hpp"

#include <string_view>

namespace zmail::profile {

namespace {

struct DomainRule {
    const char* domain;
    const char* preset;
};

// Mail domains of the big providers. Zoho's own domains come from the zoho presets (imap.DOMAIN).
constexpr DomainRule domain_rules[] = {
    {"gmail.com", "gmail"},       {"googlemail.com", "gmail"},     {"outlook.com", "outlook"},
    {"hotmail.com", "outlook"},   {"live.com", "outlook"},         {"msn.com", "outlook"},
    {"outlook.jp", "outlook"},    {"hotmail.co.jp", "outlook"},    {"hotmail.co.uk", "outlook"},
    {"live.jp", "outlook"},       {"icloud.com", "icloud"},        {"me.com", "icloud"},
    {"mac.com", "icloud"},        {"yahoo.com", "yahoo"},          {"ymail.com", "yahoo"},
    {"rocketmail.com", "yahoo"},  {"fastmail.com", "fastmail"},    {"fastmail.fm", "fastmail"},
    {"qq.com", "qq"},             {"vip.qq.com", "qq"},            {"foxmail.com", "qq"},
    {"163.com", "netease-163"},   {"126.com", "netease-126"},      {"zohomail.com", "zoho"},
    {"zohomail.eu", "zoho-eu"},   {"zohomail.in", "zoho-in"},
};

struct MxSuffixRule {
    const char* suffix;  // the MX host ends with it (or is it, without the leading dot)
    const char* preset;
};

// Hosted mail services by the MX hosts they give their customers' domains.
constexpr MxSuffixRule mx_rules[] = {
    {".l.google.com", "gmail"},                       // aspmx.l.google.com, alt1.aspmx.l.google.com
    {".googlemail.com", "gmail"},                     // aspmx2.googlemail.com
    {".mail.protection.outlook.com", "outlook"},      // Microsoft 365
    {".olc.protection.outlook.com", "outlook"},       // Outlook.com custom domains
    {".mail.icloud.com", "icloud"},                   // iCloud custom domains
    {".yahoodns.net", "yahoo"},
    {".messagingengine.com", "fastmail"},
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string lower(std::string text) {
    for (char& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

const Preset* preset_named(const std::vector<Preset>& presets, std::string_view name) {
    for (const auto& p : presets)
        if (p.name == name) return &p;
    return nullptr;
}

/// "mx", "mx2", "mx13": the first label of Zoho's and QQ's MX hosts.
bool is_mx_label(std::string_view label) {
    if (label.substr(0, 2) != "mx") return false;
    return label.substr(2).find_first_not_of("0123456789") == std::string_view::npos;
}

/// Zoho: mx.zoho.jp, mx2.zoho.com, ... -> the zoho-org preset whose IMAP host is imappro.DOMAIN.
std::string zoho_mx_preset(std::string_view host, const std::vector<Preset>& presets) {
    const auto dot = host.find('.');
    if (dot == std::string_view::npos || !is_mx_label(host.substr(0, dot))) return {};
    const std::string domain(host.substr(dot + 1));
    for (const auto& p : presets)
        if (p.name.rfind("zoho-org", 0) == 0 && p.imap.host == "imappro." + domain) return p.name;
    return {};
}

/// QQ (mx1.qq.com; not Tencent's business mail, mxbiz1.qq.com) and NetEase (163mx01.mxmail.netease.com).
std::string chinese_mx_preset(std::string_view host) {
    const auto dot = host.find('.');
    if (dot == std::string_view::npos) return {};
    const std::string_view label = host.substr(0, dot), rest = host.substr(dot + 1);
    if (rest == "qq.com" && is_mx_label(label)) return "qq";
    if (rest == "mxmail.netease.com" && label.substr(0, 5) == "163mx") return "netease-163";
    if (rest == "mxmail.netease.com" && label.substr(0, 5) == "126mx") return "netease-126";
    return {};
}

std::string describe(const DetectedServer& s, const char* service) {
    return std::string(service) + " " + s.host + ":" + std::to_string(s.port) + " (" + s.security + ")";
}

/// The first SRV record of `_SERVICE._tcp.DOMAIN` for the implicit-TLS then the STARTTLS name.
DetectedServer find_srv(const DnsSource& dns, const std::string& domain, const char* tls_service,
                        const char* starttls_service) {
    for (const auto& [service, security] : {std::pair{tls_service, "tls"}, std::pair{starttls_service, "starttls"}}) {
        const auto records = dns.srv(std::string("_") + service + "._tcp." + domain);
        if (!records.empty()) return {records.front().target, records.front().port, security};
    }
    return {};
}

bool try_mx(const std::string& domain, const std::vector<Preset>& presets, const DnsSource& dns, Detection& found) {
    const auto records = dns.mx(domain);
    std::vector<std::string> hosts;
    for (const auto& record : records) {
        const std::string preset = mx_preset(record.exchange, presets);
        if (!preset.empty()) {
            found.source = Detection::Source::Mx;
            found.preset = preset;
            found.reason = tr("MX {}: {}", record.exchange, preset_named(presets, preset)->description);
            return true;
        }
        hosts.push_back(record.exchange);
    }
    found.looked_at.push_back(hosts.empty() ? tr("no MX records") : tr("MX {}: no known provider", join(hosts, ", ")));
    return false;
}

bool try_srv(const std::string& domain, const DnsSource& dns, Detection& found) {
    found.imap = find_srv(dns, domain, "imaps", "imap");
    found.pop = find_srv(dns, domain, "pop3s", "pop3");
    found.smtp = find_srv(dns, domain, "submissions", "submission");
    std::vector<std::string> servers;
    if (found.imap.found()) servers.push_back(describe(found.imap, "IMAP"));
    if (found.pop.found()) servers.push_back(describe(found.pop, "POP3"));
    if (found.smtp.found()) servers.push_back(describe(found.smtp, "SMTP"));
    if (servers.empty()) {
        found.looked_at.push_back(tr("no SRV records (RFC 6186)"));
        return false;
    }
    found.source = Detection::Source::Srv;
    found.preset = "custom";
    found.reason = tr("SRV records of {} (RFC 6186): {}", domain, join(servers, ", "));
    return true;
}

}  // namespace

const char* source_name(Detection::Source source) {
    switch (source) {
    case Detection::Source::Domain: return "domain";
    case Detection::Source::Mx: return "mx";
    case Detection::Source::Srv: return "srv";
    case Detection::Source::None: break;
    }
    return "none";
}

std::string address_domain(const std::string& address) {
    const auto at = address.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : lower(address.substr(at + 1));
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (domain.empty() || domain.find_first_of(" \t\r\n/\\") != std::string::npos)
        throw Error(ErrorKind::Usage, tr("'{}' is not a mail address", address),
                    tr("give the whole address, e.g. --address you@example.com"));
    return domain;
}

std::string domain_preset(const std::string& domain, const std::vector<Preset>& presets) {
    for (const auto& rule : domain_rules)
        if (domain == rule.domain && preset_named(presets, rule.preset)) return rule.preset;
    for (const auto& p : presets)
        if (p.name.rfind("zoho", 0) == 0 && p.name.rfind("zoho-org", 0) != 0 && p.imap.host == "imap." + domain)
            return p.name;
    return {};
}

std::string mx_preset(const std::string& exchange, const std::vector<Preset>& presets) {
    const std::string host = lower(exchange);
    std::string preset = zoho_mx_preset(host, presets);
    if (preset.empty()) preset = chinese_mx_preset(host);
    for (const auto& rule : mx_rules)
        if (preset.empty() && ends_with(host, rule.suffix)) preset = rule.preset;
    if (preset.empty() && host == "smtp.google.com") preset = "gmail";  // Google Workspace since 2023
    return preset_named(presets, preset) ? preset : std::string();
}

Detection detect_settings(const std::string& address, const std::vector<Preset>& presets, const DnsSource& dns) {
    const std::string domain = address_domain(address);
    Detection found;
    found.preset = domain_preset(domain, presets);
    if (found.found()) {
        found.source = Detection::Source::Domain;
        found.reason = tr("domain {}: {}", domain, preset_named(presets, found.preset)->description);
        return found;
    }
    found.looked_at.push_back(tr("{} is not a known provider's domain", domain));
    try {
        if (try_mx(domain, presets, dns, found)) return found;
    } catch (const Error& e) {
        found.looked_at.push_back(e.what());
        if (e.kind == ErrorKind::Network) return found;  // no answer at all: do not wait for six more
    }
    try {
        try_srv(domain, dns, found);
    } catch (const Error& e) {
        found.imap = found.pop = found.smtp = {};
        found.looked_at.push_back(e.what());
    }
    return found;
}

Error nothing_detected(const std::string& address, const Detection& detection) {
    return Error(ErrorKind::Usage,
                 tr("cannot tell the mail servers of '{}': {}", address, join(detection.looked_at, "; ")),
                 tr("give --preset PRESET (see 'zmail settings presets'), or --imap/--pop/--smtp HOST[:PORT]"));
}

nlohmann::json detection_to_json(const Detection& detection) {
    nlohmann::json j = {{"source", source_name(detection.source)},
                        {"preset", detection.preset},
                        {"reason", detection.reason}};
    auto server = [](const DetectedServer& s) -> nlohmann::json {
        if (!s.found()) return nullptr;
        return {{"host", s.host}, {"port", s.port}, {"security", s.security}};
    };
    if (detection.source == Detection::Source::Srv)
        j["servers"] = {{"imap", server(detection.imap)}, {"pop", server(detection.pop)}, {"smtp", server(detection.smtp)}};
    return j;
}

void add_detected_servers(const Detection& detection, nlohmann::json& account) {
    const std::pair<const char*, const DetectedServer*> services[] = {
        {"imap", &detection.imap}, {"pop", &detection.pop}, {"smtp", &detection.smtp}};
    for (const auto& [name, s] : services)
        if (s->found()) account[name] = {{"host", s->host}, {"port", s->port}, {"security", s->security}};
}

}  // namespace zmail::profile
