#include "profile/folder_patterns.hpp"

#include <gtest/gtest.h>

using namespace zmail::profile;

TEST(FolderPatterns, Wildcards) {
    EXPECT_TRUE(folder_pattern_matches("*", "INBOX"));
    EXPECT_TRUE(folder_pattern_matches("*", "送信済み/テスト"));
    EXPECT_TRUE(folder_pattern_matches("%", "Sent"));
    EXPECT_FALSE(folder_pattern_matches("%", "A/B"));
    EXPECT_TRUE(folder_pattern_matches("A/%", "A/B"));
    EXPECT_FALSE(folder_pattern_matches("A/%", "A/B/C"));
    EXPECT_TRUE(folder_pattern_matches("A/*", "A/B/C"));
    EXPECT_TRUE(folder_pattern_matches("送信*", "送信済み"));
    EXPECT_FALSE(folder_pattern_matches("Sent", "Sent Items"));
    EXPECT_TRUE(folder_pattern_matches("inbox", "INBOX"));
    EXPECT_TRUE(folder_pattern_matches("INBOX/*", "Inbox/x"));
    EXPECT_FALSE(folder_pattern_matches("INBOXES", "INBOX"));
}

TEST(FolderPatterns, IncludeAndExclude) {
    SyncPolicy p;
    p.folders = {"*"};
    p.exclude = {"Junk", "Trash/*"};
    EXPECT_TRUE(folder_selected(p, "INBOX"));
    EXPECT_FALSE(folder_selected(p, "Junk"));
    EXPECT_TRUE(folder_selected(p, "Trash"));
    EXPECT_FALSE(folder_selected(p, "Trash/old"));
    p.folders = {"INBOX", "仕事/*"};
    EXPECT_TRUE(folder_selected(p, "仕事/プロジェクト"));
    EXPECT_FALSE(folder_selected(p, "Sent"));
}
