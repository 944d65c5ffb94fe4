// The IMAP session's mailbox and message calls over a scripted stream: LIST with SPECIAL-USE and
// LIST-STATUS (and the STATUS fallback), modified UTF-7 names, SELECT with QRESYNC, flag listings,
// STORE, EXPUNGE with and without UIDPLUS, SEARCH and IDLE.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/mailbox_name.hpp"
#include "imap/session.hpp"
#include "imap/session_mailboxes.hpp"
#include "imap/session_messages.hpp"
#include "imap/session_idle.hpp"
#include "imap_test_support.hpp"

using namespace zmail;
using namespace zmail::imap;
using namespace zmail::imap::testing;

TEST(ImapMailboxName, EncodesAndDecodes) {
    EXPECT_EQ(encode_mailbox_name("送信済み/テスト", false), "&kAFP4W4IMH8-/&MMYwuTDI-");
    EXPECT_EQ(encode_mailbox_name("送信済み/テスト", true), "送信済み/テスト");
    EXPECT_EQ(encode_mailbox_name("inbox", false), "INBOX");
    EXPECT_EQ(encode_mailbox_name("A&B", false), "A&-B");
    EXPECT_EQ(encode_mailbox_name("*", false), "*");
    EXPECT_EQ(decode_mailbox_name("Entw&APw-rfe", false), "Entwürfe");
    EXPECT_EQ(decode_mailbox_name("Entwürfe", false), "Entwürfe");  // raw UTF-8 from a careless server
    EXPECT_EQ(decode_mailbox_name("&kAFP4W4IMH8-", true), "&kAFP4W4IMH8-");
    EXPECT_THROW(encode_mailbox_name("bad\xff", false), Error);
    EXPECT_TRUE(same_mailbox("INBOX", "Inbox"));
    EXPECT_FALSE(same_mailbox("Sent", "sent"));
}

TEST(ImapSession, ListWithSpecialUseAndListStatusDecodesNames) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ))\r\n",
                  "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                  "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1700000000 UNSEEN 1 HIGHESTMODSEQ 5)\r\n"
                  "* LIST (\\HasChildren \\Sent) \"/\" &kAFP4W4IMH8-\r\n"
                  "* STATUS &kAFP4W4IMH8- (MESSAGES 7 UIDNEXT 8 UIDVALIDITY 1700000001 UNSEEN 0 HIGHESTMODSEQ 9)\r\n"
                  "* LIST (\\Noselect \\HasChildren) \"/\" {6}\r\nA \"b\"\\\r\n"
                  "* LIST (\\HasNoChildren) \"/\" \"&kAFP4W4IMH8-/&MMYwuTDI-\"\r\n"
                  "* STATUS \"&kAFP4W4IMH8-/&MMYwuTDI-\" (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1700000002 UNSEEN 0 "
                  "HIGHESTMODSEQ 1)\r\n"
                  "Z2 OK List completed (0.001 + 0.000 secs).\r\n");
    Session session(stream);
    ListRequest request;
    request.status = {StatusItem::Messages, StatusItem::UidNext, StatusItem::UidValidity, StatusItem::Unseen,
                      StatusItem::HighestModseq};
    const auto entries = Mailboxes(session).list(request);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[0].name, "INBOX");
    EXPECT_EQ(entries[0].status->messages.value_or(0), 2u);
    EXPECT_EQ(entries[1].name, "送信済み");
    EXPECT_EQ(entries[1].raw_name, "&kAFP4W4IMH8-");
    EXPECT_EQ(entries[1].special_use, "\\Sent");
    EXPECT_EQ(entries[1].delimiter.value_or('?'), '/');
    EXPECT_EQ(entries[1].status->uid_validity.value_or(0), 1700000001u);
    EXPECT_EQ(entries[1].status->highest_modseq.value_or(0), 9u);
    EXPECT_EQ(entries[2].name, "A \"b\"\\");
    EXPECT_FALSE(entries[2].selectable);
    EXPECT_FALSE(entries[2].status);
    EXPECT_EQ(entries[3].name, "送信済み/テスト");
    EXPECT_TRUE(entries[3].has_attribute("\\hasnochildren"));
    EXPECT_EQ(entries[3].status->messages.value_or(99), 0u);
}

