// Failed logins become errors with the right kind, our words, a hint and the server's words:
// the libcurl codes, error buffers and server lines are the ones libcurl 7.88.1 produced against
// Dovecot 2.3 (shared/notes/libcurl-facts.md). Also the settings Connection refuses before
// touching the network.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "net/connection.hpp"
#include "net/connection_errors.hpp"

namespace zmail::net {
namespace {

const std::string secret = "hunter2-secret";

ServerOptions options(Protocol protocol = Protocol::imap, Security security = Security::tls) {
    ServerOptions o;
    o.protocol = protocol;
    o.security = security;
    o.host = "mail.example.com";
    o.port = default_port(protocol, security);
    o.user = "alice@example.com";
    o.secret = secret;
    return o;
}

struct Case {
    ServerOptions options = zmail::net::options();
    int code = 0;
    std::string detail;
    long verify = 0;
    std::vector<std::string> dialogue;  // "C: ..." / "S: ..." / "* ..."
    bool connected = true;
};

Error error_for(const Case& c) {
    LoginTranscript t(c.options.protocol);
    for (const auto& line : c.dialogue) {
        if (line.starts_with("C: "))
            t.client(line.substr(3));
        else if (line.starts_with("S: "))
            t.server(line.substr(3));
        else
            t.text(line.substr(2));
    }
    const std::string peer = c.options.host + ":" + std::to_string(c.options.port);
    Error e = login_error(FailedLogin{c.options, peer, c.code, curl_easy_strerror(static_cast<CURLcode>(c.code)),
                                      c.detail, c.verify, t, c.connected});
    EXPECT_EQ(std::string(e.what()).find(secret), std::string::npos);
    EXPECT_EQ(e.hint.find(secret), std::string::npos);
    EXPECT_EQ(e.server_reply.find(secret), std::string::npos);
    return e;
}

std::string message(const Error& e) { return e.what(); }

TEST(NetConnectionErrors, ResolveAndConnect) {
    Case c;
    c.code = CURLE_COULDNT_RESOLVE_HOST;
    c.connected = false;
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Network);
    EXPECT_EQ(message(e), "cannot resolve 'mail.example.com'");

    c.code = CURLE_COULDNT_CONNECT;
    c.options = options(Protocol::smtp, Security::starttls);
    c.detail = "Failed to connect to mail.example.com port 587 after 0 ms: Couldn't connect to server";
    e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Network);
    EXPECT_EQ(message(e), "cannot connect to 'mail.example.com:587': connection refused");
    EXPECT_NE(e.hint.find("465 (tls) or 587 (starttls)"), std::string::npos) << e.hint;
}

TEST(NetConnectionErrors, Timeouts) {
    Case c;
    c.code = CURLE_OPERATION_TIMEDOUT;
    c.connected = false;
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Temporary);
    EXPECT_EQ(message(e), "timed out connecting to 'mail.example.com:993'");
    c.connected = true;
    EXPECT_EQ(message(error_for(c)), "'mail.example.com:993' did not answer in time");
}

TEST(NetConnectionErrors, Certificates) {
    Case c;
    c.code = CURLE_PEER_FAILED_VERIFICATION;
    c.detail = "SSL certificate problem: unable to get local issuer certificate";
    c.verify = 20;
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Tls);
    EXPECT_EQ(message(e), "cannot trust the certificate of 'mail.example.com:993': it was issued by an unknown "
                          "certificate authority");
    EXPECT_NE(e.hint.find("ca_file"), std::string::npos);

    c.detail = "SSL certificate problem: self-signed certificate";
    c.verify = 18;
    EXPECT_NE(message(error_for(c)).find("it is self-signed"), std::string::npos);

    c.detail = "SSL certificate problem: certificate has expired";
    c.verify = 10;
    EXPECT_NE(message(error_for(c)).find("it has expired"), std::string::npos);

    c.detail = "SSL: no alternative certificate subject name matches target host name 'mail.example.com'";
    c.verify = 0;
    e = error_for(c);
    EXPECT_EQ(message(e), "cannot trust the certificate of 'mail.example.com:993': it is not valid for the name "
                          "'mail.example.com'");
}

TEST(NetConnectionErrors, Handshake) {
    Case c;
    c.code = CURLE_SSL_CONNECT_ERROR;
    c.detail = "error:0A00010B:SSL routines::wrong version number";
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Tls);
    EXPECT_EQ(message(e), "TLS handshake with 'mail.example.com:993' failed: error:0A00010B:SSL routines::wrong "
                          "version number");
    EXPECT_NE(e.hint.find("starttls"), std::string::npos);

    c.detail = "error:0A00042E:SSL routines::tlsv1 alert protocol version";
    EXPECT_NE(error_for(c).hint.find("TLS 1.2"), std::string::npos);
}

