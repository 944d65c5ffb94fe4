// The far store (store::ImapStore over imap::Session) and the sync engine against the fixture's
// Dovecot: folder names in Japanese and Chinese, flags, partial listings with QRESYNC and
// CONDSTORE, UIDPLUS appends, UID EXPUNGE, a UIDVALIDITY reset on the server, and a whole sync of
// several folders into an empty Maildir compared byte for byte (after CRLF -> LF).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "error.hpp"
#include "fixture.hpp"
#include "imap/session.hpp"
#include "maildir/maildir.hpp"
#include "net/connection.hpp"
#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"
#include "sync/account.hpp"
#include "../support/files.hpp"

namespace zmail {
namespace {

namespace fs = std::filesystem;
using zmail::testing::read_file;
using zmail::testing::write_file;
using zmail::testing::to_crlf;

std::string message(const std::string& id, const std::string& subject = "test", const std::string& body = "body") {
    return "From: sender@example.test\r\nTo: user@example.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + id +
           "@example.test>\r\nDate: Tue, 2 Jan 2024 09:00:00 +0900\r\n\r\n" + body + "\r\n";
}

/// A logged-in IMAP session and the store over it.
struct Far {
    std::unique_ptr<net::Connection> connection;
    std::unique_ptr<imap::Session> session;
    std::unique_ptr<store::ImapStore> store;
    int body_fetches = 0;  // UID FETCH commands asking for bodies

