// The sync engine between a fake IMAP server (in memory) and a real Maildir in a temp directory.
#include "sync/engine.hpp"

#include "sync_world.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <sstream>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::testing;
using store::Flags;
namespace fs = std::filesystem;


TEST(SyncEngine, InitialPullThenNothingToDo) {
    World w;
    w.server.add_folder("INBOX");
    w.server.add("INBOX", make_message("a"), store::Seen);
    w.server.add("INBOX", make_message("b"), store::Flagged | store::Answered);
    w.server.add("INBOX", make_message("c", std::string(300000, 'q')), 0);
    w.server.add("INBOX", make_message("d"), store::Deleted | store::Seen);
    w.server.add("INBOX", make_message("e"), store::Draft);
    fs::create_directories(w.root());
    auto r = w.run();
    expect_ok(r);
    EXPECT_TRUE(r.folder_created[Near]);
    EXPECT_EQ(r.added[Near], 5u);
    EXPECT_EQ(r.added[Far], 0u);
    expect_in_sync(w);
    EXPECT_EQ(w.near_entries().size(), 5u);

    std::size_t bodies = w.server.bodies_fetched, listings = w.server.full_listings;
    auto again = w.run();
    expect_ok(again);
    EXPECT_FALSE(again.changed());
    EXPECT_EQ(w.server.bodies_fetched, bodies);     // no body crosses twice
    EXPECT_EQ(w.server.full_listings, listings);    // only the changes since the last run
}

TEST(SyncEngine, LocalMessagesArePushedWithFlags) {
    World w;
    w.server.add_folder("INBOX");
    w.server.add("INBOX", make_message("a"));
    w.run();
    w.drop("INBOX", make_message("draft"), "D");
    w.drop("INBOX", make_message("moved-in"));
    auto r = w.run();
    expect_ok(r);
    EXPECT_EQ(r.added[Far], 2u);
    EXPECT_EQ(r.added[Near], 0u);
    expect_in_sync(w);
    EXPECT_EQ(w.far().flags.at(make_message("draft")), store::Draft);
    EXPECT_FALSE(w.run().changed());
}

TEST(SyncEngine, PushWithoutUidplusFindsTheNewUid) {
    World w;
    w.far_options.uidplus = false;
    w.server.add_folder("INBOX");
    w.server.add("INBOX", make_message("a"));
    w.run();
    w.drop("INBOX", make_message("local1"), "S");
    w.drop("INBOX", make_message("local2"));
    auto r = w.run();
    expect_ok(r);
    EXPECT_EQ(r.added[Far], 2u);
    expect_in_sync(w);
    auto again = w.run();
    expect_ok(again);
    EXPECT_FALSE(again.changed());
    expect_in_sync(w);
}

TEST(SyncEngine, FlagsTravelBothWaysAndMerge) {
    World w;
    w.server.add_folder("INBOX");
    auto a = w.server.add("INBOX", make_message("a"));
    auto b = w.server.add("INBOX", make_message("b"), store::Seen);
    auto c = w.server.add("INBOX", make_message("c"), store::Seen);
    w.run();
    // far: a seen, c answered; near: b unseen (removed S), c flagged
    w.server.set_flags("INBOX", a, store::Seen);
    w.server.set_flags("INBOX", c, store::Seen | store::Answered);
    store::MaildirStore near(w.root());
    near.select("INBOX");
    near.list_messages(0);
    auto entries = w.near_entries();
    maildir::Folder folder(w.folder_path("INBOX"));
    folder.set_flags(w.find_near("INBOX", make_message("b")), "");
    folder.set_flags(w.find_near("INBOX", make_message("c")), "FS");
    auto r = w.run();
    expect_ok(r);
    EXPECT_EQ(r.flagged[Far], 2u);   // b, c
    EXPECT_EQ(r.flagged[Near], 2u);  // a, c
    expect_in_sync(w);
    EXPECT_EQ(w.far().flags.at(make_message("a")), store::Seen);
    EXPECT_EQ(w.far().flags.at(make_message("b")), 0u);
    EXPECT_EQ(w.far().flags.at(make_message("c")), store::Seen | store::Answered | store::Flagged);
    (void)b;
    EXPECT_FALSE(w.run().changed());
}

