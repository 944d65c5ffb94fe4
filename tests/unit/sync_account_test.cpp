#include "sync/account.hpp"

#include "maildir/maildir.hpp"
#include "store/maildir_store.hpp"
#include "sync_test_support.hpp"

#include <filesystem>
#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::testing;
namespace fs = std::filesystem;

TEST(SelectFolders, UnionOfSidesAndStatePatternsAndInboxFirst) {
    std::vector<store::FolderInfo> far{{"INBOX", true, ""}, {"Sent", true, "\\Sent"}, {"[Gmail]", false, ""},
                                       {"Spam", true, ""}};
    std::vector<store::FolderInfo> near{{"Local", true, ""}, {"INBOX", true, ""}};
    AccountOptions o;
    o.exclude = {"Spam"};
    auto names = select_folders(far, near, {"Gone"}, o);
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "Gone", "Local", "Sent"}));
    o.only = {"Sent", "[Gmail]"};
    EXPECT_EQ(select_folders(far, near, {}, o), (std::vector<std::string>{"Sent"}));
    o.only.clear();
    o.folders = {"送信*", "inbox"};
    EXPECT_EQ(select_folders({{"送信済み", true, ""}, {"INBOX", true, ""}, {"x", true, ""}}, {}, {}, o),
              (std::vector<std::string>{"INBOX", "送信済み"}));
    o.folders = {"%"};
    o.exclude.clear();
    far.push_back({"Sent/Old", true, ""});
    names = select_folders(far, near, {}, o);
    EXPECT_EQ(std::count(names.begin(), names.end(), "Sent/Old"), 0);
}

// Moves are followed when the folder a message leaves is synced before the one it arrives in:
// the server's Trash, Junk and Archive folders, where messages go, come last.
TEST(SelectFolders, TrashJunkAndArchiveComeLast) {
    std::vector<store::FolderInfo> far{{"Archive", true, "\\Archive"}, {"INBOX", true, ""}, {"Zeta", true, ""},
                                       {"Deleted Items", true, "\\Trash"}, {"Junk", true, "\\Junk"},
                                       {"Drafts", true, "\\Drafts"}};
    EXPECT_EQ(select_folders(far, {}, {}, AccountOptions{}),
              (std::vector<std::string>{"INBOX", "Drafts", "Zeta", "Archive", "Deleted Items", "Junk"}));
}

TEST(SyncAccount, SyncsEveryFolderBothWays) {
    TempDir dir;
    FakeServer server;
    for (std::string name : {"INBOX", "送信済み", "已发送/旧", "Archive"}) {
        server.add_folder(name);
        for (int i = 0; i < 3; ++i) server.add(name, make_message(name + std::to_string(i)));
    }
    std::string root = dir.path() + "/Mail", state = dir.path() + "/state";
    fs::create_directories(root);
    {
        store::MaildirStore near(root);
        near.create_folder("Local/メモ");
        near.select("Local/メモ");
        auto w = near.begin_append(9, store::Seen, 0);
        w->write("Subject: x\r\n\r\n");
        w->finish(store::Seen, 0);
        near.commit_appends();
    }
    FakeStore far(server);
    store::MaildirStore near(root);
    std::vector<std::string> progress;
    auto report = sync_account(far, near, state, {}, [&](const std::string& folder, Side, std::size_t done, std::size_t) {
        if (done == 1) progress.push_back(folder);
    });
    ASSERT_TRUE(report.ok()) << (report.error ? report.error->what() : "");
    ASSERT_EQ(report.folders.size(), 5u);
    EXPECT_EQ(report.folders[0].folder, "INBOX");
    EXPECT_EQ(server.folders.at("Local/メモ").messages.size(), 1u);
    EXPECT_EQ(maildir::Folder(root + "/已发送/旧").list().size(), 3u);
    EXPECT_EQ(progress.size(), 5u);
    EXPECT_EQ(known_folders(state).size(), 5u);
    // nothing to do the second time
    FakeStore far2(server);
    store::MaildirStore near2(root);
    auto again = sync_account(far2, near2, state, {});
    EXPECT_TRUE(again.ok());
    EXPECT_FALSE(again.changed());
}

TEST(SyncAccount, ALostConnectionEndsTheRun) {
    TempDir dir;
    FakeServer server;
    server.add_folder("A");
    server.add_folder("B");
    server.add("A", make_message("a"));
    server.add("B", make_message("b"));
    fs::create_directories(dir.path() + "/Mail");
    FakeStore fake(server);
    store::MaildirStore near(dir.path() + "/Mail");
    FaultPlan fault{2, false};  // the second far operation fails: the first folder's select
    FaultyStore far(fake, fault);
    auto report = sync_account(far, near, dir.path() + "/state", {});
    EXPECT_FALSE(report.ok());
    ASSERT_TRUE(report.error.has_value());
    EXPECT_EQ(report.error->kind, ErrorKind::Network);
    EXPECT_EQ(report.folders.size(), 1u);
}

// "no reply within 120 seconds" was 69 in sync (the next folder failed on the dead connection)
// and 75 in fetch: a timeout ends the run as a timeout, 75 (try again later), in every command.
TEST(SyncAccount, ATimeoutEndsTheRunAsATimeout) {
    TempDir dir;
    FakeServer server;
    server.add_folder("A");
    server.add_folder("B");
    fs::create_directories(dir.path() + "/Mail");
    FakeStore fake(server);
    store::MaildirStore near(dir.path() + "/Mail");
    FaultPlan fault{2, false};
    fault.kind = ErrorKind::Temporary;
    FaultyStore far(fake, fault);
    auto report = sync_account(far, near, dir.path() + "/state", {});
    ASSERT_TRUE(report.error.has_value());
    EXPECT_EQ(report.error->kind, ErrorKind::Temporary);
    EXPECT_EQ(exit_code(report.error->kind), 75);
    EXPECT_NE(std::string(report.error->what()).find("no reply"), std::string::npos) << report.error->what();
    EXPECT_EQ(report.folders.size(), 1u);
}

TEST(SyncAccount, UnchangedFoldersAreNotEvenSelected) {
    TempDir dir;
    FakeServer server;
    for (std::string name : {"INBOX", "A", "B"}) {
        server.add_folder(name);
        server.add(name, make_message(name));
    }
    std::string root = dir.path() + "/Mail", state = dir.path() + "/state";
    fs::create_directories(root);
    auto run = [&] {
        FakeStore far(server);
        store::MaildirStore near(root);
        auto report = sync_account(far, near, state, {});
        EXPECT_TRUE(report.ok());
        return report;
    };
    run();
    run();  // the far side's own modseq moved with our changes: one more full look
    std::size_t selects = server.selects;
    EXPECT_FALSE(run().changed());
    EXPECT_EQ(server.selects, selects);
    // a change on the server: only that folder is selected
    server.add("A", make_message("new"));
    auto r = run();
    EXPECT_EQ(server.selects, selects + 1);
    EXPECT_TRUE(r.changed());
    // a change here: the same
    selects = server.selects;
    run();
    selects = server.selects;
    maildir::Folder b(root + "/B");
    b.set_flags(b.list().at(0), "F");
    r = run();
    EXPECT_EQ(server.selects, selects + 1);
    EXPECT_EQ(server.folders.at("B").messages.begin()->second.flags, store::Flagged);
}
