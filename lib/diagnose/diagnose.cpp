#include "diagnose/diagnose.hpp"
#include "net/curl_library.hpp"
#include "net/dial.hpp"

#include "error.hpp"
#include "imap/response_reader.hpp"
#include "net/account_options.hpp"
#include "net/connection.hpp"
#include "pop3/session.hpp"
#include "smtp/reply.hpp"
#include "text/ascii.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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

struct Resolved {
    std::vector<struct sockaddr_storage> addresses;
    std::vector<socklen_t> lengths;
    std::string first;
};

Resolved resolve(const std::string& host, int port, std::string& error) {
    struct addrinfo hints {};
    hints.ai_socktype = SOCK_STREAM;
    struct addrinfo* list = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
    Resolved r;
    if (rc != 0) {
        error = ::gai_strerror(rc);
        return r;
    }
    for (auto* a = list; a; a = a->ai_next) {
        struct sockaddr_storage s {};
        std::memcpy(&s, a->ai_addr, a->ai_addrlen);
        r.addresses.push_back(s);
        r.lengths.push_back(a->ai_addrlen);
        if (r.first.empty()) {
            char text[NI_MAXHOST] = {};
            if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
                r.first = text;
        }
    }
    ::freeaddrinfo(list);
    return r;
}

// A plain TCP connect with a timeout, only to tell "cannot connect" apart from later failures.
bool tcp_connect(const Resolved& r, int timeout_seconds, std::string& error) {
    for (size_t i = 0; i < r.addresses.size(); ++i) {
        const auto* address = reinterpret_cast<const struct sockaddr*>(&r.addresses[i]);
        int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        int rc = ::connect(fd, address, r.lengths[i]);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd p {fd, POLLOUT, 0};
            rc = ::poll(&p, 1, timeout_seconds * 1000);
            if (rc == 0) {
                error = "timed out after " + std::to_string(timeout_seconds) + " s";
                ::close(fd);
                continue;
            }
            int so_error = 0;
            socklen_t len = sizeof so_error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
            rc = so_error == 0 ? 0 : -1;
            if (so_error) errno = so_error;
        }
        if (rc == 0) {
            ::close(fd);
            return true;
        }
        error = std::strerror(errno);
        ::close(fd);
    }
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
            if (buffer_.size() > 65536) throw Error(ErrorKind::Protocol, "server reply line too long");
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
    c.write("Z1 CAPABILITY\r\nZ2 LOGOUT\r\n");
    imap::ResponseReader reader;
    std::vector<std::string> caps;
    char chunk[4096];
    for (bool done = false; !done;) {
        size_t n = c.read_some(chunk, sizeof chunk);
        reader.feed(std::string_view(chunk, n));
        while (auto r = reader.next()) {
            if (auto* cap = r->get<imap::CapabilityData>()) caps = cap->capabilities;
            if (auto* t = r->tagged(); t && t->tag == "Z1") done = true;
        }
    }
    json offers = json::object();
    for (const char* name : {"CONDSTORE", "QRESYNC", "UIDPLUS", "IDLE", "SPECIAL-USE", "LIST-STATUS", "MOVE",
                             "LITERAL+", "ID", "UTF8=ACCEPT"}) {
        bool has = std::any_of(caps.begin(), caps.end(), [&](const std::string& c) { return imap::equals_ignore_case(c, name); });
        offers[name] = has;
    }
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
    if (mentions_access) {
        for (const auto& w : preset.web_policies)
            if (mentions(w.policy, {r.service == "pop3" ? "pop access" : "imap access"}))
                r.hints.push_back(r.service + " access is off in the provider's web settings: turn it on at " + w.where);
        if (r.hints.empty()) r.hints.push_back(r.service + " access may be turned off in the provider's web settings");
    }
    if (!preset.password_note.empty()) {
        if (mentions_app_password) r.hints.insert(r.hints.begin(), preset.password_note);
        else r.hints.push_back(preset.password_note);
    }
    if (!mentions_access)
        for (const auto& w : preset.web_policies)
            if (mentions(w.policy, {r.service == "pop3" ? "pop access" : "imap access"}))
                r.hints.push_back(r.service + " access must be enabled in the provider's web settings: " + w.where);
    r.hints.push_back("accounts that sign in through another identity provider (Google, Microsoft, SAML) may have no "
                      "mail password at all: set one with the provider, or use OAuth2 (auth.mechanism xoauth2)");
}

void add_connect_hints(ServiceReport& r, const profile::ServerSettings& s) {
    if (r.service == "smtp" && s.port == 25)
        r.hints.push_back("port 25 is for server-to-server mail and is often blocked: use 465 (security tls) or 587 "
                          "(security starttls)");
    else if (r.service == "smtp")
        r.hints.push_back("check the port: mail submission uses 465 (tls) or 587 (starttls); some networks block "
                          "outgoing mail ports");
    else
        r.hints.push_back(std::string("check the host and port: ") + (r.service == "imap" ? "IMAP uses 993 (tls) or 143 (starttls)"
                                                                                      : "POP3 uses 995 (tls) or 110 (starttls)"));
}

