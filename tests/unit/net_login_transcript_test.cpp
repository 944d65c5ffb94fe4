// The login dialogue as libcurl's debug callback shows it (recorded against Dovecot 2.3).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "net/login_transcript.hpp"

namespace zmail::net {
namespace {

void feed(LoginTranscript& t, const std::vector<std::string>& dialogue) {
    for (const auto& line : dialogue) {
        if (line.starts_with("C: "))
            t.client(line.substr(3));
        else if (line.starts_with("S: "))
            t.server(line.substr(3));
        else
            t.text(line.substr(2));
    }
}

TEST(NetLoginTranscript, ImapStarttlsLogin) {
    LoginTranscript t(Protocol::imap);
    feed(t, {
        "S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.",
        "C: A001 CAPABILITY",
        "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN",
        "S: A001 OK Pre-login capabilities listed, post-login capabilities have more.",
        "C: A002 STARTTLS",
        "S: A002 OK Begin TLS negotiation now.",
        "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384",
        "C: A003 CAPABILITY",
        "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN",
        "S: A003 OK Pre-login capabilities listed, post-login capabilities have more.",
    });
    EXPECT_EQ(t.greeting().substr(0, 17), "* OK [CAPABILITY ");
    ASSERT_EQ(t.capabilities().size(), 2u);
    EXPECT_TRUE(t.has_capability("AUTH=PLAIN"));
    EXPECT_FALSE(t.has_capability("STARTTLS"));  // the last reply, after STARTTLS, counts
    EXPECT_FALSE(t.login_attempted());
    EXPECT_FALSE(t.capabilities_after_login());  // asked before the login: not the session's
    EXPECT_EQ(t.last_text(), "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384");

    feed(t, {
        "C: A004 AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXBhc3MtMQ==",
        "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT CONDSTORE QRESYNC SPECIAL-USE",
        "S: A004 OK Logged in",
    });
    EXPECT_TRUE(t.login_attempted());
    EXPECT_EQ(t.login_reply(), "A004 OK Logged in");
    ASSERT_EQ(t.capabilities().size(), 1u);  // the post-login capabilities replace the old ones
    EXPECT_TRUE(t.has_capability("QRESYNC"));
    EXPECT_TRUE(t.capabilities_after_login());  // the session starts from them, asking nothing
}

TEST(NetLoginTranscript, ImapLoginWithoutCapabilitiesLeavesThemToTheSession) {
    LoginTranscript t(Protocol::imap);
    feed(t, {
        "S: * OK IMAP4rev1 Server ready",
        "C: A001 CAPABILITY",
        "S: * CAPABILITY IMAP4rev1 AUTH=PLAIN",
        "S: A001 OK done",
        "C: A002 LOGIN alice secret",
        "S: A002 OK LOGIN completed",
    });
    EXPECT_TRUE(t.login_attempted());
    EXPECT_FALSE(t.capabilities_after_login());  // pre-login ones only: the session asks CAPABILITY
    EXPECT_EQ(t.capabilities().size(), 2u);
}

TEST(NetLoginTranscript, ImapFailedLoginAndLoginDisabled) {
    LoginTranscript t(Protocol::imap);
    feed(t, {
        "S: * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.",
    });
    EXPECT_TRUE(t.has_capability("LOGINDISABLED"));  // from the greeting while nothing else was seen
    feed(t, {
        "C: A001 CAPABILITY",
        "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED",
        "S: A001 OK Pre-login capabilities listed, post-login capabilities have more.",
        "* No known authentication mechanisms supported!",
    });
    EXPECT_TRUE(t.has_capability("logindisabled"));
    EXPECT_FALSE(t.login_attempted());
    EXPECT_EQ(t.last_text(), "No known authentication mechanisms supported!");

    LoginTranscript failed(Protocol::imap);
    feed(failed, {
        "S: * OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Dovecot (Debian) ready.",
        "C: A001 AUTHENTICATE PLAIN AGFsaWNlAHdyb25n",
        "S: A001 NO [AUTHENTICATIONFAILED] Authentication failed.",
    });
    EXPECT_EQ(failed.login_reply(), "A001 NO [AUTHENTICATIONFAILED] Authentication failed.");
    EXPECT_EQ(failed.last_server_line(), failed.login_reply());
}

TEST(NetLoginTranscript, Pop3CapaAndAuth) {
    LoginTranscript t(Protocol::pop3);
    feed(t, {
        "S: +OK Dovecot (Debian) ready.",
        "C: CAPA",
        "S: +OK",
        "S: CAPA",
        "S: TOP",
        "S: UIDL",
        "S: RESP-CODES",
        "S: PIPELINING",
        "S: AUTH-RESP-CODE",
        "S: USER",
        "S: SASL PLAIN LOGIN",
        "S: .",
        "C: AUTH PLAIN",
        "S: + ",
        "C: AGFsaWNlAHdyb25n",
        "S: -ERR [AUTH] Authentication failed.",
    });
    EXPECT_EQ(t.greeting(), "+OK Dovecot (Debian) ready.");
    EXPECT_EQ(t.capabilities().size(), 10u);
    EXPECT_TRUE(t.has_capability("UIDL"));
    EXPECT_TRUE(t.has_capability("SASL"));
    EXPECT_EQ(t.login_reply(), "-ERR [AUTH] Authentication failed.");  // "+ " did not end it
}

TEST(NetLoginTranscript, SmtpEhloAndAuth) {
    LoginTranscript t(Protocol::smtp);
    feed(t, {
        "S: 220 mail.example.test Dovecot (Debian) ready.",
        "C: EHLO localhost",
        "S: 250-mail.example.test",
        "S: 250-8BITMIME",
        "S: 250-AUTH PLAIN LOGIN",
        "S: 250-ENHANCEDSTATUSCODES",
        "S: 250 PIPELINING",
        "C: AUTH LOGIN",
        "S: 334 VXNlcm5hbWU6",
        "C: Ym9i",
        "S: 334 UGFzc3dvcmQ6",
        "C: d3Jvbmc=",
        "S: 535 5.7.8 Authentication failed.",
    });
    EXPECT_EQ(t.capabilities().size(), 5u);
    EXPECT_TRUE(t.has_capability("AUTH"));
    EXPECT_TRUE(t.has_capability("PIPELINING"));
    EXPECT_FALSE(t.has_capability("STARTTLS"));
    EXPECT_EQ(t.login_reply(), "535 5.7.8 Authentication failed.");

    LoginTranscript no_auth(Protocol::smtp);
    feed(no_auth, {"S: 220 sink.example.test ESMTP", "C: EHLO localhost", "S: 250-sink.example.test",
                   "S: 250-SIZE 134217728", "S: 250 HELP"});
    EXPECT_FALSE(no_auth.has_capability("AUTH"));
    EXPECT_FALSE(no_auth.login_attempted());
}

TEST(NetLoginTranscript, ProxyLibcurlChose) {
    // libcurl 7.88.1's notes: the proxy variable it uses, or no_proxy listing the host
    LoginTranscript none(Protocol::imap);
    feed(none, {"* Trying 127.0.0.1:993...", "* Connected to 127.0.0.1 (127.0.0.1) port 993 (#0)"});
    EXPECT_EQ(none.proxy(), "");

    for (const char* name : {"imaps_proxy", "IMAPS_PROXY", "all_proxy", "ALL_PROXY"}) {
        LoginTranscript t(Protocol::imap);
        feed(t, {std::string("* Uses proxy env variable ") + name + " == 'socks5h://127.0.0.1:9050'",
                 "* Trying 127.0.0.1:9050..."});
        EXPECT_EQ(t.proxy(), name);
    }

    LoginTranscript skipped(Protocol::imap);
    feed(skipped, {"* Uses proxy env variable no_proxy == '127.0.0.1'", "* Trying 127.0.0.1:993..."});
    EXPECT_EQ(skipped.proxy(), "");  // no_proxy: no proxy for this host
    LoginTranscript empty(Protocol::imap);
    feed(empty, {"* Uses proxy env variable imaps_proxy == ''"});
    EXPECT_EQ(empty.proxy(), "");  // empty: no proxy
}

}  // namespace
}  // namespace zmail::net