TEST(SyncEngine, DeletionsBothWaysWithExpunge) {
    World w;
    w.server.add_folder("INBOX");
    auto a = w.server.add("INBOX", make_message("a"));
    w.server.add("INBOX", make_message("b"));
    w.server.add("INBOX", make_message("c"));
    w.run();
    w.server.expunge("INBOX", a);
    maildir::Folder(w.folder_path("INBOX")).remove(w.find_near("INBOX", make_message("b")));
    auto r = w.run();
    expect_ok(r);
    EXPECT_EQ(r.deleted[Near], 1u);
    EXPECT_EQ(r.deleted[Far], 1u);
    expect_in_sync(w);
    EXPECT_EQ(w.far().contents.size(), 1u);
    EXPECT_FALSE(w.run().changed());
}

// A Maildir listing that misses a file a mail reader renamed meanwhile (readdir of cur/ then new/
// while the reader moves new/ -> cur/): the first listing lacks one message.
class MissingOnceStore : public FaultyStore {
public:
    using FaultyStore::FaultyStore;
    int listings = 0;
    store::Listing list_messages(std::uint64_t since) override {
        auto listing = FaultyStore::list_messages(since);
        if (++listings == 1 && !listing.messages.empty()) listing.messages.pop_back();
        return listing;
    }
};

TEST(SyncEngine, AFileMissingFromOneLocalListingIsNotDeletedOnTheServer) {
    World w;
    w.server.add_folder("INBOX");
    for (auto name : {"a", "b", "c", "d", "e", "f", "g", "h"}) w.server.add("INBOX", make_message(name));
    w.run();
    FakeStore far(w.server, w.far_options);
    store::MaildirStore maildir(w.root(), {"fs", false});
    FaultPlan never;
    MissingOnceStore near(maildir, never);
    auto r = sync_folder(far, near, "INBOX", w.state("INBOX"), {true, true}, {});
    expect_ok(r);
    EXPECT_EQ(r.deleted[Far], 0u);
    EXPECT_EQ(near.listings, 2);
    EXPECT_EQ(w.far().contents.size(), 8u);
    expect_in_sync(w);
}

TEST(SyncEngine, FlagOnlyDeletionLeavesTheServerCopyAlone) {
    World w;
    w.server.add_folder("INBOX");
    auto a = w.server.add("INBOX", make_message("a"));
    w.server.add("INBOX", make_message("b"));
    w.run();
    maildir::Folder(w.folder_path("INBOX")).remove(w.find_near("INBOX", make_message("a")));
    FolderOptions options;
    options.expunge = false;
    auto r = w.run("INBOX", options);
    expect_ok(r);
    EXPECT_EQ(r.deleted[Far], 1u);
    EXPECT_EQ(w.far().flags.at(make_message("a")), store::Deleted);
    EXPECT_EQ(w.near().contents.size(), 1u);
    // it is not fetched back, however often we run
    for (int i = 0; i < 2; ++i) {
        auto again = w.run("INBOX", options);
        expect_ok(again);
        EXPECT_FALSE(again.changed());
        EXPECT_EQ(w.near().contents.size(), 1u);
    }
    // the server expunges it later: nothing to do, and the state forgets it
    w.server.expunge("INBOX", a);
    expect_ok(w.run("INBOX", options));
    expect_in_sync(w);
    EXPECT_EQ(read_file(w.state("INBOX")).find("L f"), std::string::npos);
}

TEST(SyncEngine, MassDeletionGuardStopsAWipedMaildir) {
    World w;
    w.server.add_folder("INBOX");
    for (int i = 0; i < 20; ++i) w.server.add("INBOX", make_message("m" + std::to_string(i)));
    w.run();
    for (const auto& e : w.near_entries()) maildir::Folder(w.folder_path("INBOX")).remove(e);
    auto r = w.run();
    EXPECT_TRUE(r.stopped);
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(r.error->kind, ErrorKind::Data);
    EXPECT_NE(std::string(r.error->what()).find("it would delete 20 of its 20 messages on server 'fake'"),
              std::string::npos)
        << r.error->what();
    EXPECT_NE(r.error->hint.find("--allow-mass-delete"), std::string::npos);
    EXPECT_EQ(w.far().contents.size(), 20u);
    FolderOptions allow;
    allow.allow_mass_delete = true;
    auto deleted = w.run("INBOX", allow);
    expect_ok(deleted);
    EXPECT_EQ(deleted.deleted[Far], 20u);
    EXPECT_TRUE(w.far().contents.empty());
}

