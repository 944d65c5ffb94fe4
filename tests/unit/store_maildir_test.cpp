#include "store/maildir_store.hpp"

#include "error.hpp"
#include "sync_test_support.hpp"

#include <atomic>
#include <thread>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace zmail;
using namespace zmail::store;
using zmail::testing::TempDir;
using zmail::testing::read_file;
using zmail::testing::write_file;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> files(const std::string& dir) {
    std::vector<std::string> names;
    if (!fs::exists(dir)) return names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::uint32_t append(MaildirStore& store, const std::string& content, Flags flags, std::time_t date = 0) {
    auto w = store.begin_append(content.size(), flags, date);
    for (size_t i = 0; i < content.size(); i += 5) w->write(std::string_view(content).substr(i, 5));
    return w->finish(flags, date);
}

struct Fetched {
    std::uint32_t uid = 0;
    std::uint64_t size = 0;
    std::string content;
    std::time_t date = 0;
};

std::vector<Fetched> fetch(MaildirStore& store, const std::vector<std::uint32_t>& uids) {
    std::vector<Fetched> out;
    BodyReceiver r;
    r.begin = [&](std::optional<std::uint32_t> uid, std::uint64_t size, std::time_t) {
        out.push_back({uid.value_or(0), size, "", 0});
    };
    r.data = [&](std::string_view b) { out.back().content += b; };
    r.end = [&](std::uint32_t uid, std::time_t date) {
        EXPECT_EQ(uid, out.back().uid);
        out.back().date = date;
    };
    store.fetch(uids, r);
    return out;
}

struct MaildirTest : ::testing::Test {
    TempDir dir;
    std::string root() const { return dir.path() + "/Mail"; }
};

}  // namespace

TEST(UidTag, ParseStripFormat) {
    auto t = parse_uid_tag("1700.M1P2.host,V=123,U=45");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->uid_validity, 123u);
    EXPECT_EQ(t->uid, 45u);
    EXPECT_FALSE(parse_uid_tag("1700.M1P2.host"));
    EXPECT_FALSE(parse_uid_tag("1700.M1P2.host,U=45"));  // mbsync's: not ours
    EXPECT_FALSE(parse_uid_tag("x,V=1,U=0"));
    EXPECT_FALSE(parse_uid_tag("x,V=1,U=4x"));
    EXPECT_EQ(strip_uid_tag("a.b,S=12,V=1,U=2"), "a.b,S=12");
    EXPECT_EQ(strip_uid_tag("a.b,U=2"), "a.b");
    EXPECT_EQ(strip_uid_tag("a.b,U=x"), "a.b,U=x");
    EXPECT_EQ(format_uid_tag({7, 9}), ",V=7,U=9");
}

TEST_F(MaildirTest, SelectMissingFolderFails) {
    MaildirStore store(root());
    EXPECT_THROW(store.select("INBOX"), Error);
}

TEST_F(MaildirTest, UidValidityIsCreatedOnceAndKept) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    auto first = store.select("INBOX");
    EXPECT_NE(first.uid_validity, 0u);
    EXPECT_EQ(first.uid_next, 1u);
    EXPECT_EQ(first.highest_modseq, 0u);
    MaildirStore again(root());
    EXPECT_EQ(again.select("INBOX").uid_validity, first.uid_validity);
    // another folder gets another validity (so a moved file is recognised)
    store.create_folder("Other");
    EXPECT_NE(store.select("Other").uid_validity, first.uid_validity);
}

TEST_F(MaildirTest, AppendIsInvisibleUntilCommitted) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    std::string path = store.folder_directory("INBOX");
    std::uint32_t a = append(store, "Subject: a\r\n\r\nbody a\r\n", 0, 1600000000);
    std::uint32_t b = append(store, "Subject: b\r\n\r\nbody b\r\n", Seen | Flagged);
    EXPECT_NE(a, b);
    EXPECT_TRUE(files(path + "/new").empty());
    EXPECT_TRUE(files(path + "/cur").empty());
    EXPECT_EQ(files(path + "/tmp").size(), 2u);
    store.commit_appends();
    EXPECT_TRUE(files(path + "/tmp").empty());
    auto in_new = files(path + "/new");
    auto in_cur = files(path + "/cur");
    ASSERT_EQ(in_new.size(), 1u);
    ASSERT_EQ(in_cur.size(), 1u);
    EXPECT_NE(in_new[0].find(",U=" + std::to_string(a)), std::string::npos);
    EXPECT_EQ(in_cur[0].substr(in_cur[0].size() - 5), ":2,FS");
    EXPECT_EQ(read_file(path + "/new/" + in_new[0]), "Subject: a\n\nbody a\n");  // Unix line ends
    struct stat st {};
    ::stat((path + "/new/" + in_new[0]).c_str(), &st);
    EXPECT_EQ(st.st_mtime, 1600000000);
    auto listing = store.list_messages(0);
    ASSERT_EQ(listing.messages.size(), 2u);
    EXPECT_EQ(listing.messages[0].uid, a);
    EXPECT_EQ(listing.messages[1].flags, Seen | Flagged);
    EXPECT_FALSE(listing.partial);
}

