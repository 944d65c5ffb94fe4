// The IMAP session over a scripted in-memory stream: start-up, pipelined body fetches with bodies
// that look like protocol, synchronizing literals, NO/BAD mapping, BYE, unsolicited data, traces,
// and broken connections.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "imap/session.hpp"
#include "imap/session_mailboxes.hpp"
#include "imap/session_messages.hpp"
#include "imap_test_support.hpp"

using namespace zmail;
using namespace zmail::imap;
using namespace zmail::imap::testing;

namespace {

std::string body_for(std::uint32_t uid) {
    std::string body = "From: sender" + std::to_string(uid) + "@example.org\r\nSubject: message " +
                       std::to_string(uid) + "\r\n\r\n";
    body += "Z2 OK FETCH completed\r\n* 3 FETCH (FLAGS (\\Deleted))\r\nA004 OK FETCH completed\r\n";
    body += ")\r\n{5}\r\n+ go ahead\r\n* BYE not really\r\n";
    body += std::string(uid % 97, 'x') + "\r\n";
    return body;
}

std::string fetch_response(std::uint32_t sequence, std::uint32_t uid, const std::string& body, bool modseq) {
    return "* " + std::to_string(sequence) + " FETCH (UID " + std::to_string(uid) +
           " FLAGS (\\Seen $Forwarded) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE " +
           std::to_string(body.size()) + (modseq ? " MODSEQ (" + std::to_string(1000 + uid) + ")" : "") +
           " BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
}

/// Scripts UID FETCH of 1..count in batches of 50 (tags from Z2 on) with every message present.
void expect_body_batches(ScriptedStream& stream, std::uint32_t count, bool modseq, bool with_unsolicited) {
    int tag = 2;
    for (std::uint32_t first = 1; first <= count; first += 50, ++tag) {
        const std::uint32_t last = std::min(count, first + 49);
        const std::string set = first == last ? std::to_string(first) : std::to_string(first) + ":" + std::to_string(last);
        std::string reply;
        for (std::uint32_t uid = first; uid <= last; ++uid) {
            reply += fetch_response(uid, uid, body_for(uid), modseq);
            if (with_unsolicited && uid == 7) reply += "* 7 FETCH (FLAGS (\\Seen \\Flagged))\r\n";
        }
        reply += "Z" + std::to_string(tag) + " OK Fetch completed (0.001 + 0.000 secs).\r\n";
        stream.expect("Z" + std::to_string(tag) + " UID FETCH " + set + " (UID FLAGS INTERNALDATE RFC822.SIZE " +
                          (modseq ? "MODSEQ " : "") + "BODY.PEEK[])\r\n",
                      reply);
    }
}

std::vector<std::uint32_t> one_to(std::uint32_t count) {
    std::vector<std::uint32_t> uids;
    for (std::uint32_t uid = 1; uid <= count; ++uid) uids.push_back(uid);
    return uids;
}

AppendSource source_of(const std::string& bytes) {
    auto position = std::make_shared<std::size_t>(0);
    return AppendSource{bytes.size(), [bytes, position](char* buffer, std::size_t capacity) {
                            const std::size_t n = std::min(capacity, bytes.size() - *position);
                            std::copy_n(bytes.data() + *position, n, buffer);
                            *position += n;
                            return n;
                        }};
}

}  // namespace

TEST(ImapSession, StartAsksCapabilityThenIdAndEnable) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 ID (\"name\" \"zmail\" \"version\" \"" ZMAIL_VERSION "\")\r\n",
                  "* ID (\"name\" \"Dovecot\")\r\nZ2 OK ID completed.\r\n");
    stream.expect("Z3 ENABLE CONDSTORE QRESYNC\r\n", "* ENABLED CONDSTORE QRESYNC\r\nZ3 OK Enabled.\r\n");
    stream.expect("Z4 LOGOUT\r\n", "* BYE Logging out\r\nZ4 OK Logout completed.\r\n");
    SessionOptions options;
    options.send_id = true;
    options.enable_qresync = true;
    Session session(stream, options);
    EXPECT_TRUE(session.capabilities().has("uidplus"));
    EXPECT_FALSE(session.capabilities().has("UTF8=ACCEPT"));
    EXPECT_TRUE(session.qresync());
    EXPECT_TRUE(session.enabled("condstore"));
    ASSERT_TRUE(session.server_id());
    EXPECT_EQ(session.server_id()->fields.at(0).second.value_or(""), "Dovecot");
    // ID and ENABLE went out together, before either answer was read.
    EXPECT_EQ(stream.max_burst(), 2u);
    session.logout();
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unexpected(), "");
}