TEST(SyncEngine, RemovedLocalFolderIsGuardedThenRestoredByPull) {
    World w;
    w.server.add_folder("Archive");
    for (int i = 0; i < 15; ++i) w.server.add("Archive", make_message("m" + std::to_string(i)));
    fs::create_directories(w.root());
    w.run("Archive");
    fs::remove_all(w.folder_path("Archive"));
    auto r = w.run("Archive");
    EXPECT_TRUE(r.stopped);
    ASSERT_TRUE(r.error.has_value());
    EXPECT_NE(std::string(r.error->what()).find("the folder is gone from the other side"), std::string::npos);
    EXPECT_EQ(w.far("Archive").contents.size(), 15u);
    EXPECT_FALSE(fs::exists(w.folder_path("Archive")));
    FolderOptions pull;
    pull.direction = Direction::Pull;
    auto restored = w.run("Archive", pull);
    expect_ok(restored);
    EXPECT_TRUE(restored.folder_created[Near]);
    EXPECT_EQ(restored.added[Near], 15u);
    expect_in_sync(w, "Archive");
    auto again = w.run("Archive");
    expect_ok(again);
    EXPECT_FALSE(again.changed());
}

TEST(SyncEngine, ARemovedFolderNeedsTheOptionHoweverSmall) {
    World w;
    w.server.add_folder("Tiny");
    w.server.add("Tiny", make_message("only"));
    fs::create_directories(w.root());
    w.run("Tiny");
    fs::remove_all(w.folder_path("Tiny"));
    auto r = w.run("Tiny");
    EXPECT_TRUE(r.stopped);
    EXPECT_EQ(w.far("Tiny").contents.size(), 1u);
    // a message deleted from a folder that is still there is not a folder gone
    w.run("Tiny", FolderOptions{Direction::Pull});
    maildir::Folder(w.folder_path("Tiny")).remove(w.near_entries("Tiny").at(0));
    auto one = w.run("Tiny");
    expect_ok(one);
    EXPECT_EQ(one.deleted[Far], 1u);
}

TEST(SyncEngine, RemovedLocalFolderIsDeletedOnTheServerWhenAsked) {
    World w;
    w.server.add_folder("Old");
    for (int i = 0; i < 3; ++i) w.server.add("Old", make_message("m" + std::to_string(i)));
    fs::create_directories(w.root());
    w.run("Old");
    fs::remove_all(w.folder_path("Old"));
    FolderOptions options;
    options.delete_folders = true;
    options.allow_mass_delete = true;
    auto r = w.run("Old", options);
    expect_ok(r);
    EXPECT_TRUE(r.folder_deleted[Far]);
    EXPECT_EQ(r.deleted[Far], 3u);
    EXPECT_FALSE(w.server.folders.count("Old"));
    EXPECT_FALSE(fs::exists(w.state("Old")));
}

TEST(SyncEngine, FolderDeletedOnServerWithNewLocalMailIsKept) {
    World w;
    w.server.add_folder("Box");
    w.server.add("Box", make_message("old"));
    fs::create_directories(w.root());
    w.run("Box");
    w.drop("Box", make_message("new-local"));
    w.server.folders.erase("Box");
    FolderOptions options;
    options.delete_folders = true;
    EXPECT_TRUE(w.run("Box", options).stopped);  // a folder gone: the guard asks first
    options.allow_mass_delete = true;
    auto r = w.run("Box", options);
    expect_ok(r);
    EXPECT_EQ(r.deleted[Near], 1u);           // the message deleted on the server
    EXPECT_FALSE(r.folder_deleted[Near]);     // but the folder holds new mail: kept, and created again
    EXPECT_TRUE(r.folder_created[Far]);
    EXPECT_EQ(r.added[Far], 1u);
    expect_in_sync(w, "Box");
}

TEST(SyncEngine, AFolderTheServerRefusesToCreateIsAnErrorOnly) {
    World w;
    fs::create_directories(w.root());
    store::MaildirStore near(w.root());
    near.create_folder("仕事");
    w.drop("仕事", make_message("local"), "S");
    w.server.refused.insert("仕事");
    auto r = w.run("仕事");
    ASSERT_TRUE(r.error);
    EXPECT_NE(std::string(r.error->what()).find("Permission denied"), std::string::npos);
    EXPECT_FALSE(r.folder_created[Far]);  // was reported created before the server said no
    EXPECT_EQ(r.added[Far], 0u);
}