// Appended files are synced together, at commit or once 64 wait (each holds a descriptor until
// it is synced): a big batch neither runs out of descriptors nor loses a message.
TEST_F(MaildirTest, ABigBatchIsSyncedInGroupsAndCommittedWhole) {
    auto open_descriptors = [] {
        return std::distance(fs::directory_iterator("/proc/self/fd"), fs::directory_iterator{});
    };
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    const std::string path = store.folder_directory("INBOX");
    const auto before = open_descriptors();
    for (int i = 0; i < 150; ++i) append(store, "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n", 0);
    EXPECT_LE(open_descriptors() - before, 64);
    EXPECT_TRUE(files(path + "/new").empty());
    store.commit_appends();
    EXPECT_EQ(open_descriptors(), before);
    EXPECT_TRUE(files(path + "/tmp").empty());
    EXPECT_EQ(files(path + "/new").size(), 150u);
    EXPECT_EQ(store.list_messages(0).messages.size(), 150u);
}

TEST_F(MaildirTest, HalfCreatedFolderIsCompletedOnSelect) {
    // what a run killed while creating the folder left (found by the sync kill trials)
    MaildirStore store(root());
    const std::string path = store.folder_directory("INBOX");
    fs::create_directories(path + "/cur");
    store.select("INBOX");
    EXPECT_TRUE(fs::is_directory(path + "/new"));
    EXPECT_TRUE(fs::is_directory(path + "/tmp"));
    append(store, "Subject: a\r\n\r\nbody\r\n", 0);
    store.commit_appends();
    EXPECT_EQ(files(path + "/new").size(), 1u);
}

// Another program's 244-byte file name could not take the ",V=..,U=.." tag (ENAMETOOLONG), and
// the folder stopped on every run. The name zmail writes is shortened (the ",S=.." information
// first); the message keeps its UID from then on.
TEST_F(MaildirTest, ALongNameIsShortenedToTakeItsUid) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    const std::string path = store.folder_directory("INBOX");
    const std::string unique = "1700000000.M1P1." + std::string(200, 'h') + ",S=1234,W=1300" + std::string(14, 'x');
    ASSERT_EQ(unique.size() + 4, 248u);
    write_file(path + "/cur/" + unique + ":2,S", "Subject: long\n\nx\n");
    write_file(path + "/cur/1700000001.M2P1.host:2,", "Subject: short\n\ny\n");
    auto listing = store.list_messages(0);
    EXPECT_TRUE(listing.skipped.empty());
    ASSERT_EQ(listing.messages.size(), 2u);
    for (const auto& name : files(path + "/cur")) EXPECT_LE(name.size(), 255u) << name;
    const auto again = store.list_messages(0);
    ASSERT_EQ(again.messages.size(), 2u);
    EXPECT_EQ(again.messages[0].uid, listing.messages[0].uid);
    EXPECT_EQ(again.messages[0].flags, Seen);
}

TEST_F(MaildirTest, SelectForWritingSweepsOldTmpFiles) {
    // what killed runs left in tmp/: removed after 36 hours, as fetch does
    MaildirStore store(root());
    store.create_folder("INBOX");
    const std::string path = store.folder_directory("INBOX");
    write_file(path + "/tmp/old", "left by a killed run");
    write_file(path + "/tmp/recent", "maybe still being written");
    const auto old = fs::file_time_type::clock::now() - std::chrono::hours(37);
    fs::last_write_time(path + "/tmp/old", old);
    MaildirStore read_only(root(), {"fs", true});
    read_only.select("INBOX");  // a dry run removes nothing
    EXPECT_EQ(files(path + "/tmp"), (std::vector<std::string>{"old", "recent"}));
    store.select("INBOX");
    EXPECT_EQ(files(path + "/tmp"), std::vector<std::string>{"recent"});
}

