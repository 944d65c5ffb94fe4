// A first sync lists the whole far folder: the IMAP store sends that UID FETCH right behind the
// SELECT (one round trip for both, the "Push, moves, wire" issue's initial sync at 40 ms), and
// keeps the session in step when either is refused. The scripted server takes both commands as
// one step: a client that waited for the SELECT's answer before sending the FETCH would find
// nothing to read and fail.
#include "store/imap_store.hpp"

#include "imap_test_support.hpp"

#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::imap::testing;

namespace {

const char* const pipelined = "Z3 SELECT INBOX\r\nZ4 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)\r\n";

void expect_naming(ScriptedStream& stream) {
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NAMESPACE\r\n", "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nZ2 OK NAMESPACE completed\r\n");
}

std::string selected(std::uint32_t exists) {
    return "* " + std::to_string(exists) + " EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n"
           "* OK [UIDNEXT 10] Predicted next UID\r\nZ3 OK [READ-WRITE] Select completed\r\n";
}

}  // namespace

TEST(ImapStoreListing, TheFirstListingFollowsTheSelectOntoTheWire) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(2) +
                                 "* 1 FETCH (UID 3 FLAGS (\\Seen \\Flagged) RFC822.SIZE 100 INTERNALDATE "
                                 "\"01-Jan-2024 10:00:00 +0900\")\r\n"
                                 "* 2 FETCH (UID 9 FLAGS () RFC822.SIZE 2000 INTERNALDATE "
                                 "\"02-Jan-2024 10:00:00 +0900\")\r\n"
                                 "* 1 FETCH (UID 3 FLAGS (\\Seen))\r\n"  // a change while listing: the later wins
                                 "Z4 OK Fetch completed\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    const store::FolderStatus status = store.select("INBOX");
    EXPECT_EQ(status.uid_validity, 7u);
    EXPECT_EQ(status.uid_next, 10u);
    const store::Listing listing = store.list_messages(0);  // nothing more on the wire
    EXPECT_FALSE(listing.partial);
    ASSERT_EQ(listing.messages.size(), 2u);
    EXPECT_EQ(listing.messages[0].uid, 3u);
    EXPECT_EQ(listing.messages[0].flags, store::Seen);
    EXPECT_EQ(listing.messages[0].size, 100u);
    EXPECT_EQ(listing.messages[1].uid, 9u);
    EXPECT_EQ(listing.messages[1].flags, 0);
    EXPECT_EQ(listing.messages[1].size, 2000u);
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, ListingAgainAsksTheServerAgain) {
    // the prefetched listing serves one list_messages(0) only; the next one is current
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(1) + "* 1 FETCH (UID 3 FLAGS () RFC822.SIZE 100)\r\nZ4 OK done\r\n");
    stream.expect("Z5 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)\r\n",
                  "* 1 FETCH (UID 3 FLAGS (\\Seen) RFC822.SIZE 100)\r\n* 2 FETCH (UID 11 FLAGS () RFC822.SIZE 5)\r\n"
                  "Z5 OK done\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    store.select("INBOX");
    EXPECT_EQ(store.list_messages(0).messages.size(), 1u);
    const store::Listing again = store.list_messages(0);
    ASSERT_EQ(again.messages.size(), 2u);
    EXPECT_EQ(again.messages[0].flags, store::Seen);
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, AnEmptyFolderThatRefusesTheRangeListsNothing) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(0) + "Z4 BAD Error in IMAP command UID FETCH: Invalid messageset\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    store.select("INBOX");
    EXPECT_TRUE(store.list_messages(0).messages.empty());
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, ARefusedListingOfAFolderWithMailIsAnError) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(2) + "Z4 NO Internal error\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    const Error e = error_of([&] { store.select("INBOX"); });
    EXPECT_NE(std::string(e.what()).find("cannot list messages in folder 'INBOX'"), std::string::npos) << e.what();
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, ARefusedSelectReadsTheListingsAnswerAndTheSessionGoesOn) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, "Z3 NO Mailbox doesn't exist: INBOX\r\nZ4 BAD No mailbox selected\r\n");
    stream.expect("Z5 SELECT Sent\r\n", "* 0 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\nZ5 OK [READ-WRITE] done\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    const Error e = error_of([&] { store.select("INBOX"); });
    EXPECT_NE(std::string(e.what()).find("INBOX"), std::string::npos) << e.what();
    // the next command gets its own answer, not the listing's; and no listing rides along unasked
    EXPECT_EQ(store.select("Sent").uid_validity, 8u);
    EXPECT_TRUE(store.list_messages(0).messages.empty());
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapLoginCapabilities, WhatTheLoginAnnouncedIsParsed) {
    const auto untagged = imap::Capabilities::announced("* CAPABILITY IMAP4rev1 IDLE CONDSTORE QRESYNC");
    EXPECT_EQ(untagged.atoms(), (std::vector<std::string>{"IMAP4rev1", "IDLE", "CONDSTORE", "QRESYNC"}));
    const auto code = imap::Capabilities::announced("A002 OK [CAPABILITY IMAP4rev1 UIDPLUS MOVE] Logged in");
    EXPECT_EQ(code.atoms(), (std::vector<std::string>{"IMAP4rev1", "UIDPLUS", "MOVE"}));
    EXPECT_TRUE(imap::Capabilities::announced("A002 OK Logged in").empty());
    EXPECT_TRUE(imap::Capabilities::announced("A002 OK [CAPABILITY IMAP4rev1 IDLE").empty());  // no ']'
    EXPECT_TRUE(imap::Capabilities::announced("* CAPABILITY IDLE ENABLE").empty());            // not IMAP
}

