// The UIDL state and the settling of pending deliveries, for every point a run can be killed at:
// P without D with and without the delivered file (Maildir new/ and cur/, mbox regions whole,
// torn and absent), a torn journal line, replay order, compaction and garbage collection.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <openssl/evp.h>

#include "error.hpp"
#include "fetch/delivery.hpp"
#include "fetch/uidl_state.hpp"
#include "fetch_test_support.hpp"

namespace zmail::fetch {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

TEST(FetchState, FirstRunHasNoState) {
    TempDir dir;
    UidlState state(dir.path() + "/fetch/x.uidl");
    state.load();
    EXPECT_FALSE(state.existed());
    EXPECT_EQ(state.size(), 0u);
    EXPECT_FALSE(state.changed());
}

TEST(FetchState, RecordsSurviveAReloadInOrder) {
    TempDir dir;
    const std::string path = dir.path() + "/fetch/x.uidl";
    {
        UidlState state(path);
        state.load();
        state.record_seen("old1");
        state.record_pending("a", "maildir /m/new/1");
        state.record_delivered("a");
        state.record_pending("b", "maildir /m/new/2");
        state.sync();
    }
    UidlState state(path);
    state.load();
    EXPECT_TRUE(state.existed());
    EXPECT_TRUE(state.is_seen("old1"));
    EXPECT_TRUE(state.is_delivered("a"));
    ASSERT_TRUE(state.find("b"));
    EXPECT_EQ(state.find("b")->status, UidlStatus::Pending);
    EXPECT_EQ(state.find("b")->detail, "maildir /m/new/2");
    EXPECT_EQ(state.pending().size(), 1u);
    EXPECT_TRUE(state.changed());  // the journal is waiting to be compacted
}

TEST(FetchState, NothingReplacesDelivered) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    write_file(path + ".journal", "D u1\nS u1\nP u1 maildir /x\nS u2\nD u2\n");
    UidlState state(path);
    state.load();
    EXPECT_TRUE(state.is_delivered("u1"));
    EXPECT_TRUE(state.is_delivered("u2"));
}

TEST(FetchState, UnsyncedRecordsAreLostNotHalfWritten) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    {
        UidlState state(path);
        state.load();
        state.record_delivered("synced");
        state.sync();
        state.record_delivered("never-synced");  // the process dies before sync()
    }
    UidlState state(path);
    state.load();
    EXPECT_TRUE(state.is_delivered("synced"));
    EXPECT_FALSE(state.find("never-synced"));
}

TEST(FetchState, ATornLastLineIsIgnoredAndRepaired) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    write_file(path + ".journal", "D whole\nP torn maildir /m/ne");  // killed while writing
    {
        UidlState state(path);
        state.load();
        EXPECT_TRUE(state.is_delivered("whole"));
        EXPECT_FALSE(state.find("torn"));
        state.record_delivered("next");
        state.sync();
    }
    EXPECT_EQ(read_file(path + ".journal"), "D whole\nD next\n");
    UidlState state(path);
    state.load();
    EXPECT_TRUE(state.is_delivered("next"));
}

TEST(FetchState, CompactionKeepsOnlyLiveEntries) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    UidlState state(path);
    state.load();
    state.record_delivered("on-server");
    state.record_delivered("gone");
    state.record_seen("seen");
    state.record_pending("pending", "maildir /nowhere");
    state.sync();
    state.compact([](const std::string& uidl, const UidlEntry&) {
        return uidl != "gone" ? UidlState::Keep::listed : UidlState::Keep::drop;
    });
    EXPECT_FALSE(std::filesystem::exists(path + ".journal"));
    EXPECT_EQ(read_file(path), std::string(uidl_state_header) + "\nD on-server\nS seen\n");
    EXPECT_FALSE(state.changed());

    UidlState again(path);
    again.load();
    EXPECT_EQ(again.size(), 2u);
    EXPECT_TRUE(again.is_delivered("on-server"));
    EXPECT_TRUE(again.is_seen("seen"));
}

