// The sync engine between a fake IMAP server (in memory) and a real Maildir in a temp directory.
#include "sync/engine.hpp"

#include "maildir/maildir.hpp"
#include "store/maildir_store.hpp"
#include "sync_test_support.hpp"

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

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string to_crlf(const std::string& lf) {
    std::string out;
    char last = 0;
    for (char c : lf) {
        if (c == '\n' && last != '\r') out += '\r';
        out += c;
        last = c;
    }
    return out;
}

std::string to_lf(const std::string& crlf) {
    std::string out;
    for (size_t i = 0; i < crlf.size(); ++i)
        if (!(crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n')) out += crlf[i];
    return out;
}

// content (network form) -> flags, and every content counted (duplicates show)
struct Side {
    std::multiset<std::string> contents;
    std::map<std::string, Flags> flags;
    bool operator==(const Side&) const = default;
};

std::string describe(const Side& side) {
    std::string out;
    for (const auto& [content, flags] : side.flags) {
        auto subject = content.find("Subject: ");
        out += content.substr(subject + 9, content.find('\r', subject) - subject - 9) + ":" +
               store::maildir_flags(flags) + "x" + std::to_string(side.contents.count(content)) + " ";
    }
    return out;
}

struct World {
    TempDirectory dir;
    FakeServer server;
    FakeOptions far_options;

    std::string root() const { return dir.path + "/Mail"; }
    std::string state(const std::string& folder) const { return dir.path + "/state/" + state_file_name(folder); }
    std::string folder_path(const std::string& folder) const { return root() + "/" + folder; }

    FolderReport run(const std::string& folder = "INBOX", FolderOptions options = {}, FaultPlan* fault = nullptr) {
        FakeStore far(server, far_options);
        store::MaildirStore near(root(), {"fs", options.dry_run});
        FolderPresence presence{server.folders.count(folder) > 0,
                                maildir::Folder(folder_path(folder)).exists()};
        if (!fault) return sync_folder(far, near, folder, state(folder), presence, options);
        FaultyStore faulty_far(far, *fault), faulty_near(near, *fault);
        return sync_folder(faulty_far, faulty_near, folder, state(folder), presence, options);
    }

    Side far(const std::string& folder = "INBOX") const {
        Side s;
        if (!server.folders.count(folder)) return s;
        for (const auto& [uid, m] : server.folders.at(folder).messages) {
            s.contents.insert(m.content);
            s.flags[m.content] = m.flags;
        }
        return s;
    }

    Side near(const std::string& folder = "INBOX") const {
        Side s;
        for (const auto& e : maildir::Folder(folder_path(folder)).list()) {
            std::string content = to_crlf(slurp(folder_path(folder) + "/" + e.path()));
            s.contents.insert(content);
            s.flags[content] = store::flags_from_maildir(e.flags);
        }
        return s;
    }

    std::vector<maildir::Entry> near_entries(const std::string& folder = "INBOX") const {
        auto entries = maildir::Folder(folder_path(folder)).list();
        std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.filename < b.filename; });
        return entries;
    }

    // a message a mail reader writes into the Maildir
    void drop(const std::string& folder, const std::string& content, const std::string& flags = "") {
        static int n = 0;
        std::string name = "1700000000.M" + std::to_string(++n) + "P1.reader";
        if (flags.empty()) write(folder_path(folder) + "/new/" + name, to_lf(content));
        else write(folder_path(folder) + "/cur/" + name + ":2," + flags, to_lf(content));
    }

    // the near file holding `content`
    maildir::Entry find_near(const std::string& folder, const std::string& content) const {
        for (const auto& e : maildir::Folder(folder_path(folder)).list())
            if (to_crlf(slurp(folder_path(folder) + "/" + e.path())) == content) return e;
        ADD_FAILURE() << "no near file for the message";
        return {};
    }

    void copy_from(const World& other) {
        server = other.server;
        far_options = other.far_options;
        fs::remove_all(dir.path);
        fs::copy(other.dir.path, dir.path, fs::copy_options::recursive);
    }
};

void expect_ok(const FolderReport& r) {
    EXPECT_FALSE(r.error.has_value()) << (r.error ? r.error->what() : "");
}

void expect_in_sync(const World& w, const std::string& folder = "INBOX") {
    Side far = w.far(folder), near = w.near(folder);
    EXPECT_EQ(far, near) << "far:  " << describe(far) << "\nnear: " << describe(near);
    for (const auto& c : far.contents) EXPECT_EQ(far.contents.count(c), 1u) << "doubled on far";
}

}  // namespace

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
    EXPECT_EQ(slurp(w.state("INBOX")).find("L f"), std::string::npos);
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
    std::string state_before = slurp(w.state("INBOX"));
    auto far_before = w.far();
    FolderOptions dry;
    dry.dry_run = true;
    auto r = w.run("INBOX", dry);
    expect_ok(r);
    EXPECT_EQ(r.added[Near], 1u);
    EXPECT_EQ(r.added[Far], 1u);
    EXPECT_EQ(w.near_entries().size(), names_before.size());
    EXPECT_EQ(w.near_entries()[1].filename, names_before[1].filename);  // not even renamed
    EXPECT_EQ(slurp(w.state("INBOX")), state_before);
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
        Side far = w.far(), near = w.near();
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
