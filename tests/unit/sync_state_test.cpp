#include "sync/state.hpp"

#include "error.hpp"
#include "sync_test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace zmail;
using namespace zmail::sync;
using zmail::testing::TempDir;
using zmail::testing::read_file;
using zmail::testing::write_file;

namespace {

}  // namespace

TEST(PairTable, IsOneToOne) {
    PairTable t;
    t.add({{1, 10}, store::Seen});
    t.add({{2, 20}, 0});
    EXPECT_EQ(t.by_far(1)->uid[Near], 10u);
    EXPECT_EQ(t.by_near(20)->uid[Far], 2u);
    // a pair that reuses near UID 10 replaces the pair that had it
    t.add({{3, 10}, 0});
    EXPECT_EQ(t.by_far(1), nullptr);
    EXPECT_EQ(t.by_near(10)->uid[Far], 3u);
    // and one that reuses far UID 2 replaces that one
    t.add({{2, 21}, 0});
    EXPECT_EQ(t.by_near(20), nullptr);
    EXPECT_EQ(t.size(), 2u);
    t.remove_far(3);
    EXPECT_EQ(t.by_near(10), nullptr);
    t.set_flags(2, store::Flagged);
    EXPECT_EQ(t.by(Far, 2)->flags, store::Flagged);
}

TEST(SyncState, MissingFileIsAFirstRun) {
    TempDir dir;
    SyncState s(dir.path() + "/INBOX.state");
    s.load();
    EXPECT_FALSE(s.existed());
    EXPECT_EQ(s.pairs().size(), 0u);
    EXPECT_EQ(s.uid_validity(Far), 0u);
}

TEST(SyncState, JournalSurvivesAndReplaysInOrder) {
    TempDir dir;
    std::string path = dir.path() + "/INBOX.state";
    {
        SyncState s(path);
        s.load();
        s.set_header(111, 222, 5);
        s.add_pair(1, 101, store::Seen);
        s.add_pair(2, 102, 0);
        s.set_flags(2, store::Flagged | store::Seen);
        s.remove_pair(1);
        s.add_pending({Near, 7, 107, 0, 0, 0});
        s.add_pending({Far, 108, 0, 30, 0xabcdef, 1234});
        s.leave(Far, 9);
        s.sync();
        // not synced: lost like in a crash
        s.add_pair(3, 103, 0);
    }
    EXPECT_EQ(read_file(path + ".journal"),
              "H 111 222 5\n+ 1 101 S\n+ 2 102 -\n= 2 FS\n- 1\nP n 7 107\nQ f 108 30 0000000000abcdef 1234\nL f 9\n");
    SyncState s(path);
    s.load();
    EXPECT_TRUE(s.existed());
    EXPECT_EQ(s.uid_validity(Far), 111u);
    EXPECT_EQ(s.uid_validity(Near), 222u);
    EXPECT_EQ(s.far_modseq(), 5u);
    EXPECT_EQ(s.pairs().size(), 1u);
    EXPECT_EQ(s.pairs().by_far(2)->flags, store::Flagged | store::Seen);
    EXPECT_EQ(s.pairs().by_far(3), nullptr);
    ASSERT_EQ(s.pending().size(), 2u);
    EXPECT_EQ(s.pending()[0].target_uid, 107u);
    EXPECT_EQ(s.pending()[1].header_hash, 0xabcdefu);
    EXPECT_EQ(s.pending()[1].size, 1234u);
    EXPECT_EQ(s.pending()[1].min_uid, 30u);
    EXPECT_TRUE(s.left(Far).count(9));
}

TEST(SyncState, PairSettlesPendingOfEitherDirection) {
    TempDir dir;
    SyncState s(dir.path() + "/x.state");
    s.load();
    s.add_pending({Near, 7, 107, 0, 0, 0});
    s.add_pending({Far, 50, 0, 10, 1, 2});
    s.add_pair(7, 107, 0);
    ASSERT_EQ(s.pending().size(), 1u);
    s.add_pair(12, 50, 0);
    EXPECT_TRUE(s.pending().empty());
    s.add_pending({Far, 51, 0, 10, 1, 2});
    s.settle_pending(Far, 51);
    EXPECT_TRUE(s.pending().empty());
}

TEST(SyncState, ResetForgetsPairsPendingAndLeft) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    {
        SyncState s(path);
        s.load();
        s.set_header(1, 2, 0);
        s.add_pair(1, 1, 0);
        s.leave(Far, 4);
        s.add_pending({Near, 2, 2, 0, 0, 0});
        s.reset();
        s.set_header(3, 2, 0);
        s.add_pair(5, 1, store::Seen);
        s.sync();
    }
    SyncState s(path);
    s.load();
    EXPECT_EQ(s.uid_validity(Far), 3u);
    EXPECT_EQ(s.pairs().size(), 1u);
    EXPECT_EQ(s.pairs().by_near(1)->uid[Far], 5u);
    EXPECT_TRUE(s.pending().empty());
    EXPECT_TRUE(s.left(Far).empty());
}