TEST(ImapSession, DestructorLogsOutAndNeverThrows) {
    {
        ScriptedStream stream;
        expect_start(stream, plain_capabilities);
        stream.expect("Z2 NOOP\r\n", "Z2 OK NOOP completed.\r\n");
        stream.expect("Z3 LOGOUT\r\n", "* BYE Logging out\r\n");  // the server closes without a tagged OK
        {
            Session session(stream);
            session.noop();
        }
        EXPECT_TRUE(stream.script_done());
    }
    {
        ScriptedStream stream;  // nothing scripted: LOGOUT goes out, the read fails, nothing is thrown
        { Session session(stream); }
        EXPECT_EQ(stream.unexpected(), "Z1 LOGOUT\r\n");
    }
}

TEST(ImapSession, PipelinedBodiesWithFakeResponsesAtManyChunkSizes) {
    for (std::vector<std::size_t> chunks : std::vector<std::vector<std::size_t>>{{1}, {2, 3}, {7}, {5, 1, 64}, {65536}}) {
        SCOPED_TRACE(chunks.front());
        ScriptedStream stream;
        stream.set_chunk_sizes(chunks);
        expect_start(stream, dovecot_capabilities);
        expect_body_batches(stream, 120, true, true);
        Session session(stream);
        RecordingMessageSink sink;
        const auto uids = one_to(120);
        const FetchBodiesResult result = Messages(session).uid_fetch_bodies(uids, sink);
        EXPECT_EQ(result.delivered, 120u);
        EXPECT_TRUE(result.missing.empty());
        EXPECT_TRUE(result.refused.empty());
        EXPECT_EQ(stream.max_burst(), 3u);  // all three batches were sent before any answer
        ASSERT_EQ(sink.messages.size(), 120u);
        for (std::uint32_t i = 0; i < 120; ++i) {
            const auto& message = sink.messages[i];
            EXPECT_TRUE(message.completed);
            EXPECT_EQ(message.body, body_for(i + 1));
            EXPECT_EQ(message.info.uid, i + 1);
            EXPECT_EQ(message.start.uid.value_or(0), i + 1);
            EXPECT_EQ(message.info.size, message.body.size());
            EXPECT_EQ(message.info.modseq, 1001 + i);
            EXPECT_EQ(message.info.flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
            EXPECT_EQ(message.info.internal_date.value_or(0), 837596665);
        }
        EXPECT_EQ(sink.abandoned, 0);
        // The flag change sent in between went to the updates, not to the sink.
        ASSERT_EQ(session.updates().flag_changes.size(), 1u);
        EXPECT_EQ(session.updates().flag_changes[0].sequence, 7u);
        EXPECT_EQ(session.updates().flag_changes[0].uid, 0u);
        EXPECT_EQ(stream.unread(), 0u);
    }
}

TEST(ImapSession, MissingMessagesAndRefusedFetchAreReported) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 4:6 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  fetch_response(1, 4, "a\r\n", false) + fetch_response(2, 6, "b\r\n", false) +
                      "Z2 NO Some messages could not be FETCHed (0.001 + 0.000 secs).\r\n");
    Session session(stream);
    RecordingMessageSink sink;
    const std::vector<std::uint32_t> uids{4, 5, 6};
    const auto result = Messages(session).uid_fetch_bodies(uids, sink);
    EXPECT_EQ(result.delivered, 2u);
    EXPECT_EQ(result.missing, std::vector<std::uint32_t>{5});
    ASSERT_EQ(result.refused.size(), 1u);
    EXPECT_EQ(result.refused[0].status, Status::No);
}

