// Ready messages (sendmail mode): header fields found as written, Bcc removed with its
// continuation lines, Date and Message-ID added only when missing, nothing else changed.
#include <gtest/gtest.h>

#include <string>

#include "error.hpp"
#include "mime/ready_message.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace mime = zmail::mime;

namespace {

// As neomutt hands it to sendmail: LF line ends, a folded Bcc, no Date/Message-ID.
constexpr const char* mutt_message =
    "From: Alice <alice@example.test>\n"
    "To: Bob <bob@example.net>, carol@example.net\n"
    "Cc: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\n"
    "Bcc: hidden@example.net,\n"
    "\tsecret@example.net\n"
    "Subject: =?UTF-8?B?44OG44K544OI?=\n"
    "User-Agent: NeoMutt/20220429\n"
    "\n"
    "Body line 1\n"
    ".\n"
    "Bcc: not a header\n";

}  // namespace

TEST(MimeReadyMessage, ParsesFieldsWithFolding) {
    const auto header = mime::parse_header_block(mutt_message);
    ASSERT_EQ(header.fields.size(), 6u);
    EXPECT_TRUE(header.has_separator);
    EXPECT_EQ(header.fields[3].name, "Bcc");
    EXPECT_EQ(header.fields[3].raw_value, " hidden@example.net,\n\tsecret@example.net");
    EXPECT_EQ(std::string(mutt_message).substr(header.body_offset, 11), "Body line 1");
    EXPECT_EQ(header.count("bcc"), 1u);
}

TEST(MimeReadyMessage, RemovesBccOnlyFromTheHeader) {
    const std::string out = mime::remove_fields(mutt_message, "BCC");
    EXPECT_EQ(out,
              "From: Alice <alice@example.test>\n"
              "To: Bob <bob@example.net>, carol@example.net\n"
              "Cc: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\n"
              "Subject: =?UTF-8?B?44OG44K544OI?=\n"
              "User-Agent: NeoMutt/20220429\n"
              "\n"
              "Body line 1\n"
              ".\n"
              "Bcc: not a header\n");
}

TEST(MimeReadyMessage, AddsDateAndMessageIdOnlyWhenMissing) {
    const auto ready = mime::read_ready_message(mutt_message, "Tue, 14 Nov 2023 10:00:00 +0900", "<new@example.test>",
                                                "From: should-not-be-used@example.test");
    EXPECT_TRUE(ready.added_date);
    EXPECT_TRUE(ready.added_message_id);
    EXPECT_FALSE(ready.added_from);
    EXPECT_EQ(ready.message_id, "<new@example.test>");
    std::string expected = "Date: Tue, 14 Nov 2023 10:00:00 +0900\nMessage-ID: <new@example.test>\n";
    expected += mutt_message;
    EXPECT_EQ(ready.bytes, expected);
    ASSERT_EQ(ready.to.size(), 2u);
    EXPECT_EQ(ready.to[1].address, "carol@example.net");
    ASSERT_EQ(ready.cc.size(), 1u);
    EXPECT_EQ(ready.cc[0].display_name, "山田");
    ASSERT_EQ(ready.bcc.size(), 2u);
    EXPECT_EQ(ready.bcc[1].address, "secret@example.net");
    ASSERT_EQ(ready.from.size(), 1u);
    EXPECT_EQ(ready.from[0].address, "alice@example.test");
}

TEST(MimeReadyMessage, KeepsAnExistingDateAndMessageIdByteForByte) {
    const std::string message =
        "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID:\r\n <keep.me@example.test>\r\nFrom: a@example.test\r\n"
        "To: b@example.net\r\n\r\nbody\r\n";
    const auto ready = mime::read_ready_message(message, "x", "<unused@x>", "");
    EXPECT_EQ(ready.bytes, message);
    EXPECT_EQ(ready.message_id, "<keep.me@example.test>");
    EXPECT_FALSE(ready.added_date || ready.added_message_id);
}

