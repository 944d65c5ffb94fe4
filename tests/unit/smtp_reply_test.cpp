// SMTP replies, enhanced status codes, EHLO capabilities and the reply classifier.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "error.hpp"
#include "smtp/reply.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace smtp = zmail::smtp;

TEST(SmtpReply, ParsesASingleLineWithEnhancedStatus) {
    auto reply = smtp::parse_reply("535 5.7.8 Authentication failed.\r\n");
    EXPECT_EQ(reply.code, 535);
    ASSERT_TRUE(reply.enhanced);
    EXPECT_EQ(reply.enhanced->text(), "5.7.8");
    EXPECT_EQ(reply.lines, std::vector<std::string>{"Authentication failed."});
    EXPECT_EQ(reply.raw, "535 5.7.8 Authentication failed.");
    EXPECT_EQ(reply.reply_class(), smtp::ReplyClass::Permanent);
    EXPECT_TRUE(reply.permanent_failure());
    EXPECT_FALSE(reply.success());
}

TEST(SmtpReply, ParsesAMultiLineRejection) {
    // Gmail-style multi-line 550 with the enhanced code on every line.
    auto reply = smtp::parse_reply(
        "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
        "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
        "550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\r\n");
    EXPECT_EQ(reply.code, 550);
    EXPECT_EQ(reply.enhanced, (smtp::EnhancedStatus{5, 1, 1}));
    ASSERT_EQ(reply.lines.size(), 3u);
    EXPECT_EQ(reply.lines[1], "double-checking the recipient's email address for typos or");
    EXPECT_EQ(reply.raw.find("550-5.1.1 The email"), 0u);
    EXPECT_EQ(std::count(reply.raw.begin(), reply.raw.end(), '\n'), 2);
    EXPECT_EQ(reply.text().find("The email account"), 0u);
}

TEST(SmtpReply, CodeOnlyAndNoEnhancedCode) {
    auto bare = smtp::parse_reply("250\r\n");
    EXPECT_EQ(bare.code, 250);
    EXPECT_EQ(bare.lines, std::vector<std::string>{""});
    EXPECT_FALSE(bare.enhanced);

    auto data = smtp::parse_reply("354 End data with <CR><LF>.<CR><LF>");
    EXPECT_EQ(data.reply_class(), smtp::ReplyClass::Intermediate);
    EXPECT_FALSE(data.enhanced);

    auto temp = smtp::parse_reply("451 4.7.1 Greylisted, try again in 5 minutes");
    EXPECT_EQ(temp.reply_class(), smtp::ReplyClass::Temporary);
    EXPECT_TRUE(temp.temporary_failure());
    EXPECT_EQ(temp.enhanced->text(), "4.7.1");

    // An enhanced code of another class is just text.
    auto mismatch = smtp::parse_reply("550 4.1.1 odd");
    EXPECT_FALSE(mismatch.enhanced);
    EXPECT_EQ(mismatch.lines[0], "4.1.1 odd");
}

TEST(SmtpReply, ParsesEnhancedStatusCodes) {
    EXPECT_EQ(smtp::parse_enhanced_status("2.0.0 Ok"), (smtp::EnhancedStatus{2, 0, 0}));
    EXPECT_EQ(smtp::parse_enhanced_status("5.7.8"), (smtp::EnhancedStatus{5, 7, 8}));
    EXPECT_EQ(smtp::parse_enhanced_status("4.999.123 x"), (smtp::EnhancedStatus{4, 999, 123}));
    for (const char* bad : {"", "5", "5.7", "5.7.", "3.1.1 x", "5.1000.1", "5.1.1000", "5.1.1x", "5..1", "a.b.c"}) {
        EXPECT_FALSE(smtp::parse_enhanced_status(bad)) << bad;
    }
}

TEST(SmtpReply, ParserAssemblesHeaderCallbackLines) {
    // What libcurl's header callback delivers during a send, one line per call.
    const std::vector<std::string> lines = {
        "220 mail.example.org ESMTP Postfix\r\n",
        "250-mail.example.org\r\n",
        "250-PIPELINING\r\n",
        "250-SIZE 35882577\r\n",
        "250 8BITMIME\r\n",
        "250 2.1.0 Ok\r\n",
        "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n",
    };
    smtp::ReplyParser parser;
    std::vector<smtp::Reply> replies;
    for (const std::string& line : lines) {
        if (auto reply = parser.add_line(line)) replies.push_back(*reply);
    }
    EXPECT_FALSE(parser.in_progress());
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0].code, 220);
    EXPECT_EQ(replies[1].lines.size(), 4u);
    EXPECT_EQ(replies[2].enhanced->text(), "2.1.0");
    EXPECT_EQ(replies[3].lines[0], "<nobody@example.org>: Recipient address rejected: User unknown");
}

TEST(SmtpReply, RejectsMalformedLines) {
    for (const char* bad : {"", "25", "abc hello", "250hello", "150 preliminary", "650 no", "250_x"}) {
        SCOPED_TRACE(bad);
        smtp::ReplyParser parser;
        try {
            parser.add_line(bad);
            FAIL() << "accepted";
        } catch (const Error& error) {
            EXPECT_EQ(error.kind, ErrorKind::Protocol);
        }
        EXPECT_FALSE(parser.in_progress());
    }
}

