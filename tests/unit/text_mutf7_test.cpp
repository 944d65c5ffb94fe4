// IMAP modified UTF-7 mailbox names (lib/text/mutf7).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "error.hpp"
#include "text/mutf7.hpp"

namespace zmail::text {
namespace {

struct NamePair {
    const char* utf8;
    const char* wire;
};

// Names as Japanese, Chinese and German servers list them (Dovecot, Gmail, QQ, 163, Exchange).
const NamePair real_names[] = {
    {"INBOX", "INBOX"},
    {"送信済み", "&kAFP4W4IMH8-"},
    {"下書き", "&Tgtm+DBN-"},
    {"迷惑メール", "&j,dg0TDhMPww6w-"},
    {"ゴミ箱", "&MLQw33ux-"},
    {"已发送", "&XfJT0ZAB-"},
    {"草稿箱", "&g0l6P3ux-"},
    {"垃圾邮件", "&V4NXPpCuTvY-"},
    {"已删除邮件", "&XfJSIJZkkK5O9g-"},
    {"Entwürfe", "Entw&APw-rfe"},
    {"&", "&-"},
    {"Tom & Jerry", "Tom &- Jerry"},
    {"R&D/送信済み", "R&-D/&kAFP4W4IMH8-"},
    {"Sent Items", "Sent Items"},
    {"[Gmail]/送信済みメール", "[Gmail]/&kAFP4W4IMH8w4TD8MOs-"},
    {"😀", "&2D3eAA-"},
    {"a😀b", "a&2D3eAA-b"},
    {"日本 語", "&ZeVnLA- &ip4-"},
    {"tab\there", "tab&AAk-here"},
    {"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},  // RFC 3501 example
    {"", ""},
};

TEST(TextMutf7, EncodesRealNames) {
    for (const NamePair& pair : real_names) {
        EXPECT_EQ(mutf7_encode(pair.utf8), pair.wire) << pair.utf8;
    }
}

TEST(TextMutf7, DecodesRealNames) {
    for (const NamePair& pair : real_names) {
        EXPECT_EQ(mutf7_decode(pair.wire), pair.utf8) << pair.wire;
    }
}

TEST(TextMutf7, EncodeRejectsInvalidUtf8AndNul) {
    try {
        mutf7_encode("bad\xFF");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Data);
        EXPECT_STREQ(e.what(), "cannot encode mailbox name 'bad\xEF\xBF\xBD': not valid UTF-8");
    }
    EXPECT_THROW(mutf7_encode(std::string("a\0b", 3)), Error);
}

void expect_protocol_error(std::string_view wire, std::string_view why) {
    try {
        mutf7_decode(wire);
        ADD_FAILURE() << "accepted '" << wire << "'";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Protocol) << wire;
        EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
}

TEST(TextMutf7, DecodeIsStrict) {
    expect_protocol_error("&kAFP4W4IMH8", "without terminating '-'");
    expect_protocol_error("Sent&", "without terminating '-'");
    expect_protocol_error("&kAF/4W4IMH8-", "invalid character");    // '/' is ',' in modified base64
    expect_protocol_error("&kAFP4W4IMH8=-", "invalid character");   // no padding
    expect_protocol_error("&kAFP4W4IMH9-", "does not end on a character");  // non-zero leftover bits
    expect_protocol_error("&kAFP4W4IMH8A-", "does not end on a character");  // extra sextet
    expect_protocol_error("&AA-", "does not end on a character");
    expect_protocol_error("&2D0-", "unpaired surrogate");          // high surrogate alone
    expect_protocol_error("&3gA-", "unpaired surrogate");          // low surrogate alone
    expect_protocol_error("&2D3YPQ-", "unpaired surrogate");       // high followed by high
    expect_protocol_error("&AGEAYgBj-", "printable ASCII");        // "abc" encoded
    expect_protocol_error("&ACY-", "printable ASCII");             // '&' must be "&-"
    expect_protocol_error("&AAA-", "NUL");
    expect_protocol_error("&ZeVnLA-&ip4-", "back to back");        // must be one run
    expect_protocol_error("送信済み", "raw 8-bit");                  // raw UTF-8 is not mUTF-7
    expect_protocol_error("Entw\xFCrfe", "raw 8-bit");
    expect_protocol_error("a\tb", "raw control");
}

TEST(TextMutf7, AmpersandDashAfterRunIsFine) {
    EXPECT_EQ(mutf7_decode("&AKM-&-&AKM-"), "£&£");
    EXPECT_EQ(mutf7_encode("£&£"), "&AKM-&-&AKM-");
}

TEST(TextMutf7, DecodeOrRawForDisplay) {
    EXPECT_EQ(mutf7_decode_or_raw("&kAFP4W4IMH8-"), "送信済み");
    EXPECT_EQ(mutf7_decode_or_raw("送信済み"), "送信済み");  // server sent raw UTF-8
    EXPECT_EQ(mutf7_decode_or_raw("Broken&"), "Broken&");
    EXPECT_EQ(mutf7_decode_or_raw("&2D0-"), "&2D0-");
}

TEST(TextMutf7, RoundTripsEveryPlaneSample) {
    const std::string samples[] = {"\x7f", "\xC2\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF",
                                   "x\xE2\x82\xAC-y", "&&", "-&-", "ab&cd&"};
    for (const std::string& sample : samples) {
        EXPECT_EQ(mutf7_decode(mutf7_encode(sample)), sample) << sample;
    }
}

// Inputs the fuzzer found; each must keep the round-trip property without crashing.
TEST(TextMutf7, FuzzRegressions) {
    const char* dir = std::getenv("ZMAIL_TEST_DATA");
    const std::string path = std::string(dir ? dir : ZMAIL_SOURCE_DIR "/tests/data") + "/text/mutf7_regressions.txt";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line;
    int count = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        ++count;
        try {
            const std::string decoded = mutf7_decode(line);
            EXPECT_EQ(mutf7_encode(decoded), line);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind, ErrorKind::Protocol);
        }
    }
    EXPECT_GT(count, 0);
}

}  // namespace
}  // namespace zmail::text
