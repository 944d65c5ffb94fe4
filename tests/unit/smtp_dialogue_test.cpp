// The SMTP dialogue as libcurl reports it (commands from the debug callback, reply lines from
// the header callback), and the errors made from it: which recipients were refused, whether
// the sender was refused (relay denied), and whether a cut connection may have delivered.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/dialogue.hpp"
#include "smtp/session.hpp"

using zmail::ErrorKind;
namespace smtp = zmail::smtp;

namespace {

const zmail::Error cut(ErrorKind::Network, "'h:587' closed the connection");
const zmail::Error slow(ErrorKind::Temporary, "no reply from 'h:587' within 120 seconds");

/// Feeds "C: ..." and "S: ..." lines in order.
smtp::Dialogue play(const std::vector<std::string>& lines) {
    smtp::Dialogue d;
    d.new_connection();
    for (const auto& line : lines) {
        if (line.starts_with("C: ")) d.client_line(line.substr(3));
        else if (line.starts_with("S: ")) d.server_line(line.substr(3) + "\r\n");
        else if (line == "END") d.end_of_data();
    }
    return d;
}

// Dovecot submission after STARTTLS and login, as recorded against the test fixture.
const std::vector<std::string> login = {
    "S: 220 mail.example.test Dovecot ready.",
    "C: EHLO localhost",
    "S: 250-mail.example.test",
    "S: 250-8BITMIME",
    "S: 250-AUTH PLAIN LOGIN",
    "S: 250-BURL imap",
    "S: 250-CHUNKING",
    "S: 250-ENHANCEDSTATUSCODES",
    "S: 250-SIZE",
    "S: 250-PIPELINING",
    "S: 250 SMTPUTF8",
    "C: AUTH PLAIN AGFsaWNlAGFsaWNlLXBhc3MtMQ==",
    "S: 235 2.7.0 Logged in.",
};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST(SendDialogue, PartialAcceptanceRecordsEveryRecipient) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test> SIZE=1234",
        "S: 250 2.1.0 OK",
        "C: RCPT TO:<bob@example.net>",
        "S: 250 2.1.5 OK",
        "C: RCPT TO:<reject-me@example.net>",
        "S: 550 5.1.1 <reject-me@example.net> User unknown",
        "C: RCPT TO:<tempfail@example.net>",
        "S: 451 4.3.0 <tempfail@example.net> try again later",
        "C: DATA",
        "S: 354 OK",
        "END",
        "S: 250 2.0.0 OK queued as 000001",
    }));
    EXPECT_TRUE(d.authenticated());
    EXPECT_TRUE(d.capabilities().size);
    EXPECT_EQ(d.phase(), smtp::Phase::Done);
    ASSERT_EQ(d.recipient_replies().size(), 3u);
    const auto refused = smtp::refused_recipients(d);
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].address, "reject-me@example.net");
    EXPECT_EQ(refused[0].code, 550);
    EXPECT_FALSE(refused[0].temporary);
    EXPECT_TRUE(refused[1].temporary);
    EXPECT_EQ(refused[1].reply, "451 4.3.0 <tempfail@example.net> try again later");
    ASSERT_TRUE(d.final_reply());
    EXPECT_EQ(d.final_reply()->code, 250);
}

TEST(SendDialogue, SaslChallengesBelongToAuth) {
    const auto d = play({
        "S: 220 ready",
        "C: EHLO localhost",
        "S: 250-x",
        "S: 250 AUTH LOGIN",
        "C: AUTH LOGIN",
        "S: 334 VXNlcm5hbWU6",
        "C: YWxpY2U=",
        "S: 334 UGFzc3dvcmQ6",
        "C: c2VjcmV0",
        "S: 535 5.7.8 Authentication failed",
    });
    EXPECT_TRUE(d.authenticated_attempted());
    EXPECT_FALSE(d.authenticated());
    ASSERT_TRUE(d.auth_reply());
    EXPECT_EQ(d.auth_reply()->code, 535);
}

TEST(SendDialogue, SenderRefusedIsRelayDenied) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<boss@example.com>",
        "S: 553 5.7.1 Sender address rejected: not owned by user",
        "C: QUIT",
        "S: 221 2.0.0 Bye",
    }));
    const auto e = smtp::submission_error(d, nullptr, "smtp.example.test:587", "boss@example.com");
    EXPECT_EQ(e.kind, ErrorKind::Data);
    EXPECT_EQ(e.delivery, smtp::Delivery::NotSent);
    EXPECT_NE(std::string(e.what()).find("relay denied"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("boss@example.com"), std::string::npos);
    EXPECT_EQ(e.server_reply, "553 5.7.1 Sender address rejected: not owned by user");
}

TEST(SendDialogue, EveryRecipientRefused) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test>",
        "S: 250 2.1.0 OK",
        "C: RCPT TO:<reject@example.net>",
        "S: 550 5.1.1 <reject@example.net> User unknown",
    }));
    const auto e = smtp::submission_error(d, nullptr, "h:587", "alice@example.test");
    EXPECT_EQ(e.kind, ErrorKind::Data);
    ASSERT_EQ(e.refused.size(), 1u);
    EXPECT_NE(std::string(e.what()).find("'reject@example.net'"), std::string::npos);
}

