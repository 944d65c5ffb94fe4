// The MDA command of one message (fetch/mda_command.hpp): %F and %T become the envelope sender and
// recipient as single /bin/sh words, whatever the server's message holds.
#include <gtest/gtest.h>

#include "fetch/mda_command.hpp"

namespace zmail::fetch {
namespace {

TEST(MdaCommand, SenderIsReturnPathThenFromThenMailerDaemon) {
    EXPECT_EQ(envelope_sender("Return-Path: <bounce@lists.example>\nFrom: Alice <alice@example.jp>\n\nbody\n"),
              "bounce@lists.example");
    EXPECT_EQ(envelope_sender("From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <taro@example.jp>\r\nSubject: x\r\n\r\n"),
              "taro@example.jp");
    EXPECT_EQ(envelope_sender("Return-Path: <>\nFrom: MAILER-DAEMON@example.jp\n\n"), "MAILER-DAEMON")
        << "a bounce has no sender";
    EXPECT_EQ(envelope_sender("Subject: no sender\n\nFrom: body@example.jp\n"), "MAILER-DAEMON")
        << "the body is never read";
    EXPECT_EQ(envelope_sender(""), "MAILER-DAEMON");
    EXPECT_EQ(envelope_sender("From: \"a b\"@example.jp\n\n"), "MAILER-DAEMON") << "a blank would split the word";
}

TEST(MdaCommand, PercentFAndTAreQuotedWordsAndNothingElseChanges) {
    EXPECT_EQ(mda_command("procmail -f %F -a %T", "alice@example.jp", "bob@example.jp"),
              "procmail -f 'alice@example.jp' -a 'bob@example.jp'");
    EXPECT_EQ(mda_command("date +%%s %d %", "a", "b"), "date +%s %d %");
    // a sender the server chose cannot run anything
    EXPECT_EQ(mda_command("deliver %F", "x';rm -rf ~;'@example.jp", "b"), "deliver 'x'\\'';rm -rf ~;'\\''@example.jp'");
    EXPECT_EQ(mda_command("deliver %F", "$(id)`id`@example.jp", "b"), "deliver '$(id)`id`@example.jp'");
}

}  // namespace
}  // namespace zmail::fetch