TEST(ImapSession, SinkExceptionDrainsInFlightThenRethrows) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    // Batches of 2 with 2 in flight: the sink fails in message 2, so batch 3 is never sent.
    stream.expect("Z2 UID FETCH 1:2 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  fetch_response(1, 1, body_for(1), false) + fetch_response(2, 2, body_for(2), false) + "Z2 OK done\r\n");
    stream.expect("Z3 UID FETCH 3:4 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  fetch_response(3, 3, body_for(3), false) + fetch_response(4, 4, body_for(4), false) + "Z3 OK done\r\n");
    stream.expect("Z4 NOOP\r\n", "Z4 OK NOOP completed.\r\n");
    Session session(stream);
    RecordingMessageSink sink;
    sink.throw_in_message = 2;
    const auto uids = one_to(6);
    const Error error = error_of([&] { Messages(session).uid_fetch_bodies(uids, sink, FetchBodiesOptions{2, 2}); });
    EXPECT_EQ(error.kind, ErrorKind::Storage);
    EXPECT_EQ(sink.messages.size(), 2u);  // later bodies were read and dropped
    EXPECT_TRUE(sink.messages[0].completed);
    EXPECT_FALSE(sink.messages[1].completed);
    EXPECT_EQ(sink.abandoned, 1);
    EXPECT_FALSE(session.broken());
    session.noop();  // still in step
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, SynchronizingLiteralWaitsForContinuation) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    const std::string message = "Subject: hi\r\n\r\nZ3 OK not yet\r\n";
    stream.expect("Z2 APPEND Sent (\\Seen) \"24-Dec-2020 18:00:00 +0100\" {" + std::to_string(message.size()) + "}\r\n",
                  "+ Ready for literal data\r\n", true);
    stream.expect(message + "\r\n", "Z2 OK Append completed.\r\n");
    Session session(stream);
    const DateTime date{1608829200, 60};
    const AppendResult result = Messages(session).append("Sent", source_of(message), {"\\Seen"}, date);
    EXPECT_TRUE(result.result.ok());
    EXPECT_FALSE(result.uid);
    EXPECT_TRUE(stream.script_done());
}

TEST(ImapSession, NoInsteadOfContinuationSendsNoLiteral) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 APPEND &kAFP4W4IMH8- {5}\r\n", "Z2 NO [TRYCREATE] Mailbox doesn't exist: &kAFP4W4IMH8-\r\n");
    stream.expect("Z3 APPEND &kAFP4W4IMH8- {5}\r\n", "Z3 NO [TRYCREATE] Mailbox doesn't exist: &kAFP4W4IMH8-\r\n");
    stream.expect("Z4 NOOP\r\n", "Z4 OK NOOP completed.\r\n");
    Session session(stream);
    try {
        Messages(session).append("送信済み", source_of("hello"));
        ADD_FAILURE() << "no error";
    } catch (const CommandError& error) {
        EXPECT_EQ(error.result.status, Status::No);
        EXPECT_TRUE(error.result.has_code(CodeKind::TryCreate));
    }
    try {
        Messages(session).append("送信済み", source_of("hello"));
        ADD_FAILURE() << "no error";
    } catch (const CommandError& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_STREQ(error.what(), "cannot append a message to folder '送信済み': no such folder");
        EXPECT_EQ(error.server_reply, "Z3 NO [TRYCREATE] Mailbox doesn't exist: &kAFP4W4IMH8-");
        EXPECT_TRUE(error.result.has_code(CodeKind::TryCreate));
    }
    session.noop();
    EXPECT_TRUE(stream.script_done());
    EXPECT_EQ(stream.unexpected(), "");
}

TEST(ImapSession, LiteralPlusAppendStreamsAtOnceAndReadsAppendUid) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    std::string message(300000, 'm');
    for (std::size_t i = 0; i < message.size(); i += 1000) message.replace(i, 2, "\r\n");
    stream.expect("Z2 APPEND INBOX (\\Seen $Forwarded) {300000+}\r\n" + message + "\r\n",
                  "Z2 OK [APPENDUID 1700000000 42] Append completed.\r\n");
    Session session(stream);
    const AppendResult result = Messages(session).append("inbox", source_of(message), {"\\Seen", "$Forwarded"});
    EXPECT_EQ(result.uid_validity.value_or(0), 1700000000u);
    EXPECT_EQ(result.uid.value_or(0), 42u);
}

TEST(ImapSession, ShortOrLongAppendSourceBreaksTheSessionWithoutEndingTheLiteral) {
    for (bool too_long : {false, true}) {
        ScriptedStream stream;
        expect_start(stream, dovecot_capabilities);
        const std::string message = "0123456789";
        AppendSource source = source_of(too_long ? message + "extra" : message.substr(0, 6));
        source.size = 10;
        stream.expect("Z2 APPEND INBOX {10+}\r\n", "");
        Session session(stream);
        const Error error = error_of([&] { Messages(session).append("INBOX", source); });
        EXPECT_EQ(error.kind, ErrorKind::Data);
        EXPECT_TRUE(session.broken());
        // No CRLF ended the literal, and no LOGOUT follows it.
        EXPECT_EQ(stream.unexpected(), too_long ? message : message.substr(0, 6));
        EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Network);
    }
}

