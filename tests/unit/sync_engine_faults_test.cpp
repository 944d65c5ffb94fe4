// The sync engine killed or cut at every store operation, then run again cleanly: nothing may be
// lost or doubled (the world is in sync_world.hpp).
#include "sync_world.hpp"

#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::testing;
namespace fs = std::filesystem;

// ---- crash and connection-cut safety: fail at every operation, then run again cleanly ----

namespace {

// A world after one clean sync, with changes on both sides waiting for the next run.
void prepare_changes(World& w) {
    w.server.add_folder("INBOX");
    std::vector<std::uint32_t> uids;
    for (int i = 0; i < 6; ++i) uids.push_back(w.server.add("INBOX", make_message("m" + std::to_string(i))));
    fs::create_directories(w.root());
    expect_ok(w.run());
    for (int i = 0; i < 3; ++i) w.server.add("INBOX", make_message("far-new" + std::to_string(i)), store::Flagged);
    w.server.set_flags("INBOX", uids[0], store::Seen);
    w.server.set_flags("INBOX", uids[1], store::Answered);
    w.server.expunge("INBOX", uids[2]);
    w.drop("INBOX", make_message("near-new0"), "S");
    w.drop("INBOX", make_message("near-new1"));
    maildir::Folder folder(w.folder_path("INBOX"));
    folder.set_flags(w.find_near("INBOX", make_message("m1")), "F");
    folder.remove(w.find_near("INBOX", make_message("m4")));
}

void kill_at_every_step(FakeOptions far_options, bool after) {
    World base;
    base.far_options = far_options;
    prepare_changes(base);
    World reference;
    reference.copy_from(base);
    expect_ok(reference.run());
    // without UIDPLUS the message deleted locally stays on the server, flagged \Deleted
    if (far_options.uidplus) expect_in_sync(reference);
    ASSERT_EQ(reference.far().contents.size(), far_options.uidplus ? 9u : 10u);
    ASSERT_EQ(reference.near().contents.size(), 9u);

    for (int k = 1;; ++k) {
        World w;
        w.copy_from(base);
        FaultPlan fault{k, after};
        auto failed = w.run("INBOX", {}, &fault);
        if (!fault.fired) {
            expect_ok(failed);
            ASSERT_LT(fault.count, k);
            break;  // k is past the last operation
        }
        EXPECT_TRUE(failed.error.has_value()) << "k=" << k;
        auto clean = w.run();
        expect_ok(clean);
        Contents far = w.far(), near = w.near();
        EXPECT_EQ(far, reference.far()) << "k=" << k << (after ? " after" : " before") << "\nfar:  " << describe(far)
                                        << "\nwant: " << describe(reference.far());
        EXPECT_EQ(near, reference.near()) << "k=" << k << (after ? " after" : " before") << "\nnear: " << describe(near)
                                          << "\nwant: " << describe(reference.near());
        auto third = w.run();
        expect_ok(third);
        EXPECT_FALSE(third.changed()) << "k=" << k;
        ASSERT_LT(k, 500);
    }
}

// Fails in a run that copies everything into an empty Maildir, then checks the next run.
void kill_initial_sync(FakeOptions far_options, bool after) {
    for (int k = 1;; ++k) {
        World w;
        w.far_options = far_options;
        w.server.add_folder("INBOX");
        for (int i = 0; i < 7; ++i) w.server.add("INBOX", make_message("m" + std::to_string(i)), i % 2 ? Flags(store::Seen) : Flags(0));
        fs::create_directories(w.root());
        FolderOptions small_batches;
        small_batches.batch_messages = 3;
        FaultPlan fault{k, after};
        w.run("INBOX", small_batches, &fault);
        if (!fault.fired) {
            ASSERT_LT(fault.count, k);
            break;
        }
        expect_ok(w.run("INBOX", small_batches));
        expect_in_sync(w);
        EXPECT_EQ(w.far().contents.size(), 7u) << "k=" << k;
        EXPECT_FALSE(w.run().changed()) << "k=" << k;
        ASSERT_LT(k, 500);
    }
}

}  // namespace

TEST(SyncEngineFaults, KillBeforeEveryStep) { kill_at_every_step({}, false); }
TEST(SyncEngineFaults, KillAfterEveryStep) { kill_at_every_step({}, true); }
TEST(SyncEngineFaults, KillAfterEveryStepWithoutUidplus) {
    FakeOptions o;
    o.uidplus = false;
    kill_at_every_step(o, true);
}
TEST(SyncEngineFaults, KillBeforeEveryStepWithoutModSequences) {
    FakeOptions o;
    o.mod_sequences = false;
    kill_at_every_step(o, false);
}
TEST(SyncEngineFaults, KillAfterEveryStepCondstoreOnly) {
    FakeOptions o;
    o.qresync = false;
    kill_at_every_step(o, true);
}
TEST(SyncEngineFaults, InitialSyncKilledBeforeEveryStep) { kill_initial_sync({}, false); }
TEST(SyncEngineFaults, InitialSyncKilledAfterEveryStep) { kill_initial_sync({}, true); }