TEST_F(MaildirTest, AbandonedAppendsLeaveNothing) {
    std::string path;
    {
        MaildirStore store(root());
        store.create_folder("INBOX");
        store.select("INBOX");
        path = store.folder_directory("INBOX");
        {
            auto w = store.begin_append(3, 0, 0);
            w->write("abc");
        }  // never finished
        append(store, "x\r\n", 0);  // finished, never committed
    }
    EXPECT_TRUE(files(path + "/tmp").empty());
    EXPECT_TRUE(files(path + "/new").empty());
}

TEST_F(MaildirTest, NewFilesGetDurableUidsThatStay) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    auto status = store.select("INBOX");
    std::string path = store.folder_directory("INBOX");
    write_file(path + "/new/1700000000.M1P1.host", "Subject: new\n\nx\n");
    write_file(path + "/cur/1700000000.M2P1.host:2,S", "Subject: read\n\ny\n");
    auto first = store.list_messages(0);
    ASSERT_EQ(first.messages.size(), 2u);
    EXPECT_EQ(files(path + "/new"), std::vector<std::string>{"1700000000.M1P1.host" +
                                                             format_uid_tag({status.uid_validity, 1})});
    EXPECT_EQ(files(path + "/cur"), std::vector<std::string>{"1700000000.M2P1.host" +
                                                             format_uid_tag({status.uid_validity, 2}) + ":2,S"});
    // a mail reader marks the first one read: same UID
    fs::rename(path + "/new/" + files(path + "/new")[0],
               path + "/cur/1700000000.M1P1.host" + format_uid_tag({status.uid_validity, 1}) + ":2,RS");
    MaildirStore again(root());
    auto s2 = again.select("INBOX");
    EXPECT_GE(s2.uid_next, 3u);  // the next UID was made durable before the renames
    auto second = again.list_messages(0);
    ASSERT_EQ(second.messages.size(), 2u);
    EXPECT_EQ(second.messages[0].uid, 1u);
    EXPECT_EQ(second.messages[0].flags, Seen | Answered);
    EXPECT_EQ(second.messages[1].uid, 2u);
}

// A mail reader renaming files beside the listing (new/ -> cur/, flags changed in cur/, as mutt
// does) made one message appear under two names: the second got a new UID (uploaded again, the
// server's original deleted next time). Every listing has each message once, under its UID.
TEST_F(MaildirTest, ARenamingMailReaderBesideTheListingDoublesNothing) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    const std::string path = store.folder_directory("INBOX");
    constexpr int count = 40;
    for (int i = 0; i < count; ++i) write_file(path + "/new/17000000" + std::to_string(10 + i) + ".M1P1.host", "x\n");
    const auto first = store.list_messages(0);
    ASSERT_EQ(first.messages.size(), static_cast<std::size_t>(count));
    std::atomic<bool> stop{false};
    std::thread reader([&] {  // the mail reader: moves to cur/, then flips \Seen, over and over
        for (int round = 0; !stop; ++round) {
            for (const std::string sub : {"new", "cur"})
                for (const auto& e : fs::directory_iterator(path + "/" + sub)) {
                    std::string name = e.path().filename().string();
                    std::string unique = name.substr(0, name.find(":2,"));
                    std::error_code ignored;
                    fs::rename(e.path(), path + "/cur/" + unique + (round % 2 ? ":2,S" : ":2,"), ignored);
                }
        }
    });
    bool doubled = false;
    for (int i = 0; i < 200 && !doubled; ++i) {
        const auto listing = store.list_messages(0);
        std::set<std::uint32_t> uids;
        for (const auto& m : listing.messages) {
            // a message once, and never a new UID (a name readdir missed is another matter)
            doubled = doubled || !uids.insert(m.uid).second || m.uid > first.messages.back().uid;
        }
    }
    stop = true;
    reader.join();
    EXPECT_FALSE(doubled) << "a listing saw a message twice or gave one a new UID";
}