TEST(ImapSession, ListFallsBackToPipelinedStatus) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 LIST \"\" \"*\"\r\n",
                  "* LIST (\\HasNoChildren) \".\" INBOX\r\n* LIST (\\Noselect) \".\" Archive\r\n"
                  "* LIST () \".\" Archive.2019\r\n* LIST (\\HasNoChildren) \".\" Entw&APw-rfe\r\nZ2 OK done\r\n");
    stream.expect("Z3 STATUS INBOX (MESSAGES UIDNEXT)\r\n", "");
    stream.expect("Z4 STATUS Archive.2019 (MESSAGES UIDNEXT)\r\n", "");
    stream.expect("Z5 STATUS Entw&APw-rfe (MESSAGES UIDNEXT)\r\n",
                  "* STATUS INBOX (MESSAGES 1 UIDNEXT 2)\r\nZ3 OK done\r\nZ4 NO [NOPERM] no\r\n"
                  "* STATUS Entw&APw-rfe (MESSAGES 4 UIDNEXT 10)\r\nZ5 OK done\r\n");
    Session session(stream);
    ListRequest request;
    request.status = {StatusItem::Messages, StatusItem::UidNext, StatusItem::HighestModseq};
    const auto entries = Mailboxes(session).list(request);
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(stream.max_burst(), 3u);
    EXPECT_EQ(entries[0].status->messages.value_or(0), 1u);
    EXPECT_FALSE(entries[1].status);
    EXPECT_FALSE(entries[2].status);  // refused: no status, no error
    EXPECT_EQ(entries[3].name, "Entwürfe");
    EXPECT_EQ(entries[3].status->uid_next.value_or(0), 10u);
}

TEST(ImapSession, NamesThatDoNotRoundTripAreSentAsListed) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    // Raw UTF-8 from a server that ignores RFC 3501: decoding keeps it, and it must go back the same way.
    stream.expect("Z2 LIST \"\" \"*\"\r\n", "* LIST () \"/\" {9}\r\nEntwürfe\r\nZ2 OK done\r\n");
    stream.expect("Z3 SELECT {9}\r\n", "+ OK\r\n", true);
    stream.expect("Entwürfe\r\n", "* 0 EXISTS\r\n* OK [UIDVALIDITY 5] ok\r\nZ3 OK [READ-WRITE] done\r\n");
    Session session(stream);
    const auto entries = Mailboxes(session).list();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].name, "Entwürfe");
    EXPECT_EQ(session.encode_mailbox("Entwürfe"), "Entwürfe");
    EXPECT_EQ(Mailboxes(session).select("Entwürfe").uid_validity, 5u);
}

TEST(ImapSession, Utf8AcceptSendsNamesAsUtf8) {
    ScriptedStream stream;
    expect_start(stream, "IMAP4rev1 ENABLE UTF8=ACCEPT");
    stream.expect("Z2 ENABLE UTF8=ACCEPT\r\n", "* ENABLED UTF8=ACCEPT\r\nZ2 OK done\r\n");
    stream.expect("Z3 CREATE \"送信済み/テスト\"\r\n", "Z3 OK done\r\n");
    SessionOptions options;
    options.enable_utf8 = true;
    Session session(stream, options);
    Mailboxes(session).create("送信済み/テスト");
    EXPECT_TRUE(session.enabled("UTF8=ACCEPT"));
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, SelectWithQresyncReportsVanishedAndChanges) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 ENABLE CONDSTORE QRESYNC\r\n", "* ENABLED QRESYNC\r\nZ2 OK Enabled.\r\n");
    stream.expect("Z3 SELECT &kAFP4W4IMH8- (QRESYNC (1700000001 20 1:30))\r\n",
                  "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                  "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
                  "* 25 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 3] First unseen.\r\n"
                  "* OK [UIDVALIDITY 1700000001] UIDs valid\r\n* OK [UIDNEXT 31] Predicted next UID\r\n"
                  "* OK [HIGHESTMODSEQ 27] Highest\r\n* VANISHED (EARLIER) 4,7:9\r\n"
                  "* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (25))\r\n* 3 FETCH (UID 3 FLAGS () MODSEQ (26))\r\n"
                  "Z3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n");
    SessionOptions options;
    options.enable_qresync = true;
    Session session(stream, options);
    std::vector<MessageFlags> changes;
    OpenOptions open;
    open.qresync = Qresync{1700000001, 20, "1:30"};
    open.on_changed = [&changes](const MessageFlags& change) { changes.push_back(change); };
    const SelectedMailbox box = Mailboxes(session).select("送信済み", open);
    EXPECT_EQ(box.uid_validity, 1700000001u);
    EXPECT_EQ(box.uid_next, 31u);
    EXPECT_EQ(box.exists, 25u);
    EXPECT_EQ(box.first_unseen.value_or(0), 3u);
    EXPECT_EQ(box.highest_modseq, 27u);
    EXPECT_FALSE(box.read_only);
    EXPECT_EQ(box.permanent_flags.back(), "\\*");
    EXPECT_EQ(box.vanished.to_string(), "4,7:9");
    EXPECT_EQ(box.changed, 2u);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].uid, 2u);
    EXPECT_EQ(changes[0].modseq, 25u);
    EXPECT_TRUE(changes[1].flags.empty());
    EXPECT_TRUE(session.updates().empty());
    ASSERT_TRUE(session.selected());
    EXPECT_EQ(session.selected()->name, "送信済み");
}