    Far(const std::string& user, bool qresync, bool condstore = true) {
        connection = std::make_unique<net::Connection>(
            test::server_options(net::Protocol::imap, net::Security::tls, user));
        imap::SessionOptions options;
        options.enable_condstore = condstore;
        options.enable_qresync = qresync;
        options.trace = [this](std::string_view line) {
            if (line.rfind("C: ", 0) == 0 && line.find("BODY.PEEK[]") != std::string_view::npos) ++body_fetches;
        };
        session = std::make_unique<imap::Session>(*connection, options);
        store = std::make_unique<store::ImapStore>(*session, "127.0.0.1");
    }
};

/// The server's messages of a folder: content -> flags (through a fresh connection).
std::map<std::string, store::Flags> server_messages(const std::string& user, const std::string& folder,
                                                    std::size_t* count = nullptr) {
    Far far(user, false);
    far.store->select(folder);
    auto listing = far.store->list_messages(0);
    std::vector<std::uint32_t> uids;
    std::map<std::uint32_t, store::Flags> flags;
    for (const auto& m : listing.messages) {
        uids.push_back(m.uid);
        flags[m.uid] = m.flags;
    }
    std::map<std::string, store::Flags> out;
    std::string body;
    store::BodyReceiver r;
    r.begin = [&](std::optional<std::uint32_t>, std::uint64_t, std::time_t) { body.clear(); };
    r.data = [&](std::string_view b) { body += b; };
    r.end = [&](std::uint32_t uid, std::time_t) { out[body] |= flags[uid]; };
    far.store->fetch(uids, r);
    if (count) *count = uids.size();
    return out;
}

/// The local messages of a folder: content (CRLF) -> flags; `count` counts files.
std::map<std::string, store::Flags> local_messages(const std::string& dir, std::size_t* count = nullptr) {
    std::map<std::string, store::Flags> out;
    std::size_t n = 0;
    for (const auto& e : maildir::Folder(dir).list()) {
        out[to_crlf(read_file(dir + "/" + e.path()))] = store::flags_from_maildir(e.flags);
        ++n;
    }
    if (count) *count = n;
    return out;
}

void expect_same(const std::string& user, const std::string& folder, const std::string& local_dir) {
    std::size_t far_count = 0, near_count = 0;
    auto far = server_messages(user, folder, &far_count);
    auto near = local_messages(local_dir, &near_count);
    EXPECT_EQ(far_count, far.size()) << folder << ": doubled on the server";
    EXPECT_EQ(near_count, near.size()) << folder << ": doubled locally";
    EXPECT_EQ(far.size(), near.size()) << folder;
    for (const auto& [content, flags] : far) {
        auto it = near.find(content);
        if (it == near.end()) {
            ADD_FAILURE() << folder << ": missing locally: " << content.substr(0, 200);
            continue;
        }
        EXPECT_EQ(store::maildir_flags(it->second), store::maildir_flags(flags)) << folder;
    }
}

void doveadm(const std::vector<std::string>& args) { test::run_doveadm(args); }

/// The report of one folder (the fixture's Dovecot also has Sent, Drafts, Trash, ... for every user).
const sync::FolderReport& folder_report(const sync::AccountReport& report, const std::string& folder) {
    for (const auto& f : report.folders)
        if (f.folder == folder) return f;
    throw std::runtime_error("no report for folder " + folder);
}

class SyncOverImap : public ::testing::Test {
protected:
    std::string user, dir, root, state;
    void SetUp() override {
        user = test::create_user();
        dir = test::make_scratch_dir("sync-store");
        root = dir + "/Mail";
        state = dir + "/state";
        fs::create_directories(root);
    }
    sync::AccountReport sync(bool qresync = true, sync::AccountOptions options = {}, Far* use = nullptr) {
        std::unique_ptr<Far> own;
        if (!use) own = std::make_unique<Far>(user, qresync);
        Far& far = use ? *use : *own;
        store::MaildirStore near(root);
        auto report = sync::sync_account(*far.store, near, state, options);
        for (const auto& f : report.folders)
            EXPECT_FALSE(f.error.has_value()) << f.folder << ": " << (f.error ? f.error->what() : "");
        EXPECT_FALSE(report.error.has_value()) << (report.error ? report.error->what() : "");
        return report;
    }
};

TEST_F(SyncOverImap, StoreBasics) {
    Far far(user, true);
    auto& s = *far.store;
    s.create_folder("送信済み/テスト");
    s.create_folder("送信済み/テスト");  // already there: fine
    bool found = false;
    for (const auto& f : s.list_folders()) found |= f.name == "送信済み/テスト";
    EXPECT_TRUE(found);
    auto status = s.select("送信済み/テスト");
    EXPECT_NE(status.uid_validity, 0u);
    EXPECT_GT(status.highest_modseq, 0u);
    EXPECT_TRUE(s.capabilities().selective_expunge);
    EXPECT_TRUE(s.capabilities().mod_sequences);

    std::string content = message("basics", "日本語", std::string(3 * 1024 * 1024, 'x'));  // spooled to a file
    auto writer = s.begin_append(content.size(), store::Seen | store::Flagged, 1700000000);
    for (size_t i = 0; i < content.size(); i += 65536) writer->write(std::string_view(content).substr(i, 65536));
    std::uint32_t uid = writer->finish(store::Seen | store::Flagged, 1700000000);
    EXPECT_GE(uid, status.uid_next);
    auto listing = s.list_messages(0);
    ASSERT_EQ(listing.messages.size(), 1u);
    EXPECT_EQ(listing.messages[0].flags, store::Seen | store::Flagged);
    EXPECT_EQ(listing.messages[0].size, content.size());
    auto ids = s.identities({uid});
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(ids[0].header_hash, store::header_hash(content));
    EXPECT_EQ(ids[0].size, content.size());
    EXPECT_EQ(s.identities_from(uid + 1).size(), 0u);
    EXPECT_EQ(s.identities_from(uid).size(), 1u);

    std::string body;
    std::time_t date = 0;
    store::BodyReceiver r;
    r.begin = [&](std::optional<std::uint32_t>, std::uint64_t, std::time_t) {};
    r.data = [&](std::string_view b) { body += b; };
    r.end = [&](std::uint32_t, std::time_t d) { date = d; };
    s.fetch({uid}, r);
    EXPECT_EQ(body, content);
    EXPECT_EQ(date, 1700000000);

    auto modseq = s.select("送信済み/テスト").highest_modseq;
    s.set_flags({uid}, store::Answered, store::Seen);
    auto changes = s.list_messages(modseq);
    EXPECT_TRUE(changes.partial);
    ASSERT_EQ(changes.messages.size(), 1u);
    EXPECT_EQ(changes.messages[0].flags, store::Answered | store::Flagged);
    modseq = s.select("送信済み/テスト").highest_modseq;
    s.remove({uid}, true);
    changes = s.list_messages(modseq);
    EXPECT_EQ(changes.vanished, std::vector<std::uint32_t>{uid});
    EXPECT_TRUE(s.list_messages(0).messages.empty());
}

TEST_F(SyncOverImap, WholeAccountBothWaysThenNothingToDo) {
    std::map<std::string, int> folders{{"INBOX", 30}, {"送信済み", 10}, {"已发送/旧邮件", 8}, {"Archive", 5}};
    {
        Far far(user, true);
        for (const auto& [name, n] : folders) far.store->create_folder(name);
    }
    for (const auto& [name, n] : folders)
        for (int i = 0; i < n; ++i)
            test::save_message(user, name, message(name + std::to_string(i), "件名 " + std::to_string(i),
                                                   i == 3 ? std::string(200000, 'y') : "本文\r\n.\r\nFrom x"));
    doveadm({"flags", "add", "-u", user, "\\Seen", "mailbox", "INBOX", "uid", "1:10"});
    doveadm({"flags", "add", "-u", user, "\\Flagged \\Answered", "mailbox", "送信済み", "uid", "2"});

    auto first = sync();
    std::size_t pulled = 0;
    for (const auto& f : first.folders) pulled += f.added[sync::Near];
    EXPECT_EQ(pulled, 53u);
    for (const auto& [name, n] : folders) expect_same(user, name, root + "/" + name);

    // changes on both sides
    test::save_message(user, "INBOX", message("new-on-server"));
    doveadm({"flags", "add", "-u", user, "\\Flagged", "mailbox", "INBOX", "uid", "5"});
    doveadm({"flags", "remove", "-u", user, "\\Seen", "mailbox", "INBOX", "uid", "6"});
    doveadm({"expunge", "-u", user, "mailbox", "INBOX", "uid", "7"});
    doveadm({"expunge", "-u", user, "mailbox", "Archive", "uid", "1"});
    write_file(root + "/INBOX/new/1700000000.M1P1.reader", "Subject: local draft\nMessage-ID: <draft@x>\n\nhi\n");
    write_file(root + "/送信済み/cur/1700000000.M2P1.reader:2,S", "Subject: sent\nMessage-ID: <sent@x>\n\nok\n");
    auto entries = maildir::Folder(root + "/INBOX").list();
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.filename < b.filename; });
    maildir::Folder(root + "/INBOX").remove(entries[20]);
    maildir::Folder(root + "/INBOX").set_flags(entries[21], "RS");
    // a folder made locally, and a message moved between folders by a mail reader
    maildir::Folder(root + "/Local").create();
    auto archive = maildir::Folder(root + "/Archive").list();
    fs::rename(root + "/Archive/" + archive[0].path(), root + "/Local/" + archive[0].path());