// A cut during the handshake gave "SSL_ERROR_SYSCALL" (or "errno: 0") alone, with no hint.
TEST(NetConnectionErrors, ACutDuringTheHandshakeSaysSoAndWhatToCheck) {
    Case c;
    for (auto code : {CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR}) {
        c.code = code;
        c.detail = "OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to mail.example.com:993 ";
        Error e = error_for(c);
        EXPECT_EQ(e.kind, ErrorKind::Network);
        EXPECT_EQ(message(e), "the connection to 'mail.example.com:993' was closed during the TLS handshake");
        EXPECT_NE(e.hint.find("security setting"), std::string::npos) << e.hint;
    }
    c.code = CURLE_SSL_CONNECT_ERROR;
    c.detail = "error:0A000126:SSL routines::unexpected eof while reading";
    EXPECT_EQ(error_for(c).kind, ErrorKind::Network);
}

TEST(NetConnectionErrors, NoStarttls) {
    Case c;
    c.options = options(Protocol::smtp, Security::starttls);
    c.code = CURLE_USE_SSL_FAILED;
    c.detail = "STARTTLS not supported.";
    c.dialogue = {"S: 220 sink ESMTP", "C: EHLO localhost", "S: 250-sink", "S: 250 HELP"};
    const Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Tls);
    EXPECT_EQ(message(e), "'mail.example.com:587' does not offer STARTTLS");
}

TEST(NetConnectionErrors, WrongPasswordCarriesTheServersWords) {
    Case c;
    c.code = CURLE_LOGIN_DENIED;
    c.dialogue = {"S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.",
                  "C: A001 AUTHENTICATE PLAIN AGFsaWNlAHdyb25n",
                  "S: A001 NO [AUTHENTICATIONFAILED] Authentication failed."};
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Auth);
    EXPECT_EQ(message(e), "cannot log in to 'mail.example.com:993' as 'alice@example.com': authentication failed");
    EXPECT_EQ(e.server_reply, "A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
    EXPECT_NE(e.hint.find("application-specific password"), std::string::npos);

    c.options.mechanism = Mechanism::xoauth2;
    EXPECT_NE(error_for(c).hint.find("access token"), std::string::npos);

    Case smtp;
    smtp.options = options(Protocol::smtp);
    smtp.code = CURLE_LOGIN_DENIED;
    smtp.dialogue = {"S: 220 mail.example.test ready", "C: AUTH PLAIN AGFsaWNlAHdyb25n",
                     "S: 535 5.7.8 Authentication failed."};
    e = error_for(smtp);
    EXPECT_EQ(e.kind, ErrorKind::Auth);
    EXPECT_EQ(e.server_reply, "535 5.7.8 Authentication failed.");
}

TEST(NetConnectionErrors, TemporaryLoginFailures) {
    Case c;
    c.code = CURLE_LOGIN_DENIED;
    c.dialogue = {"S: * OK ready", "C: A001 AUTHENTICATE PLAIN AGFsaWNlAHdyb25n",
                  "S: A001 NO [UNAVAILABLE] Temporary authentication failure. [host:2023-01-01 00:00:00]"};
    EXPECT_EQ(error_for(c).kind, ErrorKind::Temporary);

    Case smtp;
    smtp.options = options(Protocol::smtp);
    smtp.code = CURLE_LOGIN_DENIED;
    smtp.dialogue = {"S: 220 ready", "C: AUTH PLAIN AGFsaWNlAHdyb25n", "S: 454 4.7.0 Temporary authentication failure"};
    EXPECT_EQ(error_for(smtp).kind, ErrorKind::Temporary);
}