TEST(MimeReadyMessage, BlankDateAndMessageIdCountAsMissing) {
    // found by the fuzzer: an empty Message-ID gave an empty id to file the Sent copy under
    const std::string message = "From: a@example.test\r\nDate: \r\nMessage-ID:\r\n  \r\nSubject: s\r\n\r\nbody\r\n";
    const auto ready = mime::read_ready_message(message, "Tue, 14 Nov 2023 10:00:00 +0900", "<new@example.test>", "");
    EXPECT_TRUE(ready.added_date);
    EXPECT_TRUE(ready.added_message_id);
    EXPECT_EQ(ready.message_id, "<new@example.test>");
    EXPECT_EQ(ready.bytes, "Date: Tue, 14 Nov 2023 10:00:00 +0900\r\nMessage-ID: <new@example.test>\r\n"
                           "From: a@example.test\r\nSubject: s\r\n\r\nbody\r\n");
    // a second, non-blank Message-ID is the one kept
    const auto second = mime::read_ready_message("Message-ID: \nMessage-ID: <kept@x>\nFrom: a@x\n\nb\n", "D", "<i@x>", "");
    EXPECT_FALSE(second.added_message_id);
    EXPECT_EQ(second.message_id, "<kept@x>");
}

TEST(MimeReadyMessage, AddsFromWhenThereIsNone) {
    const auto ready = mime::read_ready_message("To: b@example.net\n\nhi\n", "D", "<i@x>", "From: me@example.test");
    EXPECT_TRUE(ready.added_from);
    EXPECT_EQ(ready.bytes, "Date: D\nMessage-ID: <i@x>\nFrom: me@example.test\nTo: b@example.net\n\nhi\n");
}

TEST(MimeReadyMessage, DropsAnMboxSeparatorLine) {
    const auto ready = mime::read_ready_message("From alice@example.test Mon Jan  1 00:00:00 2024\nFrom: a@x\n"
                                                "Date: d\nMessage-ID: <m@x>\n\nbody\n",
                                                "D", "<i@x>", "");
    EXPECT_EQ(ready.bytes, "From: a@x\nDate: d\nMessage-ID: <m@x>\n\nbody\n");
}

TEST(MimeReadyMessage, RefusesEmptyOrHeaderlessInput) {
    auto kind = [](const std::string& m) {
        try {
            mime::read_ready_message(m, "D", "<i@x>", "");
        } catch (const Error& e) {
            return e.kind;
        }
        return ErrorKind::Internal;
    };
    EXPECT_EQ(kind(""), ErrorKind::Data);
    EXPECT_EQ(kind("\n\n"), ErrorKind::Data);
    EXPECT_EQ(kind("just some text\nwithout a header\n"), ErrorKind::Data);
}

TEST(MimeReadyMessage, BodyWithoutSeparatorStartsAtTheFirstNonField) {
    const auto header = mime::parse_header_block("Subject: x\nthis is body text\n");
    EXPECT_EQ(header.fields.size(), 1u);
    EXPECT_FALSE(header.has_separator);
    EXPECT_EQ(header.body_offset, 11u);
}

TEST(MimeReadyMessage, ConvertsLineEndsToCrlf) {
    EXPECT_EQ(mime::to_crlf("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd\r\n");
    EXPECT_EQ(mime::to_crlf("x\r\n"), "x\r\n");
    EXPECT_EQ(mime::to_crlf(""), "");
}

TEST(MimeReadyMessage, PrependKeepsTheLineEndStyle) {
    EXPECT_EQ(mime::prepend_fields("A: 1\r\n\r\nb\r\n", {"B: 2"}), "B: 2\r\nA: 1\r\n\r\nb\r\n");
    EXPECT_EQ(mime::prepend_fields("A: 1\n\nb\n", {"B: 2"}), "B: 2\nA: 1\n\nb\n");
}