// mutt's record=+Sent writes a local copy of a sent message, and the provider (or `zmail send`)
// files one on the server: the next sync uploaded the local one and downloaded the server's, and
// Sent held two of everything. New on both sides and the same message: paired, nothing copied.
TEST(SyncEngine, AnFccCopyAndTheServersSentCopyArePairedNotDoubled) {
    World w;
    w.server.add_folder("Sent");
    w.server.add("Sent", make_message("old"), store::Seen);
    fs::create_directories(w.root());
    expect_ok(w.run("Sent"));
    const std::string sent = make_message("sent-1", "本文");
    w.server.add("Sent", sent, store::Seen);                      // the provider's copy
    w.drop("Sent", "X-Mailer: Mutt\r\n" + sent, "S");            // the reader's Fcc copy (not byte-equal)
    w.server.add("Sent", make_message("other-server"), 0);        // and one of each that are not twins
    w.drop("Sent", make_message("other-local"), "S");
    auto r = w.run("Sent");
    expect_ok(r);
    EXPECT_EQ(r.added[Near], 1u);  // only other-server
    EXPECT_EQ(r.added[Far], 1u);   // only other-local
    EXPECT_EQ(r.matched, 1u);
    EXPECT_EQ(w.server.folders.at("Sent").messages.size(), 4u);
    EXPECT_EQ(maildir::Folder(w.folder_path("Sent")).list().size(), 4u);
    auto again = w.run("Sent");
    expect_ok(again);
    EXPECT_FALSE(again.changed());
}

// A server without UIDPLUS that changes a message on APPEND (Cyrus replaces 8-bit header bytes)
// never matched the upload afterwards: it was uploaded again on every run.
TEST(SyncEngine, AnUploadTheServerChangedIsPairedOrLeftNeverRepeated) {
    for (bool others : {false, true}) {
        World w;
        w.far_options.uidplus = false;
        w.far_options.rewrite_appends = true;
        w.far_options.other_client_appends = others;  // then nobody can tell which is ours
        w.server.add_folder("INBOX");
        fs::create_directories(w.root());
        expect_ok(w.run());
        w.drop("INBOX", make_message("mine"), "S");
        auto r = w.run();
        EXPECT_EQ(r.added[Far], 1u);
        EXPECT_EQ(r.error.has_value(), others) << (r.error ? r.error->what() : "");
        for (int i = 0; i < 2; ++i) w.run();
        std::size_t mine = 0;
        for (const auto& [uid, m] : w.server.folders.at("INBOX").messages)
            mine += m.content.find("<mine@") != std::string::npos ? 1 : 0;
        EXPECT_EQ(mine, 1u) << "uploaded again (others: " << others << ")";
        if (!others) {
            EXPECT_FALSE(w.run().changed());
        }
    }
}

TEST(SyncEngine, FoldersAreCreatedOnEitherSide) {
    World w;
    w.server.add_folder("送信済み");
    w.server.add("送信済み", make_message("sent"));
    fs::create_directories(w.root());
    auto r = w.run("送信済み");
    expect_ok(r);
    EXPECT_TRUE(r.folder_created[Near]);
    expect_in_sync(w, "送信済み");
    store::MaildirStore near(w.root());
    near.create_folder("已发送");
    w.drop("已发送", make_message("local"), "S");
    auto pushed = w.run("已发送");
    expect_ok(pushed);
    EXPECT_TRUE(pushed.folder_created[Far]);
    expect_in_sync(w, "已发送");
}

TEST(SyncEngine, UidValidityResetOnServerLosesAndDoublesNothing) {
    World w;
    w.server.add_folder("INBOX");
    for (int i = 0; i < 8; ++i) w.server.add("INBOX", make_message("m" + std::to_string(i)), store::Seen);
    w.run();
    // before the next run: a local flag change, a new local message, and the server renumbers
    maildir::Folder(w.folder_path("INBOX")).set_flags(w.find_near("INBOX", make_message("m3")), "FS");
    w.drop("INBOX", make_message("local"));
    w.server.renumber("INBOX");
    w.server.add("INBOX", make_message("new-far"));
    auto r = w.run();
    expect_ok(r);
    EXPECT_TRUE(r.rematched);
    EXPECT_EQ(r.matched, 8u);
    EXPECT_EQ(r.added[Far], 1u);
    EXPECT_EQ(r.added[Near], 1u);
    expect_in_sync(w);
    EXPECT_EQ(w.far().flags.at(make_message("m3")), store::Seen | store::Flagged);
    EXPECT_FALSE(w.run().changed());
}