TEST(ImapSession, ExamineIsReadOnlyAndCondstoreAsked) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 EXAMINE INBOX (CONDSTORE)\r\n",
                  "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [NOMODSEQ] none\r\nZ2 OK [READ-ONLY] done\r\n");
    Session session(stream);
    OpenOptions open;
    open.condstore = true;
    const SelectedMailbox box = Mailboxes(session).examine("INBOX", open);
    EXPECT_TRUE(box.read_only);
    EXPECT_TRUE(box.no_modseq);
    EXPECT_EQ(box.highest_modseq, 0u);
}

// RFC 8474 OBJECTID: the MAILBOXID a SELECT reports names the folder across renames (Cyrus).
TEST(ImapSession, SelectReportsTheMailboxId) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 SELECT INBOX\r\n",
                  "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [MAILBOXID (F2212ea87-6097-4256_9d51)] Ok\r\n"
                  "Z2 OK [READ-WRITE] done\r\n");
    Session session(stream);
    const SelectedMailbox box = Mailboxes(session).select("INBOX", {});
    EXPECT_EQ(box.mailbox_id, "F2212ea87-6097-4256_9d51");
}

// Courier has no UNSELECT and refuses to RENAME the open folder; CLOSE would expunge. A failed
// EXAMINE leaves no folder selected (RFC 3501 6.3.1).
TEST(ImapSession, UnselectWithoutTheExtensionExaminesANameNoOneHas) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 SELECT INBOX\r\n", "* 3 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\nZ2 OK [READ-WRITE] done\r\n");
    stream.expect("Z3 EXAMINE ZMAIL-NO-SUCH-FOLDER-6B1C9E\r\n", "Z3 NO Mailbox does not exist\r\n");
    stream.expect("Z4 RENAME INBOX.A INBOX.B\r\n", "Z4 OK done\r\n");
    Session session(stream);
    Mailboxes mailboxes(session);
    mailboxes.select("INBOX", {});
    mailboxes.unselect();
    EXPECT_FALSE(session.selected());
    mailboxes.unselect();  // nothing selected: nothing sent
    mailboxes.rename("INBOX.A", "INBOX.B");
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, StatusOfOneFolder) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 STATUS &kAFP4W4IMH8- (MESSAGES UNSEEN)\r\n",
                  "* STATUS &kAFP4W4IMH8- (MESSAGES 12 UNSEEN 3)\r\nZ2 OK done\r\n");
    stream.expect("Z3 STATUS Nope (MESSAGES)\r\n", "Z3 NO [NONEXISTENT] Mailbox doesn't exist: Nope\r\n");
    Session session(stream);
    const MailboxStatus status = Mailboxes(session).status("送信済み", {StatusItem::Messages, StatusItem::Unseen,
                                                            StatusItem::HighestModseq});
    EXPECT_EQ(status.messages.value_or(0), 12u);
    EXPECT_EQ(status.unseen.value_or(0), 3u);
    const Error error = error_of([&] { Mailboxes(session).status("Nope", {StatusItem::Messages}); });
    EXPECT_STREQ(error.what(), "cannot get the status of folder 'Nope': no such folder");
}

