// Composing new messages: encoded words, folding, RFC 2231 file names, quoted-printable and
// ISO-2022-JP bodies, multipart only with attachments, header injection refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "mime/compose.hpp"
#include "mime/header_values.hpp"
#include "mime/media_types.hpp"
#include "mime/ready_message.hpp"
#include "text/base64.hpp"
#include "text/rfc2047.hpp"
#include "text/rfc2231.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace mime = zmail::mime;
namespace text = zmail::text;

namespace {

mime::Draft basic_draft() {
    mime::Draft d;
    d.from = {"", "alice@example.test", ""};
    d.to = {{"", "bob@example.net", ""}};
    d.subject = "Hello";
    d.body = "Hi Bob,\nsee you.\n";
    d.date = "Tue, 14 Nov 2023 10:00:00 +0900";
    d.message_id = "<abc@example.test>";
    d.boundary = "=_test_boundary";
    return d;
}

/// Every line of `message` (split at CRLF).
std::vector<std::string> lines_of(const std::string& message) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < message.size()) {
        std::size_t end = message.find("\r\n", start);
        if (end == std::string::npos) end = message.size();
        out.push_back(message.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

/// The unfolded value of the first field `name` in `message`.
std::string field_value(const std::string& message, const std::string& name) {
    const auto header = mime::parse_header_block(message);
    const auto* f = header.find(name);
    if (!f) return "<missing>";
    std::string value = text::unfold_header(f->raw_value);
    value.erase(0, value.find_first_not_of(' '));
    return value;
}

/// The encoded words ("=?...?=") of a string.
std::vector<std::string> encoded_words(const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = s.find("=?", pos)) != std::string::npos) {
        std::size_t q1 = s.find('?', pos + 2), q2 = q1 == std::string::npos ? q1 : s.find('?', q1 + 1);
        std::size_t end = q2 == std::string::npos ? q2 : s.find("?=", q2 + 1);
        if (end == std::string::npos) break;
        out.push_back(s.substr(pos, end + 2 - pos));
        pos = end + 2;
    }
    return out;
}

ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind;
    }
    return ErrorKind::Internal;
}

}  // namespace

TEST(MimeCompose, PlainAsciiMessageIsSevenBitSinglePart) {
    const auto m = mime::compose(basic_draft()).message;
    EXPECT_EQ(m,
              "Date: Tue, 14 Nov 2023 10:00:00 +0900\r\n"
              "From: alice@example.test\r\n"
              "To: bob@example.net\r\n"
              "Subject: Hello\r\n"
              "Message-ID: <abc@example.test>\r\n"
              "MIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: 7bit\r\n"
              "\r\n"
              "Hi Bob,\r\n"
              "see you.\r\n");
}

TEST(MimeCompose, JapaneseSubjectAndNamesBecomeShortEncodedWords) {
    auto d = basic_draft();
    d.from.display_name = "山田 花子";
    d.to = {{"鈴木 一郎", "ichiro@example.jp", ""}};
    d.subject = "【重要】来週の打ち合わせの議題と資料の確認について（第３回プロジェクト定例会議）";
    const auto m = mime::compose(d).message;
    for (const auto& line : lines_of(m)) EXPECT_LE(line.size(), 78u) << line;
    const std::string subject_field = mime::parse_header_block(m).find("Subject")->raw_value;
    const auto words = encoded_words(subject_field);
    ASSERT_GE(words.size(), 2u);
    for (const auto& w : words) {
        EXPECT_LE(w.size(), 75u) << w;
        EXPECT_TRUE(w.starts_with("=?UTF-8?B?")) << w;
    }
    EXPECT_EQ(text::decode_header(field_value(m, "Subject")), d.subject);
    EXPECT_EQ(text::decode_header(field_value(m, "From")), "山田 花子 <alice@example.test>");
    EXPECT_EQ(text::decode_header(field_value(m, "To")), "鈴木 一郎 <ichiro@example.jp>");
}