TEST(ImapLoginCapabilities, ASessionStartedWithThemAsksNoCapability) {
    ScriptedStream stream;
    stream.expect("Z1 ENABLE CONDSTORE\r\n", "* ENABLED CONDSTORE\r\nZ1 OK Enabled\r\n");
    imap::SessionOptions options;
    options.enable_condstore = true;
    options.capabilities = imap::Capabilities::announced("* CAPABILITY IMAP4rev1 ENABLE CONDSTORE");
    imap::Session session(stream, options);
    session.start();
    EXPECT_TRUE(session.capabilities().has("CONDSTORE"));
    EXPECT_TRUE(session.condstore());
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapLoginCapabilities, NamespaceIsAskedWithEnableAndAnsweredFromThen) {
    ScriptedStream stream;
    // one step: NAMESPACE goes out behind ENABLE before either is answered
    stream.expect("Z1 ENABLE UTF8=ACCEPT\r\nZ2 NAMESPACE\r\n",
                  "* ENABLED UTF8=ACCEPT\r\nZ1 OK Enabled\r\n"
                  "* NAMESPACE ((\"INBOX.\" \".\")) NIL NIL\r\nZ2 OK Namespace completed\r\n");
    stream.expect("Z3 LIST \"\" \"*\"\r\n", "* LIST () \".\" INBOX\r\n* LIST () \".\" INBOX.Sent\r\nZ3 OK done\r\n");
    imap::SessionOptions options;
    options.enable_utf8 = true;
    options.ask_namespace = true;
    options.capabilities = imap::Capabilities::announced("* CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT NAMESPACE");
    imap::Session session(stream, options);
    store::ImapStore store(session, "imap.example.test");
    std::vector<std::string> names;
    for (const auto& f : store.list_folders()) names.push_back(f.name);  // no second NAMESPACE
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "Sent"}));
    EXPECT_TRUE(stream.script_done());
}

namespace {

// A QRESYNC session whose capabilities came with the login: ENABLE, then NAMESPACE.
imap::SessionOptions qresync_session(ScriptedStream& stream) {
    stream.expect("Z1 ENABLE CONDSTORE QRESYNC\r\n", "* ENABLED CONDSTORE QRESYNC\r\nZ1 OK Enabled\r\n");
    stream.expect("Z2 NAMESPACE\r\n", "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nZ2 OK NAMESPACE completed\r\n");
    imap::SessionOptions options;
    options.enable_qresync = true;
    options.capabilities = imap::Capabilities::announced("* CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC NAMESPACE");
    return options;
}

const char* const changes_pipelined =
    "Z3 SELECT INBOX\r\n"  // (QRESYNC enabled: CONDSTORE goes without saying)
    "Z4 UID FETCH 1:9,10:* (UID FLAGS RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 5 VANISHED)\r\n";

std::string selected_with_modseq() {
    return "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 12] ok\r\n* OK [HIGHESTMODSEQ 9] ok\r\n"
           "Z3 OK [READ-WRITE] Select completed\r\n";
}

}  // namespace