TEST(ImapSession, FlagListingWithChangedSinceAndVanished) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 ENABLE CONDSTORE QRESYNC\r\n", "* ENABLED QRESYNC\r\nZ2 OK Enabled.\r\n");
    stream.expect("Z3 UID FETCH 1:* (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 20 VANISHED)\r\n",
                  "* VANISHED (EARLIER) 3:4\r\n"
                  "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (21) RFC822.SIZE 100 INTERNALDATE \"01-Jan-2020 00:00:00 +0000\")\r\n"
                  "* 5 EXISTS\r\n"
                  "* 2 FETCH (UID 5 FLAGS (\\Seen \\Flagged) MODSEQ (22) RFC822.SIZE 200 INTERNALDATE \"01-Jan-2020 "
                  "00:00:01 +0000\")\r\n"
                  "Z3 OK Fetch completed.\r\n");
    SessionOptions options;
    options.enable_qresync = true;
    Session session(stream, options);
    FlagListingOptions listing_options;
    listing_options.changed_since = 20;
    listing_options.size_and_date = true;
    const FlagListingAll listing = Messages(session).uid_fetch_flags("1:*", listing_options);
    ASSERT_EQ(listing.messages.size(), 2u);
    EXPECT_EQ(listing.messages[1].uid, 5u);
    EXPECT_EQ(listing.messages[1].modseq, 22u);
    EXPECT_EQ(listing.messages[1].size.value_or(0), 200u);
    EXPECT_EQ(listing.messages[0].internal_date.value_or(0), 1577836800);
    EXPECT_EQ(listing.vanished.to_string(), "3:4");
    EXPECT_EQ(session.updates().exists.value_or(0), 5u);
}

TEST(ImapSession, FlagListingCallbackExceptionComesAfterTheReply) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 1:* (UID FLAGS)\r\n",
                  "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\nZ2 OK done\r\n");
    stream.expect("Z3 NOOP\r\n", "Z3 OK done\r\n");
    Session session(stream);
    int calls = 0;
    const Error error = error_of([&] {
        Messages(session).uid_fetch_flags("1:*", {}, [&calls](const MessageFlags&) {
            ++calls;
            throw Error(ErrorKind::Storage, "cannot write state");
        });
    });
    EXPECT_EQ(error.kind, ErrorKind::Storage);
    EXPECT_EQ(calls, 1);
    session.noop();
}

TEST(ImapSession, StoreSplitsLongSetsAndReportsModified) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    std::vector<std::uint32_t> uids;
    for (std::uint32_t uid = 1; uid <= 6000; uid += 2) uids.push_back(uid);  // about 15,000 bytes of set
    const auto sets = format_sequence_sets(uids);
    ASSERT_GE(sets.size(), 2u);
    for (std::size_t i = 0; i < sets.size(); ++i) {
        const std::string tag = "Z" + std::to_string(i + 2);
        stream.expect(tag + " UID STORE " + sets[i] + " (UNCHANGEDSINCE 40) +FLAGS.SILENT (\\Seen)\r\n",
                      i == 0 ? "* 1 FETCH (UID 1 MODSEQ (41))\r\n* 2 FETCH (UID 3 FLAGS (\\Seen \\Flagged))\r\n" + tag +
                                   " OK [MODIFIED 7,9] Conditional store failed\r\n"
                             : tag + " OK Store completed.\r\n");
    }
    Session session(stream);
    const StoreResult result = Messages(session).uid_store(uids, StoreMode::Add, {"\\Seen"}, 40);
    EXPECT_EQ(result.modified.to_string(), "7,9");
    EXPECT_EQ(stream.max_burst(), sets.size());
    // The echo of our own change was used; the FETCH with FLAGS was someone else's.
    ASSERT_EQ(session.updates().flag_changes.size(), 1u);
    EXPECT_EQ(session.updates().flag_changes[0].uid, 3u);
}

TEST(ImapSession, ExpungeWithUidplus) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 UID EXPUNGE 3:4,9\r\n", "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 7 EXPUNGE\r\nZ2 OK Expunge completed.\r\n");
    Session session(stream);
    const std::vector<std::uint32_t> uids{9, 3, 4};
    EXPECT_EQ(Messages(session).uid_expunge(uids), 3u);
    EXPECT_TRUE(session.updates().expunged.empty());
}

