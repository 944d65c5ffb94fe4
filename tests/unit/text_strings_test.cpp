#include "text/strings.hpp"

#include "text/ascii.hpp"

#include <gtest/gtest.h>

using namespace zmail::text;

// moved from fetch_plan_test (FetchHumanSize); bytes are now "B" everywhere, as `folders` printed them
TEST(TextHumanSize, Units) {
    EXPECT_EQ(human_size(0), "0 B");
    EXPECT_EQ(human_size(1), "1 B");
    EXPECT_EQ(human_size(512), "512 B");
    EXPECT_EQ(human_size(1023), "1023 B");
    EXPECT_EQ(human_size(1024), "1 KB");
    EXPECT_EQ(human_size(1536), "1.5 KB");
    EXPECT_EQ(human_size(10 * 1024 * 1024), "10 MB");
    EXPECT_EQ(human_size(340 * 1024), "340 KB");
}

TEST(TextJoin, Separators) {
    EXPECT_EQ(join({}, ", "), "");
    EXPECT_EQ(join({"a"}, ", "), "a");
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
    EXPECT_EQ(join({"IMAP4rev1", "IDLE"}, " "), "IMAP4rev1 IDLE");
}

TEST(TextExcerpt, LongLinesAreCut) {
    EXPECT_EQ(excerpt("short"), "short");
    const std::string exact(excerpt_length, 'x');
    EXPECT_EQ(excerpt(exact), exact);
    EXPECT_EQ(excerpt(exact + "y"), exact + "...");
}

TEST(TextAscii, LowerAndCompareIgnoreOnlyAsciiCase) {
    EXPECT_EQ(ascii_lower("Auth=PLAIN Ünï"), "auth=plain Ünï");
    EXPECT_TRUE(equals_ignore_case("\\SEEN", "\\Seen"));
    EXPECT_FALSE(equals_ignore_case("\\Seen", "\\Seen "));
    EXPECT_FALSE(equals_ignore_case("Ä", "ä"));
}
