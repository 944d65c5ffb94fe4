// Folders renamed on one side are renamed on the other, with their state: no message moves and
// the mass-deletion guard sees nothing deleted (issue "Every server, every folder name").
#include "sync/account.hpp"

#include "maildir/maildir.hpp"
#include "store/maildir_store.hpp"
#include "sync_test_support.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::testing;
namespace fs = std::filesystem;

namespace {

struct Account {
    TempDir dir;
    FakeServer server;
    FakeOptions far_options;
    std::string layout = "fs";

    std::string root() const { return dir.path() + "/Mail"; }
    std::string state() const { return dir.path() + "/state"; }

    Account() { fs::create_directories(root()); }

    void add_folder(const std::string& name, int messages) {
        server.add_folder(name);
        for (int i = 0; i < messages; ++i)
            server.add(name, make_message(name + "-" + std::to_string(i)), i % 2 ? store::Seen : store::Flagged);
    }
    std::vector<std::string> patterns{"*"};
    AccountReport sync(FolderOptions folder = {}) {
        FakeStore far(server, far_options);
        store::MaildirStore near(root(), {layout, folder.dry_run});
        AccountOptions options;
        options.folders = patterns;
        options.folder = folder;
        return sync_account(far, near, state(), options);
    }
    std::size_t local_messages(const std::string& folder) {
        store::MaildirStore near(root(), {layout, false});
        return maildir::Folder(near.folder_directory(folder)).list().size();
    }
    bool local_exists(const std::string& folder) {
        store::MaildirStore near(root(), {layout, false});
        return fs::exists(near.folder_directory(folder) + "/cur");
    }
    void rename_locally(const std::string& from, const std::string& to) {
        store::MaildirStore near(root(), {layout, false});
        fs::create_directories(fs::path(near.folder_directory(to)).parent_path());
        fs::rename(near.folder_directory(from), near.folder_directory(to));
    }
};

std::string what(const AccountReport& r) {
    std::string out = r.error ? r.error->what() : "";
    for (const auto& f : r.folders)
        if (f.error) out += " [" + f.folder + ": " + f.error->what() + "]";
    return out;
}

std::size_t transferred(const AccountReport& r) {
    std::size_t n = 0;
    for (const auto& f : r.folders) n += f.added[Far] + f.added[Near];
    return n;
}

}  // namespace

TEST(SyncRenames, AFolderRenamedOnTheServerIsRenamedHereWithoutTransfers) {
    Account a;
    a.add_folder("INBOX", 1);
    a.add_folder("Projects", 4);
    ASSERT_TRUE(a.sync().ok());
    std::size_t fetched = a.server.bodies_fetched;
    a.server.rename("Projects", "プロジェクト");
    a.server.set_flags("プロジェクト", 1, store::Seen | store::Answered);

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_EQ(r.renamed[0].from, "Projects");
    EXPECT_EQ(r.renamed[0].to, "プロジェクト");
    EXPECT_EQ(r.renamed[0].changed, Near);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_EQ(a.server.bodies_fetched, fetched);
    EXPECT_FALSE(a.local_exists("Projects"));
    EXPECT_EQ(a.local_messages("プロジェクト"), 4u);
    EXPECT_EQ(known_folders(a.state()), (std::vector<std::string>{"INBOX", "プロジェクト"}));
    // the flag changed with the rename arrived
    bool answered = false;
    for (const auto& e : maildir::Folder(a.root() + "/プロジェクト").list()) answered |= e.flags.find('R') != std::string::npos;
    EXPECT_TRUE(answered);
    auto again = a.sync();
    EXPECT_TRUE(again.ok());
    EXPECT_FALSE(again.changed());
}

