// Charset conversion and UTF-8 helpers (lib/text/charset, utf8, iso2022jp).
#include <gtest/gtest.h>

#include "text/charset.hpp"
#include "text/utf8.hpp"

namespace zmail::text {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

// --- UTF-8 -------------------------------------------------------------------------------

TEST(TextUtf8, ValidatesWellFormedText) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("送信済み 已发送 Entwürfe 😀"));
    EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
}

TEST(TextUtf8, RejectsIllFormedText) {
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xE3\x81"));          // truncated
    EXPECT_FALSE(is_valid_utf8("\xFF"));
    EXPECT_FALSE(is_valid_utf8("\xB1\xA8\xBC\xDB"));  // GB18030 "报价"
}

TEST(TextUtf8, SanitizeReplacesEachMaximalSubpart) {
    EXPECT_EQ(sanitize_utf8("ok"), "ok");
    EXPECT_EQ(sanitize_utf8("a\xE3\x81" "b"), "a" + fffd + "b");  // one truncated sequence
    EXPECT_EQ(sanitize_utf8("a\xFF\xFE" "b"), "a" + fffd + fffd + "b");
    EXPECT_EQ(sanitize_utf8("\xED\xA0\x80"), fffd + fffd + fffd);  // surrogate: E D, then A0, 80
    EXPECT_EQ(sanitize_utf8("日本\x80語"), "日本" + fffd + "語");
}

TEST(TextUtf8, PrintableEscapesControls) {
    EXPECT_EQ(printable("a@b\r\nBcc: x"), "a@b\\r\\nBcc: x");
    EXPECT_EQ(printable(std::string("x\0y\x1b", 4)), "x\\0y\\x1b");
    EXPECT_EQ(printable("田中\xFF"), "田中" + fffd);
}

// --- decoding ----------------------------------------------------------------------------

TEST(TextCharset, Utf8AndAscii) {
    EXPECT_EQ(to_utf8("こんにちは", "UTF-8"), "こんにちは");
    EXPECT_EQ(to_utf8("hello", "us-ascii"), "hello");
    // Mislabelled 8-bit text in a US-ASCII part: UTF-8 if it is, else Windows-1252.
    EXPECT_EQ(to_utf8("日本", "us-ascii"), "日本");
    EXPECT_EQ(to_utf8("\x93quoted\x94", "US-ASCII"), "“quoted”");
    const Decoded bad = decode_to_utf8("ab\xFF" "cd", "utf-8");
    EXPECT_EQ(bad.text, "ab" + fffd + "cd");
    EXPECT_FALSE(bad.exact);
}

TEST(TextCharset, ChineseAliasesUseGb18030) {
    const std::string gbk = "\xBB\xD8\xB8\xB4\xA3\xBA\xB9\xD8\xD3\xDA\xB1\xA8\xBC\xDB";  // 回复：关于报价
    for (const char* label : {"GB2312", "gb2312", "GBK", "x-gbk", "CP936", "gb18030", "\"GB2312\"", " gbk "}) {
        const Decoded decoded = decode_to_utf8(gbk, label);
        EXPECT_EQ(decoded.text, "回复：关于报价") << label;
        EXPECT_TRUE(decoded.exact) << label;
    }
    // 镕 (U+9555) is in GBK but not GB2312: a GB2312 label still decodes it.
    EXPECT_EQ(to_utf8("\xE9\x46", "gb2312"), "镕");
    // A GB18030 four-byte sequence: U+00A5 YEN SIGN is 81 30 84 36.
    EXPECT_EQ(to_utf8("\x81\x30\x84\x36", "GB2312"), "¥");
}