ServiceReport test_protocol(const profile::Profile& profile, const profile::Account& account, net::Protocol protocol,
                           const std::function<void(const ServiceReport&, const Step&)>& progress, int timeout) {
    const auto& server = net::account_server(account, protocol);
    ServiceReport r;
    r.service = net::protocol_name(protocol);
    r.endpoint = server.endpoint() + " (" + server.security + ")";
    auto finish_step = [&](Step s) {
        r.steps.push_back(s);
        if (progress) progress(r, r.steps.back());
        return s.ok;
    };
    auto fail = [&](const Error& e) {
        r.error = e.what();
        r.error_kind = kind_name(e.kind);
        r.kind = e.kind;
        r.server_reply = e.server_reply;
        if (!e.hint.empty()) r.hints.push_back(e.hint);
    };

    // libcurl is loaded on first use (net/curl_library.hpp); load it now so that its loading
    // time does not show as part of the TLS and login times below
    try {
        net::curl_library();
    } catch (const Error& e) {
        fail(e);
        return r;
    }
    auto start = Clock::now();
    std::string problem;
    // with a proxy in the environment nothing connects to the server directly, this check neither
    const std::string scheme = r.service + (server.security == "tls" ? "s" : "");
    const bool proxied = net::Dial::proxy_in_environment(scheme);
    Resolved resolved;
    if (proxied) {
        finish_step({"resolve", true, 0, "left to the proxy"});
        finish_step({"connect", true, 0, "through the proxy"});
    } else {
        resolved = resolve(server.host, server.port, problem);
        if (!finish_step({"resolve", !resolved.addresses.empty(), ms_since(start),
                          resolved.addresses.empty() ? problem : resolved.first})) {
            r.error = "cannot resolve '" + server.host + "': " + problem;
            r.error_kind = "network";
            r.kind = ErrorKind::Network;
            r.hints.push_back("check the host name and that this computer is online");
            return r;
        }
    }
    start = Clock::now();
    if (!proxied && !finish_step({"connect", tcp_connect(resolved, timeout, problem), ms_since(start), problem})) {
        r.error = "cannot connect to '" + server.endpoint() + "': " + problem;
        r.error_kind = "network";
        r.kind = ErrorKind::Network;
        add_connect_hints(r, server);
        return r;
    }

    net::ServerOptions options;
    try {
        options = net::account_server_options(profile, account, protocol);
    } catch (const Error& e) {
        finish_step({"login", false, 0, "no credentials"});
        fail(e);
        return r;
    }
    options.connect_timeout_seconds = timeout;
    options.io_timeout_seconds = timeout;
    options.warning = [&r](std::string_view w) { r.hints.push_back(std::string(w)); };
    std::optional<net::Connection> connection;
    try {
        connection.emplace(std::move(options));
    } catch (const Error& e) {
        if (proxied && e.kind == ErrorKind::Network) {  // the proxy, not TLS or the login
            finish_step({"login", false, 0, e.what()});
            fail(e);
            return r;
        }
        bool tls_failed = e.kind == ErrorKind::Tls;
        if (server.security != "none") finish_step({"tls", !tls_failed, 0, tls_failed ? e.what() : ""});
        if (!tls_failed) finish_step({"login", false, 0, e.what()});
        fail(e);
        if (e.kind == ErrorKind::Auth) add_login_hints(r, account, e);
        if (e.kind == ErrorKind::Tls && server.port == 25) add_connect_hints(r, server);
        return r;
    }
    const auto& report = connection->report();
    if (server.security != "none")
        finish_step({"tls", true, ms(report.timings.tls_handshake),
                     report.tls_version + (report.tls_cipher.empty() ? "" : " " + report.tls_cipher)});
    finish_step({"login", true, ms(report.timings.login), "as '" + account.user + "'"});
    start = Clock::now();
    try {
        if (protocol == net::Protocol::imap) r.offers = imap_offers(*connection);
        else if (protocol == net::Protocol::pop3) r.offers = pop3_offers(*connection);
        else r.offers = smtp_offers(*connection);
        finish_step({"capabilities", true, ms_since(start), ""});
        r.ok = true;
    } catch (const Error& e) {
        finish_step({"capabilities", false, ms_since(start), e.what()});
        fail(e);
    }
    if (r.ok && protocol == net::Protocol::pop3 && r.offers.value("UIDL", false) == false)
        r.hints.push_back("the server has no UIDL: zmail fetch cannot tell which messages it already has");
    return r;
}

}  // namespace

std::vector<std::string> configured_services(const profile::Account& account) {
    std::vector<std::string> out;
    for (auto protocol : {net::Protocol::imap, net::Protocol::pop3, net::Protocol::smtp})
        if (net::account_server(account, protocol).configured()) out.push_back(net::protocol_name(protocol));
    if (out.empty())
        throw Error(ErrorKind::Config, "account '" + account.name + "' has no server to test",
                    "set imap.host, pop.host or smtp.host, or pick a preset");
    return out;
}

ServiceReport test_service(const profile::Profile& profile, const profile::Account& account, const std::string& service,
                           const std::function<void(const ServiceReport&, const Step&)>& progress, int timeout_seconds) {
    auto protocol = net::parse_protocol(service);
    if (!protocol) throw Error(ErrorKind::Usage, "unknown service '" + service + "'", "use imap, pop3 or smtp");
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
    json j = {{"service", r.service}, {"endpoint", r.endpoint}, {"ok", r.ok}, {"steps", steps}, {"offers", r.offers},
              {"hints", r.hints}};
    if (!r.ok) j["error"] = {{"message", r.error}, {"kind", r.error_kind}, {"server", r.server_reply}};
    return j;
}

}  // namespace zmail::diagnose
