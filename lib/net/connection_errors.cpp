#include "net/connection_errors.hpp"

#include "i18n.hpp"
#include "oauth2/grant.hpp"
#include "text/ascii.hpp"
#include "text/strings.hpp"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>  // the verification result codes

#include <algorithm>
#include <cctype>
#include <vector>

namespace zmail::net {

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
    return text::ascii_lower(haystack).find(text::ascii_lower(needle)) != std::string::npos;
}

std::string upper_name(Mechanism m) { return text::ascii_upper(mechanism_name(m)); }

}  // namespace

/// The SASL mechanisms the capability lines offer: IMAP "AUTH=X", SMTP "AUTH X Y", POP3 "SASL X Y".
std::vector<std::string> offered_mechanisms(const LoginTranscript& transcript) {
    std::vector<std::string> out;
    auto add = [&](std::string_view m) {
        std::string name(m);
        while (!name.empty() && (name.back() == ']' || name.back() == ')')) name.pop_back();
        if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    std::vector<std::string> lines = transcript.capabilities();
    if (lines.empty()) lines.push_back(transcript.greeting());
    for (const auto& line : lines) {
        std::vector<std::string_view> words;
        std::string_view rest = line;
        while (!rest.empty()) {
            const std::size_t space = rest.find(' ');
            if (space != 0) words.push_back(rest.substr(0, space));
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
        for (std::size_t i = 0; i < words.size(); ++i) {
            std::string_view w = words[i];
            if (w.size() > 4 && std::isdigit(static_cast<unsigned char>(w[0])) && (w[3] == '-' || w[3] == ' '))
                w.remove_prefix(4);  // SMTP "250-AUTH"
            if (w.size() > 5 && text::ascii_lower(w.substr(0, 5)) == "auth=") {
                add(w.substr(5));
            } else if (text::ascii_lower(w) == "auth" || text::ascii_lower(w) == "sasl") {
                for (std::size_t j = i + 1; j < words.size(); ++j) add(words[j]);
                break;
            }
        }
    }
    return out;
}

namespace {

std::string with_detail(std::string message, std::string_view detail) {
    if (!detail.empty()) message += ": " + std::string(detail);
    return message;
}

Error certificate_error(const FailedLogin& f) {
    const std::string ca_hint =
        tr("if the server uses a private certificate authority, set ca_file to its certificate; do not turn off "
           "tls_verify");
    const bool name_mismatch = f.verify_result == X509_V_ERR_HOSTNAME_MISMATCH ||
                               f.verify_result == X509_V_ERR_IP_ADDRESS_MISMATCH ||
                               contains(f.detail, "subject name") || contains(f.detail, "does not match");
    if (name_mismatch)
        return Error(ErrorKind::Tls,
                     // TRANSLATORS: the first {} is the server (host:port), the second its host name
                     tr("cannot trust the certificate of '{}': it is not valid for the name '{}'", f.peer,
                        f.options.host),
                     tr("connect using a host name the certificate lists (its subject alternative names)"));
    switch (f.verify_result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        return Error(ErrorKind::Tls,
                     tr("cannot trust the certificate of '{}': it was issued by an unknown certificate authority",
                        f.peer),
                     ca_hint);
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return Error(ErrorKind::Tls, tr("cannot trust the certificate of '{}': it is self-signed", f.peer), ca_hint);
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return Error(ErrorKind::Tls, tr("cannot trust the certificate of '{}': it has expired", f.peer),
                     tr("the server's administrator must renew it; check this computer's clock too"));
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return Error(ErrorKind::Tls, tr("cannot trust the certificate of '{}': it is not valid yet", f.peer),
                     tr("check this computer's date and time"));
    default: break;
    }
    // libcurl words it "SSL certificate problem: " and OpenSSL's reason for the verification result
    static constexpr std::string_view problem = "SSL certificate problem: ";
    std::string reason = f.detail;
    if (reason.rfind(problem, 0) == 0) reason.erase(0, problem.size());
    return Error(ErrorKind::Tls, with_detail(tr("cannot trust the certificate of '{}'", f.peer), reason), ca_hint);
}

Error handshake_error(const FailedLogin& f) {
    // the peer closed the connection in the middle of the handshake: OpenSSL says only
    // "SSL_ERROR_SYSCALL" or "unexpected eof", with errno 0
    if (contains(f.detail, "SSL_ERROR_SYSCALL") || contains(f.detail, "unexpected eof") ||
        contains(f.detail, "connection reset"))
        return Error(ErrorKind::Network, tr("the connection to '{}' was closed during the TLS handshake", f.peer),
                     tr("try again; if it keeps happening, check the port and the security setting (tls for 993, "
                        "995 and 465; starttls for 143, 110 and 587) and whether a firewall or proxy is in between"),
                     f.transcript.last_server_line());
    const std::string message = with_detail(tr("TLS handshake with '{}' failed", f.peer), f.detail);
    if (contains(f.detail, "wrong version number") || contains(f.detail, "packet length too long"))
        return Error(ErrorKind::Tls, message,
                     f.options.security == Security::tls
                         ? tr("this port may not speak TLS from the first byte; for ports 143, 110 and 587 use "
                              "security starttls")
                         : "");
    if (contains(f.detail, "protocol version") || contains(f.detail, "unsupported protocol") ||
        contains(f.detail, "legacy sigalg"))
        return Error(ErrorKind::Tls, message, tr("the server does not offer TLS 1.2 or newer"));
    return Error(ErrorKind::Tls, message);
}

std::string token_hint(const FailedLogin& f) {
    return !f.options.renew_hint.empty()
               ? f.options.renew_hint
               : tr("the access token may have expired or lack the mail scope; get a new one");
}

Error login_refused(const FailedLogin& f) {
    const LoginTranscript& t = f.transcript;
    const std::string& peer = f.peer;
    const std::string& user = f.options.user;
    const std::string tls_hint = tr("the server wants TLS first: use security starttls (or tls with the TLS port)");
    if (!t.login_attempted()) {
        std::string reply = t.capabilities().empty() ? t.greeting() : text::join(t.capabilities(), " ");
        const auto offered = offered_mechanisms(t);
        if ((f.options.security == Security::none && offered.empty()) || t.has_capability("LOGINDISABLED"))
            return Error(ErrorKind::Auth,
                         tr("cannot log in to '{}' as '{}': the server does not allow logging in without TLS", peer,
                            user),
                         tls_hint, reply);
        return Error(ErrorKind::Auth,
                     // TRANSLATORS: the first {} is the server (host:port), the second the user name, the third
                     // a SASL mechanism such as PLAIN or XOAUTH2
                     tr("cannot log in to '{}' as '{}': the server does not offer the {} mechanism", peer, user,
                        upper_name(f.options.mechanism)),
                     offered.empty() ? tr("the server offers no login mechanism on this connection")
                                     : tr("the server offers: {}; choose one of them", text::join(offered, " ")),
                     reply);
    }
    const std::string& reply = t.login_reply();
    if (contains(reply, "PRIVACYREQUIRED") || contains(reply, "plaintext"))
        return Error(ErrorKind::Auth,
                     tr("cannot log in to '{}' as '{}': the server does not allow logging in without TLS", peer, user),
                     tls_hint, reply);
    const bool temporary = (f.options.protocol == Protocol::smtp && reply.starts_with("4")) ||
                           contains(reply, "[UNAVAILABLE]") || contains(reply, "[INUSE]") ||
                           contains(reply, "[IN-USE]") || contains(reply, "[SYS/TEMP]");
    if (temporary)
        return Error(ErrorKind::Temporary,
                     tr("cannot log in to '{}' as '{}': the server cannot log you in right now", peer, user),
                     tr("try again later"), reply);
    const bool token = f.options.mechanism == Mechanism::xoauth2 || f.options.mechanism == Mechanism::oauthbearer;
    const std::string challenge = token ? oauth2::describe_sasl_challenge(t.sasl_challenge()) : std::string();
    if (!challenge.empty())
        return Error(ErrorKind::Auth,
                     // TRANSLATORS: the third {} is the server's reason, e.g. "status invalid_token, scope ..."
                     tr("cannot log in to '{}' as '{}': the server refused the access token ({})", peer, user,
                        challenge),
                     token_hint(f), reply);
    return Error(ErrorKind::Auth, tr("cannot log in to '{}' as '{}': authentication failed", peer, user),
                 token ? token_hint(f)
                       : tr("check the user name and password; accounts with two-factor authentication need an "
                            "application-specific password"),
                 reply);
}

Error connect_refused(const FailedLogin& f) {
    std::string message;
    if (contains(f.detail, "refused") || contains(f.detail, "couldn't connect"))
        message = tr("cannot connect to '{}': connection refused", f.peer);
    else if (f.detail.empty())
        message = tr("cannot connect to '{}'", f.peer);
    else
        message = tr("cannot connect to '{}': {}", f.peer, f.detail);
    return Error(ErrorKind::Network, message,
                 // TRANSLATORS: the first {} is imap, pop3 or smtp, the others port numbers
                 tr("check the port: {} usually listens on {} (tls) or {} (starttls)",
                    protocol_name(f.options.protocol), default_port(f.options.protocol, Security::tls),
                    default_port(f.options.protocol, Security::starttls)));
}

/// The error for libcurl's code, before the proxy is taken into account.
Error error_for_code(const FailedLogin& f) {
    const std::string& host = f.options.host;
    switch (f.curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
        return Error(ErrorKind::Network, tr("cannot resolve '{}'", host),
                     tr("check the server name and the network connection"));
    case CURLE_COULDNT_CONNECT: return connect_refused(f);
    case CURLE_OPERATION_TIMEDOUT:
        return Error(ErrorKind::Temporary,
                     f.connected ? tr("'{}' did not answer in time", f.peer)
                                 : tr("timed out connecting to '{}'", f.peer),
                     tr("the server or the network may be slow, or a firewall drops the connection; try again later"),
                     f.transcript.last_server_line());
    case CURLE_PEER_FAILED_VERIFICATION: return certificate_error(f);
    case CURLE_SSL_CONNECT_ERROR: return handshake_error(f);
    case CURLE_USE_SSL_FAILED:
        return Error(ErrorKind::Tls, tr("'{}' does not offer STARTTLS", f.peer),
                     tr("use security tls with the implicit-TLS port (993, 995 or 465)"),
                     text::join(f.transcript.capabilities(), " "));
    case CURLE_SSL_CACERT_BADFILE:
        return Error(ErrorKind::Config, with_detail(tr("cannot use CA file '{}'", f.options.ca_file), f.detail));
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED:
        return Error(ErrorKind::Tls, with_detail(tr("TLS with '{}' failed", f.peer), f.detail));
    case CURLE_LOGIN_DENIED:
    case CURLE_AUTH_ERROR: return login_refused(f);
    case CURLE_WEIRD_SERVER_REPLY:
        return Error(ErrorKind::Protocol, with_detail(tr("unexpected reply from '{}'", f.peer), f.detail),
                     // TRANSLATORS: the first {} is a port number, the second imap, pop3 or smtp
                     tr("check that port {} speaks {}", f.peer.substr(f.peer.rfind(':') + 1),
                        protocol_name(f.options.protocol)),
                     f.transcript.last_server_line());
    case CURLE_URL_MALFORMAT:
        return Error(ErrorKind::Config, with_detail(tr("invalid server address '{}'", f.peer), f.detail));
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (contains(f.detail, "SSL_ERROR_SYSCALL") || contains(f.detail, "unexpected eof"))
            return handshake_error(f);  // a cut inside TLS: not "errno: 0" alone
        return Error(ErrorKind::Network,
                     with_detail(tr("connection to '{}' was lost while logging in", f.peer), f.detail),
                     tr("try again; if it keeps failing, check the port and the security setting"),
                     f.transcript.last_server_line());
    default: break;
    }
    return Error(ErrorKind::Network,
                 tr("cannot connect to '{}': {}", f.peer, f.detail.empty() ? f.curl_message : f.detail), "",
                 f.transcript.last_server_line());
}

}  // namespace

Error login_error(const FailedLogin& f) {
    Error error = error_for_code(f);
    const std::string& proxy = f.transcript.proxy();
    const bool before_the_server = error.kind == ErrorKind::Network ||
                                   (error.kind == ErrorKind::Temporary && !f.connected);
    if (!proxy.empty() && before_the_server)
        // TRANSLATORS: both {} are the name of an environment variable such as https_proxy
        error.hint = tr("the connection goes through the proxy that {} names: check that it runs, or unset {}", proxy,
                        proxy);
    return error;
}
LoginStep login_step(const FailedLogin& f) {
    switch (f.curl_code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return LoginStep::resolve;
    case CURLE_COULDNT_CONNECT: return LoginStep::connect;
    case CURLE_SSL_CACERT_BADFILE: return LoginStep::tls;
    default: break;
    }
    const Error error = error_for_code(f);
    if (error.kind == ErrorKind::Tls) return LoginStep::tls;
    return f.connected ? LoginStep::login : LoginStep::connect;
}

}  // namespace zmail::net