TEST(TextCharset, Big5WithFallbacks) {
    EXPECT_EQ(to_utf8("\xA4\xA4\xA4\xE5\xB4\xFA\xB8\xD5", "big5"), "中文測試");
    // The euro sign A3 E1 exists only in CP950 / Big5-HKSCS.
    const Decoded euro = decode_to_utf8("\xA3\xE1", "Big5");
    EXPECT_EQ(euro.text, "€");
    EXPECT_TRUE(euro.exact);
    // Hong Kong characters (HKSCS) in mail labelled plain Big5.
    const Decoded hongkong = decode_to_utf8("\x92\x77\x92\x5E", "big5");
    EXPECT_EQ(hongkong.text, "㐵嚞");
    EXPECT_TRUE(hongkong.exact);
}

TEST(TextCharset, ShiftJisMeansCp932) {
    EXPECT_EQ(to_utf8("\x95\x5C\x8E\xA6", "Shift_JIS"), "表示");  // trail byte 0x5C
    EXPECT_EQ(to_utf8("\x87\x40\x87\x8A", "shift_jis"), "①㈱");   // NEC row 13
    EXPECT_EQ(to_utf8("\xEE\xE0", "x-sjis"), "髙");                // NEC-selected IBM extension
    EXPECT_EQ(to_utf8("\xFB\xFC", "SJIS"), "髙");                  // IBM extension
    EXPECT_EQ(to_utf8("\xB1\xB2\xB3", "windows-31j"), "ｱｲｳ");      // half-width katakana
}

