#include "diagnose/diagnose.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/session.hpp"
#include "net/account_options.hpp"
#include "net/connection.hpp"
#include "pop3/session.hpp"
#include "smtp/reply.hpp"
#include "text/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>

namespace zmail::diagnose {

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
    std::string l = text::ascii_lower(text);
    for (const char* w : words)
        if (l.find(w) != std::string::npos) return true;
    return false;
}

// Reads CRLF lines from a stream (for the SMTP EHLO exchange).
class LineReader {
public:
    explicit LineReader(net::Stream& s) : stream_(s) {}
    std::string line() {
        for (;;) {
            auto nl = buffer_.find("\r\n");
            if (nl != std::string::npos) {
                std::string l = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 2);
                return l;
            }
            if (buffer_.size() > 65536) throw Error(ErrorKind::Protocol, tr("server reply line too long"));
            char chunk[4096];
            size_t n = stream_.read_some(chunk, sizeof chunk);
            buffer_.append(chunk, n);
        }
    }

private:
    net::Stream& stream_;
    std::string buffer_;
};

json imap_offers(net::Connection& c) {
    imap::Session session(c);
    const imap::Capabilities& capabilities = session.capabilities();
    json offers = json::object();
    for (const char* name : {"CONDSTORE", "QRESYNC", "UIDPLUS", "IDLE", "SPECIAL-USE", "LIST-STATUS", "MOVE",
                             "LITERAL+", "ID", "UTF8=ACCEPT"})
        offers[name] = capabilities.has(name);
    session.logout();
    return offers;
}

json pop3_offers(net::Connection& c) {
    pop3::Session session(c);
    const auto& caps = session.capa();
    json offers = {{"UIDL", caps.uidl}, {"PIPELINING", caps.pipelining}, {"TOP", caps.top}};
    if (caps.expire_days) offers["EXPIRE"] = *caps.expire_days;
    session.quit();
    return offers;
}

json smtp_offers(net::Connection& c) {
    c.write("EHLO localhost\r\n");
    LineReader lines(c);
    smtp::ReplyParser parser;
    std::optional<smtp::Reply> reply;
    while (!reply) reply = parser.add_line(lines.line());
    auto caps = smtp::parse_ehlo(*reply);
    json offers = {{"8BITMIME", caps.eight_bit_mime}, {"SMTPUTF8", caps.smtputf8}, {"PIPELINING", caps.pipelining},
                   {"SIZE", caps.size_limit ? json(*caps.size_limit) : json(nullptr)}};
    c.write("QUIT\r\n");
    return offers;
}

void add_login_hints(ServiceReport& r, const profile::Account& account, const Error& e) {
    std::string words = std::string(e.what()) + " " + e.server_reply;
    const auto& preset = account.preset;
    bool mentions_access = mentions(words, {"enable imap", "enable pop", "imap access", "pop access", "not enabled",
                                            "disabled", "yet to enable"});
    bool mentions_app_password = mentions(words, {"application-specific", "app password", "application specific",
                                                  "web login required", "asp"});
    const std::string access = r.service == "pop3" ? "pop" : "imap";
    if (mentions_access) {
        for (const auto& w : preset.web_policies)
            if (w.access == access)
                // TRANSLATORS: imap or pop3, then where in the provider's web settings
                r.hints.push_back(tr("{} access is off in the provider's web settings: turn it on at {}", r.service,
                                     w.where));
        if (r.hints.empty())
            // TRANSLATORS: {} is imap or pop3
            r.hints.push_back(tr("{} access may be turned off in the provider's web settings", r.service));
    }
    if (!preset.password_note.empty()) {
        if (mentions_app_password) r.hints.insert(r.hints.begin(), preset.password_note);
        else r.hints.push_back(preset.password_note);
    }
    if (!mentions_access)
        for (const auto& w : preset.web_policies)
            if (w.access == access)
                // TRANSLATORS: imap or pop3, then where in the provider's web settings
                r.hints.push_back(tr("{} access must be enabled in the provider's web settings: {}", r.service,
                                     w.where));
    r.hints.push_back(tr("accounts that sign in through another identity provider (Google, Microsoft, SAML) may have "
                         "no mail password at all: set one with the provider, or use OAuth2 (auth.mechanism xoauth2)"));
}

