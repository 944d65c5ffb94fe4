// MIME parameters with RFC 2231 and the RFC 2047-in-quotes form (lib/text/rfc2231).
#include <gtest/gtest.h>

#include "error.hpp"
#include "text/rfc2231.hpp"
#include "text/utf8.hpp"

namespace zmail::text {
namespace {

std::string filename_of(std::string_view header, std::string_view fallback = {}) {
    return parse_parameterized(header, fallback).find("filename").value_or("<none>");
}

TEST(TextRfc2231Parse, ContentTypeBasics) {
    const ParameterizedValue type =
        parse_parameterized("Text/Plain; charset=\"ISO-2022-JP\"; format=flowed;\r\n\tDelSp=yes");
    EXPECT_EQ(type.value, "text/plain");
    ASSERT_EQ(type.parameters.size(), 3u);
    EXPECT_EQ(type.parameters[0].name, "charset");
    EXPECT_EQ(type.parameters[0].value, "ISO-2022-JP");
    EXPECT_EQ(type.find("FORMAT").value_or(""), "flowed");
    EXPECT_EQ(type.find("delsp").value_or(""), "yes");
    EXPECT_FALSE(type.find("name"));

    const ParameterizedValue multipart = parse_parameterized(
        "multipart/mixed;\r\n boundary=\"----=_NextPart_000_0001_01DA1234.56789ABC\"");
    EXPECT_EQ(multipart.value, "multipart/mixed");
    EXPECT_EQ(multipart.find("boundary").value_or(""), "----=_NextPart_000_0001_01DA1234.56789ABC");

    EXPECT_EQ(parse_parameterized("text/plain (a comment); charset=us-ascii (another)").value, "text/plain");
    EXPECT_EQ(parse_parameterized("text/plain; charset=us-ascii (another)").find("charset").value_or(""),
              "us-ascii (another)");
}

TEST(TextRfc2231Parse, Rfc2231Examples) {
    const ParameterizedValue external = parse_parameterized(
        "message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n"
        " URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
    EXPECT_EQ(external.find("url").value_or(""), "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
    const ParameterizedValue title = parse_parameterized(
        "application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n"
        " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"");
    EXPECT_EQ(title.find("title").value_or(""), "This is even more ***fun*** isn't it!");
    EXPECT_EQ(filename_of("attachment; filename*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"),
              "This is ***fun***");
}

TEST(TextRfc2231Parse, ThunderbirdAndAppleMail) {
    EXPECT_EQ(filename_of("attachment;\r\n filename*0*=UTF-8''%E4%BB%A4%E5%92%8C6%E5%B9%B4%E5%BA%A6_%E7%AC%AC3%E5%9B%9B;\r\n"
                          " filename*1*=%E5%8D%8A%E6%9C%9F_%E5%A3%B2%E4%B8%8A%E5%A0%B1%E5%91%8A%E6%9B%B8.xlsx"),
              "令和6年度_第3四半期_売上報告書.xlsx");
    EXPECT_EQ(filename_of("attachment;\r\n\tfilename*=utf-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf"), "報告書.pdf");
    // A multibyte character split across sections is joined as bytes.
    EXPECT_EQ(filename_of("attachment; filename*0*=UTF-8''%E5%A0; filename*1*=%B1.pdf"), "報.pdf");
    // Sections out of order.
    EXPECT_EQ(filename_of("attachment; filename*1*=%E5%91%8A.pdf; filename*0*=UTF-8''%E5%A0%B1"), "報告.pdf");
    // ISO-2022-JP in RFC 2231 form.
    EXPECT_EQ(filename_of("attachment; filename*=iso-2022-jp''%1B%24BJs9p%3Dq%1B%28B.pdf"), "報告書.pdf");
}

TEST(TextRfc2231Parse, OutlookGmailFoxmailEncodedWordsInQuotes) {
    EXPECT_EQ(filename_of("attachment; filename=\"=?UTF-8?B?5aCx5ZGK5pu4LnBkZg==?=\""), "報告書.pdf");
    EXPECT_EQ(filename_of("attachment;\r\n\tfilename=\"=?iso-2022-jp?B?GyRCQEE1YT1xGyhCLnBkZg==?=\""), "請求書.pdf");
    EXPECT_EQ(filename_of("attachment;\r\n\tfilename=\"=?gb18030?B?sai827WlLnhsc3g=?=\""), "报价单.xlsx");
    // Folded between words, as Thunderbird writes name= for old readers.
    EXPECT_EQ(parse_parameterized("application/pdf;\r\n name=\"=?UTF-8?B?5aCx5ZGK?=\r\n =?UTF-8?B?5pu4LnBkZg==?=\"")
                  .find("name")
                  .value_or(""),
              "報告書.pdf");
}

TEST(TextRfc2231Parse, ExtendedFormWinsOverPlain) {
    EXPECT_EQ(filename_of("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E5%A0%B1.pdf"), "報.pdf");
    EXPECT_EQ(filename_of("attachment; filename*=UTF-8''%E5%A0%B1.pdf; filename=\"fallback.pdf\""), "報.pdf");
}

TEST(TextRfc2231Parse, RawEightBitFilenames) {
    const std::string gbk = "attachment; filename=\"\xB1\xA8\xBC\xDB\xB5\xA5.xlsx\"";
    EXPECT_EQ(filename_of(gbk, "GB18030"), "报价单.xlsx");
    EXPECT_TRUE(is_valid_utf8(filename_of(gbk)));
    EXPECT_EQ(filename_of("attachment; filename=\"報告書.pdf\"", "GB18030"), "報告書.pdf");
}

TEST(TextRfc2231Parse, BrokenInputIsHandled) {
    EXPECT_EQ(filename_of("attachment; filename=\"unterminated.pdf"), "unterminated.pdf");
    EXPECT_EQ(filename_of("attachment; filename=my file.pdf"), "my file.pdf");
    EXPECT_EQ(filename_of("attachment; junk; filename=a.pdf; =x; novalue"), "a.pdf");
    EXPECT_EQ(filename_of("attachment; filename=\"a\\\"b.pdf\""), "a\"b.pdf");
    EXPECT_EQ(filename_of("attachment; filename=first.pdf; filename=second.pdf"), "first.pdf");
    EXPECT_EQ(filename_of("attachment; filename*=UTF-8''%ZZ%E5"), "%ZZ\xEF\xBF\xBD");
    EXPECT_EQ(filename_of("attachment; filename*=\"UTF-8''%E5%A0%B1.pdf\""), "報.pdf");
    EXPECT_EQ(filename_of("attachment; filename*=%E5%A0%B1.pdf"), "報.pdf");  // no charset'lang'
    EXPECT_EQ(filename_of("attachment; filename*99999999999=x"), "<none>");
    EXPECT_EQ(parse_parameterized("").value, "");
    EXPECT_TRUE(parse_parameterized(";;;").parameters.empty());
}

TEST(TextRfc2231Encode, AsciiValuesStayQuoted) {
    EXPECT_EQ(encode_parameter("filename", "report.pdf"), "filename=\"report.pdf\"");
    EXPECT_EQ(encode_parameter("filename", "my \"best\" report.pdf"), "filename=\"my \\\"best\\\" report.pdf\"");
    EXPECT_EQ(encode_parameter("charset", "UTF-8"), "charset=\"UTF-8\"");
}

TEST(TextRfc2231Encode, NonAsciiUsesUtf8PercentEncoding) {
    EXPECT_EQ(encode_parameter("filename", "報告書.pdf"), "filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf");
    EXPECT_EQ(encode_parameter("filename", "tab\there"), "filename*=UTF-8''tab%09here");
    EXPECT_EQ(encode_parameter("filename", "報 a'b%c"), "filename*=UTF-8''%E5%A0%B1%20a%27b%25c");
}

TEST(TextRfc2231Encode, LongValuesUseContinuationsThatParseBack) {
    const std::string name = "令和6年度_第3四半期_売上報告書_最終版_修正済み_確認用（営業部・経理部回覧）.xlsx";
    const std::string encoded = encode_parameter("filename", name);
    EXPECT_TRUE(encoded.starts_with("filename*0*=UTF-8''")) << encoded;
    EXPECT_NE(encoded.find(";\r\n filename*1*="), std::string::npos) << encoded;
    std::size_t start = 0;
    while (start < encoded.size()) {
        std::size_t end = encoded.find("\r\n", start);
        if (end == std::string::npos) end = encoded.size();
        EXPECT_LE(end - start + (start == 0 ? 1 : 0), 78u);  // the first line gets its blank from the caller
        start = end + 2;
    }
    EXPECT_EQ(filename_of("attachment;\r\n " + encoded), name);
    EXPECT_EQ(filename_of("attachment; " + encode_parameter("filename", std::string(950, 'x'))),
              std::string(950, 'x'));
}

TEST(TextRfc2231Encode, Rfc2047FormForOldReaders) {
    EXPECT_EQ(encode_parameter_rfc2047("name", "報告書.pdf"), "name=\"=?UTF-8?B?5aCx5ZGK5pu4LnBkZg==?=\"");
    EXPECT_EQ(encode_parameter_rfc2047("name", "report.pdf"), "name=\"report.pdf\"");
    const std::string value = "令和6年度_第3四半期_売上報告書_最終版_修正済み.xlsx";
    EXPECT_EQ(parse_parameterized("application/octet-stream; " + encode_parameter_rfc2047("name", value))
                  .find("name")
                  .value_or(""),
              value);
}

TEST(TextRfc2231Encode, RejectsBadArguments) {
    EXPECT_THROW(encode_parameter("file name", "x"), Error);
    EXPECT_THROW(encode_parameter("filename*", "x"), Error);
    try {
        encode_parameter("filename", "bad\xFF");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Data);
    }
}

}  // namespace
}  // namespace zmail::text