TEST(SmtpReply, RejectsACodeChangeInsideAReply) {
    smtp::ReplyParser parser;
    EXPECT_FALSE(parser.add_line("250-first"));
    EXPECT_THROW(parser.add_line("550 second"), Error);
    EXPECT_FALSE(parser.in_progress());  // reset: the next reply parses
    EXPECT_EQ(parser.add_line("221 2.0.0 Bye")->code, 221);
}

TEST(SmtpReply, RejectsIncompleteOrExtraReplies) {
    EXPECT_THROW(smtp::parse_reply("250-more to come\r\n"), Error);
    EXPECT_THROW(smtp::parse_reply("250 one\r\n250 two\r\n"), Error);
    EXPECT_THROW(smtp::parse_reply(""), Error);
    EXPECT_EQ(smtp::parse_replies("250 one\n250 two").size(), 2u);
}

TEST(SmtpReply, LimitsLineAndReplyLength) {
    smtp::ReplyParser parser;
    EXPECT_THROW(parser.add_line("250 " + std::string(smtp::max_reply_line_length, 'x')), Error);
    std::string line = "250-" + std::string(60000, 'y');
    bool threw = false;
    try {
        for (int i = 0; i < 100; ++i) parser.add_line(line);
    } catch (const Error& error) {
        threw = true;
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
    }
    EXPECT_TRUE(threw);
}

TEST(SmtpReply, Classifies) {
    EXPECT_EQ(smtp::classify(250), smtp::ReplyClass::Success);
    EXPECT_EQ(smtp::classify(334), smtp::ReplyClass::Intermediate);
    EXPECT_EQ(smtp::classify(421), smtp::ReplyClass::Temporary);
    EXPECT_EQ(smtp::classify(554), smtp::ReplyClass::Permanent);
    EXPECT_THROW(smtp::classify(199), Error);
    EXPECT_THROW(smtp::classify(600), Error);
}

TEST(SmtpEhlo, ParsesPostfixStyle) {
    auto reply = smtp::parse_reply(
        "250-smtp.example.org\r\n"
        "250-PIPELINING\r\n"
        "250-SIZE 35882577\r\n"
        "250-ETRN\r\n"
        "250-STARTTLS\r\n"
        "250-AUTH PLAIN LOGIN\r\n"
        "250-AUTH=PLAIN LOGIN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n"
        "250-8BITMIME\r\n"
        "250-DSN\r\n"
        "250-SMTPUTF8\r\n"
        "250 CHUNKING\r\n");
    auto caps = smtp::parse_ehlo(reply);
    EXPECT_EQ(caps.greeting, "smtp.example.org");
    EXPECT_TRUE(caps.pipelining);
    EXPECT_TRUE(caps.size);
    EXPECT_EQ(caps.size_limit, 35882577u);
    EXPECT_TRUE(caps.starttls);
    EXPECT_EQ(caps.auth, (std::vector<std::string>{"PLAIN", "LOGIN"}));
    EXPECT_TRUE(caps.enhanced_status_codes);
    EXPECT_TRUE(caps.eight_bit_mime);
    EXPECT_TRUE(caps.dsn);
    EXPECT_TRUE(caps.smtputf8);
    EXPECT_TRUE(caps.chunking);
    EXPECT_FALSE(caps.binary_mime);
    EXPECT_TRUE(caps.has("etrn"));
    EXPECT_TRUE(caps.has("AUTH"));
    EXPECT_FALSE(caps.has("XCLIENT"));
    EXPECT_EQ(caps.keywords.size(), 11u);
}

TEST(SmtpEhlo, ParsesDovecotSubmissionAndOddForms) {
    auto caps = smtp::parse_ehlo(smtp::parse_reply(
        "250-localhost\r\n250-8BITMIME\r\n250-AUTH plain xoauth2\r\n250-BURL imap\r\n250-CHUNKING\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-SIZE\r\n250 PIPELINING\r\n"));
    EXPECT_TRUE(caps.size);
    EXPECT_FALSE(caps.size_limit);  // SIZE without a number
    EXPECT_EQ(caps.auth, (std::vector<std::string>{"PLAIN", "XOAUTH2"}));
    EXPECT_FALSE(caps.starttls);

    auto zero = smtp::parse_ehlo(smtp::parse_reply("250-x\r\n250 SIZE 0\r\n"));
    EXPECT_EQ(zero.size_limit, 0u);
    auto junk = smtp::parse_ehlo(smtp::parse_reply("250-x\r\n250 SIZE lots\r\n"));
    EXPECT_TRUE(junk.size);
    EXPECT_FALSE(junk.size_limit);

    auto helo_only = smtp::parse_ehlo(smtp::parse_reply("250 mail.example.org"));
    EXPECT_EQ(helo_only.greeting, "mail.example.org");
    EXPECT_TRUE(helo_only.keywords.empty());

    auto refused = smtp::parse_ehlo(smtp::parse_reply("502 5.5.2 Error: command not recognized"));
    EXPECT_TRUE(refused.greeting.empty());
    EXPECT_FALSE(refused.pipelining);
}