TEST_F(MaildirTest, FilesFromOtherFoldersAndCopiesGetFreshUids) {
    MaildirStore store(root());
    store.create_folder("A");
    store.create_folder("B");
    auto a = store.select("A");
    append(store, "Subject: moved\r\n\r\n", Seen);
    store.commit_appends();
    std::string a_path = store.folder_directory("A"), b_path = store.folder_directory("B");
    std::string name = files(a_path + "/cur")[0];
    auto b = store.select("B");
    append(store, "Subject: stays\r\n\r\n", Seen);
    store.commit_appends();
    std::string b_name = files(b_path + "/cur")[0];
    // a mail reader moves the file from A to B, and copies B's own file
    fs::rename(a_path + "/cur/" + name, b_path + "/cur/" + name);
    fs::copy_file(b_path + "/cur/" + b_name, b_path + "/new/" + b_name.substr(0, b_name.find(':')));
    auto listing = store.list_messages(0);
    ASSERT_EQ(listing.messages.size(), 3u);
    std::set<std::uint32_t> uids;
    for (const auto& m : listing.messages) uids.insert(m.uid);
    EXPECT_EQ(uids.size(), 3u);
    EXPECT_TRUE(uids.count(1));  // B's own message kept its UID
    for (std::string sub : {"/cur", "/new"})
        for (const auto& f : files(b_path + sub))
            EXPECT_NE(f.find(",V=" + std::to_string(b.uid_validity) + ",U="), std::string::npos) << f;
    for (std::string sub : {"/cur", "/new"})
        for (const auto& f : files(b_path + sub))
            EXPECT_EQ(f.find(",V=" + std::to_string(a.uid_validity) + ","), std::string::npos) << f;
    // an mbsync-style ",U=" is replaced, not stacked
    write_file(b_path + "/new/17.M3P3.host,U=9", "Subject: mbsync\n\n");
    store.list_messages(0);
    for (const auto& f : files(b_path + "/new")) EXPECT_EQ(f.find(",U=9,"), std::string::npos) << f;
}

TEST_F(MaildirTest, BackupWithHigherUidsRaisesTheNextUid) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    auto s = store.select("INBOX");
    std::string path = store.folder_directory("INBOX");
    write_file(path + "/cur/1.M1P1.h" + format_uid_tag({s.uid_validity, 500}) + ":2,S", "x\n");
    store.list_messages(0);
    std::uint32_t uid = append(store, "y\r\n", 0);
    EXPECT_GT(uid, 500u);
}

TEST_F(MaildirTest, FetchGivesNetworkLineEndsAndExactSize) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    std::string path = store.folder_directory("INBOX");
    std::string big(200000, 'x');
    write_file(path + "/cur/1.M1P1.h:2,S", "Subject: a\nX: b\r\n\n" + big + "\nend");
    auto listing = store.list_messages(0);
    auto got = fetch(store, {listing.messages[0].uid, 999});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].content, "Subject: a\r\nX: b\r\n\r\n" + big + "\r\nend");
    EXPECT_EQ(got[0].size, got[0].content.size());
    EXPECT_GT(got[0].date, 0);
}

TEST_F(MaildirTest, IdentitiesMatchTheNetworkForm) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    std::string wire = zmail::testing::make_message("id1", std::string(100000, 'z'));
    std::uint32_t a = append(store, wire, 0);
    std::uint32_t b = append(store, zmail::testing::make_message("id2"), 0);
    store.commit_appends();
    auto ids = store.identities({a, b, 77});
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[0].uid, a);
    EXPECT_EQ(ids[0].header_hash, header_hash(wire));
    EXPECT_EQ(ids[0].size, wire.size());
    auto from = store.identities_from(b);
    ASSERT_EQ(from.size(), 1u);
    EXPECT_EQ(from[0].uid, b);
}

TEST_F(MaildirTest, SetFlagsKeepsKeywordsAndFollowsRenames) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    auto s = store.select("INBOX");
    std::string path = store.folder_directory("INBOX");
    write_file(path + "/cur/1.M1P1.h" + format_uid_tag({s.uid_validity, 1}) + ":2,Sa", "x\n");
    write_file(path + "/new/1.M2P1.h" + format_uid_tag({s.uid_validity, 2}), "y\n");
    store.list_messages(0);
    // a mail reader renames message 1 behind our back
    fs::rename(path + "/cur/1.M1P1.h" + format_uid_tag({s.uid_validity, 1}) + ":2,Sa",
               path + "/cur/1.M1P1.h" + format_uid_tag({s.uid_validity, 1}) + ":2,RSa");
    store.set_flags({1, 2}, Flagged, Seen);
    auto cur = files(path + "/cur");
    ASSERT_EQ(cur.size(), 2u);
    EXPECT_EQ(cur[0], "1.M1P1.h" + format_uid_tag({s.uid_validity, 1}) + ":2,FRa");
    EXPECT_EQ(cur[1], "1.M2P1.h" + format_uid_tag({s.uid_validity, 2}) + ":2,F");
    EXPECT_TRUE(files(path + "/new").empty());
}

