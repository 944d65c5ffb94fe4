// The fetch engine against an in-memory POP3 maildrop: keep and delete modes, scope new,
// max_size, limit, the three delivery targets, and connections cut at every command and at many
// byte offsets: after the next clean run every message is delivered exactly once and the server
// holds exactly what the policy says.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "fetch/fetch.hpp"
#include "fetch/uidl_state.hpp"
#include "fetch_test_support.hpp"
#include "util/lock_file.hpp"

namespace zmail::fetch {
namespace {

using testing::Cut;
using testing::FakeMaildrop;
using testing::lf;
using testing::make_message;
using testing::maildir_messages;
using testing::TempDir;

class FetchEngine : public ::testing::Test {
protected:
    TempDir dir;
    FakeMaildrop drop;
    Observer observer;
    Request request;

    void SetUp() override {
        request.account = "work";
        request.host = "pop.example.test";
        request.user = "me@example.test";
        request.state_dir = dir.path() + "/state";
        request.target.maildir_root = dir.path() + "/Mail";
        request.batch_messages = 2;  // small batches: cuts fall between and inside them
    }

    std::string inbox() const { return dir.path() + "/Mail/INBOX"; }

    Result run_once() {
        return run(request, [this] { return drop.connect(); }, observer);
    }

    void add_messages(int count, int first = 1) {
        for (int i = first; i < first + count; ++i)
            drop.add("uid" + std::to_string(i), make_message("message " + std::to_string(i), i % 4 + 1));
    }

    /// The Maildir holds exactly `expected` (CRLF) messages, each once.
    void expect_maildir(const std::vector<std::string>& expected) {
        std::vector<std::string> want;
        for (const auto& m : expected) want.push_back(lf(m));
        std::sort(want.begin(), want.end());
        EXPECT_EQ(maildir_messages(inbox()), want);
    }