TEST(SyncEngine, LostLocalUidFileLosesAndDoublesNothing) {
    World w;
    w.server.add_folder("INBOX");
    for (int i = 0; i < 5; ++i) w.server.add("INBOX", make_message("m" + std::to_string(i)));
    w.run();
    fs::remove(w.folder_path("INBOX") + "/.zmail-uidvalidity");
    auto r = w.run();
    expect_ok(r);
    EXPECT_TRUE(r.rematched);
    EXPECT_EQ(r.matched, 5u);
    EXPECT_FALSE(r.changed());
    expect_in_sync(w);
}

TEST(SyncEngine, FirstRunWithMailOnBothSidesMatchesByMessageId) {
    World w;
    w.server.add_folder("INBOX");
    w.server.add("INBOX", make_message("both1"), store::Seen);
    w.server.add("INBOX", make_message("both2"));
    w.server.add("INBOX", make_message("far-only"));
    store::MaildirStore near(w.root());
    near.create_folder("INBOX");
    w.drop("INBOX", make_message("both1"));
    w.drop("INBOX", make_message("both2"), "F");
    w.drop("INBOX", make_message("near-only"));
    auto r = w.run();
    expect_ok(r);
    EXPECT_TRUE(r.rematched);
    EXPECT_EQ(r.matched, 2u);
    EXPECT_EQ(r.added[Far], 1u);
    EXPECT_EQ(r.added[Near], 1u);
    expect_in_sync(w);
    EXPECT_EQ(w.far().flags.at(make_message("both1")), store::Seen);     // flags are united
    EXPECT_EQ(w.far().flags.at(make_message("both2")), store::Flagged);
}

TEST(SyncEngine, MessageMovedBetweenLocalFoldersMovesOnTheServer) {
    World w;
    w.server.add_folder("INBOX");
    w.server.add_folder("Archive");
    w.server.add("INBOX", make_message("mover"), store::Seen);
    w.server.add("INBOX", make_message("stayer"));
    fs::create_directories(w.root());
    w.run("INBOX");
    w.run("Archive");
    auto e = w.find_near("INBOX", make_message("mover"));
    fs::rename(w.folder_path("INBOX") + "/" + e.path(), w.folder_path("Archive") + "/" + e.path());
    expect_ok(w.run("INBOX"));
    expect_ok(w.run("Archive"));
    expect_in_sync(w, "INBOX");
    expect_in_sync(w, "Archive");
    EXPECT_EQ(w.far("Archive").contents.count(make_message("mover")), 1u);
    EXPECT_EQ(w.far("INBOX").contents.count(make_message("mover")), 0u);
}

TEST(SyncEngine, DryRunChangesNothing) {
    World w;
    w.server.add_folder("INBOX");
    w.server.add("INBOX", make_message("a"));
    w.run();
    w.server.add("INBOX", make_message("b"));
    w.drop("INBOX", make_message("c"));
    auto names_before = w.near_entries();
    std::string state_before = read_file(w.state("INBOX"));
    auto far_before = w.far();
    FolderOptions dry;
    dry.dry_run = true;
    auto r = w.run("INBOX", dry);
    expect_ok(r);
    EXPECT_EQ(r.added[Near], 1u);
    EXPECT_EQ(r.added[Far], 1u);
    EXPECT_EQ(w.near_entries().size(), names_before.size());
    EXPECT_EQ(w.near_entries()[1].filename, names_before[1].filename);  // not even renamed
    EXPECT_EQ(read_file(w.state("INBOX")), state_before);
    EXPECT_EQ(w.far(), far_before);
}