// The changes since the last run ride behind the SELECT too, over every UID the state knows: the
// expunged ones above the highest UID left are reported VANISHED (with "1:*" Cyrus says nothing).
TEST(ImapStoreListing, TheChangesSinceTheLastRunFollowTheSelect) {
    ScriptedStream stream;
    imap::SessionOptions options = qresync_session(stream);
    stream.expect(changes_pipelined, selected_with_modseq() +
                                         "* VANISHED (EARLIER) 4,9\r\n"
                                         "* 2 FETCH (UID 5 FLAGS (\\Seen) RFC822.SIZE 10 MODSEQ (8))\r\n"
                                         "* 3 FETCH (UID 11 FLAGS () RFC822.SIZE 20 MODSEQ (9))\r\n"
                                         "Z4 OK Fetch completed\r\n");
    imap::Session session(stream, options);
    store::ImapStore store(session, "imap.example.test");
    store.expect_changes_since(5, 9);
    EXPECT_EQ(store.select("INBOX").highest_modseq, 9u);
    const store::Listing listing = store.list_messages(5);  // nothing more on the wire
    EXPECT_TRUE(listing.partial);
    EXPECT_EQ(listing.vanished, (std::vector<std::uint32_t>{4, 9}));
    ASSERT_EQ(listing.messages.size(), 2u);
    EXPECT_EQ(listing.messages[0].uid, 5u);
    EXPECT_EQ(listing.messages[1].uid, 11u);
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, RefusedChangesAreAskedAgainTheUsualWay) {
    ScriptedStream stream;
    imap::SessionOptions options = qresync_session(stream);
    stream.expect(changes_pipelined, selected_with_modseq() + "Z4 BAD Internal error\r\n");
    stream.expect("Z5 UID FETCH 1:11 (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE) (CHANGEDSINCE 5 VANISHED)\r\n",
                  "* 2 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (8) RFC822.SIZE 10)\r\nZ5 OK done\r\n");
    imap::Session session(stream, options);
    store::ImapStore store(session, "imap.example.test");
    store.expect_changes_since(5, 9);
    store.select("INBOX");
    const store::Listing listing = store.list_messages(5);
    EXPECT_TRUE(listing.partial);
    ASSERT_EQ(listing.messages.size(), 1u);
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapStoreListing, ChangesSinceAnotherModseqAreNotTakenForTheAskedOnes) {
    // the engine asks a full listing after all (UIDVALIDITY changed): the prefetched changes go
    ScriptedStream stream;
    imap::SessionOptions options = qresync_session(stream);
    stream.expect(changes_pipelined, selected_with_modseq() + "Z4 OK Fetch completed\r\n");
    stream.expect("Z5 UID FETCH 1:* (UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE)\r\n",
                  "* 1 FETCH (UID 1 FLAGS () MODSEQ (1) RFC822.SIZE 1)\r\nZ5 OK done\r\n");
    imap::Session session(stream, options);
    store::ImapStore store(session, "imap.example.test");
    store.expect_changes_since(5, 9);
    store.select("INBOX");
    const store::Listing listing = store.list_messages(0);
    EXPECT_FALSE(listing.partial);
    EXPECT_EQ(listing.messages.size(), 1u);
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapStoreListing, AnAnnouncedListingIsForTheNextSelectOnlyEvenWhenItFails) {
    // a name the server cannot hold fails before anything is sent: the listing announced for it
    // must not ride behind the next folder's SELECT
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect("Z3 SELECT INBOX\r\n", selected(0));
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    EXPECT_EQ(error_of([&] { store.select("a//b"); }).kind, ErrorKind::Usage);
    store.select("INBOX");
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unread(), 0u);
}

// The caller's work (the sync reads the Maildir) runs while the server opens the folder: the
// SELECT and its listing are on the wire before it starts, their answers read after it ends.
TEST(ImapStoreListing, TheCallersWorkRunsWhileTheSelectIsOnTheWire) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(0) + "Z4 OK Fetch completed\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    bool ran = false;
    store.while_selecting([&] {
        ran = true;
        EXPECT_TRUE(stream.script_done());  // both commands sent in full
        EXPECT_GT(stream.unread(), 0u);     // their answers not read yet
    });
    EXPECT_EQ(store.select("INBOX").uid_validity, 7u);
    EXPECT_TRUE(ran);
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(ImapStoreListing, WorkThatFailsMeanwhileFailsTheSelectOnceItsAnswersAreRead) {
    ScriptedStream stream;
    expect_naming(stream);
    stream.expect(pipelined, selected(0) + "Z4 OK Fetch completed\r\n");
    stream.expect("Z5 SELECT Sent\r\n", "* 0 EXISTS\r\n* OK [UIDVALIDITY 8] ok\r\nZ5 OK [READ-WRITE] done\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    store.expect_full_listing();
    store.while_selecting([] { throw Error(ErrorKind::Storage, "cannot read the Maildir"); });
    const Error e = error_of([&] { store.select("INBOX"); });
    EXPECT_EQ(e.kind, ErrorKind::Storage);
    EXPECT_EQ(stream.unread(), 0u);
    // the session is in step, and the work was for that select only
    EXPECT_EQ(store.select("Sent").uid_validity, 8u);
    EXPECT_TRUE(stream.script_done());
}
