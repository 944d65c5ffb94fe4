// The send queue's files: written atomically (message first), states changed by rename, the
// most advanced state wins after a crash left two, removal that never resends, leftovers
// cleaned up, and order oldest first.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <utime.h>

#include <fstream>
#include <string>

#include "error.hpp"
#include "profile_test_support.hpp"
#include "send/queue.hpp"

using zmail::Error;
using zmail::ErrorKind;
using zmail::profile::testing::directory_entries;
using zmail::profile::testing::read_text;
using zmail::profile::testing::TempDir;
using zmail::profile::testing::write_text;
namespace sending = zmail::send;

namespace {

sending::QueuedEnvelope envelope(const std::string& id = "<m1@example.test>") {
    sending::QueuedEnvelope e;
    e.mail_from = "alice@example.test";
    e.recipients = {"bob@example.net", "carol@example.net"};
    e.message_id = id;
    e.date = 1700000000;
    e.date_offset_minutes = 540;
    e.save_sent = false;
    e.queued_at = 1700000001;
    return e;
}

void make_old(const std::string& path) {
    struct utimbuf times {1000, 1000};
    ::utime(path.c_str(), &times);
}

}  // namespace

TEST(SendQueue, AddWritesTheMessageAndThePendingEnvelope) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("Subject: x\r\n\r\nbody\r\n", envelope());
    EXPECT_EQ(directory_entries(tmp.file("queue")), (std::vector<std::string>{id + ".eml", id + ".json"}));
    EXPECT_EQ(queue.read_message(id), "Subject: x\r\n\r\nbody\r\n");
    const auto entries = queue.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].state, sending::QueueState::Pending);
    EXPECT_EQ(entries[0].envelope.recipients, envelope().recipients);
    EXPECT_EQ(entries[0].envelope.save_sent, std::optional<bool>(false));
    EXPECT_EQ(entries[0].envelope.date_offset_minutes, 540);
}

// A message whose sending is uncertain was briefly pending (add, then mark_sending): a kill in
// between, or a --flush from cron at that moment, sent it a second time. It is Sending from the
// start now: the only state files it ever has are the atomic .sending one.
TEST(SendQueue, AnUncertainMessageIsNeverPending) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("Subject: x\r\n\r\nbody\r\n", envelope(), sending::QueueState::Sending);
    EXPECT_EQ(directory_entries(tmp.file("queue")), (std::vector<std::string>{id + ".eml", id + ".sending"}));
    const auto entries = queue.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].state, sending::QueueState::Sending);
}

TEST(SendQueue, EntriesComeOldestFirst) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(queue.add("m" + std::to_string(i), envelope("<" + std::to_string(i) + "@x>")));
    const auto entries = queue.entries();
    ASSERT_EQ(entries.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(entries[i].id, ids[i]);
}

TEST(SendQueue, StatesMoveByRename) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("m", envelope());
    queue.mark_sending(id);
    EXPECT_EQ(queue.entries()[0].state, sending::QueueState::Sending);
    EXPECT_STREQ(sending::queue_state_name(sending::QueueState::Sending), "uncertain");
    queue.mark_pending(id);
    EXPECT_EQ(queue.entries()[0].state, sending::QueueState::Pending);
    queue.mark_sending(id);
    queue.mark_sent(id);
    EXPECT_EQ(directory_entries(tmp.file("queue")), (std::vector<std::string>{id + ".eml", id + ".sent"}));
    queue.remove(id);
    EXPECT_TRUE(directory_entries(tmp.file("queue")).empty());
    EXPECT_TRUE(queue.entries().empty());
}

TEST(SendQueue, RecordsAttemptsAndFailures) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("m", envelope());
    queue.record_attempt(id, "cannot connect to 'h:587': connection refused");
    auto e = queue.entries()[0];
    EXPECT_EQ(e.envelope.attempts, 1);
    EXPECT_EQ(e.envelope.last_error, "cannot connect to 'h:587': connection refused");
    queue.mark_failed(id, "refused every recipient");
    e = queue.entries()[0];
    EXPECT_EQ(e.state, sending::QueueState::Failed);
    EXPECT_EQ(e.envelope.attempts, 2);
    EXPECT_EQ(directory_entries(tmp.file("queue")), (std::vector<std::string>{id + ".eml", id + ".failed"}));
}

TEST(SendQueue, TheMostAdvancedStateWinsAfterACrash) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("m", envelope());
    // a crash in the middle of mark_failed leaves the pending file beside the failed one
    write_text(tmp.file("queue/" + id + ".failed"), read_text(tmp.file("queue/" + id + ".json")));
    EXPECT_EQ(queue.entries()[0].state, sending::QueueState::Failed);
    write_text(tmp.file("queue/" + id + ".sent"), read_text(tmp.file("queue/" + id + ".json")));
    EXPECT_EQ(queue.entries()[0].state, sending::QueueState::Sent);
}

TEST(SendQueue, ALoneStateFileIsNotLost) {
    // remove() unlinks the message first: a cut there leaves ID.sent alone, still listed as sent
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string id = queue.add("m", envelope());
    queue.mark_sent(id);
    ASSERT_EQ(::unlink(tmp.file("queue/" + id + ".eml").c_str()), 0);
    const auto entries = queue.entries();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].state, sending::QueueState::Sent);
    EXPECT_FALSE(entries[0].has_message);
}

TEST(SendQueue, LeftoversAreCleanedOnlyWhenOld) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    const std::string kept = queue.add("m", envelope());
    write_text(tmp.file("queue/00000000000000001-orphan.eml"), "cut short before its envelope");
    write_text(tmp.file("queue/00000000000000002-x.json.tmp.123"), "{");
    EXPECT_EQ(queue.remove_leftovers(), 0u);  // young: may be a queueing in progress
    make_old(tmp.file("queue/00000000000000001-orphan.eml"));
    make_old(tmp.file("queue/00000000000000002-x.json.tmp.123"));
    make_old(tmp.file("queue/" + kept + ".eml"));
    EXPECT_EQ(queue.remove_leftovers(), 2u);
    EXPECT_EQ(directory_entries(tmp.file("queue")), (std::vector<std::string>{kept + ".eml", kept + ".json"}));
}

TEST(SendQueue, IgnoresForeignFilesAndRejectsBrokenEnvelopes) {
    TempDir tmp;
    sending::Queue queue(tmp.file("queue"));
    queue.add("m", envelope());
    write_text(tmp.file("queue/README"), "x");
    write_text(tmp.file("queue/.lock"), "");
    EXPECT_EQ(queue.entries().size(), 1u);
    write_text(tmp.file("queue/00000000000000003-bad.json"), "{not json");
    try {
        queue.entries();
        FAIL() << "a broken envelope must not be skipped silently";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Data);
    }
}

TEST(SendQueue, MissingDirectoryIsAnEmptyQueue) {
    TempDir tmp;
    EXPECT_TRUE(sending::Queue(tmp.file("nowhere")).entries().empty());
}

TEST(SendQueue, EnvelopeJsonRoundTrips) {
    auto e = envelope();
    e.save_sent.reset();
    e.attempts = 3;
    e.last_error = "x";
    const auto back = sending::QueuedEnvelope::from_json(e.to_json(), "test");
    EXPECT_EQ(back.mail_from, e.mail_from);
    EXPECT_EQ(back.recipients, e.recipients);
    EXPECT_FALSE(back.save_sent.has_value());
    EXPECT_EQ(back.attempts, 3);
    EXPECT_THROW(sending::QueuedEnvelope::from_json(nlohmann::json{{"mail_from", "a"}}, "t"), Error);
}