    std::vector<std::string> contents() const {
        std::vector<std::string> out;
        for (const auto& m : drop.messages) out.push_back(m.content);
        return out;
    }
};

TEST_F(FetchEngine, KeepFetchesEverythingOnceAndLeavesTheServerAlone) {
    add_messages(5);
    const auto all = contents();
    Result first = run_once();
    ASSERT_FALSE(first.fatal) << first.fatal->what();
    EXPECT_EQ(first.fetched, 5u);
    EXPECT_EQ(first.deleted, 0u);
    EXPECT_EQ(first.left_on_server, 5u);
    EXPECT_EQ(first.exit_code(), 0);
    expect_maildir(all);
    EXPECT_EQ(drop.messages.size(), 5u);

    Result second = run_once();
    ASSERT_FALSE(second.fatal);
    EXPECT_EQ(second.fetched, 0u);
    expect_maildir(all);
    for (const auto& [uidl, count] : drop.retr_count) EXPECT_EQ(count, 1) << uidl;
    EXPECT_EQ(drop.command_count["LIST"], 1);  // nothing could be new: no LIST the second time
    // the journal was folded into the snapshot
    EXPECT_FALSE(std::filesystem::exists(uidl_state_path(request.state_dir, request.host, request.user) + ".journal"));
}

TEST_F(FetchEngine, DeleteModeDeletesOnlyAfterDelivery) {
    add_messages(7);
    const auto all = contents();
    request.policy.keep = false;
    Result result = run_once();
    ASSERT_FALSE(result.fatal) << result.fatal->what();
    EXPECT_EQ(result.fetched, 7u);
    EXPECT_EQ(result.deleted, 7u);
    EXPECT_EQ(result.left_on_server, 0u);
    EXPECT_TRUE(drop.messages.empty());
    expect_maildir(all);
    EXPECT_EQ(result.bytes, [&] {
        std::uint64_t total = 0;
        for (const auto& m : all) total += m.size();
        return total;
    }());
}

TEST_F(FetchEngine, MessageBytesAreKeptApartFromLineEnds) {
    const std::string tricky = "Subject: dots\r\n\r\n.\r\n..two\r\n.leading dot\r\nFrom the start\r\n>From quoted\r\n"
                               "bare\rcarriage return\r\nno final line end";
    drop.add("dots", tricky);
    drop.add("utf8", "Subject: =?UTF-8?B?5pel5pys6Kqe?=\r\n\r\n日本語のメール、中文邮件。\r\n");
    Result result = run_once();
    ASSERT_FALSE(result.fatal) << result.fatal->what();
    // the fake ends a message without a final CRLF with one (as POP3 must)
    expect_maildir({tricky + "\r\n", drop.messages[1].content});
}

class FetchCut : public FetchEngine {
protected:
    /// Returns whether the first run failed.
    bool run_cut_then_clean(const Cut& cut, bool keep, int count) {
        TempDir fresh;
        request.state_dir = fresh.path() + "/state";
        request.target.maildir_root = fresh.path() + "/Mail";
        request.policy.keep = keep;
        drop = FakeMaildrop();
        add_messages(count);
        const auto all = contents();
        drop.cuts = {cut};
        Result first = run_once();
        Result second = run_once();
        EXPECT_FALSE(second.fatal) << second.fatal->what();
        std::vector<std::string> want;
        for (const auto& m : all) want.push_back(lf(m));
        std::sort(want.begin(), want.end());
        EXPECT_EQ(maildir_messages(fresh.path() + "/Mail/INBOX"), want);
        EXPECT_EQ(drop.messages.size(), keep ? all.size() : 0u);
        EXPECT_LE(first.fetched + second.fetched, all.size());
        // nothing downloaded twice unless the first copy never arrived complete
        for (const auto& [uidl, retrieved] : drop.retr_count) EXPECT_LE(retrieved, 2) << uidl;
        Result third = run_once();
        EXPECT_EQ(third.fetched, 0u);
        return first.fatal.has_value();
    }
};

TEST_F(FetchCut, EveryCommandBeforeAndAfterItsEffect) {
    const int count = 5;
    for (bool keep : {true, false}) {
        for (const char* verb : {"CAPA", "UIDL", "LIST", "RETR", "DELE", "QUIT"}) {
            const int occurrences = std::string(verb) == "RETR" || std::string(verb) == "DELE" ? count : 1;
            for (int k = 1; k <= occurrences; ++k) {
                for (bool after : {false, true}) {
                    SCOPED_TRACE(std::string(verb) + " #" + std::to_string(k) + (after ? " after" : " before") +
                                 (keep ? ", keep" : ", delete"));
                    const bool failed = run_cut_then_clean(Cut{verb, k, after, 0}, keep, count);
                    // with keep there is no DELE to cut, and a lost QUIT reply commits nothing
                    const bool harmless = keep && (std::string(verb) == "DELE" || std::string(verb) == "QUIT");
                    EXPECT_EQ(failed, !harmless);
                }
            }
        }
    }
}

TEST_F(FetchCut, ManyByteOffsetsDuringTheRun) {
    for (bool keep : {true, false}) {
        // how many bytes a whole clean run reads
        run_cut_then_clean(Cut{"", 0, false, 1000000}, keep, 6);
        const std::size_t total = drop.max_reply_bytes;
        ASSERT_GT(total, 800u);
        for (std::size_t offset = 1; offset < total; offset += 29) {
            SCOPED_TRACE("cut after " + std::to_string(offset) + " of " + std::to_string(total) + " bytes" +
                         (keep ? ", keep" : ", delete"));
            const bool failed = run_cut_then_clean(Cut{"", 0, false, offset}, keep, 6);
            // with keep, a lost QUIT reply ("+OK bye\r\n") commits nothing and is no failure
            if (!keep || offset < total - 9) {
                EXPECT_TRUE(failed);
            }
        }
    }
}

TEST_F(FetchEngine, ConnectionLostBeforeQuitMeansDeleteWithoutDownloadingAgain) {
    add_messages(4);
    const auto all = contents();
    request.policy.keep = false;
    drop.cuts = {Cut{"QUIT", 1, false, 0}};
    Result first = run_once();
    ASSERT_TRUE(first.fatal);
    EXPECT_NE(std::string(first.fatal->what()).find("deletions not committed"), std::string::npos);
    EXPECT_EQ(first.exit_code(), 69);
    EXPECT_EQ(drop.messages.size(), 4u);  // the server restored them
    EXPECT_EQ(first.fetched, 4u);

    Result second = run_once();
    ASSERT_FALSE(second.fatal);
    EXPECT_EQ(second.fetched, 0u);
    EXPECT_EQ(second.deleted, 4u);
    EXPECT_TRUE(drop.messages.empty());
    for (const auto& [uidl, retrieved] : drop.retr_count) EXPECT_EQ(retrieved, 1) << uidl;
    expect_maildir(all);
}

TEST_F(FetchEngine, ScopeNewRecordsWhatIsThereThenFetchesOnlyNewMail) {
    add_messages(3);
    request.policy.scope_new = true;
    request.policy.keep = false;
    Result first = run_once();
    ASSERT_FALSE(first.fatal) << first.fatal->what();
    EXPECT_EQ(first.fetched, 0u);
    EXPECT_EQ(first.marked_seen, 3u);
    EXPECT_EQ(first.deleted, 0u);  // never delete what was not downloaded
    EXPECT_TRUE(drop.retr_count.empty());
    EXPECT_EQ(testing::count_files(inbox() + "/new"), 0u);

    add_messages(2, 4);
    Result second = run_once();
    ASSERT_FALSE(second.fatal);
    EXPECT_EQ(second.fetched, 2u);
    EXPECT_EQ(second.deleted, 2u);
    EXPECT_EQ(drop.uidls(), (std::vector<std::string>{"uid1", "uid2", "uid3"}));
    expect_maildir({make_message("message 4", 1), make_message("message 5", 2)});

    // scope all downloads what scope new skipped
    request.policy.scope_new = false;
    Result third = run_once();
    EXPECT_EQ(third.fetched, 3u);
    EXPECT_TRUE(drop.messages.empty());
}

TEST_F(FetchEngine, ScopeNewStartingWithAnEmptyMaildropFetchesWhatArrivesLater) {
    request.policy.scope_new = true;
    Result first = run_once();
    ASSERT_FALSE(first.fatal) << first.fatal->what();
    EXPECT_EQ(first.marked_seen, 0u);
    add_messages(1);
    Result second = run_once();
    EXPECT_EQ(second.fetched, 1u);
    EXPECT_EQ(second.marked_seen, 0u);
}

// One odd UIDL answer (a failover that shows an empty or partial maildrop) erased every record,
// and the next run downloaded the whole maildrop again (with scope new: all old mail as new).
TEST_F(FetchEngine, AnEmptyOrPartialListingDoesNotBringOldMailAgain) {
    add_messages(4);
    const auto all = drop.messages;
    ASSERT_EQ(run_once().fetched, 4u);
    drop.messages.clear();  // the odd answer: nothing
    EXPECT_EQ(run_once().fetched, 0u);
    drop.messages = all;
    EXPECT_EQ(run_once().fetched, 0u);  // the records were kept
    drop.messages.resize(2);  // a partial answer, twice in a row: the missing two are gone
    run_once();
    run_once();
    drop.messages = all;
    EXPECT_EQ(run_once().fetched, 2u);  // ...and new to this client after that (their UIDLs came back)
}

// A server that gives an old UIDL to another message (seen after a listing without it) would
// have that message skipped for good: sizes are recorded, and another size is refused.
TEST_F(FetchEngine, AUidlBackWithAnotherSizeIsRefused) {
    add_messages(2);
    ASSERT_EQ(run_once().fetched, 2u);
    const auto all = drop.messages;
    drop.messages.erase(drop.messages.begin());
    EXPECT_EQ(run_once().fetched, 0u);  // uid1 gone once: remembered, marked absent
    drop.messages.insert(drop.messages.begin(), {"uid1", make_message("another message, longer", 9)});
    Result reused = run_once();
    ASSERT_TRUE(reused.fatal);
    EXPECT_EQ(reused.fatal->kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(reused.fatal->what()).find("gives old unique ids"), std::string::npos)
        << reused.fatal->what();
    EXPECT_EQ(reused.fetched, 0u);
    drop.messages = all;  // the same message back: fine
    Result back = run_once();
    EXPECT_FALSE(back.fatal);
    EXPECT_EQ(back.fetched, 0u);
}

TEST_F(FetchEngine, ScopeNewSurvivesAnEmptyListing) {
    add_messages(3);
    request.policy.scope_new = true;
    EXPECT_EQ(run_once().marked_seen, 3u);
    const auto all = drop.messages;
    drop.messages.clear();
    EXPECT_EQ(run_once().fetched, 0u);
    drop.messages = all;
    add_messages(1, 4);
    Result after = run_once();
    EXPECT_EQ(after.fetched, 1u);  // only the new one: old mail does not arrive as new
    EXPECT_EQ(after.marked_seen, 0u);
}

TEST_F(FetchEngine, DryRunOnAFirstScopeNewRunRecordsNothing) {
    add_messages(3);
    request.policy.scope_new = true;
    request.dry_run = true;
    Result result = run_once();
    ASSERT_FALSE(result.fatal);
    ASSERT_TRUE(result.plan);
    EXPECT_EQ(result.plan->mark_seen.size(), 3u);
    EXPECT_FALSE(std::filesystem::exists(uidl_state_path(request.state_dir, request.host, request.user)));
    request.dry_run = false;
    EXPECT_EQ(run_once().marked_seen, 3u);
}

TEST_F(FetchEngine, MaxSizeLeavesLargeMessagesOnTheServer) {
    drop.add("small", make_message("small", 1));
    drop.add("big", make_message("big", 400));
    drop.add("small2", make_message("small2", 2));
    request.policy.max_size = 1000;
    request.policy.keep = false;
    Result result = run_once();
    ASSERT_FALSE(result.fatal);
    EXPECT_EQ(result.fetched, 2u);
    EXPECT_EQ(result.too_large, 1u);
    EXPECT_EQ(result.max_size, 1000u);
    EXPECT_EQ(drop.uidls(), std::vector<std::string>{"big"});
    EXPECT_EQ(drop.retr_count.count("big"), 0u);
}

TEST_F(FetchEngine, LimitSpreadsTheWorkOverRuns) {
    add_messages(5);
    request.policy.limit = 2;
    Result first = run_once();
    EXPECT_EQ(first.fetched, 2u);
    EXPECT_EQ(first.deferred, 3u);
    Result second = run_once();
    EXPECT_EQ(second.fetched, 2u);
    Result third = run_once();
    EXPECT_EQ(third.fetched, 1u);
    EXPECT_EQ(third.deferred, 0u);
    expect_maildir(contents());
}

TEST_F(FetchEngine, RefusesAServerWithoutUidl) {
    add_messages(2);
    drop.capa_uidl = false;
    drop.uidl_supported = false;
    request.policy.keep = false;
    Result result = run_once();
    ASSERT_TRUE(result.fatal);
    EXPECT_EQ(result.fatal->kind, ErrorKind::Unavailable);
    EXPECT_NE(std::string(result.fatal->what()).find("does not support UIDL"), std::string::npos);
    EXPECT_NE(result.fatal->hint.find("IMAP"), std::string::npos);
    EXPECT_EQ(result.fatal->server_reply, "-ERR unknown command");
    EXPECT_EQ(drop.messages.size(), 2u);
    EXPECT_TRUE(drop.retr_count.empty());
}

TEST_F(FetchEngine, RefusesDuplicateUidls) {
    drop.add("same", make_message("a"));
    drop.add("other", make_message("b"));
    drop.add("same", make_message("c"));
    request.policy.keep = false;
    Result result = run_once();
    ASSERT_TRUE(result.fatal);
    EXPECT_EQ(result.fatal->kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(result.fatal->what()).find("'same'"), std::string::npos);
    EXPECT_EQ(drop.messages.size(), 3u);
    EXPECT_TRUE(drop.retr_count.empty());
    EXPECT_EQ(drop.command_count["DELE"], 0);
}

TEST_F(FetchEngine, ARefusedRetrIsReportedAndTheRestGoesOn) {
    add_messages(3);
    drop.retr_error_uidl = "uid2";
    request.policy.keep = false;
    Result result = run_once();
    ASSERT_FALSE(result.fatal);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_NE(std::string(result.errors[0].what()).find("'uid2'"), std::string::npos);
    EXPECT_EQ(result.fetched, 2u);
    EXPECT_EQ(drop.uidls(), std::vector<std::string>{"uid2"});
    EXPECT_NE(result.exit_code(), 0);
}

TEST_F(FetchEngine, FailingMdaLeavesEverythingOnTheServer) {
    add_messages(3);
    request.policy.keep = false;
    request.delivery = parse_delivery("mda:cat >/dev/null; exit 75", "--deliver");
    Result result = run_once();
    ASSERT_FALSE(result.fatal);
    EXPECT_EQ(result.errors.size(), 3u);
    EXPECT_EQ(result.fetched, 0u);
    EXPECT_EQ(result.exit_code(), 75);
    EXPECT_NE(std::string(result.errors[0].what()).find("exited with status 75"), std::string::npos);
    EXPECT_EQ(drop.messages.size(), 3u);
    EXPECT_EQ(drop.command_count["DELE"], 0);
    // tried again next run
    Result again = run_once();
    EXPECT_EQ(drop.retr_count["uid1"], 2);
    EXPECT_EQ(again.errors.size(), 3u);
}

TEST_F(FetchEngine, MdaGetsTheMessageWithLfAndItsEnvironment) {
    add_messages(3);
    request.policy.keep = false;
    const std::string out = dir.path() + "/mda";
    std::filesystem::create_directories(out);
    // fails for uid2 only; the others are written where the test can see them
    request.delivery = parse_delivery("mda:test \"$ZMAIL_UIDL\" = uid2 && exit 1; cat > '" + out +
                                          "/'\"$ZMAIL_ACCOUNT-$ZMAIL_UIDL\"",
                                      "--deliver");
    const auto all = contents();
    Result result = run_once();
    ASSERT_FALSE(result.fatal) << result.fatal->what();
    EXPECT_EQ(result.fetched, 2u);
    ASSERT_EQ(result.errors.size(), 1u);
    EXPECT_EQ(result.exit_code(), 75);
    EXPECT_EQ(testing::read_file(out + "/work-uid1"), lf(all[0]));
    EXPECT_EQ(testing::read_file(out + "/work-uid3"), lf(all[2]));
    EXPECT_FALSE(std::filesystem::exists(out + "/work-uid2"));
    EXPECT_EQ(drop.uidls(), std::vector<std::string>{"uid2"});
}

TEST_F(FetchEngine, MboxDeliveryAppendsOnceWithQuoting) {
    drop.add("a", "Subject: a\r\n\r\nFrom here\r\n>From there\r\n");
    drop.add("b", "Subject: b\r\n\r\nbody b\r\n");
    const std::string mbox = dir.path() + "/mail.mbox";
    request.delivery = parse_delivery("mbox:" + mbox, "--deliver");
    Result result = run_once();
    ASSERT_FALSE(result.fatal) << result.fatal->what();
    EXPECT_EQ(result.fetched, 2u);
    std::string text = testing::read_file(mbox);
    // the From lines carry a date, so compare around them
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), 11u) << text;
    EXPECT_EQ(lines[0].rfind("From MAILER-DAEMON ", 0), 0u);
    EXPECT_EQ(lines[3], ">From here");
    EXPECT_EQ(lines[4], ">>From there");
    EXPECT_EQ(lines[5], "");
    EXPECT_EQ(lines[6].rfind("From MAILER-DAEMON ", 0), 0u);
    EXPECT_EQ(lines[9], "body b");
    EXPECT_EQ(lines[10], "");
    Result again = run_once();
    EXPECT_EQ(again.fetched, 0u);
    EXPECT_EQ(testing::read_file(mbox), text);
}

