#include "i18n.hpp"

#include <gtest/gtest.h>

namespace zmail {
namespace {

TEST(Translation, OffUnlessEnabledSoTheTestsAndJsonReadEnglish) {
    EXPECT_FALSE(translation_enabled());
    EXPECT_STREQ(translate("cannot log in"), "cannot log in");
    EXPECT_EQ(tr("cannot log in to {} as {}", std::string("'imap.zoho.jp'"), "'you'"),
              "cannot log in to 'imap.zoho.jp' as 'you'");
}

TEST(Translation, PlaceholdersTakeStringsAndNumbersInOrder) {
    EXPECT_EQ(tr("{} of {} messages", 3, std::size_t{10}), "3 of 10 messages");
    EXPECT_EQ(tr("{}{}", 'a', std::string_view("b")), "ab");
    EXPECT_EQ(tr("no placeholder"), "no placeholder");
}

TEST(Translation, NumberedPlaceholdersLetATranslationReorder) {
    const std::string arguments[] = {"'INBOX'", "12"};
    EXPECT_EQ(detail::fill("{1} 通のメールを {0} に", arguments, 2), "12 通のメールを 'INBOX' に");
    EXPECT_EQ(detail::fill("{0} {0}", arguments, 2), "'INBOX' 'INBOX'");
}

TEST(Translation, MissingArgumentsAndStrayBracesAreHarmless) {
    const std::string arguments[] = {"x"};
    EXPECT_EQ(detail::fill("{} {} {5} {", arguments, 1), "x   {");
    EXPECT_EQ(detail::fill("{a} {}", arguments, 1), "{a} x");
}

}  // namespace
}  // namespace zmail