    auto second = sync();
    folders["Local"] = 0;
    for (const auto& [name, n] : folders) expect_same(user, name, root + "/" + name);
    EXPECT_TRUE(second.changed());

    Far far(user, true);
    auto third = sync(true, {}, &far);
    EXPECT_FALSE(third.changed());
    EXPECT_EQ(far.body_fetches, 0);
}

TEST_F(SyncOverImap, CondstoreOnlyAndPlainServersSeeEveryChange) {
    for (int i = 0; i < 6; ++i) test::save_message(user, "INBOX", message("m" + std::to_string(i)));
    for (bool condstore : {true, false}) {
        Far initial(user, false, condstore);
        sync(false, {}, &initial);
        doveadm({"expunge", "-u", user, "mailbox", "INBOX", "uid", condstore ? "1" : "2"});
        doveadm({"flags", "add", "-u", user, "\\Answered", "mailbox", "INBOX", "uid", condstore ? "3" : "4"});
        test::save_message(user, "INBOX", message(condstore ? "c" : "p"));
        Far far(user, false, condstore);
        sync(false, {}, &far);
        expect_same(user, "INBOX", root + "/INBOX");
    }
}

TEST_F(SyncOverImap, UidValidityResetOnTheServer) {
    for (int i = 0; i < 12; ++i) test::save_message(user, "INBOX", message("r" + std::to_string(i)));
    sync();
    // Dovecot renumbers the folder when its UID list and indexes are gone
    std::string server_maildir = test::server_env().mail_dir + "/" + user + "/Maildir";
    for (const auto& e : fs::directory_iterator(server_maildir)) {
        std::string name = e.path().filename().string();
        if (name.rfind("dovecot", 0) == 0) fs::remove_all(e.path());
    }
    doveadm({"force-resync", "-u", user, "INBOX"});
    // within the same second Dovecot could pick the same UIDVALIDITY again: make sure it differs
    doveadm({"mailbox", "update", "-u", user, "--uid-validity", "12345", "INBOX"});
    test::save_message(user, "INBOX", message("after-reset"));
    write_file(root + "/INBOX/new/1700000000.M9P1.reader", "Subject: local\nMessage-ID: <local@x>\n\nhi\n");
    auto report = sync();
    const auto& inbox = folder_report(report, "INBOX");
    EXPECT_TRUE(inbox.rematched);
    EXPECT_EQ(inbox.matched, 12u);
    EXPECT_EQ(inbox.added[sync::Near], 1u);
    EXPECT_EQ(inbox.added[sync::Far], 1u);
    expect_same(user, "INBOX", root + "/INBOX");
    EXPECT_FALSE(sync().changed());
}

TEST_F(SyncOverImap, MassDeletionGuardStopsAfterTheLocalFolderIsDeleted) {
    for (int i = 0; i < 15; ++i) test::save_message(user, "INBOX", message("g" + std::to_string(i)));
    sync();
    fs::remove_all(root + "/INBOX");
    Far far(user, true);
    store::MaildirStore near(root);
    auto report = sync::sync_account(*far.store, near, state, {});
    EXPECT_TRUE(folder_report(report, "INBOX").stopped);
    EXPECT_FALSE(report.ok());
    std::size_t count = 0;
    server_messages(user, "INBOX", &count);
    EXPECT_EQ(count, 15u);
}

}  // namespace
}  // namespace zmail