TEST(SyncEngine, OneDirectionOnly) {
    World w;
    w.server.add_folder("INBOX");
    auto a = w.server.add("INBOX", make_message("a"));
    w.run();
    w.server.add("INBOX", make_message("far-new"));
    w.server.set_flags("INBOX", a, store::Seen);
    w.drop("INBOX", make_message("near-new"));
    FolderOptions pull;
    pull.direction = Direction::Pull;
    auto r = w.run("INBOX", pull);
    expect_ok(r);
    EXPECT_EQ(r.added[Near], 1u);
    EXPECT_EQ(r.added[Far], 0u);
    EXPECT_EQ(w.near().flags.at(make_message("a")), store::Seen);
    EXPECT_EQ(w.far().contents.count(make_message("near-new")), 0u);
    FolderOptions push;
    push.direction = Direction::Push;
    auto p = w.run("INBOX", push);
    expect_ok(p);
    EXPECT_EQ(p.added[Far], 1u);
    expect_in_sync(w);
    EXPECT_FALSE(w.run().changed());
}

TEST(SyncEngine, CondstoreWithoutQresyncSeesExpunges) {
    World w;
    w.far_options.qresync = false;
    w.server.add_folder("INBOX");
    auto a = w.server.add("INBOX", make_message("a"));
    w.server.add("INBOX", make_message("b"));
    w.run();
    w.server.expunge("INBOX", a);
    auto r = w.run();
    expect_ok(r);
    EXPECT_EQ(r.deleted[Near], 1u);
    expect_in_sync(w);
}

// The "Push, moves, wire" issue's initial sync: a folder the server's listing shows empty
// (LIST-STATUS MESSAGES 0) and that is empty here needs no SELECT; mail that comes later is
// found by the next run from the mod-sequence the listing gave.
TEST(SyncEngine, AFolderEmptyOnBothSidesIsRecordedWithoutSelectingIt) {
    World w;
    w.server.add_folder("Drafts");
    fs::create_directories(w.root());
    {
        FakeStore far(w.server, w.far_options);
        store::MaildirStore near(w.root(), {"fs", false});
        const auto& f = w.server.folders.at("Drafts");
        FolderPresence presence{true, false, store::FolderStatus{f.uid_validity, 0, f.modseq, {}, 0u}};
        auto r = sync_folder(far, near, "Drafts", w.state("Drafts"), presence, {});
        expect_ok(r);
        EXPECT_TRUE(r.folder_created[Near]);
        EXPECT_EQ(w.server.selects, 0u);
        EXPECT_EQ(w.server.full_listings, 0u);
    }
    w.server.add("Drafts", make_message("later"), store::Draft);
    auto again = w.run("Drafts");
    expect_ok(again);
    EXPECT_EQ(again.added[Near], 1u);
    EXPECT_EQ(w.server.full_listings, 0u);  // the changes since the recorded mod-sequence
    expect_in_sync(w, "Drafts");
    EXPECT_FALSE(w.run("Drafts").changed());
}

TEST(SyncEngine, AFolderTheListingShowsEmptyIsSyncedWhenItHasMailHere) {
    World w;
    w.server.add_folder("Drafts");
    w.run("Drafts");  // nothing yet
    fs::remove_all(w.dir.path() + "/state");
    w.drop("Drafts", make_message("local"), "D");
    FakeStore far(w.server, w.far_options);
    store::MaildirStore near(w.root(), {"fs", false});
    const auto& f = w.server.folders.at("Drafts");
    FolderPresence presence{true, true, store::FolderStatus{f.uid_validity, 0, f.modseq, {}, 0u}};
    auto r = sync_folder(far, near, "Drafts", w.state("Drafts"), presence, {});
    expect_ok(r);
    EXPECT_EQ(r.added[Far], 1u);
    expect_in_sync(w, "Drafts");
}

// A download into the Maildir is one fetch, committed batch by batch as it streams: the server
// is never left waiting between batches (a round trip each at 40 ms).
TEST(SyncEngine, ADownloadIsOneFetchCommittedInBatches) {
    World w;
    w.server.add_folder("INBOX");
    for (int i = 0; i < 25; ++i) w.server.add("INBOX", make_message("m" + std::to_string(i)), i % 3 ? store::Flags(store::Seen) : store::Flags(0));
    fs::create_directories(w.root());
    FolderOptions options;
    options.batch_messages = 4;
    auto r = w.run("INBOX", options);
    expect_ok(r);
    EXPECT_EQ(r.added[Near], 25u);
    EXPECT_EQ(w.server.fetch_calls, 1u);
    expect_in_sync(w);
    EXPECT_FALSE(w.run().changed());
}