TEST_F(MaildirTest, RemoveDeletesFiles) {
    MaildirStore store(root());
    store.create_folder("INBOX");
    store.select("INBOX");
    std::uint32_t a = append(store, "a\r\n", Seen);
    std::uint32_t b = append(store, "b\r\n", 0);
    store.commit_appends();
    store.remove({a, 999}, true);
    auto listing = store.list_messages(0);
    ASSERT_EQ(listing.messages.size(), 1u);
    EXPECT_EQ(listing.messages[0].uid, b);
}

TEST_F(MaildirTest, ReadOnlyStoreChangesNothing) {
    {
        MaildirStore store(root());
        store.create_folder("INBOX");
    }
    std::string path = root() + "/INBOX";
    write_file(path + "/new/1.M1P1.h", "x\n");
    MaildirStore store(root(), {"fs", true});
    auto s = store.select("INBOX");
    EXPECT_NE(s.uid_validity, 0u);
    EXPECT_FALSE(fs::exists(path + "/.zmail-uidvalidity"));
    auto listing = store.list_messages(0);
    ASSERT_EQ(listing.messages.size(), 1u);
    EXPECT_EQ(files(path + "/new"), std::vector<std::string>{"1.M1P1.h"});
    EXPECT_EQ(fetch(store, {listing.messages[0].uid}).at(0).content, "x\r\n");
    EXPECT_THROW(store.begin_append(1, 0, 0), Error);
}

TEST_F(MaildirTest, FoldersInFsLayout) {
    MaildirStore store(root());
    for (std::string name : {"INBOX", "送信済み", "Archive/2024", "已发送"}) store.create_folder(name);
    fs::create_directories(root() + "/.notmuch/xapian");
    auto folders = store.list_folders();
    std::vector<std::string> names;
    for (const auto& f : folders) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"Archive/2024", "INBOX", "已发送", "送信済み"}));
    EXPECT_TRUE(fs::is_directory(root() + "/送信済み/cur"));
    EXPECT_THROW(store.create_folder("../evil"), Error);
    EXPECT_THROW(store.create_folder("a/cur"), Error);
    store.delete_folder("已发送");
    EXPECT_FALSE(fs::exists(root() + "/已发送"));
    store.select("INBOX");
    append(store, "x\r\n", 0);
    store.commit_appends();
    EXPECT_THROW(store.delete_folder("INBOX"), Error);  // not empty
}

// A folder directory that exists but cannot be read is an error, never a folder that is gone
// (which the sync would take as deleted here). The tests run as root, which chmod 000 does not
// stop: a symlink loop in place of cur/ cannot be read by anyone.
TEST_F(MaildirTest, AFolderThatCannotBeReadIsAnErrorNotGone) {
    for (const std::string layout : {"fs", "maildir++"}) {
        TempDir dir;
        MaildirOptions options;
        options.layout = layout;
        MaildirStore store(dir.path(), options);
        store.create_folder("仕事");
        store.create_folder("私用");
        const std::string cur = store.folder_directory("仕事") + "/cur";
        fs::remove(cur);
        fs::create_directory_symlink(cur, cur);  // stat: ELOOP
        try {
            store.list_folders();
            ADD_FAILURE() << layout << ": listed without the unreadable folder";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind, ErrorKind::Storage) << layout;
            EXPECT_NE(std::string(e.what()).find("cannot read the folder directory"), std::string::npos) << e.what();
            EXPECT_NE(e.hint.find("nothing was deleted"), std::string::npos) << e.hint;
        }
    }
}

TEST_F(MaildirTest, FoldersInMaildirPlusPlusLayout) {
    MaildirStore store(root(), {"maildir++", false});
    for (std::string name : {"INBOX", "Sent", "Archive/2024"}) store.create_folder(name);
    EXPECT_TRUE(fs::is_directory(root() + "/cur"));
    EXPECT_TRUE(fs::is_directory(root() + "/.Archive.2024/cur"));
    EXPECT_TRUE(fs::exists(root() + "/.Sent/maildirfolder"));
    std::vector<std::string> names;
    for (const auto& f : store.list_folders()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "Archive/2024", "Sent"}));
}
