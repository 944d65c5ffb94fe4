// How to reach and log in to one mail server: the settings lib/net turns into a libcurl handle.
// Header-only and free of libcurl, so the profile code (pure) can fill it in and name its values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace zmail::net {

enum class Protocol { imap, pop3, smtp };

/// How the connection is protected.
enum class Security {
    tls,       ///< implicit TLS from the first byte (imaps 993, pop3s 995, smtps/submissions 465)
    starttls,  ///< plain connect, then STARTTLS (or STLS) is required before login (143, 110, 587)
    none,      ///< no TLS at all; refused unless ServerOptions::allow_plaintext is set
};

/// The SASL mechanism used to log in. Always pinned: libcurl's own choice depends on what the
/// server advertises and on the user name (see shared/notes/libcurl-facts.md, Q1).
enum class Mechanism { plain, login, xoauth2, oauthbearer };

/// Receives one line of protocol trace or one warning, without line ending. Never sees secrets.
using LineSink = std::function<void(std::string_view line)>;

/// Everything needed to connect and log in. Plain data; copying it copies the secret.
struct ServerOptions {
    Protocol protocol = Protocol::imap;
    std::string host;
    int port = 0;                        ///< 0: the usual port for protocol and security
    Security security = Security::tls;
    bool allow_plaintext = false;        ///< must be true for Security::none
    std::string ca_file;                 ///< when set, the only CA trusted (system store ignored)
    bool tls_verify = true;              ///< false disables certificate checks, with a loud warning
    Mechanism mechanism = Mechanism::plain;
    std::string user;
    std::string secret;                  ///< password, or the bearer token for xoauth2/oauthbearer
    int connect_timeout_seconds = 30;    ///< connect + TLS handshake
    int io_timeout_seconds = 120;        ///< each wait for the server, during and after login
    std::string ehlo_name = "localhost"; ///< SMTP only: the name sent in EHLO
    /// Optional: a new secret after the server refused `rejected` at login (an OAuth2 access token
    /// is renewed); the login is then tried once more. Throws like the first lookup.
    std::function<std::string(const std::string& rejected)> renew_secret;
    std::string renew_hint;              ///< what to run when even the renewed secret is refused
    LineSink trace;                      ///< optional: protocol trace ("C: ", "S: ", "* " prefixes)
    LineSink warning;                    ///< optional: warnings (e.g. verification off)
};

/// The profile key that must be true to allow Security::none, named in the Config error.
inline const char* allow_plaintext_key(Protocol protocol) {
    switch (protocol) {
    case Protocol::imap: return "imap.allow_plaintext";
    case Protocol::pop3: return "pop.allow_plaintext";
    case Protocol::smtp: return "smtp.allow_plaintext";
    }
    return "imap.allow_plaintext";
}

inline const char* protocol_name(Protocol protocol) {
    switch (protocol) {
    case Protocol::imap: return "imap";
    case Protocol::pop3: return "pop3";
    case Protocol::smtp: return "smtp";
    }
    return "imap";
}

inline const char* security_name(Security security) {
    switch (security) {
    case Security::tls: return "tls";
    case Security::starttls: return "starttls";
    case Security::none: return "none";
    }
    return "tls";
}

inline const char* mechanism_name(Mechanism mechanism) {
    switch (mechanism) {
    case Mechanism::plain: return "plain";
    case Mechanism::login: return "login";
    case Mechanism::xoauth2: return "xoauth2";
    case Mechanism::oauthbearer: return "oauthbearer";
    }
    return "plain";
}

inline std::optional<Protocol> parse_protocol(std::string_view name) {
    if (name == "imap") return Protocol::imap;
    if (name == "pop3") return Protocol::pop3;
    if (name == "smtp") return Protocol::smtp;
    return std::nullopt;
}

inline std::optional<Security> parse_security(std::string_view name) {
    if (name == "tls") return Security::tls;
    if (name == "starttls") return Security::starttls;
    if (name == "none") return Security::none;
    return std::nullopt;
}

inline std::optional<Mechanism> parse_mechanism(std::string_view name) {
    if (name == "plain") return Mechanism::plain;
    if (name == "login") return Mechanism::login;
    if (name == "xoauth2") return Mechanism::xoauth2;
    if (name == "oauthbearer") return Mechanism::oauthbearer;
    return std::nullopt;
}

/// The usual port: imap 993/143, pop3 995/110, smtp 465/587 (implicit TLS / otherwise).
inline int default_port(Protocol protocol, Security security) {
    const bool implicit = security == Security::tls;
    switch (protocol) {
    case Protocol::imap: return implicit ? 993 : 143;
    case Protocol::pop3: return implicit ? 995 : 110;
    case Protocol::smtp: return implicit ? 465 : 587;
    }
    return 0;
}

}  // namespace zmail::net