// One listing without a message (a failover, a partial UIDL answer) marks it absent; only a
// second listing without it forgets it. Listed again in between, the mark goes.
TEST(FetchState, AnEntryMissingFromOneListingIsKeptAndMarked) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    UidlState state(path);
    state.load();
    state.record_delivered("a");
    state.record_seen("b");
    state.sync();
    auto missing = [](const std::string& uidl, const UidlEntry& entry) {
        if (uidl == "b") return UidlState::Keep::listed;
        return entry.absent ? UidlState::Keep::drop : UidlState::Keep::absent;
    };
    state.compact(missing);
    EXPECT_EQ(read_file(path), std::string(uidl_state_header) + "\nD a\nA a\nS b\n");
    UidlState again(path);
    again.load();
    ASSERT_TRUE(again.find("a"));
    EXPECT_TRUE(again.find("a")->absent);
    EXPECT_TRUE(again.is_delivered("a"));
    EXPECT_EQ(again.absent(), 1u);
    again.compact([](const std::string&, const UidlEntry&) { return UidlState::Keep::listed; });  // back
    EXPECT_EQ(read_file(path), std::string(uidl_state_header) + "\nD a\nS b\n");
    again.compact(missing);
    again.compact(missing);  // a second listing without it
    EXPECT_FALSE(again.find("a"));
    EXPECT_TRUE(again.is_seen("b"));
}

TEST(FetchState, SizesAreKeptThroughJournalAndSnapshot) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    UidlState state(path);
    state.load();
    state.record_delivered("a", 1234);
    state.record_seen("b");
    state.sync();
    UidlState replayed(path);
    replayed.load();
    EXPECT_EQ(replayed.find("a")->size, 1234u);
    replayed.compact([](const std::string&, const UidlEntry&) { return UidlState::Keep::listed; });
    EXPECT_EQ(read_file(path), std::string(uidl_state_header) + "\nD a 1234\nS b\n");
    write_file(path, std::string(uidl_state_header) + "\nD a 12x\n");
    EXPECT_THROW(replayed.load(), Error);
}

TEST(FetchState, CrashBetweenSnapshotAndJournalRemovalReplaysHarmlessly) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    // a new snapshot was written, then the run died before removing the old journal
    write_file(path, std::string(uidl_state_header) + "\nD a\nS b\n");
    write_file(path + ".journal", "D a\nS b\nD c\n");
    UidlState state(path);
    state.load();
    EXPECT_TRUE(state.is_delivered("a"));
    EXPECT_TRUE(state.is_seen("b"));
    EXPECT_TRUE(state.is_delivered("c"));
}

TEST(FetchState, ABadRecordIsAConfigErrorNamingTheFile) {
    TempDir dir;
    const std::string path = dir.path() + "/x.uidl";
    for (const char* text : {"X a\n", "D\n", "D a extra\n", "P a\n", "Da\n"}) {
        write_file(path + ".journal", text);
        UidlState state(path);
        try {
            state.load();
            ADD_FAILURE() << "accepted " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind, ErrorKind::Config) << text;
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
        }
    }
    write_file(path + ".journal", "");
    write_file(path, "something else\nD a\n");
    UidlState other(path);
    EXPECT_THROW(other.load(), Error);
}

TEST(FetchState, RejectsRecordsThatWouldBreakTheFile) {
    TempDir dir;
    UidlState state(dir.path() + "/x.uidl");
    state.load();
    EXPECT_THROW(state.record_delivered("has space"), Error);
    EXPECT_THROW(state.record_delivered(""), Error);
    EXPECT_THROW(state.record_delivered(std::string(71, 'a')), Error);
    EXPECT_THROW(state.record_pending("a", "maildir /x\nD b"), Error);
    state.record_delivered(std::string(70, 'a'));
}