TEST(MimeCompose, Iso2022JpSubjectNameAndBody) {
    auto d = basic_draft();
    d.charset = "ISO-2022-JP";
    d.from.display_name = "山田 花子";
    d.subject = "お見積りのご依頼";
    d.body = "いつもお世話になっております。\nよろしくお願いします。\n";
    const auto composed = mime::compose(d);
    const auto& m = composed.message;
    EXPECT_TRUE(composed.warnings.empty());
    EXPECT_NE(m.find("Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n"),
              std::string::npos);
    for (const auto& w : encoded_words(m)) EXPECT_TRUE(w.starts_with("=?ISO-2022-JP?B?")) << w;
    EXPECT_EQ(text::decode_header(field_value(m, "Subject")), "お見積りのご依頼");
    EXPECT_EQ(text::decode_header(field_value(m, "From")), "山田 花子 <alice@example.test>");
    // each body line leaves JIS X 0208 before its line end (RFC 1468)
    const std::string body = m.substr(mime::parse_header_block(m).body_offset);
    for (const auto& line : lines_of(body)) {
        if (line.find('\x1b') != std::string::npos) {
            EXPECT_TRUE(line.ends_with("\x1b(B")) << line;
        }
        for (char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
    }
}

TEST(MimeCompose, Iso2022JpFallsBackToUtf8WithAWarning) {
    auto d = basic_draft();
    d.charset = "ISO-2022-JP";
    d.body = "emoji 😀 cannot go in ISO-2022-JP\n";
    const auto composed = mime::compose(d);
    EXPECT_NE(composed.message.find("charset=UTF-8"), std::string::npos);
    ASSERT_EQ(composed.warnings.size(), 1u);
}

TEST(MimeCompose, NonAsciiBodyIsQuotedPrintableWithShortLines) {
    auto d = basic_draft();
    d.body = std::string(200, 'a') + " こんにちは\n.\nFrom here\n";
    const auto m = mime::compose(d).message;
    EXPECT_NE(m.find("Content-Transfer-Encoding: quoted-printable"), std::string::npos);
    const std::string body = m.substr(mime::parse_header_block(m).body_offset);
    for (const auto& line : lines_of(body)) EXPECT_LE(line.size(), 76u);
    EXPECT_NE(body.find("=E3=81=93"), std::string::npos);
    EXPECT_NE(body.find("\r\n=2E\r\n"), std::string::npos);  // a lone '.' line is encoded
}

TEST(MimeCompose, LongAsciiLinesAreQuotedPrintable) {
    auto d = basic_draft();
    d.body = std::string(1200, 'x') + "\n";
    EXPECT_NE(mime::compose(d).message.find("quoted-printable"), std::string::npos);
}

TEST(MimeCompose, AttachmentsMakeMultipartWithRfc2231Names) {
    auto d = basic_draft();
    std::string binary;
    for (int i = 0; i < 1000; ++i) binary += static_cast<char>(i * 7);
    d.attachments.push_back({"２０２４年度_事業計画書_最終版_レビュー済み_とても長い名前.pdf", binary, "application/pdf"});
    const auto m = mime::compose(d).message;
    EXPECT_NE(m.find("Content-Type: multipart/mixed;\r\n boundary=\"=_test_boundary\"\r\n"), std::string::npos);
    for (const auto& line : lines_of(m)) {
        // the first word of the RFC 2047 name= may pass 78 by its ' name="' (a SHOULD, not a MUST)
        EXPECT_LE(line.size(), line.starts_with(" name=\"=?") ? 998u : 78u) << line;
    }
    // RFC 2231 continuations in Content-Disposition, RFC 2047 in Content-Type name=
    EXPECT_NE(m.find("filename*0*=UTF-8''"), std::string::npos);
    EXPECT_NE(m.find("filename*1*="), std::string::npos);
    EXPECT_NE(m.find(" name=\"=?UTF-8?B?"), std::string::npos);
    const std::size_t part = m.find("Content-Type: application/pdf");
    ASSERT_NE(part, std::string::npos);
    const std::string attachment_part = m.substr(part);
    const auto header = mime::parse_header_block(attachment_part);
    const auto disposition = text::parse_parameterized(header.find("Content-Disposition")->raw_value);
    EXPECT_EQ(disposition.value, "attachment");
    EXPECT_EQ(disposition.find("filename"), d.attachments[0].filename);
    const auto type = text::parse_parameterized(header.find("Content-Type")->raw_value);
    EXPECT_EQ(type.find("name"), d.attachments[0].filename);
    const std::string encoded =
        attachment_part.substr(header.body_offset, attachment_part.find("\r\n--=_test_boundary") - header.body_offset);
    EXPECT_EQ(text::base64_decode(encoded), binary);
    EXPECT_TRUE(m.ends_with("\r\n--=_test_boundary--\r\n"));
}

TEST(MimeCompose, NoTextPartWhenOnlyAnAttachment) {
    auto d = basic_draft();
    d.body.clear();
    d.attachments.push_back({"a.txt", "x", "text/plain"});
    const auto m = mime::compose(d).message;
    EXPECT_EQ(m.find("charset=UTF-8"), std::string::npos);
    EXPECT_NE(m.find("Content-Type: text/plain;\r\n name=\"a.txt\""), std::string::npos);
    EXPECT_NE(m.find("Content-Disposition: attachment;\r\n filename=\"a.txt\""), std::string::npos);
}

TEST(MimeCompose, BccIsWrittenAndRemovableForTheWire) {
    auto d = basic_draft();
    d.bcc = {{"", "secret@example.net", ""}};
    const auto m = mime::compose(d).message;
    EXPECT_NE(m.find("Bcc: secret@example.net\r\n"), std::string::npos);
    const auto wire = mime::remove_fields(m, "Bcc");
    EXPECT_EQ(wire.find("secret"), std::string::npos);
    EXPECT_EQ(wire.size(), m.size() - std::string("Bcc: secret@example.net\r\n").size());
}

TEST(MimeCompose, InReplyToSetsReferencesToo) {
    auto d = basic_draft();
    d.in_reply_to = "<orig@example.net>";
    const auto m = mime::compose(d).message;
    EXPECT_NE(m.find("In-Reply-To: <orig@example.net>\r\nReferences: <orig@example.net>\r\n"), std::string::npos);
}

TEST(MimeCompose, LongAddressListsAreFolded) {
    auto d = basic_draft();
    d.to.clear();
    for (int i = 0; i < 12; ++i) d.to.push_back({"", "recipient" + std::to_string(i) + "@example.net", ""});
    const auto m = mime::compose(d).message;
    for (const auto& line : lines_of(m)) EXPECT_LE(line.size(), 78u) << line;
    EXPECT_EQ(text::parse_address_list(mime::parse_header_block(m).find("To")->raw_value).size(), 12u);
}

TEST(MimeCompose, RefusesHeaderInjection) {
    auto subject = basic_draft();
    subject.subject = "hi\r\nBcc: victim@example.net";
    EXPECT_EQ(kind_of([&] { mime::compose(subject); }), ErrorKind::Usage);
    auto lf = basic_draft();
    lf.subject = "hi\nX-Evil: 1";
    EXPECT_EQ(kind_of([&] { mime::compose(lf); }), ErrorKind::Usage);
    auto name = basic_draft();
    name.to[0].display_name = "Bob\r\nBcc: x@y";
    EXPECT_EQ(kind_of([&] { mime::compose(name); }), ErrorKind::Usage);
    auto address = basic_draft();
    address.to[0].address = "bob@example.net\r\nBcc: x@y";
    EXPECT_EQ(kind_of([&] { mime::compose(address); }), ErrorKind::Usage);
    auto header = basic_draft();
    header.extra_fields = {{"X-Tag", "a\r\nBcc: x@y"}};
    EXPECT_EQ(kind_of([&] { mime::compose(header); }), ErrorKind::Usage);
    auto filename = basic_draft();
    filename.attachments = {{"a\r\nContent-Type: text/html", "x", "text/plain"}};
    EXPECT_EQ(kind_of([&] { mime::compose(filename); }), ErrorKind::Usage);
}

TEST(MimeCompose, RefusesReservedOrInvalidExtraFields) {
    auto d = basic_draft();
    d.extra_fields = {{"Bcc", "x@y"}};
    EXPECT_EQ(kind_of([&] { mime::compose(d); }), ErrorKind::Usage);
    d.extra_fields = {{"content-type", "text/html"}};
    EXPECT_EQ(kind_of([&] { mime::compose(d); }), ErrorKind::Usage);
    d.extra_fields = {{"Bad Name", "x"}};
    EXPECT_EQ(kind_of([&] { mime::compose(d); }), ErrorKind::Usage);
    d.extra_fields = {{"X-Priority", "1"}, {"X-Note", "日本語のメモ"}};
    const auto m = mime::compose(d).message;
    EXPECT_NE(m.find("X-Priority: 1\r\n"), std::string::npos);
    EXPECT_EQ(text::decode_header(field_value(m, "X-Note")), "日本語のメモ");
}

TEST(MimeCompose, NonAsciiLocalPartNeedsSmtputf8) {
    auto d = basic_draft();
    d.to[0].address = "たろう@example.jp";
    EXPECT_EQ(kind_of([&] { mime::compose(d); }), ErrorKind::Data);
}

TEST(MimeCompose, IdnDomainsArePunycoded) {
    auto d = basic_draft();
    d.to[0].address = "info@例え.jp";
    EXPECT_NE(mime::compose(d).message.find("To: info@xn--r8jz45g.jp\r\n"), std::string::npos);
}

TEST(MimeHeaderValues, DateIsRfc5322InEnglish) {
    EXPECT_EQ(mime::format_date(1700000000, 540), "Wed, 15 Nov 2023 07:13:20 +0900");
    EXPECT_EQ(mime::format_date(1700000000, -300), "Tue, 14 Nov 2023 17:13:20 -0500");
    EXPECT_EQ(mime::format_date(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
}

TEST(MimeHeaderValues, MessageIdsAreUniqueOnTheDomain) {
    const auto a = mime::new_message_id("example.test"), b = mime::new_message_id("example.test");
    EXPECT_NE(a, b);
    EXPECT_TRUE(a.starts_with("<") && a.ends_with("@example.test>")) << a;
    EXPECT_EQ(a.size(), 1 + 26 + 1 + 12 + 1);
}

TEST(MimeHeaderValues, NormalizesMessageIds) {
    EXPECT_EQ(mime::normalize_message_id("--in-reply-to", "abc@x"), "<abc@x>");
    EXPECT_EQ(mime::normalize_message_id("--in-reply-to", " <abc@x> "), "<abc@x>");
    EXPECT_EQ(kind_of([] { mime::normalize_message_id("--in-reply-to", "abc"); }), ErrorKind::Usage);
    EXPECT_EQ(kind_of([] { mime::normalize_message_id("--in-reply-to", "<a@x>\r\nBcc: y"); }), ErrorKind::Usage);
}

TEST(MimeMediaTypes, LooksUpExtensionsCaseInsensitively) {
    const auto table = mime::MediaTypes::from_text("# comment\napplication/pdf\t\tpdf\nimage/jpeg jpeg jpg jpe\n"
                                                   "text/plain txt asc # trailing comment\n");
    EXPECT_EQ(table.lookup("Scan.PDF"), "application/pdf");
    EXPECT_EQ(table.lookup("/tmp/写真.jpg"), "image/jpeg");
    EXPECT_EQ(table.lookup("notes.asc"), "text/plain");
    EXPECT_EQ(table.lookup("archive.unknownext"), "application/octet-stream");
    EXPECT_EQ(table.lookup("README"), "application/octet-stream");
    EXPECT_EQ(table.lookup(".bashrc"), "application/octet-stream");
}

TEST(MimeMediaTypes, ReadsDebiansTableOrFallsBack) {
    const mime::MediaTypes system;
    EXPECT_EQ(system.lookup("a.pdf"), "application/pdf");
    EXPECT_EQ(system.lookup("b.png"), "image/png");
    const mime::MediaTypes missing("/nonexistent/mime.types");
    EXPECT_FALSE(missing.from_file());
    EXPECT_EQ(missing.lookup("a.pdf"), "application/pdf");
}
