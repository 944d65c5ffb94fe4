#include "maildir/maildir.hpp"
#include "maildir/message_file.hpp"

#include "error.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include "../support/files.hpp"

using namespace zmail;
using namespace zmail::maildir;
using zmail::testing::read_file;
using zmail::testing::TempDir;

namespace {

std::string convert_in_chunks(std::string_view input, size_t chunk) {
    LineEndConverter c;
    std::string out;
    for (size_t i = 0; i < input.size(); i += chunk) c.convert(input.substr(i, chunk), out);
    c.finish(out);
    return out;
}

}  // namespace

TEST(LineEndConverter, ConvertsCrlfAcrossEveryChunking) {
    std::string input = "a\r\nb\rc\r\n\r\n.\r\nend\r";
    std::string want = "a\nb\rc\n\n.\nend\r";
    for (size_t chunk = 1; chunk <= input.size(); ++chunk) EXPECT_EQ(convert_in_chunks(input, chunk), want) << chunk;
}

TEST(Maildir, DeliverToNewAndCur) {
    TempDir t;
    Folder f(t.path() + "/INBOX");
    EXPECT_FALSE(f.exists());
    f.create();
    EXPECT_TRUE(f.exists());
    {
        MessageFile d(f.path(), {});
        d.write("Subject: x\r\n\r\nbody\r\n");
        Entry e = d.deliver(",S=20", "", false);
        EXPECT_EQ(e.subdir, "new");
        EXPECT_EQ(read_file(f.path() + "/" + e.path()), "Subject: x\n\nbody\n");
        EXPECT_EQ(d.size(), 17u);
    }
    {
        MessageFile d(f.path(), {}, false);
        d.write("raw\r\n");
        Entry e = d.deliver(",U=7", "SF", true);
        EXPECT_EQ(e.subdir, "cur");
        EXPECT_EQ(e.flags, "FS");
        EXPECT_NE(e.filename.find(",U=7:2,FS"), std::string::npos);
        EXPECT_EQ(read_file(f.path() + "/" + e.path()), "raw\r\n");
    }
    auto entries = f.list();
    EXPECT_EQ(entries.size(), 2u);
    EXPECT_TRUE(std::filesystem::is_empty(f.path() + "/tmp"));
}

TEST(Maildir, AbandonedDeliveryLeavesNothing) {
    TempDir t;
    Folder f(t.path() + "/x");
    f.create();
    {
        MessageFile d(f.path(), {});
        d.write("partial");
    }
    EXPECT_TRUE(f.list().empty());
    EXPECT_TRUE(std::filesystem::is_empty(f.path() + "/tmp"));
}

TEST(Maildir, SetFlagsAndRemove) {
    TempDir t;
    Folder f(t.path() + "/x");
    f.create();
    MessageFile d(f.path(), {});
    d.write("m\n");
    Entry e = d.deliver("", "", false);
    Entry seen = f.set_flags(e, "SRS");
    EXPECT_EQ(seen.filename, e.unique + ":2,RS");
    EXPECT_EQ(f.list().at(0).flags, "RS");
    f.remove(seen);
    EXPECT_TRUE(f.list().empty());
}

// Seen under two names (in new/ and cur/, or with two sets of flags), a message is listed once:
// the name that exists, else the cur/ one.
TEST(Maildir, AMessageSeenUnderTwoNamesIsListedOnce) {
    TempDir dir;
    Folder folder(dir.path() + "/F");
    folder.create();
    std::ofstream(dir.path() + "/F/cur/100.M1P1.host,U=5:2,S") << "a\n";
    std::ofstream(dir.path() + "/F/cur/200.M2P1.host:2,") << "b\n";
    // what a listing saw before the reader moved the file: its old name is gone now
    std::vector<Entry> seen = folder.list();
    Entry stale = seen[0].unique == "100.M1P1.host,U=5" ? seen[0] : seen[1];
    stale.subdir = "new";
    stale.filename = stale.unique;
    seen.insert(seen.begin(), stale);
    auto entries = folder.one_name_per_message(seen);
    ASSERT_EQ(entries.size(), 2u);
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.unique < b.unique; });
    EXPECT_EQ(entries[0].path(), "cur/100.M1P1.host,U=5:2,S");
    EXPECT_EQ(entries[1].unique, "200.M2P1.host");
    // a copy made with cp: both names exist, two messages
    std::ofstream(dir.path() + "/F/new/100.M1P1.host,U=5") << "a\n";
    EXPECT_EQ(folder.list().size(), 3u);
}

TEST(Maildir, FlagsParsing) {
    EXPECT_EQ(flags_of("123.abc:2,SF"), "FS");
    EXPECT_EQ(flags_of("123.abc"), "");
    EXPECT_EQ(normalize_flags("TSST"), "ST");
}

TEST(Maildir, FolderPathsStayInsideRoot) {
    EXPECT_EQ(folder_path("/m", "INBOX", "fs"), "/m/INBOX");
    EXPECT_EQ(folder_path("/m", "送信済み/テスト", "fs"), "/m/送信済み/テスト");
    EXPECT_EQ(folder_path("/m", "A/B", "maildir++"), "/m/.A.B");
    EXPECT_EQ(folder_path("/m", "INBOX", "maildir++"), "/m");
    for (const char* bad : {"..", "../etc", "a/../../b", "/abs", "a//b", ".", "a/.", "x\ny",
                            "new", "a/tmp", "\x1b[31m"}) {
        EXPECT_THROW(folder_path("/m", bad, "fs"), Error) << bad;
    }
    EXPECT_THROW(folder_path("/m", std::string_view("a\0b", 3), "fs"), Error);
    // a '.' inside a level is escaped in Maildir++, where '.' separates the levels (the folder-name
    // codec); before the codec such a folder could not be synced at all
    EXPECT_EQ(folder_path("/m", "a.b/c", "maildir++"), "/m/.a%2Eb.c");
    EXPECT_EQ(folder_path("/m", "%2Eold", "fs"), "/m/%2Eold");  // the server folder ".old"
    EXPECT_THROW(folder_path("/m", ".old", "fs"), Error);         // only in its escaped form
}

TEST(Maildir, UniqueNamesDiffer) {
    EXPECT_NE(unique_name(), unique_name());
}
