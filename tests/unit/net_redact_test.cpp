// Credentials never reach a trace: lines as libcurl and Dovecot really exchange them.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "net/redact.hpp"

namespace zmail::net {
namespace {

/// Feeds a dialogue ("C: ..." client, "S: ..." server) through one Redactor; returns the output.
std::vector<std::string> run(const std::vector<std::string>& dialogue) {
    Redactor redactor;
    std::vector<std::string> out;
    for (const auto& line : dialogue) {
        const std::string body = line.substr(3);
        out.push_back(line.substr(0, 3) +
                      (line.starts_with("C: ") ? redactor.client_line(body) : redactor.server_line(body)));
    }
    return out;
}

TEST(NetRedact, ImapAuthenticateWithInitialResponse) {
    const auto out = run({
        "C: A004 AUTHENTICATE PLAIN AHUxNTcxOW4xAHUxNTcxOW4xLXNlY3JldA==",
        "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT",
        "S: A004 OK Logged in",
        "C: A005 SELECT INBOX",
    });
    EXPECT_EQ(out[0], "C: A004 AUTHENTICATE PLAIN <redacted>");
    EXPECT_EQ(out[1], "S: * CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT");
    EXPECT_EQ(out[2], "S: A004 OK Logged in");
    EXPECT_EQ(out[3], "C: A005 SELECT INBOX");
}

TEST(NetRedact, ImapAuthenticateWithContinuation) {
    const auto out = run({
        "C: A003 AUTHENTICATE PLAIN",
        "S: + ",
        "C: AGFsaWNlAGFsaWNlLXBhc3MtMQ==",
        "S: A003 NO [AUTHENTICATIONFAILED] Authentication failed.",
        "C: A004 LOGOUT",
    });
    EXPECT_EQ(out[0], "C: A003 AUTHENTICATE PLAIN");
    EXPECT_EQ(out[1], "S: + ");
    EXPECT_EQ(out[2], "C: <redacted>");
    EXPECT_EQ(out[3], "S: A003 NO [AUTHENTICATIONFAILED] Authentication failed.");
    EXPECT_EQ(out[4], "C: A004 LOGOUT");
}

TEST(NetRedact, SmtpAuthLoginExchange) {
    const auto out = run({
        "C: AUTH LOGIN",
        "S: 334 VXNlcm5hbWU6",
        "C: Ym9i",
        "S: 334 UGFzc3dvcmQ6",
        "C: Ym9iLXBhc3MtMg==",
        "S: 235 2.7.0 Logged in.",
        "C: MAIL FROM:<bob@example.test>",
    });
    EXPECT_EQ(out[0], "C: AUTH LOGIN");
    EXPECT_EQ(out[1], "S: 334 VXNlcm5hbWU6");
    EXPECT_EQ(out[2], "C: <redacted>");
    EXPECT_EQ(out[3], "S: 334 UGFzc3dvcmQ6");
    EXPECT_EQ(out[4], "C: <redacted>");
    EXPECT_EQ(out[5], "S: 235 2.7.0 Logged in.");
    EXPECT_EQ(out[6], "C: MAIL FROM:<bob@example.test>");
}

TEST(NetRedact, SmtpAndPop3AuthPlainInitialResponse) {
    EXPECT_EQ(run({"C: AUTH PLAIN AGFsaWNlAGFsaWNlLXBhc3MtMQ=="})[0], "C: AUTH PLAIN <redacted>");
    const auto pop = run({"C: AUTH PLAIN", "S: + ", "C: AGFsaWNlAGFsaWNlLXBhc3MtMQ==", "S: +OK Logged in.", "C: STAT"});
    EXPECT_EQ(pop[2], "C: <redacted>");
    EXPECT_EQ(pop[3], "S: +OK Logged in.");
    EXPECT_EQ(pop[4], "C: STAT");  // +OK ended the exchange although it starts with '+'
}

TEST(NetRedact, Pop3UserPassAndApop) {
    const auto out = run({
        "C: USER alice",
        "S: +OK",
        "C: PASS alice-pass-1",
        "S: -ERR [AUTH] Authentication failed.",
        "C: APOP mrose c4c9334bac560ecc979e58001b3e22fb",
        "C: RETR 1",
    });
    EXPECT_EQ(out[0], "C: USER <redacted>");
    EXPECT_EQ(out[2], "C: PASS <redacted>");
    EXPECT_EQ(out[3], "S: -ERR [AUTH] Authentication failed.");
    EXPECT_EQ(out[4], "C: APOP <redacted>");
    EXPECT_EQ(out[5], "C: RETR 1");
}

TEST(NetRedact, ImapLoginWithQuotedAndLiteralArguments) {
    EXPECT_EQ(run({"C: a1 LOGIN alice \"pass word\""})[0], "C: a1 LOGIN <redacted>");
    const auto out = run({
        "C: a1 LOGIN {5}",
        "S: + Ready for literal data",
        "C: alice {8}",
        "C: password",
        "S: a1 OK Logged in",
        "C: a2 NOOP",
    });
    EXPECT_EQ(out[0], "C: a1 LOGIN <redacted>");
    EXPECT_EQ(out[1], "S: + Ready for literal data");
    EXPECT_EQ(out[2], "C: <redacted>");
    EXPECT_EQ(out[3], "C: <redacted>");
    EXPECT_EQ(out[5], "C: a2 NOOP");
}

TEST(NetRedact, CommandsAreMatchedInAnyCase) {
    EXPECT_EQ(run({"C: a1 authenticate plain AGFsaWNl"})[0], "C: a1 authenticate plain <redacted>");
    EXPECT_EQ(run({"C: pass secret"})[0], "C: pass <redacted>");
    EXPECT_EQ(run({"C: auth xoauth2 dXNlcj1hbGljZQ=="})[0], "C: auth xoauth2 <redacted>");
}

TEST(NetRedact, Xoauth2ErrorChallengeAndEmptyAnswer) {
    const auto out = run({
        "C: A1 AUTHENTICATE XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2sBAQ==",
        "S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=",
        "C: ",
        "S: A1 NO [AUTHENTICATIONFAILED] Authentication failed.",
    });
    EXPECT_EQ(out[0], "C: A1 AUTHENTICATE XOAUTH2 <redacted>");
    EXPECT_EQ(out[1], "S: + eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=");
    EXPECT_EQ(out[2], "C: <redacted>");
}

TEST(NetRedact, CancelStaysVisible) {
    const auto out = run({"C: A1 AUTHENTICATE DIGEST-MD5", "S: + bm9uY2U9", "C: *", "S: A1 BAD Authentication aborted"});
    EXPECT_EQ(out[2], "C: *");
}

TEST(NetRedact, OrdinaryTrafficIsUnchanged) {
    for (const std::string line : {"A005 UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[])", "RETR 1", "UIDL",
                                   "MAIL FROM:<alice@example.test> SIZE=1052", "RCPT TO:<bob@example.test>",
                                   "EHLO localhost", "a1 SELECT \"Login notes\""}) {
        EXPECT_EQ(run({"C: " + line})[0], "C: " + line);
    }
}

TEST(NetRedact, BearerTokensAreHiddenEverywhere) {
    EXPECT_EQ(redact_bearer_tokens("n,a=alice,\x01host=localhost\x01port=993\x01" "auth=Bearer ya29.a0AfH6SMB\x01\x01"),
              "n,a=alice,\x01host=localhost\x01port=993\x01" "auth=Bearer <redacted>\x01\x01");
    EXPECT_EQ(redact_bearer_tokens("Authorization: Bearer abc.def-ghi"), "Authorization: Bearer <redacted>");
    EXPECT_EQ(redact_bearer_tokens("bearer=xyz rest"), "bearer=<redacted> rest");
    EXPECT_EQ(redact_bearer_tokens("Bearer"), "Bearer");
    EXPECT_EQ(redact_bearer_tokens("unbearer token"), "unbearer token");
    Redactor r;
    EXPECT_EQ(r.server_line("* OK Bearer abc"), "* OK Bearer <redacted>");
}

TEST(NetRedact, ClientCommandReportsWhetherAnExchangeStarts) {
    bool starts = false;
    redact_client_command("A1 AUTHENTICATE PLAIN", &starts);
    EXPECT_TRUE(starts);
    redact_client_command("AUTH LOGIN", &starts);
    EXPECT_TRUE(starts);
    redact_client_command("PASS x", &starts);
    EXPECT_FALSE(starts);
    redact_client_command("A2 NOOP", &starts);
    EXPECT_FALSE(starts);
    Redactor r;
    r.client_line("A1 AUTHENTICATE PLAIN");
    EXPECT_TRUE(r.authenticating());
    r.server_line("* CAPABILITY IMAP4rev1");
    EXPECT_TRUE(r.authenticating());
    r.server_line("A1 OK done");
    EXPECT_FALSE(r.authenticating());
}

TEST(NetRedact, ScrubSecretsReplacesEveryOccurrence) {
    EXPECT_EQ(scrub_secrets("x hunter2 y hunter2", {"hunter2", ""}), "x <redacted> y <redacted>");
    EXPECT_EQ(scrub_secrets("nothing here", {"hunter2"}), "nothing here");
    EXPECT_EQ(scrub_secrets("abc", {}), "abc");
}

}  // namespace
}  // namespace zmail::net