TEST(ImapSession, TaggedNoAndBadMapToErrorKinds) {
    struct Case {
        std::string reply;
        ErrorKind kind;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"NO [ALREADYEXISTS] Mailbox already exists", ErrorKind::Protocol,
         "cannot create folder '送信済み/テスト': it already exists"},
        {"NO [OVERQUOTA] Quota exceeded", ErrorKind::Temporary,
         "cannot create folder '送信済み/テスト': the mailbox is over quota"},
        {"NO [INUSE] Mailbox is locked", ErrorKind::Temporary, "cannot create folder '送信済み/テスト': the folder is in use"},
        {"NO [UNAVAILABLE] Try later", ErrorKind::Temporary,
         "cannot create folder '送信済み/テスト': the server is temporarily unavailable"},
        {"NO [AUTHORIZATIONFAILED] No", ErrorKind::Auth, "cannot create folder '送信済み/テスト': not authorized"},
        {"NO [NOPERM] Permission denied", ErrorKind::Protocol, "cannot create folder '送信済み/テスト': permission denied"},
        {"NO Something went wrong", ErrorKind::Protocol, "cannot create folder '送信済み/テスト': refused by the server"},
        {"BAD Error in IMAP command CREATE: Invalid arguments.", ErrorKind::Protocol,
         "cannot create folder '送信済み/テスト': the server rejected the command"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.reply);
        ScriptedStream stream;
        expect_start(stream, dovecot_capabilities);
        stream.expect("Z2 CREATE &kAFP4W4IMH8-/&MMYwuTDI-\r\n", "Z2 " + c.reply + "\r\n");
        stream.expect("Z3 NOOP\r\n", "Z3 OK NOOP completed.\r\n");
        Session session(stream);
        const Error error = error_of([&] { Mailboxes(session).create("送信済み/テスト"); });
        EXPECT_EQ(error.kind, c.kind);
        EXPECT_EQ(error.what(), c.message);
        EXPECT_EQ(error.server_reply, "Z2 " + c.reply);
        session.noop();  // a NO/BAD leaves the session usable
    }
}

TEST(ImapSession, SelectOfMissingFolderSaysSo) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 SELECT Archive/2019\r\n", "Z2 NO [NONEXISTENT] Mailbox doesn't exist: Archive/2019 (0.001 + 0.000 secs).\r\n");
    Session session(stream);
    try {
        Mailboxes(session).select("Archive/2019");
        ADD_FAILURE() << "no error";
    } catch (const CommandError& error) {
        EXPECT_STREQ(error.what(), "cannot select folder 'Archive/2019': no such folder");
        EXPECT_TRUE(error.result.has_code(CodeKind::Nonexistent));
    }
    EXPECT_FALSE(session.selected());
}

TEST(ImapSession, ByeBreaksTheSession) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n", "* BYE [UNAVAILABLE] Server shutting down.\r\n");
    Session session(stream);
    const Error error = error_of([&] { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Temporary);
    EXPECT_EQ(error.server_reply, "* BYE [UNAVAILABLE] Server shutting down.");
    EXPECT_STREQ(error.what(), "'imap.example.com:993' closed the connection during 'NOOP'");
    const Error later = error_of([&] { session.noop(); });
    EXPECT_EQ(later.kind, ErrorKind::Network);
    EXPECT_STREQ(later.what(), "connection to 'imap.example.com:993' is unusable after an earlier error");
}

TEST(ImapSession, PlainByeIsANetworkError) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n", "* BYE Disconnected for inactivity.\r\n");
    Session session(stream);
    const Error error = error_of([&] { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_EQ(error.server_reply, "* BYE Disconnected for inactivity.");
}

TEST(ImapSession, UnsolicitedResponsesAreCollected) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n",
                  "* 4 EXISTS\r\n* 1 RECENT\r\n* 2 EXPUNGE\r\n* 3 FETCH (UID 9 FLAGS (\\Seen))\r\n"
                  "* OK [ALERT] Maintenance at midnight\r\n* NO Disk almost full\r\nZ2 OK NOOP completed.\r\n");
    stream.expect("Z3 NOOP\r\n", "Z3 OK NOOP completed.\r\n");
    Session session(stream);
    session.noop();
    const MailboxUpdates& u = session.updates();
    EXPECT_EQ(u.exists.value_or(0), 4u);
    EXPECT_EQ(u.recent.value_or(0), 1u);
    EXPECT_EQ(u.expunged, std::vector<std::uint32_t>{2});
    ASSERT_EQ(u.flag_changes.size(), 1u);
    EXPECT_EQ(u.flag_changes[0].uid, 9u);
    EXPECT_EQ(u.flag_changes[0].flags, std::vector<std::string>{"\\Seen"});
    EXPECT_EQ(u.alerts, (std::vector<std::string>{"Maintenance at midnight", "* NO Disk almost full"}));
    const MailboxUpdates taken = session.take_updates();
    EXPECT_FALSE(taken.empty());
    EXPECT_TRUE(session.updates().empty());
    session.noop();
    EXPECT_TRUE(session.updates().empty());
}