TEST(SyncRenames, ANewUidValidityOnRenameIsMatchedByIdentityWithoutDownloads) {
    Account a;
    a.far_options.new_validity_on_rename = true;  // Courier
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 5);
    ASSERT_TRUE(a.sync().ok());
    std::size_t fetched = a.server.bodies_fetched;
    a.server.rename("Old", "New", true);

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_EQ(a.server.bodies_fetched, fetched);
    EXPECT_EQ(a.local_messages("New"), 5u);
    EXPECT_EQ(a.server.folders.at("New").messages.size(), 5u);
    EXPECT_FALSE(a.sync().changed());
}

TEST(SyncRenames, ALocalDirectoryRenameBecomesAServerRename) {
    Account a;
    a.far_options.new_validity_on_rename = true;  // the server gives it a new UIDVALIDITY
    a.add_folder("INBOX", 1);
    a.add_folder("Receipts", 3);
    ASSERT_TRUE(a.sync().ok());
    std::size_t fetched = a.server.bodies_fetched;
    a.rename_locally("Receipts", "領収書");

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_EQ(r.renamed[0].changed, Far);
    EXPECT_EQ(a.server.renames, 1u);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_EQ(a.server.bodies_fetched, fetched);
    EXPECT_FALSE(a.server.folders.count("Receipts"));
    EXPECT_EQ(a.server.folders.at("領収書").messages.size(), 3u);
    EXPECT_FALSE(a.sync().changed());
}

TEST(SyncRenames, ASubtreeRenamedOnTheServerMovesAsOne) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("A", 2);
    a.add_folder("A/x", 2);
    a.add_folder("A/x/y", 1);
    ASSERT_TRUE(a.sync().ok());
    a.server.rename("A", "B");

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    EXPECT_EQ(r.renamed.size(), 3u);
    EXPECT_EQ(transferred(r), 0u);
    for (std::string name : {"B", "B/x", "B/x/y"}) EXPECT_TRUE(a.local_exists(name)) << name;
    EXPECT_FALSE(a.local_exists("A"));
    EXPECT_EQ(known_folders(a.state()), (std::vector<std::string>{"B", "B/x", "B/x/y", "INBOX"}));
    EXPECT_FALSE(a.sync().changed());
}

TEST(SyncRenames, AParentRenamedAloneInMaildirPlusPlusTakesItsChildrenAlong) {
    Account a;
    a.layout = "maildir++";
    a.add_folder("INBOX", 0);
    a.add_folder("A", 2);
    a.add_folder("A/x", 2);
    ASSERT_TRUE(a.sync().ok());
    // a mail reader renames ".A" only; ".A.x" stays
    fs::rename(a.root() + "/.A", a.root() + "/.B");

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_TRUE(a.server.folders.count("B/x"));
    EXPECT_FALSE(a.server.folders.count("A/x"));
    EXPECT_TRUE(fs::exists(a.root() + "/.B.x/cur"));
    EXPECT_FALSE(fs::exists(a.root() + "/.A.x"));
    EXPECT_FALSE(a.sync().changed());
}

TEST(SyncRenames, ARunKilledBetweenTheRenameAndTheStateMoveIsFinishedNextTime) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 3);
    ASSERT_TRUE(a.sync().ok());
    // both sides renamed, the state not moved (the process died in between)
    a.server.rename("Old", "New");
    a.rename_locally("Old", "New");
    std::size_t fetched = a.server.bodies_fetched;

    auto r = a.sync();
    ASSERT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_TRUE(r.renamed[0].finished);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_EQ(a.server.bodies_fetched, fetched);
    for (const auto& f : r.folders) EXPECT_FALSE(f.rematched) << f.folder;
    EXPECT_EQ(known_folders(a.state()), (std::vector<std::string>{"INBOX", "New"}));
}

TEST(SyncRenames, AnUnrelatedNewFolderIsNotTakenForARename) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 3);
    ASSERT_TRUE(a.sync().ok());
    for (auto uid : {1u, 2u, 3u}) a.server.expunge("Old", uid);
    a.server.folders.erase("Old");
    a.add_folder("Other", 3);

    auto r = a.sync();
    EXPECT_TRUE(r.renamed.empty());
    EXPECT_TRUE(a.local_exists("Other"));
    EXPECT_EQ(a.local_messages("Other"), 3u);
}