TEST(SendDialogue, OnlyTemporaryRefusalsAreTemporary) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test>",
        "S: 250 2.1.0 OK",
        "C: RCPT TO:<tempfail@example.net>",
        "S: 451 4.3.0 try again later",
    }));
    EXPECT_EQ(smtp::submission_error(d, nullptr, "h:587", "a@x").kind, ErrorKind::Temporary);
}

TEST(SendDialogue, MessageTooLarge) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test> SIZE=99999999",
        "S: 552 5.3.4 Message size exceeds fixed limit",
    }));
    const auto e = smtp::submission_error(d, nullptr, "h:587", "alice@example.test");
    EXPECT_EQ(e.kind, ErrorKind::Data);
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos);
}

TEST(SendDialogue, LostAfterTheEndOfDataIsUncertain) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test>", "S: 250 2.1.0 OK", "C: RCPT TO:<bob@example.net>", "S: 250 2.1.5 OK",
        "C: DATA", "S: 354 OK", "END",
    }));
    EXPECT_EQ(d.phase(), smtp::Phase::EndOfData);
    const auto e = smtp::submission_error(d, &cut, "h:587", "alice@example.test");
    EXPECT_EQ(e.delivery, smtp::Delivery::Uncertain);
    EXPECT_EQ(e.kind, ErrorKind::Network);
    const auto timeout = smtp::submission_error(d, &slow, "h:587", "alice@example.test");
    EXPECT_EQ(timeout.delivery, smtp::Delivery::Uncertain);
    EXPECT_EQ(timeout.kind, ErrorKind::Temporary);
}

TEST(SendDialogue, LostDuringTheBodyWasNotSent) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test>", "S: 250 2.1.0 OK", "C: RCPT TO:<bob@example.net>", "S: 250 2.1.5 OK",
        "C: DATA", "S: 354 OK",
    }));
    EXPECT_EQ(d.phase(), smtp::Phase::Body);
    const auto e = smtp::submission_error(d, &cut, "h:587", "alice@example.test");
    EXPECT_EQ(e.delivery, smtp::Delivery::NotSent);
    EXPECT_EQ(e.kind, ErrorKind::Network);
}

TEST(SendDialogue, RefusalAfterTheEndOfData) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<alice@example.test>", "S: 250 2.1.0 OK", "C: RCPT TO:<bob@example.net>", "S: 250 2.1.5 OK",
        "C: DATA", "S: 354 OK", "END", "S: 554 5.7.1 Message rejected as spam",
    }));
    const auto e = smtp::submission_error(d, nullptr, "h:587", "alice@example.test");
    EXPECT_EQ(e.kind, ErrorKind::Data);
    EXPECT_EQ(e.delivery, smtp::Delivery::NotSent);
    EXPECT_EQ(e.server_reply, "554 5.7.1 Message rejected as spam");
    const auto t = play(with(login, {
        "C: MAIL FROM:<a@x>", "S: 250 OK", "C: RCPT TO:<b@y>", "S: 250 OK", "C: DATA", "S: 354 OK", "END",
        "S: 452 4.3.1 Insufficient system storage",
    }));
    EXPECT_EQ(smtp::submission_error(t, nullptr, "h:587", "a@x").kind, ErrorKind::Temporary);
}

TEST(SendDialogue, AReusedConnectionStartsANewMessage) {
    auto d = play(with(login, {
        "C: MAIL FROM:<a@x>", "S: 250 OK", "C: RCPT TO:<r1@y>", "S: 550 no", "C: RCPT TO:<r2@y>", "S: 250 OK",
        "C: DATA", "S: 354 OK", "END", "S: 250 queued",
    }));
    d.client_line("MAIL FROM:<a@x>");
    d.server_line("250 OK\r\n");
    d.client_line("RCPT TO:<r3@y>");
    d.server_line("250 OK\r\n");
    ASSERT_EQ(d.recipient_replies().size(), 1u);
    EXPECT_EQ(d.recipient_replies()[0].address, "r3@y");
    EXPECT_FALSE(d.final_reply());
    EXPECT_TRUE(d.authenticated());  // same connection, same login
}

TEST(SendDialogue, AFailureBeforeTheNextMailFromIsNotTheLastMessages) {
    auto d = play(with(login, {
        "C: MAIL FROM:<a@x>", "S: 250 OK", "C: RCPT TO:<b@y>", "S: 250 OK", "C: DATA", "S: 354 OK", "END",
        "S: 250 queued",
    }));
    ASSERT_EQ(d.phase(), smtp::Phase::Done);
    d.new_transfer();  // the next message: libcurl fails to reconnect before MAIL FROM
    EXPECT_EQ(d.phase(), smtp::Phase::Connecting);
    EXPECT_FALSE(d.final_reply());
    const auto e = smtp::submission_error(d, &cut, "h:587", "a@x");
    EXPECT_EQ(e.delivery, smtp::Delivery::NotSent);
}

TEST(SendDialogue, PipelinedCommandsAfterARefusedSenderDoNotHideIt) {
    const auto d = play(with(login, {
        "C: MAIL FROM:<boss@example.com>", "S: 553 5.7.1 Sender address rejected: not owned by user",
        "C: RCPT TO:<a@example.net>", "S: 503 5.5.1 MAIL needed first",
        "C: DATA", "S: 503 5.5.1 MAIL needed first",
    }));
    const auto e = smtp::submission_error(d, nullptr, "h:587", "boss@example.com");
    EXPECT_EQ(e.kind, ErrorKind::Data);
    EXPECT_NE(std::string(e.what()).find("relay denied"), std::string::npos);
}