TEST(ImapSession, TraceSummarisesBodiesAndShowsCommands) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  fetch_response(1, 1, body_for(1), false) + "Z2 OK done\r\n");
    stream.expect("Z3 APPEND Drafts {5}\r\n", "+ OK\r\n", true);
    stream.expect("hello\r\n", "Z3 OK [APPENDUID 7 3] done\r\n");
    stream.expect("Z4 LIST \"\" \"*\"\r\n", "* LIST () \"/\" {13}\r\n&kAFP4W4IMH8-\r\nZ4 OK done\r\n");
    std::vector<std::string> lines;
    SessionOptions options;
    options.trace = [&lines](std::string_view line) { lines.emplace_back(line); };
    Session session(stream, options);
    RecordingMessageSink sink;
    const std::vector<std::uint32_t> uids{1};
    Messages(session).uid_fetch_bodies(uids, sink);
    Messages(session).append("Drafts", source_of("hello"));
    Mailboxes(session).list();
    std::string all;
    for (const auto& line : lines) all += line + "\n";
    EXPECT_NE(all.find("C: Z1 CAPABILITY\n"), std::string::npos) << all;
    EXPECT_NE(all.find("S: * CAPABILITY IMAP4rev1 IDLE NAMESPACE\n"), std::string::npos) << all;
    EXPECT_NE(all.find("C: Z2 UID FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\n"), std::string::npos) << all;
    EXPECT_NE(all.find(" BODY[] {" + std::to_string(body_for(1).size()) + "}\nS: <" +
                       std::to_string(body_for(1).size()) + " bytes of message data>\nS: )\nS: Z2 OK done\n"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("C: Z3 APPEND Drafts {5}\nS: + OK\nC: <5 bytes of message data>\n"), std::string::npos) << all;
    EXPECT_NE(all.find("S: * LIST () \"/\" {13}\nS: &kAFP4W4IMH8-\n"), std::string::npos) << all;
    EXPECT_EQ(all.find("A004 OK FETCH"), std::string::npos) << "message content leaked into the trace";
    EXPECT_EQ(all.find("hello"), std::string::npos) << "message content leaked into the trace";
}

TEST(ImapSession, CutInTheMiddleOfALiteral) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    const std::string response = fetch_response(1, 1, body_for(1), false);
    stream.expect("Z2 UID FETCH 1:2 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n", response + "Z2 OK done\r\n");
    Session session(stream);
    session.start();
    stream.close_after(response.size() - 20);
    RecordingMessageSink sink;
    const std::vector<std::uint32_t> uids{1, 2};
    const Error error = error_of([&] { Messages(session).uid_fetch_bodies(uids, sink); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_STREQ(error.what(), "connection to 'imap.example.com:993' closed in the middle of a response");
    ASSERT_EQ(sink.messages.size(), 1u);
    EXPECT_FALSE(sink.messages[0].completed);
    EXPECT_EQ(sink.abandoned, 1);
    EXPECT_TRUE(session.broken());
    EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Network);
}