TEST(NetConnectionErrors, MissingMechanismNamesWhatTheServerOffers) {
    Case c;
    c.options.mechanism = Mechanism::xoauth2;
    c.code = CURLE_LOGIN_DENIED;
    c.dialogue = {"S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] Dovecot ready.",
                  "C: A001 CAPABILITY", "S: * CAPABILITY IMAP4rev1 SASL-IR ID AUTH=PLAIN AUTH=LOGIN",
                  "S: A001 OK Pre-login capabilities listed, post-login capabilities have more.",
                  "* No known authentication mechanisms supported!"};
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Auth);
    EXPECT_EQ(message(e), "cannot log in to 'mail.example.com:993' as 'alice@example.com': the server does not offer "
                          "the XOAUTH2 mechanism");
    EXPECT_EQ(e.hint, "the server offers: PLAIN LOGIN; choose one of them");

    Case pop;
    pop.options = options(Protocol::pop3);
    pop.options.mechanism = Mechanism::oauthbearer;
    pop.code = CURLE_LOGIN_DENIED;
    pop.dialogue = {"S: +OK ready", "C: CAPA", "S: +OK", "S: UIDL", "S: SASL PLAIN", "S: ."};
    EXPECT_EQ(error_for(pop).hint, "the server offers: PLAIN; choose one of them");

    Case smtp;
    smtp.options = options(Protocol::smtp);
    smtp.options.mechanism = Mechanism::login;
    smtp.code = CURLE_LOGIN_DENIED;
    smtp.dialogue = {"S: 220 ready", "C: EHLO localhost", "S: 250-mx", "S: 250-AUTH PLAIN XOAUTH2", "S: 250 SIZE"};
    EXPECT_EQ(error_for(smtp).hint, "the server offers: PLAIN XOAUTH2; choose one of them");
}

TEST(NetConnectionErrors, PlaintextRefusedByTheServer) {
    // IMAP on a plain connection: LOGINDISABLED and no mechanisms.
    Case imap;
    imap.options = options(Protocol::imap, Security::none);
    imap.code = CURLE_LOGIN_DENIED;
    imap.dialogue = {"S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.", "C: A001 CAPABILITY",
                     "S: * CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED", "S: A001 OK done"};
    Error e = error_for(imap);
    EXPECT_EQ(e.kind, ErrorKind::Auth);
    EXPECT_NE(message(e).find("does not allow logging in without TLS"), std::string::npos);
    EXPECT_NE(e.hint.find("starttls"), std::string::npos);
    EXPECT_NE(e.server_reply.find("LOGINDISABLED"), std::string::npos);

    // POP3 with USER/PASS: the server's refusal.
    Case pop;
    pop.options = options(Protocol::pop3, Security::none);
    pop.code = CURLE_LOGIN_DENIED;
    pop.dialogue = {"S: +OK ready", "C: USER alice",
                    "S: -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."};
    EXPECT_NE(message(error_for(pop)).find("does not allow logging in without TLS"), std::string::npos);

    // SMTP: no AUTH in EHLO, so libcurl never tried (Connection reports it as LOGIN_DENIED).
    Case smtp;
    smtp.options = options(Protocol::smtp, Security::none);
    smtp.code = CURLE_LOGIN_DENIED;
    smtp.dialogue = {"S: 220 ready", "C: EHLO localhost", "S: 250-mx", "S: 250 STARTTLS"};
    EXPECT_NE(message(error_for(smtp)).find("does not allow logging in without TLS"), std::string::npos);
}

TEST(NetConnectionErrors, ProtocolAndLostConnection) {
    Case c;
    c.code = CURLE_WEIRD_SERVER_REPLY;
    c.dialogue = {"S: SSH-2.0-OpenSSH_9.2p1"};
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Protocol);
    EXPECT_EQ(e.server_reply, "SSH-2.0-OpenSSH_9.2p1");
    EXPECT_NE(e.hint.find("port 993 speaks imap"), std::string::npos) << e.hint;

    c.code = CURLE_RECV_ERROR;
    c.detail = "Connection died";
    e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Network);
    EXPECT_EQ(message(e), "connection to 'mail.example.com:993' was lost while logging in: Connection died");
}

TEST(NetConnectionErrors, ARefusedProxyIsNamedInTheHint) {
    Case c;
    c.code = CURLE_COULDNT_CONNECT;
    c.connected = false;
    c.detail = "Failed to connect to 127.0.0.1 port 9050 after 0 ms: Couldn't connect to server";
    c.dialogue = {"* Uses proxy env variable all_proxy == 'socks5h://127.0.0.1:9050'"};
    Error e = error_for(c);
    EXPECT_EQ(e.kind, ErrorKind::Network);
    EXPECT_NE(e.hint.find("the proxy that all_proxy names"), std::string::npos) << e.hint;

    c.dialogue = {"* Uses proxy env variable no_proxy == 'mail.example.com'"};
    EXPECT_EQ(error_for(c).hint.find("proxy"), std::string::npos);  // no_proxy: a direct connection

    c.code = CURLE_LOGIN_DENIED;  // through the proxy to the server: the server's hint
    c.connected = true;
    c.dialogue = {"* Uses proxy env variable all_proxy == 'socks5h://127.0.0.1:9050'", "S: * OK ready",
                  "C: A001 AUTHENTICATE PLAIN", "S: A001 NO [AUTHENTICATIONFAILED] Authentication failed."};
    EXPECT_EQ(error_for(c).hint.find("proxy"), std::string::npos);
}