TEST_F(FetchEngine, LockedMboxStopsTheRunAndDeletesNothing) {
    add_messages(2);
    request.policy.keep = false;
    const std::string mbox = dir.path() + "/locked.mbox";
    request.delivery = parse_delivery("mbox:" + mbox, "--deliver");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        const int fd = ::open(mbox.c_str(), O_RDWR | O_CREAT, 0600);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        if (fd < 0 || ::fcntl(fd, F_SETLK, &lock) != 0) ::_exit(1);
        if (::write(ready[1], "x", 1) != 1) ::_exit(1);
        ::sleep(30);
        ::_exit(0);
    }
    char byte;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    Result result = run_once();
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    ASSERT_TRUE(result.fatal);
    EXPECT_EQ(result.exit_code(), 75);
    EXPECT_NE(std::string(result.fatal->what()).find("cannot lock mbox"), std::string::npos);
    EXPECT_NE(std::string(result.fatal->what()).find("pid " + std::to_string(child)), std::string::npos);
    EXPECT_EQ(drop.messages.size(), 2u);
    EXPECT_EQ(drop.command_count["DELE"], 0);
    EXPECT_EQ(testing::read_file(mbox), "");
    // once the lock is gone the next run delivers
    Result later = run_once();
    ASSERT_FALSE(later.fatal) << later.fatal->what();
    EXPECT_EQ(later.fetched, 2u);
}

