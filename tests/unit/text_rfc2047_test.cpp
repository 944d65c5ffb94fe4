// RFC 2047 encoded words: decoding real headers, encoding and folding (lib/text/rfc2047).
#include <gtest/gtest.h>

#include <sstream>

#include "error.hpp"
#include "text/base64.hpp"
#include "text/charset.hpp"
#include "text/rfc2047.hpp"

namespace zmail::text {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

// --- decoding real headers ---------------------------------------------------------------

TEST(TextRfc2047Decode, JapaneseMuas) {
    // Thunderbird / Becky! / Outlook with ISO-2022-JP, folded over two lines.
    EXPECT_EQ(decode_header("=?ISO-2022-JP?B?GyRCMnE1RDtxTkEkTkF3SVUbKEI=?="), "会議資料の送付");
    EXPECT_EQ(decode_header("=?iso-2022-jp?B?GyRCQEE1YT1xJE5Bd0lVJEskRCQkJEYhSjN0PDAycTxSJTUlcyVXJWshSxsoQg==?="),
              "請求書の送付について（株式会社サンプル）");
    // CP50221 characters (NEC row 13) from Outlook: ① 会議室 ㈱.
    EXPECT_EQ(decode_header("=?ISO-2022-JP?B?GyRCLSEycTVEPDwtahsoQg==?="), "①会議室㈱");
    // Outlook splits UTF-8 inside a character across words: joined as bytes first.
    EXPECT_EQ(decode_header("=?utf-8?B?44CQ6YeN6KaB44CR5p2l6YCx44E=?=\r\n"
                            " =?utf-8?B?ruaJk+OBoeWQiOOCj+OBm+OBq+M=?=\r\n"
                            " =?utf-8?B?gaTjgYTjgaY=?="),
              "【重要】来週の打ち合わせについて");
    // Name with RFC 2231 language suffix.
    EXPECT_EQ(decode_header("=?UTF-8*ja?B?44GT44KT44Gr44Gh44Gv?="), "こんにちは");
    EXPECT_EQ(decode_header("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <yamada@example.jp>"),
              "山田太郎 <yamada@example.jp>");
}

TEST(TextRfc2047Decode, ChineseMuas) {
    // Foxmail writes gb18030 encoded words inside quotes.
    EXPECT_EQ(decode_header("\"=?gb18030?B?1cXI/Q==?=\" <zhangsan@foxmail.com>"),
              "\"张三\" <zhangsan@foxmail.com>");
    // 163.com: GBK subjects; QQ Mail: UTF-8 names.
    EXPECT_EQ(decode_header("=?GBK?B?UmU6ILnY09rPwtbcu+HS6bXEzajWqg==?="), "Re: 关于下周会议的通知");
    EXPECT_EQ(decode_header("=?GB2312?B?zfXQocP3?="), "王小明");
    EXPECT_EQ(decode_header("=?utf-8?B?5p2O5Zub?="), "李四");
    EXPECT_EQ(decode_header("=?gb18030?B?zfjS19PKz+Q=?="), "网易邮箱");
    // Old Chinese mailers put raw GB18030 into the header.
    const std::string raw_gbk = "\xBB\xD8\xB8\xB4\xA3\xBA\xB9\xD8\xD3\xDA\xB1\xA8\xBC\xDB";
    EXPECT_EQ(decode_header(raw_gbk, "GB18030"), "回复：关于报价");
    // Without a fallback each bad sequence becomes U+FFFD (a few GBK pairs happen to be UTF-8).
    const std::string lossy = decode_header(raw_gbk);
    EXPECT_TRUE(is_valid_utf8(lossy));
    EXPECT_TRUE(lossy.starts_with(fffd)) << lossy;
    // Raw UTF-8 is kept even with a fallback charset.
    EXPECT_EQ(decode_header("回复：关于报价", "GB18030"), "回复：关于报价");
}

TEST(TextRfc2047Decode, GmailAndOutlookQEncoding) {
    EXPECT_EQ(decode_header("=?UTF-8?Q?Caf=C3=A9_au_lait?="), "Café au lait");
    EXPECT_EQ(decode_header("=?utf-8?q?caf=c3=a9?="), "café");
    EXPECT_EQ(decode_header("=?UTF-8?B?44Of44O844OG44Kj44Oz44Kw44Gu6K2w5LqL6Yyy?="), "ミーティングの議事録");
    EXPECT_EQ(decode_header("=?windows-1252?Q?=93Hello=94?="), "“Hello”");
    EXPECT_EQ(decode_header("=?iso-8859-1?q?this=20is=20some=20text?="), "this is some text");
}

TEST(TextRfc2047Decode, Rfc2047Examples) {
    // RFC 2047 section 8.
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=)"), "(a)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"), "(ab)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"), "(ab)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
    EXPECT_EQ(decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
    EXPECT_EQ(decode_header("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"), "Keith Moore <moore@cs.utk.edu>");
}

TEST(TextRfc2047Decode, WordsInDifferentCharsetsAndTextAround) {
    EXPECT_EQ(decode_header("Re: =?UTF-8?B?5pel5pys6Kqe?= test"), "Re: 日本語 test");
    EXPECT_EQ(decode_header("=?UTF-8?B?5pel5pys6Kqe?= =?GBK?B?zfXQocP3?="), "日本語王小明");
    EXPECT_EQ(decode_header("[list] =?UTF-8?B?5pel5pys6Kqe?=\r\n\tfoo"), "[list] 日本語\tfoo");
    // Lenient: a word stuck to other text is decoded too.
    EXPECT_EQ(decode_header("abc=?UTF-8?B?5pel?=def"), "abc日def");
}

TEST(TextRfc2047Decode, MalformedWordsStayAsTheyAre) {
    EXPECT_EQ(decode_header("=?UTF-8?B?!!!?="), "=?UTF-8?B?!!!?=");
    EXPECT_EQ(decode_header("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=");
    EXPECT_EQ(decode_header("=?UTF-8?B?5pel"), "=?UTF-8?B?5pel");
    EXPECT_EQ(decode_header("=??B?5pel?="), "=??B?5pel?=");
    EXPECT_EQ(decode_header("=?UTF-8?Q?a b?="), "=?UTF-8?Q?a b?=");
    EXPECT_EQ(decode_header("a =?UTF-8?B?!?= =?UTF-8?B?5pel?="), "a =?UTF-8?B?!?= 日");
    EXPECT_EQ(decode_header("=?UTF-8?Q?bad=ZZ?="), "bad=ZZ");
    EXPECT_EQ(decode_header("=?UTF-8?B?" "?="), "");
    EXPECT_EQ(decode_header("price =? 5"), "price =? 5");
    // Unknown charset: bytes taken as UTF-8.
    EXPECT_EQ(decode_header("=?x-unknown?B?5pel?="), "日");
    // Invalid bytes inside a word.
    EXPECT_EQ(decode_header("=?UTF-8?Q?a=FFb?="), "a" + fffd + "b");
    // Missing padding.
    EXPECT_EQ(decode_header("=?UTF-8?B?5pelYQ?="), "日a");
}

TEST(TextRfc2047Decode, ResultIsOneLine) {
    EXPECT_EQ(decode_header("=?UTF-8?Q?a=0D=0Ab?="), "a b");
    EXPECT_EQ(decode_header("=?UTF-8?Q?a=00b?="), "a b");
    EXPECT_EQ(decode_header("line\r\nbreak"), "line break");
    EXPECT_EQ(decode_header("folded\r\n line\r\n"), "folded line");
    EXPECT_EQ(decode_header("folded\n\tline"), "folded\tline");
}

// --- encoding ----------------------------------------------------------------------------

/// The encoded words ("=?...?=" between blanks) in `text`.
std::vector<std::string> encoded_words_in(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    std::string token;
    while (in >> token) {
        if (token.starts_with("=?") && token.ends_with("?=")) words.push_back(token);
    }
    return words;
}

/// Lines of a folded value; the first line is prefixed with a header name of `name_length`.
std::vector<std::string> lines_of(std::size_t name_length, const std::string& value) {
    std::vector<std::string> lines;
    std::string all = std::string(name_length, 'X') + ": " + value;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = all.find("\r\n", start);
        lines.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 2;
    }
    return lines;
}

void expect_well_formed(std::size_t name_length, const std::string& value, const std::string& original) {
    for (const std::string& line : lines_of(name_length, value)) {
        EXPECT_LE(line.size(), 78u) << line;
        EXPECT_FALSE(line.find_first_not_of(" \t") == std::string::npos) << "blank line in " << value;
        for (const std::string& word : encoded_words_in(line)) EXPECT_LE(word.size(), 75u) << word;
    }
    for (char c : value) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << value;
    EXPECT_EQ(decode_header(value), original) << value;
}

TEST(TextRfc2047Encode, AsciiStaysReadable) {
    EXPECT_EQ(encode_unstructured(7, "Meeting tomorrow"), "Meeting tomorrow");
    const std::string long_text =
        "This is a long subject line that certainly needs to be folded somewhere because it is long";
    const std::string folded = encode_unstructured(7, long_text);
    EXPECT_NE(folded.find("\r\n "), std::string::npos);
    expect_well_formed(7, folded, long_text);
}

TEST(TextRfc2047Encode, JapaneseSubjectInUtf8) {
    const std::string subject = "【重要】来週の打ち合わせについて（会議室の変更と資料の事前共有のお願い）";
    const std::string encoded = encode_unstructured(7, subject);
    EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
    expect_well_formed(7, encoded, subject);
}

TEST(TextRfc2047Encode, MixedAsciiAndChinese) {
    const std::string subject = "Re: 关于下周会议的通知 (draft v2)";
    const std::string encoded = encode_unstructured(7, subject);
    EXPECT_TRUE(encoded.starts_with("Re: =?UTF-8?B?")) << encoded;
    EXPECT_TRUE(encoded.ends_with(" (draft v2)")) << encoded;
    expect_well_formed(7, encoded, subject);
    // Blanks between two non-ASCII words go inside the encoded text.
    const std::string spaced = "日本 語  テスト";
    expect_well_formed(7, encode_unstructured(7, spaced), spaced);
}

TEST(TextRfc2047Encode, Iso2022JpWordsReturnToAscii) {
    const std::string subject = "請求書の送付について（株式会社サンプル）ご確認のほどよろしくお願いいたします";
    const std::string encoded = encode_unstructured(7, subject, "ISO-2022-JP");
    EXPECT_TRUE(encoded.starts_with("=?ISO-2022-JP?B?")) << encoded;
    expect_well_formed(7, encoded, subject);
    // Each word alone is a complete ISO-2022-JP sequence ending in ASCII.
    const std::vector<std::string> words = encoded_words_in(encoded);
    EXPECT_GT(words.size(), 1u);
    for (const std::string& word : words) {
        ASSERT_TRUE(word.starts_with("=?ISO-2022-JP?B?")) << word;
        const std::string single = decode_header(word);
        EXPECT_EQ(single.find(fffd), std::string::npos) << word;
        const std::string payload = word.substr(16, word.size() - 18);
        const std::string bytes = base64_decode(payload);
        EXPECT_TRUE(bytes.starts_with("\x1b$B")) << word;
        EXPECT_TRUE(bytes.ends_with("\x1b(B")) << word;
    }
}

TEST(TextRfc2047Encode, Iso2022JpFallsBackToUtf8) {
    const std::string subject = "①番の会議室";  // ① is not in ISO-2022-JP
    const std::string encoded = encode_unstructured(7, subject, "ISO-2022-JP");
    EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
    expect_well_formed(7, encoded, subject);
}

TEST(TextRfc2047Encode, ThingsThatLookLikeEncodedWordsAreEncoded) {
    const std::string subject = "about =?UTF-8?B?5pel?= syntax";
    const std::string encoded = encode_unstructured(7, subject);
    EXPECT_EQ(encoded.find("=?UTF-8?B?5pel?="), std::string::npos);
    expect_well_formed(7, encoded, subject);
}

TEST(TextRfc2047Encode, ControlCharactersCannotInjectHeaders) {
    const std::string subject = "hello\r\nBcc: victim@example.com";
    const std::string encoded = encode_unstructured(7, subject);
    EXPECT_EQ(encoded.find("\r\nBcc"), std::string::npos);
    for (const std::string& line : lines_of(7, encoded)) {
        EXPECT_TRUE(line.starts_with("XXXXXXX: ") || line.starts_with(" ")) << line;
    }
}

TEST(TextRfc2047Encode, EmojiAndLongNames) {
    const std::string text = std::string("😀🎉👍") + "絵文字テスト" + std::string(30, 'x') + "終わり";
    expect_well_formed(7, encode_unstructured(7, text), text);
    // A long header name leaves less room on the first line.
    expect_well_formed(40, encode_unstructured(40, "日本語の件名です日本語の件名です"), "日本語の件名です日本語の件名です");
    EXPECT_THROW(encode_unstructured(7, "bad\xFF"), Error);
}

TEST(TextRfc2047Encode, Phrases) {
    EXPECT_EQ(encode_phrase("Taro Yamada"), "Taro Yamada");
    EXPECT_EQ(encode_phrase("  Taro  "), "Taro");
    EXPECT_EQ(encode_phrase("Yamada, Taro"), "\"Yamada, Taro\"");
    EXPECT_EQ(encode_phrase("J. Smith"), "\"J. Smith\"");
    EXPECT_EQ(encode_phrase("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
    EXPECT_EQ(encode_phrase("a  b"), "\"a  b\"");
    EXPECT_EQ(encode_phrase(""), "");
    EXPECT_EQ(encode_phrase("山田太郎"), "=?UTF-8?B?5bGx55Sw5aSq6YOO?=");
    EXPECT_EQ(encode_phrase("山田太郎", "ISO-2022-JP"), "=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=");
    EXPECT_EQ(decode_header(encode_phrase("王 小明 (Sales)")), "王 小明 (Sales)");
    const std::string long_name = "株式会社サンプル 営業部 第一営業課 課長 山田太郎";
    const std::string phrase = encode_phrase(long_name);
    EXPECT_EQ(decode_header(phrase), long_name);
    EXPECT_EQ(phrase.find("\r\n"), std::string::npos);
}

TEST(TextRfc2047Encode, EncodeWordsAndFold) {
    EXPECT_EQ(encode_words("abc"), "=?UTF-8?B?YWJj?=");
    EXPECT_EQ(encode_words(""), "");
    const std::string text(200, 'a');
    const std::string words = encode_words(text);
    EXPECT_EQ(decode_header(words), text);
    const std::string folded = fold_header(2, words);
    expect_well_formed(2, folded, text);
    EXPECT_EQ(fold_header(7, "short"), "short");
}

}  // namespace
}  // namespace zmail::text