TEST(TextCharset, EucJpAndEucKrAndCyrillic) {
    EXPECT_EQ(to_utf8("\xA5\xBD\xA5\xD5\xA5\xC8", "EUC-JP"), "ソフト");
    EXPECT_EQ(to_utf8("\xAD\xA1", "euc-jp"), "①");  // only in eucJP-ms
    EXPECT_EQ(to_utf8("\xBE\xC8\xB3\xE7\xC7\xCF\xBC\xBC\xBF\xE4", "ks_c_5601-1987"), "안녕하세요");
    EXPECT_EQ(to_utf8("\xBE\xC8\xB3\xE7", "EUC-KR"), "안녕");
    EXPECT_EQ(to_utf8("\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R"), "Привет");
    EXPECT_EQ(to_utf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251"), "Привет");
    EXPECT_EQ(to_utf8("\xE9t\xE9", "ISO-8859-1"), "été");
    EXPECT_EQ(to_utf8("\x80", "iso-8859-1"), "€");  // C1 range read as Windows-1252
    EXPECT_EQ(to_utf8("\xA4", "ISO-8859-15"), "€");
}

TEST(TextCharset, InvalidBytesBecomeReplacementWithTextKept) {
    // GBK with a truncated final character and a bad byte in the middle.
    const Decoded gbk = decode_to_utf8("\xB1\xA8\xFF\xBC\xDB" "ok\xB1", "GBK");
    EXPECT_EQ(gbk.text, "报" + fffd + "价ok" + fffd);
    EXPECT_FALSE(gbk.exact);
    const Decoded sjis = decode_to_utf8("a\x95", "Shift_JIS");
    EXPECT_FALSE(sjis.exact);
    EXPECT_EQ(sjis.text, "a" + fffd);
}

TEST(TextCharset, UnknownCharsetKeepsUtf8) {
    EXPECT_EQ(to_utf8("日本語", "x-unknown"), "日本語");
    EXPECT_EQ(to_utf8("abc", ""), "abc");
    EXPECT_EQ(to_utf8("a\xFF", "unknown-8bit"), "a" + fffd);
    EXPECT_FALSE(decode_to_utf8("日本語", "x-unknown").exact);
    // Names that could smuggle iconv options are not passed on.
    EXPECT_EQ(to_utf8("abc", "UTF-8//TRANSLIT"), "abc");
    EXPECT_EQ(to_utf8("abc", "../../etc/passwd"), "abc");
}

TEST(TextCharset, OtherIconvCharsets) {
    EXPECT_EQ(to_utf8(std::string("\x00h\x00i", 4), "UTF-16BE"), "hi");
    EXPECT_EQ(to_utf8("\xA1\xA2", "TIS-620"), "กข");
}

// --- ISO-2022-JP -------------------------------------------------------------------------

TEST(TextIso2022Jp, StandardText) {
    EXPECT_EQ(to_utf8("\x1b$B2q5D<<\x1b(B", "ISO-2022-JP"), "会議室");
    EXPECT_EQ(to_utf8("Re: \x1b$B;3ED\x42\x40O:\x1b(B san", "iso-2022-jp"), "Re: 山田太郎 san");
    // JIS X 0208 0x2141 is WAVE DASH, as in glibc's ISO-2022-JP and EUC-JP.
    EXPECT_EQ(to_utf8("\x1b$B!A\x1b(B", "ISO-2022-JP"), "〜");
    EXPECT_EQ(to_utf8("\x1b$@2q\x1b(B", "ISO-2022-JP"), "会");          // JIS C 6226-1978
    EXPECT_EQ(to_utf8("\x1b&@\x1b$B2q\x1b(B", "ISO-2022-JP"), "会");    // JIS X 0208-1990 announcer
    EXPECT_EQ(to_utf8("\x1b(J\\~\x1b(B\\", "ISO-2022-JP"), "¥‾\\");     // JIS X 0201 Roman
    EXPECT_TRUE(decode_to_utf8("\x1b$B2q5D<<\x1b(B", "ISO-2022-JP").exact);
}

TEST(TextIso2022Jp, WindowsExtensionsCp50221) {
    // ① 会議室 ㈱ as Outlook and Becky! write them: NEC row 13 inside ESC $ B.
    const Decoded nec = decode_to_utf8("\x1b$B-!2q5D<<-j\x1b(B", "ISO-2022-JP");
    EXPECT_EQ(nec.text, "①会議室㈱");
    EXPECT_TRUE(nec.exact);
    // NEC-selected IBM extensions (rows 89-92): 髙 and 﨑.
    EXPECT_EQ(to_utf8("\x1b$B|byu\x1b(B", "ISO-2022-JP"), "髙﨑");
    // Half-width katakana after ESC ( I, and with SO/SI (CP50222).
    EXPECT_EQ(to_utf8("\x1b(I123\x1b(B", "ISO-2022-JP"), "ｱｲｳ");
    EXPECT_EQ(to_utf8("a\x0e" "123\x0f" "b", "CP50222"), "aｱｲｳb");
}

TEST(TextIso2022Jp, Iso2022Jp2Sets) {
    EXPECT_EQ(to_utf8("\x1b$(D\"/\x1b(B", "ISO-2022-JP-2"), "˘");     // JIS X 0212
    EXPECT_EQ(to_utf8("\x1b$AUb\x1b(B", "ISO-2022-JP-2"), "这");      // GB 2312
    EXPECT_EQ(to_utf8("\x1b$(C>H\x1b(B", "ISO-2022-JP-2"), "안");     // KS C 5601
    EXPECT_EQ(to_utf8("\x1b.A\x1bNi", "ISO-2022-JP-2"), "é");         // ISO-8859-1 via G2
    EXPECT_EQ(to_utf8("\x1b$(Q-!\x1b(B", "ISO-2022-JP-3"), "①");      // JIS X 0213 plane 1
}

TEST(TextIso2022Jp, BrokenInputKeepsTheRest) {
    // Unknown escape: replaced, the text after it kept, no raw ESC in the output.
    const Decoded unknown = decode_to_utf8("a\x1b(Zb", "ISO-2022-JP");
    EXPECT_EQ(unknown.text, "a" + fffd + "(Zb");
    EXPECT_FALSE(unknown.exact);
    // Truncated two-byte character at the end.
    EXPECT_EQ(to_utf8("\x1b$B2q5", "ISO-2022-JP"), "会" + fffd);
    // No ESC ( B before the end (common in broken subjects) is fine.
    EXPECT_EQ(to_utf8("\x1b$B2q5D", "ISO-2022-JP"), "会議");
    // Raw UTF-8 in an ISO-2022-JP labelled part is kept, other 8-bit bytes are replaced.
    EXPECT_EQ(to_utf8("日本\xFF", "ISO-2022-JP"), "日本" + fffd);
    // Characters in no table at all.
    const Decoded undefined = decode_to_utf8("\x1b$B\x7e\x7e\x1b(B", "ISO-2022-JP");
    EXPECT_EQ(undefined.text, fffd);
    // Line breaks inside a two-byte run pass through.
    EXPECT_EQ(to_utf8("\x1b$B2q\r\n5D\x1b(B", "ISO-2022-JP"), "会\r\n議");
}

// --- encoding ----------------------------------------------------------------------------

TEST(TextCharset, FromUtf8Iso2022JpReturnsToAscii) {
    const auto encoded = from_utf8("会議室", "ISO-2022-JP");
    ASSERT_TRUE(encoded);
    EXPECT_EQ(*encoded, "\x1b$B2q5D<<\x1b(B");
    const auto mixed = from_utf8("Re: 会議", "iso-2022-jp");
    ASSERT_TRUE(mixed);
    EXPECT_EQ(*mixed, "Re: \x1b$B2q5D\x1b(B");
    // Pieces converted separately each end in ASCII, so they concatenate safely.
    EXPECT_EQ(*from_utf8("会", "ISO-2022-JP") + *from_utf8("議", "ISO-2022-JP"), "\x1b$B2q\x1b(B\x1b$B5D\x1b(B");
    EXPECT_EQ(to_utf8(*from_utf8("会", "ISO-2022-JP") + *from_utf8("議", "ISO-2022-JP"), "ISO-2022-JP"), "会議");
}

TEST(TextCharset, FromUtf8RefusesWhatCannotBeRepresented) {
    EXPECT_FALSE(from_utf8("①", "ISO-2022-JP"));  // NEC extension: send UTF-8 instead
    EXPECT_FALSE(from_utf8("ｱ", "ISO-2022-JP"));   // half-width katakana
    EXPECT_FALSE(from_utf8("😀", "ISO-2022-JP"));
    EXPECT_FALSE(from_utf8("镕", "GB2312"));       // GB2312 means strict EUC-CN when writing
    EXPECT_TRUE(from_utf8("镕", "GBK"));
    EXPECT_FALSE(from_utf8("日本", "us-ascii"));
    EXPECT_FALSE(from_utf8("abc", "no-such-charset"));
    EXPECT_FALSE(from_utf8("\xFF", "UTF-8"));       // not UTF-8 to begin with
}

TEST(TextCharset, FromUtf8RoundTrips) {
    const std::string samples[] = {"回复：关于报价", "表示①", "안녕하세요", "Привет", "été"};
    const char* charsets[] = {"GB18030", "Shift_JIS", "EUC-KR", "KOI8-R", "ISO-8859-1"};
    for (std::size_t i = 0; i < std::size(samples); ++i) {
        const auto encoded = from_utf8(samples[i], charsets[i]);
        ASSERT_TRUE(encoded) << charsets[i];
        EXPECT_EQ(to_utf8(*encoded, charsets[i]), samples[i]) << charsets[i];
    }
    EXPECT_EQ(*from_utf8("日本", "UTF-8"), "日本");
}

TEST(TextCharset, CanonicalNames) {
    EXPECT_EQ(canonical_charset_name("utf-8"), "UTF-8");
    EXPECT_EQ(canonical_charset_name("iso-2022-jp"), "ISO-2022-JP");
    EXPECT_EQ(canonical_charset_name("x-sjis"), "Shift_JIS");
    EXPECT_EQ(canonical_charset_name("gb18030"), "GB18030");
    EXPECT_EQ(canonical_charset_name("koi8-r"), "KOI8-R");
    EXPECT_TRUE(can_encode_to("ISO-2022-JP"));
    EXPECT_TRUE(can_encode_to("utf-8"));
    EXPECT_FALSE(can_encode_to("nonsense-charset"));
}

}  // namespace
}  // namespace zmail::text