TEST_F(FetchEngine, DryRunChangesNothing) {
    add_messages(3);
    request.policy.keep = false;
    request.dry_run = true;
    Result result = run_once();
    ASSERT_FALSE(result.fatal);
    ASSERT_TRUE(result.plan);
    EXPECT_EQ(result.plan->download.size(), 3u);
    EXPECT_EQ(result.fetched, 0u);
    EXPECT_TRUE(drop.retr_count.empty());
    EXPECT_EQ(drop.command_count["DELE"], 0);
    EXPECT_FALSE(std::filesystem::exists(dir.path() + "/Mail"));
    EXPECT_FALSE(std::filesystem::exists(request.state_dir + "/fetch"));
}

TEST_F(FetchEngine, SecondRunWaitsForTheLockThenGivesUpNamingTheHolder) {
    add_messages(1);
    util::LockFile held(request.state_dir + "/fetch.lock", "zmail fetch work (test)", 0);
    Result result = run_once();
    ASSERT_TRUE(result.fatal);
    EXPECT_EQ(result.exit_code(), 75);
    EXPECT_NE(std::string(result.fatal->what()).find("zmail fetch work (test)"), std::string::npos);
    EXPECT_EQ(drop.sessions, 0);
}

TEST_F(FetchEngine, PendingDeliveryFoundInTheMaildirIsNotFetchedAgain) {
    add_messages(2);
    request.policy.keep = false;
    // a run was killed after linking uid1 into new/ but before recording it delivered
    const std::string file = inbox() + "/new/1700000000.M1P1Q1.host,S=10";
    testing::write_file(file, lf(drop.messages[0].content));
    std::filesystem::create_directories(inbox() + "/cur");
    std::filesystem::create_directories(inbox() + "/tmp");
    // and after writing uid2's pending record, before linking it
    {
        UidlState state(uidl_state_path(request.state_dir, request.host, request.user));
        state.load();
        state.record_pending("uid1", "maildir " + file);
        state.record_pending("uid2", "maildir " + inbox() + "/new/1700000000.M2P1Q2.host,S=10");
        state.sync();
    }
    Result result = run_once();
    ASSERT_FALSE(result.fatal) << result.fatal->what();
    EXPECT_EQ(result.recovered, 1u);
    EXPECT_EQ(result.fetched, 1u);
    EXPECT_EQ(drop.retr_count.count("uid1"), 0u);
    EXPECT_EQ(drop.retr_count["uid2"], 1);
    EXPECT_TRUE(drop.messages.empty());
    EXPECT_EQ(maildir_messages(inbox()).size(), 2u);
}

TEST_F(FetchEngine, StateForgetsMessagesGoneFromTheServer) {
    add_messages(3);
    ASSERT_FALSE(run_once().fatal);
    drop.messages.erase(drop.messages.begin());
    ASSERT_FALSE(run_once().fatal);
    UidlState state(uidl_state_path(request.state_dir, request.host, request.user));
    state.load();
    ASSERT_TRUE(state.find("uid1"));  // one listing without it proves little
    EXPECT_TRUE(state.find("uid1")->absent);
    ASSERT_FALSE(run_once().fatal);
    state.load();
    EXPECT_EQ(state.size(), 2u);
    EXPECT_FALSE(state.find("uid1"));
    EXPECT_TRUE(state.is_delivered("uid2"));
}

TEST_F(FetchEngine, UnwritableStateStopsBeforeAnythingIsFetched) {
    add_messages(1);
    testing::write_file(dir.path() + "/file", "x");
    request.state_dir = dir.path() + "/file/state";  // a path through a regular file
    Result result = run_once();
    ASSERT_TRUE(result.fatal);
    EXPECT_EQ(result.exit_code(), 73);
    EXPECT_TRUE(drop.retr_count.empty());
}

}  // namespace
}  // namespace zmail::fetch
