#include "state/journal.hpp"

#include "error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "../support/files.hpp"

using zmail::state::Journal;

using zmail::testing::TempDir;

TEST(Journal, AppendSyncLoadCompact) {
    TempDir t;
    std::string p = t.path() + "/sub/state";
    {
        Journal j(p, "test 1");
        EXPECT_TRUE(j.load().empty());
        j.append("D a");
        j.append("D b");
        j.sync();
    }
    {
        Journal j(p, "test 1");
        auto lines = j.load();
        ASSERT_EQ(lines, (std::vector<std::string>{"D a", "D b"}));
        j.compact({"D a", "D b", "D c"});
        EXPECT_FALSE(std::filesystem::exists(p + ".journal"));
        j.append("X a");
        j.sync();
    }
    Journal j(p, "test 1");
    EXPECT_EQ(j.load(), (std::vector<std::string>{"D a", "D b", "D c", "X a"}));
    EXPECT_EQ(std::filesystem::status(p).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(Journal, TornTailIsIgnoredAndRepaired) {
    TempDir t;
    std::string p = t.path() + "/state";
    {
        std::ofstream out(p + ".journal", std::ios::binary);
        out << "D one\nD tw";
    }
    {
        Journal j(p, "test 1");
        EXPECT_EQ(j.load(), (std::vector<std::string>{"D one"}));
        j.append("D three");
        j.sync();
    }
    Journal j(p, "test 1");
    EXPECT_EQ(j.load(), (std::vector<std::string>{"D one", "D three"}));
}

TEST(Journal, ForeignHeaderIsRefused) {
    TempDir t;
    std::string p = t.path() + "/state";
    {
        std::ofstream out(p, std::ios::binary);
        out << "something else\nD x\n";
    }
    Journal j(p, "test 1");
    EXPECT_THROW(j.load(), zmail::Error);
}

TEST(Journal, ExistsPeekAndRemove) {
    TempDir t;
    std::string p = t.path() + "/state";
    Journal j(p, "test 1");
    EXPECT_FALSE(j.exists());
    EXPECT_TRUE(Journal::peek(p, "test 1").empty());
    j.append("D a");
    j.sync();
    EXPECT_TRUE(j.exists());  // a journal without a snapshot counts
    j.compact({"D a"});
    j.append("D b");
    j.sync();
    {
        std::ofstream torn(p + ".journal", std::ios::app);
        torn << "D c";  // a torn last line
    }
    EXPECT_EQ(Journal::peek(p, "test 1"), (std::vector<std::string>{"D a", "D b"}));
    EXPECT_EQ(Journal::peek(p, "other 1"), (std::vector<std::string>{"D b"}));  // another header: no snapshot
    EXPECT_EQ(zmail::testing::read_file(p + ".journal"), "D b\nD c");  // peek changes nothing
    j.remove();
    EXPECT_FALSE(j.exists());
    EXPECT_FALSE(std::filesystem::exists(p));
    EXPECT_FALSE(std::filesystem::exists(p + ".journal"));
    j.remove();  // nothing there: not an error
}