void add_connect_hints(ServiceReport& r, const profile::ServerSettings& s) {
    if (r.service == "smtp" && s.port == 25)
        r.hints.push_back(tr("port 25 is for server-to-server mail and is often blocked: use 465 (security tls) or "
                             "587 (security starttls)"));
    else if (r.service == "smtp")
        r.hints.push_back(tr("check the port: mail submission uses 465 (tls) or 587 (starttls); some networks block "
                             "outgoing mail ports"));
    else
        r.hints.push_back(r.service == "imap" ? tr("check the host and port: IMAP uses 993 (tls) or 143 (starttls)")
                                              : tr("check the host and port: POP3 uses 995 (tls) or 110 (starttls)"));
}

/// The steps of a service's report while it runs: each one recorded and shown as it ends.
struct Steps {
    ServiceReport& report;
    const std::function<void(const ServiceReport&, const Step&)>& progress;

    bool finish(Step s) {
        report.steps.push_back(s);
        if (progress) progress(report, report.steps.back());
        return s.ok;
    }

    void fail(const Error& e) {
        report.error = e.what();
        report.kind = e.kind;
        report.server_reply = e.server_reply;
        if (!e.hint.empty()) report.hints.push_back(e.hint);
    }
};

/// The steps of a login that libcurl did (it resolves, connects, possibly through a proxy, does
/// TLS and logs in): each before the step `failure` names ok, with the time since the login
/// started; the failed one carries the failure's message.
void login_steps(Steps& steps, const net::LoginReport& report, bool tls, const std::string& user,
                 const net::LoginFailure* failure) {
    const auto& t = report.timings;
    const bool proxied = !report.proxy.empty();
    struct Planned {
        net::LoginStep step;
        const char* name;
        std::chrono::microseconds at;
        std::string detail;
    };
    const Planned planned[] = {
        {net::LoginStep::resolve, "resolve", t.name_lookup,
         proxied ? tr("left to the proxy ({})", report.proxy) : report.address},
        {net::LoginStep::connect, "connect", t.connect, proxied ? tr("through the proxy ({})", report.proxy) : ""},
        {net::LoginStep::tls, "tls", t.tls_handshake,
         report.tls_version + (report.tls_cipher.empty() ? "" : " " + report.tls_cipher)},
        // TRANSLATORS: {} is the user name the login step used
        {net::LoginStep::login, "login", t.login, tr("as '{}'", user)},
    };
    for (const Planned& p : planned) {
        if (p.step == net::LoginStep::tls && !tls) continue;
        if (failure && failure->step == p.step) {
            steps.finish({p.name, false, ms(t.login), failure->what()});
            return;
        }
        steps.finish({p.name, true, ms(p.at), p.detail});
    }
}

/// Connects and logs in as `options` says, recording the steps; nullopt when that failed.
std::optional<net::Connection> log_in(Steps& steps, net::ServerOptions options, const profile::Account& account,
                                      const profile::ServerSettings& server) {
    const bool tls = server.security != "none";
    try {
        net::Connection connection(std::move(options));
        login_steps(steps, connection.report(), tls, account.user, nullptr);
        return connection;
    } catch (const net::LoginFailure& e) {
        login_steps(steps, e.report, tls, account.user, &e);
        steps.fail(e);
        ServiceReport& r = steps.report;
        if (e.kind == ErrorKind::Auth) add_login_hints(r, account, e);
        if (e.step == net::LoginStep::connect && e.report.proxy.empty()) {
            std::erase(r.hints, e.hint);  // the settings test's own hints say more (port 25, the usual ports)
            add_connect_hints(r, server);
        }
        if (e.kind == ErrorKind::Tls && server.port == 25) add_connect_hints(r, server);
    } catch (const Error& e) {  // the settings, before any connection
        steps.finish({"login", false, 0, e.what()});
        steps.fail(e);
    }
    return std::nullopt;
}

