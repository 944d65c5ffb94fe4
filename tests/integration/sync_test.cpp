// zmail sync against the fixture's Dovecot: a 5,000-message corpus in 12 folders (Japanese and
// Chinese names) into an empty Maildir, byte for byte (after CRLF -> LF) with every flag, read by
// notmuch and neomutt; changes on both sides in one run and then nothing to do; a UIDVALIDITY
// reset; the mass-deletion guard; --dry-run, --json, --folder, --pull, --jobs; the account lock;
// silence under cron; peak memory with a 50 MB message.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "imap/session.hpp"
#include "maildir/maildir.hpp"
#include "net/connection.hpp"
#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"
#include "store/store.hpp"
#include "util/lock_file.hpp"
#include "../support/files.hpp"

namespace zmail {
namespace {

namespace fs = std::filesystem;
using zmail::testing::read_file;
using zmail::testing::write_file;
using zmail::testing::to_lf;
using nlohmann::json;

std::string message(const std::string& id, const std::string& body = "本文です\r\n") {
    return "From: sender@example.test\r\nTo: user@example.test\r\nSubject: =?UTF-8?B?5Lu25ZCN?= " + id +
           "\r\nMessage-ID: <" + id + "@sync.example.test>\r\nDate: Tue, 2 Jan 2024 09:00:00 +0900\r\n\r\n" + body;
}

/// What the server holds: folder -> (message in LF form -> flags), read over IMAP.
using Contents = std::map<std::string, std::map<std::string, std::string>>;

Contents server_contents(const std::string& user, std::size_t* duplicates = nullptr) {
    net::Connection connection(test::server_options(net::Protocol::imap, net::Security::tls, user));
    imap::Session session(connection);
    store::ImapStore far(session, "fixture");
    Contents out;
    for (const auto& folder : far.list_folders()) {
        if (!folder.selectable) continue;
        far.select(folder.name);
        auto listing = far.list_messages(0);
        std::map<std::uint32_t, store::Flags> flags;
        std::vector<std::uint32_t> uids;
        for (const auto& m : listing.messages) {
            flags[m.uid] = m.flags;
            uids.push_back(m.uid);
        }
        auto& messages = out[folder.name];
        std::string body;
        store::BodyReceiver r;
        r.begin = [&](std::optional<std::uint32_t>, std::uint64_t, std::time_t) { body.clear(); };
        r.data = [&](std::string_view b) { body += b; };
        r.end = [&](std::uint32_t uid, std::time_t) {
            std::string key = to_lf(body);
            if (messages.count(key) && duplicates) ++*duplicates;
            messages[key] = store::maildir_flags(flags[uid]);
        };
        far.fetch(uids, r);
    }
    return out;
}

/// What the local Maildir holds (fs layout): folder -> (message -> flags).
Contents local_contents(const std::string& root, std::size_t* duplicates = nullptr) {
    Contents out;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_directory() || it->path().filename() != "cur") continue;
        fs::path dir = it->path().parent_path();
        std::string folder = fs::relative(dir, root).string();
        auto& messages = out[folder];
        for (const auto& e : maildir::Folder(dir.string()).list()) {
            std::string content = read_file(dir / e.path());
            if (messages.count(content) && duplicates) ++*duplicates;
            messages[content] = e.flags;
        }
    }
    return out;
}

/// Runs the zmail binary under GNU time for its peak resident set size. (wait4() on a child
/// spawned from this big test process would report this process's size: Linux keeps the larger
/// of the pre-exec and post-exec peaks.)
struct Measured {
    int exit_code = -1;
    long max_rss_kb = 0;
};