TEST(FetchState, PathPerHostAndUserWithUnsafeBytesEscaped) {
    EXPECT_EQ(uidl_state_path("/s", "pop.example.com", "me@example.com"), "/s/fetch/pop.example.com-me@example.com.uidl");
    EXPECT_EQ(uidl_state_path("/s", "h", "a/b c%"), "/s/fetch/h-a%2Fb%20c%25.uidl");
    EXPECT_EQ(uidl_state_path("/s", "h", "用户"), "/s/fetch/h-%E7%94%A8%E6%88%B7.uidl");
}

// ---------------------------------------------------------------- settling pending deliveries

TEST(FetchPending, MaildirFileInNewMeansDelivered) {
    TempDir dir;
    const std::string file = dir.path() + "/INBOX/new/123.M1P2Q3.host,S=5";
    write_file(file, "hello");
    EXPECT_TRUE(pending_was_delivered("maildir " + file, true, 0));
}

TEST(FetchPending, MaildirFileMovedToCurByAReaderMeansDelivered) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() + "/INBOX/new");
    write_file(dir.path() + "/INBOX/cur/123.M1P2Q3.host,S=5:2,S", "hello");
    EXPECT_TRUE(pending_was_delivered("maildir " + dir.path() + "/INBOX/new/123.M1P2Q3.host,S=5", true, 0));
    // a name that merely starts the same is another message
    EXPECT_FALSE(pending_was_delivered("maildir " + dir.path() + "/INBOX/new/123.M1P2Q", true, 0));
}

// fetch and sync delivering into one folder: sync tags a file fetch had just linked with its UID
// ("NAME,V=..,U=.."), in new/ or after moving it to cur/; fetch took it for never delivered and
// fetched it again.
TEST(FetchPending, MaildirFileTaggedBySyncMeansDelivered) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() + "/INBOX/cur");
    const std::string pending = "maildir " + dir.path() + "/INBOX/new/123.M1P2Q3.host,S=5";
    write_file(dir.path() + "/INBOX/new/123.M1P2Q3.host,S=5,V=17,U=4", "hello");
    EXPECT_TRUE(pending_was_delivered(pending, true, 0));
    std::filesystem::remove(dir.path() + "/INBOX/new/123.M1P2Q3.host,S=5,V=17,U=4");
    write_file(dir.path() + "/INBOX/cur/123.M1P2Q3.host,S=5,V=17,U=4:2,S", "hello");
    EXPECT_TRUE(pending_was_delivered(pending, true, 0));
    EXPECT_FALSE(pending_was_delivered("maildir " + dir.path() + "/INBOX/new/123.M1P2Q3.hos", true, 0));
}

TEST(FetchPending, MaildirFileNeverLinkedMeansNotDelivered) {
    TempDir dir;
    EXPECT_FALSE(pending_was_delivered("maildir " + dir.path() + "/INBOX/new/123.M1P2Q3.host", true, 0));
    std::filesystem::create_directories(dir.path() + "/INBOX/new");
    std::filesystem::create_directories(dir.path() + "/INBOX/cur");
    EXPECT_FALSE(pending_was_delivered("maildir " + dir.path() + "/INBOX/new/123.M1P2Q3.host", true, 0));
}

TEST(FetchPending, UnknownDetailIsAnError) {
    EXPECT_THROW(pending_was_delivered("tape /dev/st0", true, 0), Error);
    EXPECT_THROW(pending_was_delivered("mbox 1 2 nothex /x", true, 0), Error);
}

constexpr const char* chunk = "From x\nbody\n\n";
const std::string wrong_sha(64, 'a');

std::string sha256_hex(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += "0123456789abcdef"[digest[i] >> 4];
        hex += "0123456789abcdef"[digest[i] & 15];
    }
    return hex;
}

