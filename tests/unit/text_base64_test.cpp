// Base64 and quoted-printable (lib/text/base64, quoted_printable).
#include <gtest/gtest.h>

#include "error.hpp"
#include "text/base64.hpp"
#include "text/quoted_printable.hpp"

namespace zmail::text {
namespace {

// --- base64 ------------------------------------------------------------------------------

TEST(TextBase64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(plain), encoded);
        EXPECT_EQ(base64_decode(encoded), plain);
    }
}

TEST(TextBase64, BinaryAndUtf8) {
    const std::string binary("\x00\xFF\xFE\x80\x7F", 5);
    EXPECT_EQ(base64_encode(binary), "AP/+gH8=");
    EXPECT_EQ(base64_decode("AP/+gH8="), binary);
    EXPECT_EQ(base64_encode("送信済み"), "6YCB5L+h5riI44G/");
}

TEST(TextBase64, LineLength) {
    const std::string data(100, 'x');
    const std::string encoded = base64_encode(data, 76);
    EXPECT_EQ(encoded.substr(76, 2), "\r\n");
    EXPECT_EQ(encoded.size(), 136u + 4u);  // 136 characters in two lines, each ending CRLF
    EXPECT_TRUE(encoded.ends_with("\r\n"));
    EXPECT_EQ(base64_decode(encoded), data);
    EXPECT_EQ(base64_encode("abc", 76), "YWJj\r\n");
    EXPECT_EQ(base64_encode(std::string(57, 'a'), 76).size(), 78u);  // exactly one full line
    EXPECT_EQ(base64_encode("abcdef", 6), "YWJj\r\nZGVm\r\n");      // rounded down to 4
}

TEST(TextBase64, LenientDecodeSkipsNoise) {
    EXPECT_EQ(base64_decode("Zm9v\r\nYmFy\r\n"), "foobar");
    EXPECT_EQ(base64_decode("  Zm9v YmFy\t"), "foobar");
    EXPECT_EQ(base64_decode("Zm9vYg"), "foob");  // missing padding
    EXPECT_EQ(base64_decode("Zm9v!!YmFy"), "foobar");
    EXPECT_EQ(base64_decode("Zg==Zm8="), "ffo");  // concatenated blocks
    EXPECT_EQ(base64_decode("===="), "");
}

// --- quoted-printable --------------------------------------------------------------------

TEST(TextQuotedPrintable, EncodesWhatMustBeEncoded) {
    EXPECT_EQ(quoted_printable_encode("a=b"), "a=3Db");
    EXPECT_EQ(quoted_printable_encode("café"), "caf=C3=A9");
    EXPECT_EQ(quoted_printable_encode("tab\there"), "tab\there");
    EXPECT_EQ(quoted_printable_encode("bell\x07"), "bell=07");
    EXPECT_EQ(quoted_printable_encode("trailing  \r\nnext"), "trailing =20\r\nnext");
    EXPECT_EQ(quoted_printable_encode("end\t"), "end=09");
    EXPECT_EQ(quoted_printable_encode("lone\rcr"), "lone=0Dcr");
    EXPECT_EQ(quoted_printable_encode(".\r\n..x"), "=2E\r\n=2E.x");
    EXPECT_EQ(quoted_printable_encode("From here\r\nFrom"), "=46rom here\r\nFrom");
}

TEST(TextQuotedPrintable, LineBreaksBecomeCrlf) {
    EXPECT_EQ(quoted_printable_encode("a\r\nb\r\n"), "a\r\nb\r\n");
    EXPECT_EQ(quoted_printable_encode("a\nb\n"), "a\r\nb\r\n");
    EXPECT_EQ(quoted_printable_encode("\r\n\r\n"), "\r\n\r\n");
    EXPECT_EQ(quoted_printable_encode(""), "");
}

TEST(TextQuotedPrintable, SoftBreaksKeepLinesWithin76) {
    const std::string text = "これは日本語のメール本文です。長い行は途中でソフト改行されますが、文字化けしてはいけません。";
    const std::string encoded = quoted_printable_encode(text + "\r\n" + std::string(200, 'a') + " \r\n");
    std::size_t start = 0;
    while (start < encoded.size()) {
        const std::size_t end = encoded.find("\r\n", start);
        ASSERT_NE(end, std::string::npos);
        const std::string line = encoded.substr(start, end - start);
        EXPECT_LE(line.size(), 76u) << line;
        // A soft break never cuts an =XX triple.
        const std::size_t last_equals = line.rfind('=');
        if (last_equals != std::string::npos && last_equals + 1 != line.size()) {
            EXPECT_LE(last_equals + 3, line.size()) << line;
        }
        start = end + 2;
    }
    // Exactly 76 characters fit on one line without a soft break.
    EXPECT_EQ(quoted_printable_encode(std::string(76, 'x')), std::string(76, 'x'));
    EXPECT_EQ(quoted_printable_encode(std::string(77, 'x')), std::string(75, 'x') + "=\r\nxx");
}

}  // namespace
}  // namespace zmail::text