Measured run_measured(const std::vector<std::string>& args, std::map<std::string, std::string> env,
                      const std::string& scratch) {
    std::string out = scratch + "/time.out";
    std::vector<std::string> argv{"/usr/bin/time", "-f", "%M", "-o", out, ZMAIL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    env["NO_COLOR"] = "1";
    auto r = test::run_command(argv, env);
    Measured m;
    m.exit_code = r.exit_code;
    std::string text = read_file(out);
    if (!text.empty()) m.max_rss_kb = std::stol(text.substr(text.find_last_of('\n', text.size() - 2) + 1));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return m;
}

class SyncCommand : public ::testing::Test {
protected:
    std::string user, dir, maildir;
    std::map<std::string, std::string> env;

    void SetUp() override {
        user = test::create_user();
        dir = test::make_scratch_dir("sync");
        maildir = dir + "/Mail";
        env = {{"ZMAIL_CONFIG", dir + "/config.json"}, {"XDG_STATE_HOME", dir + "/state"}, {"HOME", dir},
               {"ZMAIL_TEST_PASSWORD", test::password_for(user)}};
        const auto& e = test::server_env();
        auto r = zmail({"settings", "add", "work", "--preset", "custom", "--address", test::address_of(user), "--user",
                        user, "--imap", e.host + ":" + std::to_string(e.port("imaps")), "--ca-file", e.ca_file,
                        "--password-env", "ZMAIL_TEST_PASSWORD", "--maildir", maildir});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        r = zmail({"settings", "set", "work", "imap.security", "tls"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }

    test::CommandResult zmail(const std::vector<std::string>& args) { return test::run_zmail(args, env); }

    test::CommandResult sync(std::vector<std::string> args = {}) {
        args.insert(args.begin(), "sync");
        auto r = zmail(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r;
    }

    json sync_json(std::vector<std::string> args = {}) {
        args.insert(args.begin(), "--json");
        auto r = sync(args);
        return json::parse(r.out);
    }

    std::string state_dir() const { return dir + "/state/zmail/work"; }

    /// Six messages with a 200 KB attachment in INBOX, synced; then two moved to Archive on the
    /// server, and two to Lists here (one renamed as it is, one copied under a new name, flagged).
    void move_on_both_sides();
    /// After move_on_both_sides() and a sync: two messages in each folder on the server.
    Contents expect_moved() {
        auto server = server_contents(user);
        EXPECT_EQ(server["INBOX"].size(), 2u);
        EXPECT_EQ(server["Archive"].size(), 2u);
        EXPECT_EQ(server["Lists"].size(), 2u);
        return server;
    }

    void expect_in_sync() {
        std::size_t server_duplicates = 0, local_duplicates = 0;
        Contents server = server_contents(user, &server_duplicates), local = local_contents(maildir, &local_duplicates);
        EXPECT_EQ(server_duplicates, 0u);
        EXPECT_EQ(local_duplicates, 0u);
        for (const auto& [folder, messages] : server) {
            const auto& mine = local[folder];
            EXPECT_EQ(messages.size(), mine.size()) << folder;
            for (const auto& [content, flags] : messages) {
                auto it = mine.find(content);
                if (it == mine.end()) {
                    ADD_FAILURE() << folder << ": not here: " << content.substr(0, 300);
                    continue;
                }
                EXPECT_EQ(it->second, flags) << folder << ": " << content.substr(0, 200);
            }
        }
        for (const auto& [folder, messages] : local) {
            if (!server.count(folder)) {
                EXPECT_TRUE(messages.empty()) << folder << " is not on the server";
            }
        }
    }
};

std::size_t total(const json& accounts, const char* what, const char* side) {
    std::size_t n = 0;
    for (const auto& a : accounts)
        for (const auto& f : a["folders"]) n += f[what][side].get<std::size_t>();
    return n;
}

std::size_t files_in(const std::string& folder) {
    std::size_t n = 0;
    for (const char* sub : {"/new", "/cur"})
        if (fs::is_directory(folder + sub))
            for ([[maybe_unused]] const auto& e : fs::directory_iterator(folder + sub)) ++n;
    return n;
}

// --watch with NOTIFY (Dovecot offers it): mail delivered into a folder other than INBOX is here
// long before the interval (60 s), from one connection watching every folder.
TEST_F(SyncCommand, WatchSeesMailInEveryFolderWithNotify) {
    test::save_message(user, "INBOX", message("watch-first"));
    test::run_doveadm({"mailbox", "create", "-u", user, "Lists/日本語"});
    std::map<std::string, std::string> watch_env = env;
    watch_env["ZMAIL_CONFIG"] = dir + "/config.json";
    const std::string pid_file = dir + "/watch.pid";
    std::thread watcher([&] {
        test::run_command({"sh", "-c", "echo $$ > \"$0\"; exec timeout -s TERM 40 \"$1\" sync --watch --interval 60",
                           pid_file, ZMAIL_BINARY},
                          watch_env);
    });
    const std::string folder = maildir + "/Lists/日本語";
    auto wait_until = [](const std::function<bool()>& done, int seconds) {
        for (int i = 0; i < seconds * 10 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return done();
    };
    EXPECT_TRUE(wait_until([&] { return fs::is_directory(folder) && files_in(maildir + "/INBOX") == 1; }, 10));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the watcher is idling now
    const auto delivered = std::chrono::steady_clock::now();
    test::save_message(user, "Lists/日本語", message("watch-filed-by-a-rule"));
    EXPECT_TRUE(wait_until([&] { return files_in(folder) == 1; }, 15)) << "not synced before the interval";
    std::cerr << "delivery to the Maildir took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - delivered).count()
              << " ms\n";
    std::string pid = read_file(pid_file);
    ::kill(std::stoi(pid), SIGTERM);  // timeout passes it on to zmail; stopping it anywhere is safe
    watcher.join();
    expect_in_sync();
}

// --jobs above the preset's connection limit is capped, with a warning; sync.jobs is the default.
TEST_F(SyncCommand, JobsAreCappedByThePresetsConnectionLimit) {
    for (int i = 0; i < 6; ++i) {
        test::run_doveadm({"mailbox", "create", "-u", user, "Folder" + std::to_string(i)});
        test::save_message(user, "Folder" + std::to_string(i), message("jobs-" + std::to_string(i)));
    }
    write_file(dir + "/presets.json", R"({"presets": {"small": {"imap_connections": 2}}})");
    ASSERT_EQ(zmail({"settings", "set", "work", "preset", "small"}).exit_code, 0);
    auto r = zmail({"sync", "--jobs", "8"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("small allows 2 connections per account"), std::string::npos) << r.err;
    expect_in_sync();
    EXPECT_EQ(zmail({"settings", "get", "work", "sync.jobs"}).out, "2\n");
}

// imap.compress always: the whole sync (both ways, several folders) over COMPRESS=DEFLATE.
TEST_F(SyncCommand, CompressedSyncBothWays) {
    auto load = test::run_command({"/usr/bin/python3", std::string(ZMAIL_SOURCE_DIR) + "/bench/corpus.py", "--load",
                                   ZMAIL_FIXTURE_DIR, "--user", user, "--messages", "300", "--folders", "4",
                                   "--seed", "compress-test", "--max-size", "200000"});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    ASSERT_EQ(zmail({"settings", "set", "work", "imap.compress", "always"}).exit_code, 0);
    auto first = zmail({"-v", "-v", "sync"});
    ASSERT_EQ(first.exit_code, 0) << first.err.substr(0, 2000);
    EXPECT_NE(first.err.find("COMPRESS DEFLATE"), std::string::npos);
    expect_in_sync();
    write_file(maildir + "/INBOX/new/1700000000.M1P1.here", to_lf(message("compressed-upload")));
    sync();
    expect_in_sync();
    auto again = sync_json();
    EXPECT_EQ(total(again, "new", "local") + total(again, "new", "server"), 0u);
}

TEST_F(SyncCommand, CorpusIntoAnEmptyMaildirThenNothingToDo) {
    auto load = test::run_command({"/usr/bin/python3", std::string(ZMAIL_SOURCE_DIR) + "/bench/corpus.py", "--load",
                                   ZMAIL_FIXTURE_DIR, "--user", user, "--messages", "5000", "--folders", "12",
                                   "--seed", "sync-test", "--max-size", "2000000"});
    ASSERT_EQ(load.exit_code, 0) << load.err;
    auto first = sync_json({"--jobs", "3"});
    EXPECT_EQ(total(first, "new", "local"), 5000u);
    EXPECT_EQ(total(first, "new", "server"), 0u);
    expect_in_sync();
    Contents local = local_contents(maildir);
    EXPECT_GE(local.size(), 12u);
    bool japanese = false, chinese = false;
    for (const auto& [folder, m] : local) {
        japanese |= folder.find("送信済み") != std::string::npos || folder.find("仕事") != std::string::npos;
        chinese |= folder.find("已发送") != std::string::npos || folder.find("客户") != std::string::npos;
    }
    EXPECT_TRUE(japanese);
    EXPECT_TRUE(chinese);

    // nothing to do: no body crosses the wire, and nothing is printed under cron
    auto traced = zmail({"-v", "-v", "sync"});
    EXPECT_EQ(traced.exit_code, 0) << traced.err;
    EXPECT_EQ(traced.err.find("BODY.PEEK[]"), std::string::npos);
    auto quiet = sync();
    EXPECT_EQ(quiet.out, "");
    EXPECT_EQ(quiet.err, "");

    // other programs read the result. notmuch indexes INBOX only: indexing all 5,000 messages
    // costs Xapian minutes of fsyncs and proves nothing more about the Maildir. The README's
    // new.ignore line keeps it from noting zmail's .zmail-uidvalidity as a non-mail file.
    std::size_t inbox_files = local.at("INBOX").size();
    ASSERT_GT(inbox_files, 100u);
    write_file(dir + "/notmuch-config",
          "[database]\npath=" + maildir + "/INBOX\n[new]\ntags=new\nignore=.zmail-uidvalidity\n"
          "[maildir]\nsynchronize_flags=true\n");
    ASSERT_TRUE(fs::exists(maildir + "/INBOX/.zmail-uidvalidity"));
    auto notmuch = test::run_command({"notmuch", "--config=" + dir + "/notmuch-config", "new"});
    EXPECT_EQ(notmuch.exit_code, 0) << notmuch.err;
    EXPECT_EQ(notmuch.err.find("non-mail file"), std::string::npos) << notmuch.err;
    auto counted = test::run_command({"notmuch", "--config=" + dir + "/notmuch-config", "count", "--output=files", "*"});
    EXPECT_EQ(counted.out, std::to_string(inbox_files) + "\n") << counted.err;
    auto mutt = test::run_command({"script", "-qec",
                                   "neomutt -n -R -F /dev/null -f " + maildir + "/INBOX -e 'push <quit>'",
                                   "/dev/null"},
                                  {{"TERM", "dumb"}, {"HOME", dir}});
    EXPECT_EQ(mutt.exit_code, 0) << mutt.out << mutt.err;
}

TEST_F(SyncCommand, ChangesOnBothSidesArriveInOneRun) {
    for (std::string folder : {"INBOX", "送信済み", "仕事/プロジェクト"}) {
        test::run_doveadm({"mailbox", "create", "-u", user, folder});
        for (int i = 0; i < 6; ++i) test::save_message(user, folder, message(folder + std::to_string(i)));
    }
    test::run_doveadm({"flags", "add", "-u", user, "\\Seen", "mailbox", "INBOX", "uid", "1:3"});
    sync();
    expect_in_sync();

    // server: new mail, flags, an expunge, a new folder, a message moved between folders
    test::save_message(user, "INBOX", message("server-new"));
    test::run_doveadm({"flags", "add", "-u", user, "\\Flagged", "mailbox", "INBOX", "uid", "4"});
    test::run_doveadm({"flags", "remove", "-u", user, "\\Seen", "mailbox", "INBOX", "uid", "1"});
    test::run_doveadm({"expunge", "-u", user, "mailbox", "INBOX", "uid", "2"});
    test::run_doveadm({"mailbox", "create", "-u", user, "已发送"});
    test::save_message(user, "已发送", message("in-new-server-folder"));
    test::run_doveadm({"move", "-u", user, "送信済み", "mailbox", "INBOX", "uid", "5"});
    // here: a draft, a flag, a deletion, a new folder, a message moved by a mail reader
    write_file(maildir + "/INBOX/cur/1700000000.M1P1.reader:2,DS", "Subject: draft\nMessage-ID: <draft@here>\n\nhi\n");
    maildir::Folder inbox(maildir + "/INBOX");
    auto entries = inbox.list();
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.filename < b.filename; });
    inbox.set_flags(entries[2], "RS");
    maildir::Folder projects(maildir + "/仕事/プロジェクト");
    auto project_entries = projects.list();
    projects.remove(project_entries[0]);
    maildir::Folder(maildir + "/Local/メモ").create();
    write_file(maildir + "/Local/メモ/new/1700000000.M2P1.reader", "Subject: memo\nMessage-ID: <memo@here>\n\nmemo\n");
    fs::rename(maildir + "/仕事/プロジェクト/" + project_entries[1].path(),
               maildir + "/送信済み/" + project_entries[1].path());

    auto changed = sync_json();
    EXPECT_GT(total(changed, "new", "local"), 0u);
    EXPECT_GT(total(changed, "new", "server"), 0u);
    EXPECT_GT(total(changed, "deleted", "server"), 0u);
    EXPECT_GT(total(changed, "deleted", "local"), 0u);
    expect_in_sync();
    auto again = sync_json();
    for (const char* what : {"new", "flags", "deleted"})
        for (const char* side : {"local", "server"}) EXPECT_EQ(total(again, what, side), 0u) << what << side;
}

// A message the server refuses (Dovecot: "Can't save a zero byte message") stopped every other
// upload of the folder and exited 69 on every run. Now the rest is synced, the run exits 65 with
// the server's words, the file stays, and the next run does not offer it again.
TEST_F(SyncCommand, AMessageTheServerRefusesIsLeftAndTheRestIsSynced) {
    test::run_doveadm({"mailbox", "create", "-u", user, "仕事"});
    sync();
    write_file(maildir + "/仕事/new/1700000000.M1P1.empty", "");
    write_file(maildir + "/仕事/new/1700000000.M2P1.reader", "Subject: ok\nMessage-ID: <ok@here>\n\nok\n");
    write_file(maildir + "/仕事/new/1700000000.M3P1.reader", "Subject: ok2\nMessage-ID: <ok2@here>\n\nok\n");
    auto r = zmail({"sync"});
    EXPECT_EQ(r.exit_code, 65) << r.err;
    EXPECT_NE(r.err.find("refused by"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("zero byte"), std::string::npos) << r.err;  // the server's words
    EXPECT_EQ(server_contents(user)["仕事"].size(), 2u);
    auto again = zmail({"sync"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(server_contents(user)["仕事"].size(), 2u);
    EXPECT_EQ(maildir::Folder(maildir + "/仕事").list().size(), 3u);  // the refused file is kept
}

// A mail reader renaming files beside the sync (mutt: new/ to cur/, flags in cur/) could make a
// listing see a message under two names (uploaded twice, the original deleted on the server next
// time) or miss one (deleted on the server). Syncs run while a process renames the files.
TEST_F(SyncCommand, AMailReaderRenamingFilesBesideTheSyncLosesAndDoublesNothing) {
    for (int i = 0; i < 30; ++i) test::save_message(user, "INBOX", message("race" + std::to_string(i)));
    sync();
    for (int i = 0; i < 10; ++i)
        write_file(maildir + "/INBOX/new/17000000" + std::to_string(10 + i) + ".M1P1.reader",
                   "Subject: local " + std::to_string(i) + "\nMessage-ID: <local" + std::to_string(i) +
                       "@here>\n\nx\n");
    std::atomic<bool> stop{false};
    std::thread reader([&] {
        for (int round = 0; !stop; ++round)
            for (const char* sub : {"new", "cur"})
                for (const auto& e : fs::directory_iterator(maildir + "/INBOX/" + sub)) {
                    const std::string name = e.path().filename().string();
                    const std::string unique = name.substr(0, name.find(":2,"));
                    std::error_code ignored;  // zmail may have renamed it first
                    fs::rename(e.path(), maildir + "/INBOX/cur/" + unique + (round % 2 ? ":2,S" : ":2,"), ignored);
                }
    });
    for (int i = 0; i < 4; ++i) zmail({"sync"});  // exit codes may say a file moved under it
    stop = true;
    reader.join();
    sync();
    sync();
    std::size_t duplicates = 0;
    Contents server = server_contents(user, &duplicates);
    EXPECT_EQ(duplicates, 0u);
    EXPECT_EQ(server["INBOX"].size(), 40u);
    expect_in_sync();
}

TEST_F(SyncCommand, UidValidityResetLosesAndDoublesNothing) {
    for (int i = 0; i < 10; ++i) test::save_message(user, "INBOX", message("r" + std::to_string(i)));
    sync();
    test::run_doveadm({"mailbox", "update", "-u", user, "--uid-validity", "777", "INBOX"});
    test::save_message(user, "INBOX", message("after-reset"));
    write_file(maildir + "/INBOX/new/1700000000.M3P1.reader", "Subject: local\nMessage-ID: <local@here>\n\nx\n");
    auto report = sync_json();
    bool rematched = false;
    for (const auto& f : report[0]["folders"]) {
        if (f["folder"] != "INBOX") continue;
        rematched = f["rematched"].get<bool>();
        EXPECT_EQ(f["matched"], 10);
        EXPECT_EQ(f["new"]["local"], 1);
        EXPECT_EQ(f["new"]["server"], 1);
    }
    EXPECT_TRUE(rematched);
    expect_in_sync();
}

// Issue "Every server, every folder name": a rename on either side used to count as a deleted
// folder plus a new one (the guard stopped the run, exit 65, or every message moved again).
TEST_F(SyncCommand, FoldersRenamedOnEitherSideAreRenamedOnTheOtherWithoutTransfers) {
    for (std::string folder : {"Projects", "Projects/2024", "Receipts"}) {
        test::run_doveadm({"mailbox", "create", "-u", user, folder});
        for (int i = 0; i < 4; ++i) test::save_message(user, folder, message(folder + std::to_string(i)));
    }
    test::run_doveadm({"flags", "add", "-u", user, "\\Seen", "mailbox", "Projects/2024", "uid", "1:2"});
    sync();
    // on the server: a subtree; here: a directory
    test::run_doveadm({"mailbox", "rename", "-u", user, "Projects", "仕事"});
    fs::rename(maildir + "/Receipts", maildir + "/領収書");

    auto traced = zmail({"-v", "-v", "sync", "--json"});
    ASSERT_EQ(traced.exit_code, 0) << traced.err;
    EXPECT_EQ(traced.err.find("BODY.PEEK[]"), std::string::npos) << "a message body crossed the wire";
    EXPECT_EQ(traced.err.find(" APPEND "), std::string::npos) << "a message was uploaded";
    auto report = json::parse(traced.out);
    std::set<std::string> renamed;
    for (const auto& r : report[0]["renamed"])
        renamed.insert(r["from"].get<std::string>() + " -> " + r["to"].get<std::string>() + " " +
                       r["on"].get<std::string>());
    EXPECT_EQ(renamed, (std::set<std::string>{"Projects -> 仕事 local", "Projects/2024 -> 仕事/2024 local",
                                              "Receipts -> 領収書 server"}));
    for (const char* what : {"new", "deleted"})
        for (const char* side : {"local", "server"}) EXPECT_EQ(total(report, what, side), 0u) << what << side;
    EXPECT_FALSE(fs::exists(maildir + "/Projects"));
    EXPECT_FALSE(fs::exists(maildir + "/Receipts"));
    expect_in_sync();
    auto server = server_contents(user);
    EXPECT_EQ(server["領収書"].size(), 4u);
    EXPECT_EQ(server.count("Receipts"), 0u);
    auto again = sync_json();
    EXPECT_TRUE(again[0]["renamed"].empty());
    for (const char* what : {"new", "flags", "deleted"})
        for (const char* side : {"local", "server"}) EXPECT_EQ(total(again, what, side), 0u) << what << side;
}

// A message moved to another folder was downloaded again and deleted (moved on the server) or
// uploaded again and deleted (moved here): a large attachment crossed the network twice. Now a
// move on the server moves the file here, and a move here (a mail reader's rename keeping the
// name, or mutt's copy under a new name and delete) is one UID MOVE on the server.
void SyncCommand::move_on_both_sides() {
    for (const char* folder : {"Archive", "Lists"}) test::run_doveadm({"mailbox", "create", "-u", user, folder});
    const std::string attachment(200 * 1024, 'x');
    for (int i = 0; i < 6; ++i) test::save_message(user, "INBOX", message("move" + std::to_string(i), attachment + "\r\n"));
    test::run_doveadm({"flags", "add", "-u", user, "\\Seen", "mailbox", "INBOX", "uid", "1:6"});
    sync();
    // on the server: two from INBOX to Archive
    test::run_doveadm({"move", "-u", user, "Archive", "mailbox", "INBOX", "uid", "1:2"});
    // here: two from INBOX to Lists, one renamed as it is, one copied under a new name (and flagged)
    std::vector<fs::path> inbox;
    for (const auto& e : fs::directory_iterator(maildir + "/INBOX/cur")) inbox.push_back(e.path());
    std::sort(inbox.begin(), inbox.end());
    std::vector<fs::path> mine;
    for (const auto& path : inbox)
        if (read_file(path).find("Message-ID: <move3@") != std::string::npos ||
            read_file(path).find("Message-ID: <move4@") != std::string::npos)
            mine.push_back(path);
    ASSERT_EQ(mine.size(), 2u);
    fs::rename(mine[0], maildir + "/Lists/cur/" + mine[0].filename().string());
    write_file(maildir + "/Lists/cur/1700000000.M1P1.mutt:2,FS", read_file(mine[1]));
    fs::remove(mine[1]);
}

TEST_F(SyncCommand, MessagesMovedOnEitherSideAreMovedOnTheOtherWithoutTransfers) {
    move_on_both_sides();
    auto traced = zmail({"-v", "-v", "sync", "--json"});
    ASSERT_EQ(traced.exit_code, 0) << traced.err;
    EXPECT_EQ(traced.err.find("BODY.PEEK[]"), std::string::npos) << "a message body crossed the wire";
    EXPECT_EQ(traced.err.find(" APPEND "), std::string::npos) << "a message was uploaded";
    EXPECT_NE(traced.err.find("UID MOVE "), std::string::npos);
    auto report = json::parse(traced.out);
    EXPECT_EQ(total(report, "moved", "local"), 2u);
    EXPECT_EQ(total(report, "moved", "server"), 2u);
    EXPECT_EQ(total(report, "new", "local"), 0u);
    EXPECT_EQ(total(report, "new", "server"), 0u);
    EXPECT_EQ(total(report, "deleted", "server"), 0u);
    expect_in_sync();
    auto server = expect_moved();
    for (const auto& [content, flags] : server["Lists"]) {
        if (content.find("<move4@") != std::string::npos) {
            EXPECT_EQ(flags, "FS");  // the flag set here travelled
        }
    }
    EXPECT_TRUE(fs::is_empty(maildir + "/INBOX/tmp"));  // nothing set aside is left
    auto again = sync_json();
    for (const char* what : {"new", "flags", "deleted", "moved"})
        for (const char* side : {"local", "server"}) EXPECT_EQ(total(again, what, side), 0u) << what << side;
}

// With folders synced in parallel a move is followed when its source folder has set the file aside
// before the destination starts (always for Trash, Junk and Archive), else copied and deleted:
// either way nothing is lost or doubled.
TEST_F(SyncCommand, MovesWithParallelJobsLoseAndDoubleNothing) {
    move_on_both_sides();
    auto report = sync_json({"--jobs", "3"});
    // Archive (special use) starts only once INBOX has finished: the server's move is followed
    EXPECT_EQ(total(report, "moved", "local"), 2u);
    EXPECT_EQ(total(report, "new", "local"), 0u);
    expect_in_sync();
    expect_moved();
    auto again = sync_json();
    for (const char* what : {"new", "flags", "deleted", "moved"})
        for (const char* side : {"local", "server"}) EXPECT_EQ(total(again, what, side), 0u) << what << side;
}

// Most of a folder filed away into another folder here: moves, not deletions; the guard does not
// stop the run (a move on the server still counts as deleted here until the other folder's run).
TEST_F(SyncCommand, MovingMostOfAFolderHereIsNoMassDeletion) {
    test::run_doveadm({"mailbox", "create", "-u", user, "Lists"});
    for (int i = 0; i < 20; ++i) test::save_message(user, "INBOX", message("most" + std::to_string(i)));
    sync();
    std::vector<fs::path> files;
    for (const char* sub : {"/INBOX/new", "/INBOX/cur"})
        for (const auto& e : fs::directory_iterator(maildir + sub)) files.push_back(e.path());
    ASSERT_EQ(files.size(), 20u);
    for (std::size_t i = 0; i < 15; ++i)
        fs::rename(files[i], maildir + "/Lists/" + files[i].parent_path().filename().string() + "/" +
                                 files[i].filename().string());
    auto report = sync_json();
    EXPECT_EQ(total(report, "moved", "server"), 15u);
    EXPECT_EQ(total(report, "new", "server"), 0u);
    expect_in_sync();
    EXPECT_EQ(server_contents(user)["Lists"].size(), 15u);
}

TEST_F(SyncCommand, MassDeletionGuardStopsAfterTheLocalFolderIsDeleted) {
    test::run_doveadm({"mailbox", "create", "-u", user, "Archive2"});
    for (int i = 0; i < 20; ++i) test::save_message(user, "Archive2", message("a" + std::to_string(i)));
    sync();
    fs::remove_all(maildir + "/Archive2");
    auto stopped = zmail({"sync"});
    EXPECT_EQ(stopped.exit_code, 65) << stopped.err;
    EXPECT_NE(stopped.err.find("stopped syncing folder 'Archive2'"), std::string::npos) << stopped.err;
    EXPECT_NE(stopped.err.find("--allow-mass-delete"), std::string::npos) << stopped.err;
    EXPECT_EQ(server_contents(user)["Archive2"].size(), 20u);
    // --pull brings the folder back instead
    sync({"--pull", "--folder", "Archive2"});
    expect_in_sync();
}

TEST_F(SyncCommand, AMaildirRootThatIsGoneIsNeverTakenForDeletions) {
    for (int i = 0; i < 3; ++i) test::save_message(user, "INBOX", message("m" + std::to_string(i)));
    sync();
    fs::remove_all(maildir);  // or a disk that is not mounted
    auto r = zmail({"sync"});
    EXPECT_EQ(r.exit_code, 73) << r.err;
    EXPECT_NE(r.err.find("its Maildir '" + maildir + "' is gone"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(maildir));
    EXPECT_EQ(server_contents(user)["INBOX"].size(), 3u);
}

// A Maildir root that is a file said it "is gone" and suggested removing the sync state.
TEST_F(SyncCommand, AMaildirRootThatIsAFileSaysSo) {
    test::save_message(user, "INBOX", message("m"));
    sync();
    fs::remove_all(maildir);
    std::ofstream(maildir) << "not a directory\n";
    auto r = zmail({"sync"});
    EXPECT_EQ(r.exit_code, 73) << r.err;
    EXPECT_NE(r.err.find("its Maildir '" + maildir + "' is a file, not a directory"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("remove '"), std::string::npos) << r.err;
    EXPECT_EQ(server_contents(user)["INBOX"].size(), 1u);
}

// A folder directory that cannot be read counted as a deleted folder: the next sync proposed
// deleting the server's messages and recommended --allow-mass-delete. Now: exit 73, "cannot
// read", nothing deleted, and no such advice. (Root ignores chmod: a symlink loop in place of
// cur/ is unreadable for everyone.)
TEST_F(SyncCommand, AFolderThatCannotBeReadIsAnErrorNeverADeletion) {
    test::run_doveadm({"mailbox", "create", "-u", user, "仕事"});
    for (int i = 0; i < 3; ++i) test::save_message(user, "仕事", message("w" + std::to_string(i)));
    sync();
    const std::string cur = maildir + "/仕事/cur";
    fs::rename(cur, cur + ".saved");
    fs::create_directory_symlink(cur, cur);
    auto r = zmail({"sync"});
    EXPECT_EQ(r.exit_code, 73) << r.err;
    EXPECT_NE(r.err.find("cannot read the folder directory"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("--allow-mass-delete"), std::string::npos) << r.err;
    EXPECT_EQ(server_contents(user)["仕事"].size(), 3u);
    fs::remove(cur);
    fs::rename(cur + ".saved", cur);
    sync();
    expect_in_sync();
}

TEST_F(SyncCommand, DryRunChangesNothingAndSaysWhat) {
    for (int i = 0; i < 3; ++i) test::save_message(user, "INBOX", message("d" + std::to_string(i)));
    auto plan = zmail({"sync", "--dry-run", "--json"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    auto j = json::parse(plan.out);
    EXPECT_TRUE(j[0]["dry_run"].get<bool>());
    EXPECT_EQ(total(j, "new", "local"), 3u);
    EXPECT_FALSE(fs::exists(maildir + "/INBOX"));
    EXPECT_FALSE(fs::exists(state_dir() + "/sync/INBOX.state"));
    auto text = zmail({"sync", "--dry-run", "--folder", "INBOX"});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("work INBOX: would create the folder here, fetch 3"), std::string::npos) << text.out;
}

TEST_F(SyncCommand, OneSyncPerAccountAtATime) {
    fs::create_directories(state_dir());
    util::LockFile held(state_dir() + "/sync.lock", "zmail sync work (test)", 0);
    auto r = zmail({"sync"});
    EXPECT_EQ(r.exit_code, 75) << r.err;
    EXPECT_NE(r.err.find("zmail sync work (test)"), std::string::npos) << r.err;
}

// 64 MB as the issue asks; under ASan the shadow heap and quarantine add their own share, so the
// sanitizer build checks a looser bound that a buffered 50 MB message would still exceed.
#if defined(__SANITIZE_ADDRESS__)
constexpr long peak_rss_bound_kb = 200 * 1024;  // -O0 ASan: about 170 MB with the message streamed
#else
constexpr long peak_rss_bound_kb = 64 * 1024;
#endif

TEST_F(SyncCommand, PeakMemoryStaysSmallWithA50MegabyteMessage) {
    std::string big = message("big", "");
    std::string line = std::string(998, 'x') + "\r\n";
    while (big.size() < 50u * 1024 * 1024) big += line;
    test::save_message(user, "INBOX", big);
    test::save_message(user, "INBOX", message("small"));
    Measured m = run_measured({"sync"}, env, dir);
    EXPECT_EQ(m.exit_code, 0);
    EXPECT_LT(m.max_rss_kb, peak_rss_bound_kb) << "peak RSS " << m.max_rss_kb << " KB";
    RecordProperty("pull_peak_rss_kb", std::to_string(m.max_rss_kb));
    auto local = local_contents(maildir);
    EXPECT_EQ(local["INBOX"].count(to_lf(big)), 1u);
    // and back: a 50 MB message made here goes up without being held whole
    std::string big_local = to_lf(message("big-local", ""));
    std::string local_line = std::string(998, 'y') + "\n";
    while (big_local.size() < 50u * 1024 * 1024) big_local += local_line;
    write_file(maildir + "/INBOX/new/1700000000.M4P1.reader", big_local);
    m = run_measured({"sync"}, env, dir);
    EXPECT_EQ(m.exit_code, 0);
    EXPECT_LT(m.max_rss_kb, peak_rss_bound_kb) << "peak RSS " << m.max_rss_kb << " KB";
    RecordProperty("push_peak_rss_kb", std::to_string(m.max_rss_kb));
    EXPECT_EQ(server_contents(user)["INBOX"].size(), 3u);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr long many_messages_bound_kb = 160 * 1024;  // measured 105 MB: shadow heap and quarantine
#else
constexpr long many_messages_bound_kb = 26 * 1024;
#endif

// Found by the bench: the store held each finished download's 64 KB write buffer until the folder's
// batch was linked, so a 5,000-message folder peaked at 67 MB. Memory must not grow with the count.
TEST_F(SyncCommand, PeakMemoryDoesNotGrowWithTheNumberOfMessages) {
    const fs::path server_maildir = fs::path(test::server_env().mail_dir) / user / "Maildir";
    for (const char* sub : {"", "cur", "new", "tmp"}) {
        fs::create_directories(server_maildir / sub);
        ASSERT_EQ(::chown((server_maildir / sub).c_str(), 11000, 11000), 0);
    }
    const int count = 1000;
    std::string body;  // 60 KB: a write buffer that is filled, not only reserved
    while (body.size() < 60 * 1024) body += std::string(998, 'z') + "\r\n";
    for (int i = 0; i < count; ++i) {
        const std::string m = message("bulk" + std::to_string(i), body);
        const std::string name = "1700000000.M" + std::to_string(i) + "P1.bulk,S=" + std::to_string(m.size());
        const fs::path tmp = server_maildir / "tmp" / name;
        std::ofstream(tmp, std::ios::binary) << m;
        ASSERT_EQ(::chown(tmp.c_str(), 11000, 11000), 0);
        fs::rename(tmp, server_maildir / "new" / name);
    }
    Measured m = run_measured({"sync"}, env, dir);
    EXPECT_EQ(m.exit_code, 0);
    // measured: 18 MB, and 34 MB while finished files kept their buffers
    EXPECT_LT(m.max_rss_kb, many_messages_bound_kb) << "peak RSS " << m.max_rss_kb << " KB";
    RecordProperty("peak_rss_kb_2000_messages", std::to_string(m.max_rss_kb));
    EXPECT_EQ(local_contents(maildir)["INBOX"].size(), static_cast<std::size_t>(count));
}

}  // namespace
}  // namespace zmail