TEST(SyncRenames, ADryRunReportsTheRenameAndChangesNothing) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 2);
    ASSERT_TRUE(a.sync().ok());
    a.server.rename("Old", "New");
    FolderOptions dry;
    dry.dry_run = true;
    auto r = a.sync(dry);
    ASSERT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_TRUE(a.local_exists("Old"));
    EXPECT_FALSE(a.local_exists("New"));
    EXPECT_EQ(known_folders(a.state()), (std::vector<std::string>{"INBOX", "Old"}));
    for (const auto& f : r.folders) EXPECT_NE(f.folder, "Old");
}

TEST(SyncRenames, ARenameTheOtherSideRefusesStopsBothNamesOnly) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 2);
    ASSERT_TRUE(a.sync().ok());
    a.server.rename("Old", "New");
    // a directory in the way of the local rename
    fs::create_directories(a.root() + "/New");
    std::ofstream(a.root() + "/New/readme.txt") << "not a Maildir\n";

    auto r = a.sync();
    EXPECT_FALSE(r.ok());
    ASSERT_EQ(r.folders.size(), 2u);  // INBOX, and the failed rename
    EXPECT_EQ(r.folders[0].folder, "New");
    ASSERT_TRUE(r.folders[0].error);
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_TRUE(a.local_exists("Old"));
    EXPECT_EQ(known_folders(a.state()), (std::vector<std::string>{"INBOX", "Old"}));
}

// The kill and cut trials for renames: the run dies before or after every store operation (a
// killed process or a dropped connection), then runs clean; nothing is lost or doubled, both
// renames are followed, and the run after that has nothing to do.
namespace {

std::multiset<std::string> local_contents(Account& a, const std::string& folder) {
    std::multiset<std::string> out;
    store::MaildirStore near(a.root(), {a.layout, false});
    std::string dir = near.folder_directory(folder);
    for (const auto& e : maildir::Folder(dir).list()) {
        std::string text = read_file(dir + "/" + e.path());
        std::string crlf;
        for (char c : text) {
            if (c == '\n') crlf += '\r';
            crlf += c;
        }
        out.insert(crlf);
    }
    return out;
}

void kill_during_renames(bool after, bool new_validity) {
    for (int at = 1;; ++at) {
        Account a;
        a.far_options.new_validity_on_rename = new_validity;
        a.add_folder("INBOX", 1);
        a.add_folder("Server", 3);
        a.add_folder("Server/child", 2);
        a.add_folder("Local", 3);
        ASSERT_TRUE(a.sync().ok());
        auto server_mail = a.server.contents("Server"), child_mail = a.server.contents("Server/child"),
             local_mail = a.server.contents("Local");
        a.server.rename("Server", "サーバー", new_validity);
        a.rename_locally("Local", "ローカル");

        FaultPlan plan;
        plan.at = at;
        plan.after = after;
        {
            FakeStore far(a.server, a.far_options);
            store::MaildirStore near(a.root(), {a.layout, false});
            FaultyStore faulty_far(far, plan), faulty_near(near, plan);
            sync_account(faulty_far, faulty_near, a.state(), {});
        }
        auto clean = a.sync();
        ASSERT_TRUE(clean.ok()) << "at " << at << ": " << what(clean);
        for (const auto& [folder, mail] : std::vector<std::pair<std::string, std::multiset<std::string>>>{
                 {"サーバー", server_mail}, {"サーバー/child", child_mail}, {"ローカル", local_mail}}) {
            ASSERT_TRUE(a.server.folders.count(folder)) << "at " << at << ": " << folder;
            EXPECT_EQ(a.server.contents(folder), mail) << "at " << at << ": server " << folder;
            EXPECT_EQ(local_contents(a, folder), mail) << "at " << at << ": local " << folder;
        }
        for (std::string gone : {"Server", "Server/child", "Local"}) {
            EXPECT_FALSE(a.server.folders.count(gone)) << "at " << at << ": " << gone;
            EXPECT_FALSE(a.local_exists(gone)) << "at " << at << ": " << gone;
        }
        auto again = a.sync();
        EXPECT_TRUE(again.ok() && !again.changed()) << "at " << at;
        if (!plan.fired) break;
    }
}

}  // namespace