TEST(NetConnectionErrors, TheStepThatFailed) {
    const ServerOptions o = options();
    const LoginTranscript t(Protocol::imap);
    auto step = [&](int code, bool connected, long verify = 0) {
        return login_step(FailedLogin{o, "mail.example.com:993", code, "", "", verify, t, connected});
    };
    EXPECT_EQ(step(CURLE_COULDNT_RESOLVE_HOST, false), LoginStep::resolve);
    EXPECT_EQ(step(CURLE_COULDNT_RESOLVE_PROXY, false), LoginStep::resolve);
    EXPECT_EQ(step(CURLE_COULDNT_CONNECT, false), LoginStep::connect);
    EXPECT_EQ(step(CURLE_OPERATION_TIMEDOUT, false), LoginStep::connect);
    EXPECT_EQ(step(CURLE_OPERATION_TIMEDOUT, true), LoginStep::login);
    EXPECT_EQ(step(CURLE_PEER_FAILED_VERIFICATION, true, 20), LoginStep::tls);
    EXPECT_EQ(step(CURLE_SSL_CONNECT_ERROR, true), LoginStep::tls);
    EXPECT_EQ(step(CURLE_USE_SSL_FAILED, true), LoginStep::tls);
    EXPECT_EQ(step(CURLE_SSL_CACERT_BADFILE, true), LoginStep::tls);
    EXPECT_EQ(step(CURLE_LOGIN_DENIED, true), LoginStep::login);
    EXPECT_EQ(step(CURLE_WEIRD_SERVER_REPLY, true), LoginStep::login);
}

/// Settings Connection refuses before any network traffic.
Error construction_error(const ServerOptions& o) {
    try {
        Connection c(o);
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ErrorKind::Internal, "");
}

TEST(NetConnectionSettings, PlaintextNeedsTheKey) {
    auto o = options(Protocol::smtp, Security::none);
    const Error e = construction_error(o);
    EXPECT_EQ(e.kind, ErrorKind::Config);
    EXPECT_EQ(message(e), "refusing to connect to 'mail.example.com:587' without TLS");
    EXPECT_NE(e.hint.find("smtp.allow_plaintext"), std::string::npos);
}

TEST(NetConnectionSettings, BadValuesAreConfigErrors) {
    auto o = options();
    o.host = "";
    EXPECT_EQ(construction_error(o).kind, ErrorKind::Config);
    o.host = "mail.example.com/evil";
    EXPECT_EQ(message(construction_error(o)), "invalid server host 'mail.example.com/evil'");
    o = options();
    o.port = 70000;
    EXPECT_EQ(construction_error(o).kind, ErrorKind::Config);
    o = options();
    o.user = "";
    EXPECT_EQ(construction_error(o).kind, ErrorKind::Config);
    o = options();
    o.secret = "";
    EXPECT_EQ(message(construction_error(o)), "no password given for 'alice@example.com' at 'mail.example.com:993'");
    o = options();
    o.secret = "a\r\nb";
    const Error crlf = construction_error(o);
    EXPECT_EQ(crlf.kind, ErrorKind::Config);
    EXPECT_EQ(message(crlf).find("a\r\nb"), std::string::npos);
    o = options();
    o.ca_file = "/nonexistent/ca.pem";
    EXPECT_NE(message(construction_error(o)).find("cannot read CA file '/nonexistent/ca.pem'"), std::string::npos);
    o = options(Protocol::smtp);
    o.ehlo_name = "bad name";
    EXPECT_EQ(construction_error(o).kind, ErrorKind::Config);
}

TEST(NetServer, NamesAndDefaults) {
    EXPECT_EQ(default_port(Protocol::imap, Security::tls), 993);
    EXPECT_EQ(default_port(Protocol::imap, Security::starttls), 143);
    EXPECT_EQ(default_port(Protocol::pop3, Security::tls), 995);
    EXPECT_EQ(default_port(Protocol::pop3, Security::none), 110);
    EXPECT_EQ(default_port(Protocol::smtp, Security::tls), 465);
    EXPECT_EQ(default_port(Protocol::smtp, Security::starttls), 587);
    EXPECT_EQ(parse_security("starttls"), Security::starttls);
    EXPECT_FALSE(parse_security("ssl").has_value());
    EXPECT_EQ(parse_mechanism("xoauth2"), Mechanism::xoauth2);
    EXPECT_EQ(parse_protocol("pop3"), Protocol::pop3);
    EXPECT_STREQ(allow_plaintext_key(Protocol::pop3), "pop.allow_plaintext");
}

}  // namespace
}  // namespace zmail::net