TEST(FetchPending, MboxRegionWithTheRightHashMeansDelivered) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox";
    const std::string before = "From old\nold\n\n";
    write_file(mbox, before + chunk + "From later\nlater\n\n");
    const std::string sha = sha256_hex(chunk);
    const std::string where = std::to_string(before.size()) + " " + std::to_string(std::string(chunk).size());
    EXPECT_TRUE(pending_was_delivered("mbox " + where + " " + sha + " " + mbox, true, 0));
    EXPECT_FALSE(pending_was_delivered("mbox " + where + " " + wrong_sha + " " + mbox, true, 0));
    EXPECT_FALSE(pending_was_delivered("mbox 1 13 " + sha + " " + mbox, true, 0));
    EXPECT_EQ(read_file(mbox), before + chunk + "From later\nlater\n\n");  // nothing repaired
    EXPECT_FALSE(pending_was_delivered("mbox 0 13 " + sha + " " + dir.path() + "/missing", true, 0));
}

// Recovery truncated the mbox at a pending record's offset when the file ended inside its
// region, without knowing whose bytes those were: after a killed run another program (procmail,
// the MTA, a second fetch) may have appended. Without proof nothing is cut; the message is
// fetched again.
TEST(FetchPending, MboxEndingInsideAPendingRegionIsNotCutWithoutProof) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox with space";
    const std::string before = "From old\nold\n\n";
    write_file(mbox, before + std::string(chunk).substr(0, 8));  // our own cut-short write
    const std::string detail = "mbox " + std::to_string(before.size()) + " 13 " + sha256_hex(chunk) + " " + mbox;
    EXPECT_FALSE(pending_was_delivered(detail, false, 0));
    EXPECT_FALSE(pending_was_delivered(detail, true, 0));                     // no spool directory
    EXPECT_FALSE(pending_was_delivered(detail, true, 0, dir.path() + "/spool"));  // no spool copy
    EXPECT_EQ(read_file(mbox), before + std::string(chunk).substr(0, 8));
    // another program's message where ours would have been: shorter than the region
    write_file(mbox, before + "From p\nx\n\n");
    EXPECT_FALSE(pending_was_delivered(detail, true, 0));
    EXPECT_EQ(read_file(mbox), before + "From p\nx\n\n");
}

// A run killed while appending left half a message at the end of the mbox; the kill trials
// found it there as an extra, truncated message once the message was fetched again. The spool
// copy the run kept under the region's offset and hash proves the fragment its own: it is cut.
TEST(FetchPending, MboxFragmentProvablyOursIsCutAndAnythingElseStays) {
    TempDir dir;
    const std::string mbox = dir.path() + "/mbox", spool = dir.path() + "/spool";
    std::filesystem::create_directories(spool);
    const std::string before = "From old\nold\n\n", sha = sha256_hex(chunk);
    const std::string detail = "mbox " + std::to_string(before.size()) + " 13 " + sha + " " + mbox;
    const std::string copy = spool + "/mbox-" + std::to_string(before.size()) + "-" + sha;
    write_file(copy, chunk);

    write_file(mbox, before + std::string(chunk).substr(0, 8));
    EXPECT_FALSE(pending_was_delivered(detail, false, 0, spool));  // a dry run repairs nothing
    EXPECT_EQ(read_file(mbox), before + std::string(chunk).substr(0, 8));
    EXPECT_FALSE(pending_was_delivered(detail, true, 0, spool));
    EXPECT_EQ(read_file(mbox), before);

    // our fragment followed by another program's short message: not a prefix of ours
    write_file(mbox, before + "From x\n" + "From p\n");
    EXPECT_FALSE(pending_was_delivered(detail, true, 0, spool));
    EXPECT_EQ(read_file(mbox), before + "From x\nFrom p\n");

    // a spool copy of another length is no proof
    write_file(copy, std::string(chunk) + "more");
    write_file(mbox, before + std::string(chunk).substr(0, 8));
    EXPECT_FALSE(pending_was_delivered(detail, true, 0, spool));
    EXPECT_EQ(read_file(mbox), before + std::string(chunk).substr(0, 8));

    remove_spool_leftovers(spool);
    EXPECT_TRUE(std::filesystem::is_empty(spool));
}

}  // namespace
}  // namespace zmail::fetch