TEST(SyncRenames, KilledBeforeEveryStep) { kill_during_renames(false, false); }
TEST(SyncRenames, KilledAfterEveryStep) { kill_during_renames(true, false); }
TEST(SyncRenames, KilledAfterEveryStepWithNewUidValidities) { kill_during_renames(true, true); }

TEST(SyncRenames, PullDoesNotRenameOnTheServerAndCopiesNothingTwice) {
    Account a;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 3);
    ASSERT_TRUE(a.sync().ok());
    a.rename_locally("Old", "New");
    FolderOptions pull;
    pull.direction = Direction::Pull;
    auto r = a.sync(pull);
    EXPECT_TRUE(r.ok()) << what(r);
    EXPECT_TRUE(r.renamed.empty());
    EXPECT_EQ(transferred(r), 0u);
    EXPECT_FALSE(a.local_exists("Old"));  // not downloaded again
    EXPECT_TRUE(a.server.folders.count("Old"));
    bool noted = false;
    for (const auto& f : r.folders)
        for (const auto& n : f.notes) noted |= n.find("without --pull") != std::string::npos;
    EXPECT_TRUE(noted);
    // both ways again: the rename is followed
    auto both = a.sync();
    EXPECT_TRUE(both.ok()) << what(both);
    EXPECT_EQ(both.renamed.size(), 1u);
    EXPECT_TRUE(a.server.folders.count("New"));
}

TEST(SyncRenames, OnlyTheSelectedFoldersAreLookedAt) {
    Account a;
    a.patterns = {"INBOX", "Work*"};
    a.add_folder("INBOX", 0);
    a.add_folder("Work", 3);
    ASSERT_TRUE(a.sync().ok());
    a.server.rename("Work", "Archive");  // out of the selection: gone, as before
    auto r = a.sync();
    EXPECT_TRUE(r.renamed.empty());
    EXPECT_FALSE(a.local_exists("Archive"));
    a.server.rename("Archive", "Work-2026");  // back into it
    r = a.sync();
    EXPECT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_EQ(r.renamed[0].to, "Work-2026");
    EXPECT_EQ(transferred(r), 0u);
}

TEST(SyncRenames, TheServersMailboxIdDecidesWhereItHasOne) {
    Account a;
    a.far_options.object_ids = true;
    a.add_folder("INBOX", 0);
    a.add_folder("Old", 3);
    ASSERT_TRUE(a.sync().ok());
    EXPECT_EQ(a.server.folders.at("Old").mailbox_id.empty(), false);
    // a copy of every message in a new folder is not the folder; the renamed one is, though
    // all its messages were replaced
    a.add_folder("Copy", 0);
    for (const auto& [uid, m] : a.server.folders.at("Old").messages) a.server.add("Copy", m.content);
    a.server.rename("Old", "Renamed");
    for (auto uid : {1u, 2u, 3u}) a.server.expunge("Renamed", uid);
    a.server.add("Renamed", make_message("new-one"));
    auto r = a.sync({.allow_mass_delete = true});
    EXPECT_TRUE(r.ok()) << what(r);
    ASSERT_EQ(r.renamed.size(), 1u);
    EXPECT_EQ(r.renamed[0].to, "Renamed");
    EXPECT_EQ(a.local_messages("Renamed"), 1u);
    EXPECT_EQ(a.local_messages("Copy"), 3u);
}