TEST(SyncState, CompactWritesSnapshotAndReplayOnTopIsHarmless) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    std::string journal_before;
    {
        SyncState s(path);
        s.load();
        s.set_header(1, 2, 9);
        s.add_pair(1, 11, store::Seen);
        s.add_pair(2, 12, store::Draft);
        s.remove_pair(1);
        s.leave(Far, 1);
        s.sync();
        journal_before = read_file(path + ".journal");
        s.compact();
    }
    EXPECT_EQ(read_file(path), "zmail-sync 1\nH 1 2 9\n+ 2 12 D\nL f 1\n");
    EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
    // a crash between the snapshot and removing the journal: the journal is replayed on top
    write_file(path + ".journal", journal_before);
    SyncState s(path);
    s.load();
    EXPECT_EQ(s.pairs().size(), 1u);
    EXPECT_EQ(s.pairs().by_far(2)->flags, store::Draft);
    EXPECT_TRUE(s.left(Far).count(1));
}

// A message moved out by COPY (a server without MOVE) is marked first: a run killed after the
// COPY must only delete it next time, never copy it again.
TEST(SyncState, MovingMarksSurviveUntilThePairGoes) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    {
        SyncState s(path);
        s.load();
        s.set_header(1, 2, 9);
        s.add_pair(3, 13, 0);
        s.add_pair(4, 14, 0);
        s.mark_moving(3);
        s.mark_moving(4);
        s.remove_pair(4);
        s.sync();
    }
    {
        SyncState s(path);
        s.load();
        EXPECT_EQ(s.moving(), (std::set<std::uint32_t>{3}));
        s.compact();
    }
    EXPECT_EQ(read_file(path), "zmail-sync 1\nH 1 2 9\n+ 3 13 -\nM 3\n");
    SyncState s(path);
    s.load();
    EXPECT_EQ(s.moving(), (std::set<std::uint32_t>{3}));
    s.reset();
    EXPECT_TRUE(s.moving().empty());
}

TEST(SyncState, TornLastLineIsIgnored) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    write_file(path + ".journal", "H 1 2 0\n+ 1 11 S\n+ 2 1");
    SyncState s(path);
    s.load();
    EXPECT_EQ(s.pairs().size(), 1u);
}

TEST(SyncState, BadRecordIsAConfigErrorNamingTheFile) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    for (std::string bad : {"+ 1 x S\n", "+ 0 1 S\n", "+ 1 2 Q\n", "Z\n", "H 1 2\n", "P k 1 2\n", "Q f 1 2 zz 3\n"}) {
        write_file(path + ".journal", bad);
        SyncState s(path);
        try {
            s.load();
            ADD_FAILURE() << bad;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind, ErrorKind::Config) << bad;
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
        }
    }
}

TEST(SyncState, DryRunWritesNothing) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    SyncState s(path);
    s.load();
    s.set_dry_run(true);
    s.set_header(1, 2, 3);
    s.add_pair(1, 2, 0);
    s.sync();
    s.compact();
    EXPECT_EQ(s.pairs().size(), 1u);
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
}

TEST(SyncState, RemoveFiles) {
    TempDir dir;
    std::string path = dir.path() + "/x.state";
    SyncState s(path);
    s.load();
    s.set_header(1, 2, 3);
    s.sync();
    s.compact();
    s.add_pair(1, 1, 0);
    s.sync();
    s.remove_files();
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
}

TEST(StateFileName, RoundTripsAndStaysFlat) {
    for (std::string folder : std::vector<std::string>{"INBOX", "送信済み", "Archive/2024", "a%b", ".hidden", "x.y", "已发送/旧", "a b",
                               std::string("ctl\x01") + "x", "..", "a/../b"}) {
        std::string name = state_file_name(folder);
        EXPECT_EQ(name.find('/'), std::string::npos) << folder;
        EXPECT_NE(name[0], '.') << folder;
        EXPECT_EQ(folder_of_state_file(name), folder) << folder;
    }
    EXPECT_EQ(state_file_name("送信済み"), "送信済み.state");
    EXPECT_EQ(state_file_name("Archive/2024"), "Archive%2F2024.state");
    EXPECT_EQ(folder_of_state_file("x.journal"), "");
    EXPECT_EQ(folder_of_state_file("bad%zz.state"), "");
}