TEST(ImapSession, CutBetweenResponsesKeepsTheStreamError) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n", "* 3 EXISTS\r\n");
    Session session(stream);
    const Error error = error_of([&] { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_STREQ(error.what(), "'imap.example.com:993' closed the connection");
}

TEST(ImapSession, GarbageIsAProtocolErrorWithTheServerText) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n", "HTTP/1.1 400 Bad Request\r\n\r\n");
    Session session(stream);
    const Error error = error_of([&] { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_EQ(std::string(error.what()).rfind("bad response from 'imap.example.com:993' to 'NOOP': ", 0), 0u)
        << error.what();
    EXPECT_NE(error.server_reply.find("HTTP/1.1 400 Bad Request"), std::string::npos) << error.server_reply;
    EXPECT_TRUE(session.broken());
}

TEST(ImapSession, GiantLineIsRefused) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NOOP\r\n", "* OK " + std::string(5000, 'x'));
    SessionOptions options;
    options.limits.max_line_length = 4096;
    Session session(stream, options);
    const Error error = error_of([&] { session.noop(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(error.what()).find("server response line too long"), std::string::npos) << error.what();
}

TEST(ImapSession, UnknownTagAndStrayContinuationAreProtocolErrors) {
    for (const std::string reply : {"Z7 OK what?\r\n", "+ go on\r\n"}) {
        ScriptedStream stream;
        expect_start(stream, plain_capabilities);
        stream.expect("Z2 NOOP\r\n", reply);
        Session session(stream);
        const Error error = error_of([&] { session.noop(); });
        EXPECT_EQ(error.kind, ErrorKind::Protocol) << reply;
        EXPECT_TRUE(session.broken());
    }
}

TEST(ImapSession, LowLevelPipelineMatchesCompletionsByTag) {
    ScriptedStream stream;
    expect_start(stream, dovecot_capabilities);
    stream.expect("Z2 NOOP\r\n", "");
    stream.expect("Z3 CHECK\r\n", "");
    stream.expect("Z4 STATUS INBOX (MESSAGES)\r\n",
                  "* STATUS INBOX (MESSAGES 3)\r\nZ4 OK Status completed.\r\nZ3 NO [CANNOT] nope\r\nZ2 OK NOOP completed.\r\n");
    Session session(stream);
    const std::string a = session.send([](const std::string& tag) { return command::noop(tag); });
    const std::string b = session.send([](const std::string& tag) {
        return CommandWriter(tag, {}).keyword("CHECK").finish();
    });
    int statuses = 0;
    const std::string c = session.send(
        [](const std::string& tag) { return command::status(tag, "INBOX", {StatusItem::Messages}); },
        [&statuses](const Response& response) { return response.get<MailboxStatusData>() && ++statuses; });
    EXPECT_EQ(session.in_flight(), 3u);
    const CommandResult rb = session.wait(b);
    EXPECT_EQ(rb.status, Status::No);
    EXPECT_EQ(rb.command, "CHECK");
    EXPECT_TRUE(rb.has_code(CodeKind::Cannot));
    EXPECT_TRUE(session.wait(a).ok());
    EXPECT_TRUE(session.wait(c).ok());
    EXPECT_EQ(statuses, 1);
    EXPECT_EQ(session.in_flight(), 0u);
}

TEST(ImapSession, UidAfterTheBodyIsKnownOnlyAtCompletion) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 42 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  "* 1 FETCH (BODY[] {7}\r\nhello\r\n UID 42 FLAGS (\\Seen))\r\nZ2 OK done\r\n");
    Session session(stream);
    RecordingMessageSink sink;
    const std::vector<std::uint32_t> uids{42};
    EXPECT_EQ(Messages(session).uid_fetch_bodies(uids, sink).delivered, 1u);
    ASSERT_EQ(sink.messages.size(), 1u);
    EXPECT_FALSE(sink.messages[0].start.uid);
    EXPECT_EQ(sink.messages[0].info.uid, 42u);
    EXPECT_EQ(sink.messages[0].body, "hello\r\n");
}

TEST(ImapSession, BadFetchStopsFurtherBatchesAndThrowsAfterDraining) {
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 UID FETCH 1 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n", "");
    stream.expect("Z3 UID FETCH 2 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])\r\n",
                  "Z2 BAD Error in IMAP command UID FETCH: Invalid arguments.\r\n" + fetch_response(2, 2, "x\r\n", false) +
                      "Z3 OK done\r\n");
    stream.expect("Z4 NOOP\r\n", "Z4 OK done\r\n");
    Session session(stream);
    RecordingMessageSink sink;
    const std::vector<std::uint32_t> uids{1, 2, 3, 4};
    const Error error = error_of([&] { Messages(session).uid_fetch_bodies(uids, sink, FetchBodiesOptions{1, 2}); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_STREQ(error.what(), "cannot fetch messages from the selected folder: the server rejected the command");
    EXPECT_EQ(sink.messages.size(), 1u);  // the batch in flight was still delivered
    session.noop();                       // batches 3 and 4 were never sent
    EXPECT_TRUE(stream.script_done());
}