ServiceReport test_protocol(const profile::Profile& profile, const profile::Account& account, net::Protocol protocol,
                           const std::function<void(const ServiceReport&, const Step&)>& progress, int timeout) {
    const auto& server = net::account_server(account, protocol);
    ServiceReport r;
    r.service = net::protocol_name(protocol);
    r.endpoint = server.endpoint() + " (" + server.security + ")";
    Steps steps{r, progress};

    net::ServerOptions options;
    try {
        options = net::account_server_options(profile, account, protocol);
    } catch (const Error& e) {
        steps.finish({"login", false, 0, tr("no credentials")});
        steps.fail(e);
        return r;
    }
    options.connect_timeout_seconds = timeout;
    options.io_timeout_seconds = timeout;
    options.warning = [&r](std::string_view w) { r.hints.push_back(std::string(w)); };
    std::optional<net::Connection> connection = log_in(steps, std::move(options), account, server);
    if (!connection) return r;
    const auto start = Clock::now();
    try {
        if (protocol == net::Protocol::imap) r.offers = imap_offers(*connection);
        else if (protocol == net::Protocol::pop3) r.offers = pop3_offers(*connection);
        else r.offers = smtp_offers(*connection);
        steps.finish({"capabilities", true, ms_since(start), ""});
        r.ok = true;
    } catch (const Error& e) {
        steps.finish({"capabilities", false, ms_since(start), e.what()});
        steps.fail(e);
    }
    if (r.ok && protocol == net::Protocol::pop3 && r.offers.value("UIDL", false) == false)
        r.hints.push_back(tr("the server has no UIDL: zmail fetch cannot tell which messages it already has"));
    return r;
}

}  // namespace

std::vector<std::string> configured_services(const profile::Account& account) {
    std::vector<std::string> out;
    for (auto protocol : {net::Protocol::imap, net::Protocol::pop3, net::Protocol::smtp})
        if (net::account_server(account, protocol).configured()) out.push_back(net::protocol_name(protocol));
    if (out.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no server to test", account.name),
                    tr("set imap.host, pop.host or smtp.host, or pick a preset"));
    return out;
}

ServiceReport test_service(const profile::Profile& profile, const profile::Account& account, const std::string& service,
                           const std::function<void(const ServiceReport&, const Step&)>& progress, int timeout_seconds) {
    auto protocol = net::parse_protocol(service);
    if (!protocol) throw Error(ErrorKind::Usage, tr("unknown service '{}'", service), tr("use imap, pop3 or smtp"));
    return test_protocol(profile, account, *protocol, progress, timeout_seconds);
}

std::vector<ServiceReport> test_account(const profile::Profile& profile, const profile::Account& account,
                                        const std::function<void(const ServiceReport&, const Step&)>& progress,
                                        int timeout_seconds) {
    std::vector<ServiceReport> reports;
    for (const auto& service : configured_services(account))
        reports.push_back(test_service(profile, account, service, progress, timeout_seconds));
    return reports;
}

json to_json(const ServiceReport& r) {
    json steps = json::array();
    for (const auto& s : r.steps)
        steps.push_back({{"step", s.name}, {"ok", s.ok}, {"ms", s.milliseconds}, {"detail", s.detail}});
    json offers = json::object();
    for (const auto& [capability, value] : r.offers.items()) offers[offer_field(capability)] = value;
    return {{"service", r.service}, {"endpoint", r.endpoint}, {"ok", r.ok}, {"steps", steps}, {"offers", offers},
            {"hints", r.hints}};
}

std::string offer_field(std::string_view capability) {
    if (capability == "8BITMIME") return "eight_bit_mime";  // a name cannot start with a digit
    std::string field;
    for (char c : capability) {
        if (c == '+') field += "_plus";
        else field += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    return text::ascii_lower(field);
}

}  // namespace zmail::diagnose