TEST(ImapSession, ExpungeWithoutUidplusOnlyWhenSafe) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID SEARCH DELETED\r\n", "* SEARCH 4 3\r\nZ2 OK done\r\n");
    stream.expect("Z3 EXPUNGE\r\n", "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\nZ3 OK done\r\n");
    stream.expect("Z4 UID SEARCH DELETED\r\n", "* SEARCH 3 4 8\r\nZ4 OK done\r\n");
    Session session(stream);
    const std::vector<std::uint32_t> uids{3, 4};
    EXPECT_EQ(Messages(session).uid_expunge(uids), 2u);
    const Error error = error_of([&] { Messages(session).uid_expunge(uids); });
    EXPECT_EQ(error.kind, ErrorKind::Unavailable);
    EXPECT_STREQ(error.what(),
                 "cannot expunge messages in the selected folder: other messages are marked deleted and "
                 "'imap.example.com:993' lacks UIDPLUS");
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unexpected(), "");
}

TEST(ImapSession, SearchByMessageId) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID SEARCH HEADER Message-ID <a.b@example.org>\r\n", "* SEARCH 17 5\r\nZ2 OK done\r\n");
    stream.expect("Z3 UID SEARCH HEADER Message-ID <none@example.org>\r\n", "* SEARCH\r\nZ3 OK done\r\n");
    Session session(stream);
    EXPECT_EQ(Messages(session).uid_search_message_id("<a.b@example.org>"), (std::vector<std::uint32_t>{5, 17}));
    EXPECT_TRUE(Messages(session).uid_search_message_id("<none@example.org>").empty());
}

TEST(ImapSession, IdleStopsAtNewMessage) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 IDLE\r\n", "+ idling\r\n* OK Still here\r\n* 4 EXISTS\r\n");
    stream.expect("DONE\r\n", "Z2 OK Idle completed (0.001 + 5.000 secs).\r\n");
    Session session(stream);
    EXPECT_EQ(idle(session, std::chrono::seconds(60)), IdleEnd::Stopped);
    EXPECT_EQ(session.updates().exists.value_or(0), 4u);
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, IdleEndsAfterItsTimeAndRestoresTheIoTimeout) {
    ScriptedStream stream;
    stream.set_timeout_mode(true);
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 IDLE\r\n", "+ idling\r\n* OK Still here\r\n");
    stream.expect("DONE\r\n", "Z2 OK Idle completed.\r\n");
    std::vector<long> timeouts;
    SessionOptions options;
    options.io_timeout = std::chrono::seconds(30);
    options.set_io_timeout = [&timeouts](std::chrono::seconds t) { timeouts.push_back(static_cast<long>(t.count())); };
    Session session(stream, options);
    const auto start = std::chrono::steady_clock::now();
    int seen = 0;
    EXPECT_EQ(idle(session, std::chrono::seconds(1), [&seen](const Response&) { return ++seen > 5; }), IdleEnd::Timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(seen, 1);
    ASSERT_FALSE(timeouts.empty());
    EXPECT_EQ(timeouts.front(), 1);
    EXPECT_EQ(timeouts.back(), 30);
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, IdleRefused) {
    ScriptedStream stream;
    expect_start(stream, "IMAP4rev1");
    Session session(stream);
    EXPECT_EQ(error_of([&] { idle(session, std::chrono::seconds(1)); }).kind, ErrorKind::Unavailable);
}

TEST(ImapSession, CallingTheSessionFromACallbackIsRefused) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 1 (UID FLAGS)\r\n", "* 1 FETCH (UID 1 FLAGS ())\r\nZ2 OK done\r\n");
    Session session(stream);
    const Error error =
        error_of([&] { Messages(session).uid_fetch_flags("1", {}, [&session](const MessageFlags&) { session.noop(); }); });
    EXPECT_EQ(error.kind, ErrorKind::Internal);
    EXPECT_FALSE(session.broken());
}

TEST(ImapSession, NamespacesWhenOfferedAndNothingOtherwise) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NAMESPACE\r\n", "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\"))\r\n"
                                      "Z2 OK NAMESPACE completed\r\n");
    Session session(stream);
    const auto found = Mailboxes(session).namespaces();
    ASSERT_TRUE(found);
    ASSERT_EQ(found->personal.size(), 1u);
    EXPECT_EQ(found->personal[0].prefix, "INBOX.");
    EXPECT_EQ(found->personal[0].delimiter, '.');
    EXPECT_EQ(found->shared.at(0).prefix, "#shared.");

    ScriptedStream without;
    expect_start(without, "IMAP4rev1 IDLE");
    Session old(without);
    EXPECT_FALSE(Mailboxes(old).namespaces());  // nothing is sent
}
