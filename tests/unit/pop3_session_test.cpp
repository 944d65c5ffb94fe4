// The POP3 session over a scripted in-memory stream: pipelining, dot-unstuffing across chunk
// boundaries, -ERR handling, dropped connections and QUIT.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../support/errors.hpp"
#include "../support/scripted_stream.hpp"
#include "error.hpp"
#include "pop3/session.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace pop3 = zmail::pop3;

namespace {

using zmail::testing::error_of;
using zmail::testing::ScriptedStream;

/// A POP3 server's stream: a command after the script is a test failure.
const char* const pop3_peer = "pop.example.com:995";
constexpr auto fail_after_script = ScriptedStream::AfterScript::Fail;

/// Dot-stuffs a message (CRLF lines, ending in CRLF) and adds the terminator.
std::string stuff(std::string_view message) {
    std::string wire;
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (line_start && message[i] == '.') wire += '.';
        wire += message[i];
        line_start = message[i] == '\n' && i > 0 && message[i - 1] == '\r';
    }
    return wire + ".\r\n";
}

std::string retr_reply(std::string_view message) {
    return "+OK " + std::to_string(message.size()) + " octets\r\n" + stuff(message);
}

const char* const dovecot_capa =
    "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n";
const char* const no_pipelining_capa = "+OK Capability list follows\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n";

/// Messages whose bodies look like protocol.
std::vector<std::string> tricky_messages() {
    std::vector<std::string> messages;
    for (int i = 1; i <= 12; ++i) {
        std::string m = "From: sender" + std::to_string(i) + "@example.org\r\nSubject: message " + std::to_string(i) +
                        "\r\n\r\n";
        m += ".\r\n..\r\n.foo\r\n+OK\r\n-ERR\r\n.\r\r\n+OK 99 octets\r\n";
        m += std::string(static_cast<std::size_t>(i) * 37, 'x') + "\r\n.\r\n";
        messages.push_back(m);
    }
    return messages;
}

/// Records what retr_many delivers.
struct Delivery {
    std::uint32_t number;
    std::string data;
    bool completed = false;
    std::uint64_t completed_size = 0;
};

class RecordingSink : public pop3::MessageSink {
public:
    RecordingSink(std::vector<Delivery>& deliveries, std::uint32_t number) : deliveries_(deliveries) {
        deliveries_.push_back(Delivery{number, {}, false, 0});
        index_ = deliveries_.size() - 1;
    }
    void write(std::string_view chunk) override {
        EXPECT_FALSE(chunk.empty());
        deliveries_[index_].data.append(chunk);
    }
    void complete(std::uint64_t size) override {
        deliveries_[index_].completed = true;
        deliveries_[index_].completed_size = size;
    }

private:
    std::vector<Delivery>& deliveries_;
    std::size_t index_;
};

pop3::MessageSinkFactory recorder(std::vector<Delivery>& deliveries) {
    return [&deliveries](std::uint32_t number, const pop3::StatusLine& reply) -> std::unique_ptr<pop3::MessageSink> {
        EXPECT_TRUE(reply.ok);
        return std::make_unique<RecordingSink>(deliveries, number);
    };
}

}  // namespace

TEST(Pop3Session, PipelinedRetrWithTrickyBodiesAtManyChunkSizes) {
    const auto messages = tricky_messages();
    for (std::vector<std::size_t> chunks :
         std::vector<std::vector<std::size_t>>{{1}, {2, 3}, {7}, {5, 1, 64}, {65536}}) {
        SCOPED_TRACE(chunks.front());
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.set_chunk_sizes(chunks);
        stream.expect_line("CAPA", dovecot_capa);
        std::vector<std::uint32_t> numbers;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            numbers.push_back(static_cast<std::uint32_t>(i + 1));
            stream.expect_line("RETR " + std::to_string(i + 1), retr_reply(messages[i]));
        }
        stream.expect_line("QUIT", "+OK Logging out, messages deleted.\r\n");

        pop3::Session session(stream, pop3::SessionOptions{4, {}});
        EXPECT_TRUE(session.capa().pipelining);
        std::vector<Delivery> deliveries;
        auto failures = session.retr_many(numbers, recorder(deliveries));
        EXPECT_TRUE(failures.empty());
        ASSERT_EQ(deliveries.size(), messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i) {
            EXPECT_EQ(deliveries[i].number, i + 1);
            EXPECT_EQ(deliveries[i].data, messages[i]);
            EXPECT_TRUE(deliveries[i].completed);
            EXPECT_EQ(deliveries[i].completed_size, messages[i].size());
        }
        EXPECT_GT(stream.max_in_flight(), 1u);
        EXPECT_LE(stream.max_in_flight(), 4u);
        EXPECT_LT(stream.writes(), 1 + messages.size());  // commands were batched
        session.quit();
        EXPECT_TRUE(stream.script_done());
        EXPECT_EQ(stream.unread(), 0u);
    }
}

TEST(Pop3Session, WithoutPipeliningOneCommandAtATime) {
    const auto messages = tricky_messages();
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({3});
    stream.expect_line("CAPA", no_pipelining_capa);
    std::vector<std::uint32_t> numbers = {1, 2, 3};
    for (std::uint32_t n : numbers) stream.expect_line("RETR " + std::to_string(n), retr_reply(messages[n - 1]));
    stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
    stream.expect_line("DELE 2", "+OK Marked to be deleted.\r\n");
    stream.expect_line("DELE 3", "+OK Marked to be deleted.\r\n");

    pop3::Session session(stream);
    EXPECT_FALSE(session.capa().pipelining);
    std::vector<Delivery> deliveries;
    EXPECT_TRUE(session.retr_many(numbers, recorder(deliveries)).empty());
    EXPECT_TRUE(session.dele_many(numbers).empty());
    EXPECT_EQ(stream.max_in_flight(), 1u);
    EXPECT_EQ(deliveries.size(), 3u);
    EXPECT_EQ(session.marked_deleted(), 3u);
}

TEST(Pop3Session, NoPipeliningBeforeCapa) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("DELE 1", "+OK\r\n");
    stream.expect_line("DELE 2", "+OK\r\n");
    pop3::Session session(stream);
    std::vector<std::uint32_t> numbers = {1, 2};
    EXPECT_TRUE(session.dele_many(numbers).empty());
    EXPECT_EQ(stream.max_in_flight(), 1u);
}

TEST(Pop3Session, CapaRefusedMeansNoExtensions) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("CAPA", "-ERR unknown command\r\n");
    pop3::Session session(stream);
    const auto& caps = session.capa();
    EXPECT_FALSE(caps.capa_supported);
    EXPECT_FALSE(caps.pipelining);
}

// RFC 6856: Courier offers UTF8 and, to a client that does not send it, replaces a message with
// raw UTF-8 headers by a "Cannot display Unicode content" notice.
TEST(Pop3Session, Utf8IsSentWhenCapaOffersItAndARefusalIsNoError) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("CAPA", "+OK\r\nTOP\r\nUIDL\r\nUTF8 USER\r\nPIPELINING\r\n.\r\n");
    stream.expect_line("UTF8", "+OK UTF8 enabled\r\n");
    stream.expect_line("CAPA", "+OK\r\nTOP\r\nUTF8\r\n.\r\n");
    stream.expect_line("UTF8", "-ERR not now\r\n");
    pop3::Session session(stream);
    EXPECT_TRUE(session.capa().utf8);
    session.enable_utf8();
    session.capa();
    EXPECT_NO_THROW(session.enable_utf8());
    EXPECT_TRUE(stream.script_done());
}

TEST(Pop3Session, NoUtf8WithoutTheCapability) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("CAPA", dovecot_capa);
    pop3::Session session(stream);
    EXPECT_FALSE(session.capa().utf8);
    session.enable_utf8();  // sends nothing: the script would fail on an unexpected line
    EXPECT_TRUE(stream.script_done());
}

TEST(Pop3Session, ErrMidPipelineIsReportedAndTheRestContinue) {
    const auto messages = tricky_messages();
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({5});
    stream.expect_line("CAPA", dovecot_capa);
    stream.expect_line("RETR 1", retr_reply(messages[0]));
    stream.expect_line("RETR 2", "-ERR There's no message 2.\r\n");
    stream.expect_line("RETR 3", retr_reply(messages[2]));
    stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
    stream.expect_line("DELE 3", "-ERR [SYS/TEMP] cannot mark\r\n");
    stream.expect_line("DELE 4", "+OK Marked to be deleted.\r\n");

    pop3::Session session(stream);
    session.capa();
    std::vector<Delivery> deliveries;
    std::vector<std::uint32_t> numbers = {1, 2, 3};
    auto failures = session.retr_many(numbers, recorder(deliveries));
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].number, 2u);
    EXPECT_EQ(failures[0].reply.line, "-ERR There's no message 2.");
    ASSERT_EQ(deliveries.size(), 2u);
    EXPECT_EQ(deliveries[0].data, messages[0]);
    EXPECT_EQ(deliveries[1].number, 3u);
    EXPECT_EQ(deliveries[1].data, messages[2]);

    std::vector<std::uint32_t> to_delete = {1, 3, 4};
    auto refused = session.dele_many(to_delete);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].number, 3u);
    EXPECT_EQ(refused[0].reply.code, pop3::ResponseCode::SysTemp);
    EXPECT_EQ(session.marked_deleted(), 2u);
    EXPECT_EQ(stream.max_in_flight(), 3u);
}

TEST(Pop3Session, ConnectionClosedMidRetrIsACleanNetworkError) {
    const auto messages = tricky_messages();
    const std::string first = retr_reply(messages[0]);
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({4});
    stream.expect_line("CAPA", dovecot_capa);
    stream.expect_line("RETR 1", first);
    stream.expect_line("RETR 2", retr_reply(messages[1]));
    stream.expect_line("RETR 3", retr_reply(messages[2]));
    // The connection drops 10 bytes into the second message's data.
    stream.close_after(std::string(dovecot_capa).size() + first.size() + 30);

    pop3::Session session(stream);
    session.capa();
    std::vector<Delivery> deliveries;
    std::vector<std::uint32_t> numbers = {1, 2, 3};
    Error error = error_of([&] { session.retr_many(numbers, recorder(deliveries)); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    ASSERT_EQ(deliveries.size(), 2u);
    EXPECT_TRUE(deliveries[0].completed);
    EXPECT_FALSE(deliveries[1].completed);  // abandoned, never completed

    Error later = error_of([&] { session.noop(); });
    EXPECT_EQ(later.kind, ErrorKind::Network);
    Error quit = error_of([&] { session.quit(); });
    EXPECT_EQ(quit.kind, ErrorKind::Network);
    EXPECT_TRUE(std::string_view(quit.what()).starts_with(pop3::deletions_not_committed));
    EXPECT_FALSE(quit.hint.empty());
}

TEST(Pop3Session, ConnectionClosedBeforeTheTerminator) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("RETR 1", "+OK 10 octets\r\nabc\r\n.\r");  // the last LF never comes
    pop3::Session session(stream);
    std::string data;
    Error error = error_of([&] { session.retr(1, [&data](std::string_view chunk) { data.append(chunk); }); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_EQ(data, "abc\r\n");
}

TEST(Pop3Session, QuitCommitsOnlyOnOk) {
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect_line("QUIT", "+OK Logging out, messages deleted.\r\n");
        pop3::Session session(stream);
        session.dele(1);
        EXPECT_NO_THROW(session.quit());
        EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Internal);  // ended
    }
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect_line("QUIT", "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
        pop3::Session session(stream);
        session.dele(1);
        Error error = error_of([&] { session.quit(); });
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_EQ(std::string(error.what()), "deletions not committed: 'pop.example.com:995' refused 'QUIT'");
        EXPECT_EQ(error.server_reply, "-ERR [SYS/TEMP] some deleted messages not removed");
    }
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect_line("QUIT", "");  // the server closes without a word
        pop3::Session session(stream);
        session.dele(1);
        Error error = error_of([&] { session.quit(); });
        EXPECT_EQ(error.kind, ErrorKind::Network);
        EXPECT_TRUE(std::string_view(error.what()).starts_with("deletions not committed: "));
    }
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("QUIT", "+OK half a line");  // closes mid-reply
        pop3::Session session(stream);
        EXPECT_EQ(error_of([&] { session.quit(); }).kind, ErrorKind::Network);
    }
}

TEST(Pop3Session, LeaveSendsQuitWithoutWaitingOnlyWhenNothingIsMarked) {
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("QUIT", "+OK Logging out.\r\n");
        pop3::Session session(stream);
        session.leave();
        EXPECT_EQ(stream.commands(), std::vector<std::string>{"QUIT"});
        EXPECT_EQ(stream.unread(), std::string("+OK Logging out.\r\n").size());  // not waited for
        EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Internal);   // ended
    }
    {
        ScriptedStream stream(pop3_peer, fail_after_script);
        stream.expect_line("DELE 1", "+OK Marked to be deleted.\r\n");
        pop3::Session session(stream);
        session.dele(1);
        // deletions are committed only by a QUIT whose +OK was read
        EXPECT_EQ(error_of([&] { session.leave(); }).kind, ErrorKind::Internal);
        EXPECT_EQ(stream.commands(), std::vector<std::string>{"DELE 1"});
    }
}

TEST(Pop3Session, GiantLineBreaksTheSession) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({4096});
    stream.expect_line("STAT", "+OK " + std::string(100000, '9') + "\r\n");
    pop3::Session session(stream);
    Error error = error_of([&] { session.stat(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(error.what()).find("to 'STAT'"), std::string::npos);
    EXPECT_EQ(error_of([&] { session.noop(); }).kind, ErrorKind::Network);
    Error quit = error_of([&] { session.quit(); });
    EXPECT_TRUE(std::string_view(quit.what()).starts_with(pop3::deletions_not_committed));
}

TEST(Pop3Session, GiantUidlLine) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("UIDL", "+OK\r\n1 " + std::string(70000, 'u') + "\r\n.\r\n");
    pop3::Session session(stream);
    EXPECT_EQ(error_of([&] { session.uidl(); }).kind, ErrorKind::Protocol);
}

TEST(Pop3Session, UidlReportsDuplicates) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({6});
    stream.expect_line("UIDL", "+OK\r\n1 000000017d8e4a1b\r\n2 000000027d8e4a1b\r\n3 000000017d8e4a1b\r\n.\r\n");
    pop3::Session session(stream);
    auto listing = session.uidl();
    ASSERT_EQ(listing.entries.size(), 3u);
    EXPECT_EQ(listing.entries[2].number, 3u);
    EXPECT_EQ(listing.duplicate_uids, std::vector<std::string>{"000000017d8e4a1b"});
}

TEST(Pop3Session, MalformedUidlIsAProtocolErrorButTheSessionGoesOn) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("UIDL", "+OK\r\n1 good\r\n2 has a space\r\n.\r\n");
    stream.expect_line("NOOP", "+OK\r\n");
    pop3::Session session(stream);
    Error error = error_of([&] { session.uidl(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_EQ(std::string(error.what()), "bad reply from 'pop.example.com:995' to 'UIDL': malformed UIDL line");
    EXPECT_EQ(error.server_reply, "2 has a space");
    EXPECT_NO_THROW(session.noop());
}

TEST(Pop3Session, ErrRepliesBecomeErrorsByResponseCode) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("RETR 1", "-ERR [IN-USE] Mailbox locked by another session\r\n");
    stream.expect_line("RETR 2", "-ERR [SYS/TEMP] Internal error occurred\r\n");
    stream.expect_line("RETR 3", "-ERR [AUTH] go away\r\n");
    stream.expect_line("RETR 4", "-ERR There's no message 4.\r\n");
    stream.expect_line("STAT", "-ERR [SYS/PERM] broken\r\n");
    pop3::Session session(stream);
    auto discard = [](std::string_view) {};

    Error in_use = error_of([&] { session.retr(1, discard); });
    EXPECT_EQ(in_use.kind, ErrorKind::Temporary);
    EXPECT_EQ(std::string(in_use.what()), "cannot retrieve message 1 from 'pop.example.com:995': mailbox in use");
    EXPECT_NE(in_use.hint.find("another client"), std::string::npos);
    EXPECT_EQ(in_use.server_reply, "-ERR [IN-USE] Mailbox locked by another session");

    EXPECT_EQ(error_of([&] { session.retr(2, discard); }).kind, ErrorKind::Temporary);
    EXPECT_EQ(error_of([&] { session.retr(3, discard); }).kind, ErrorKind::Auth);
    Error plain = error_of([&] { session.retr(4, discard); });
    EXPECT_EQ(plain.kind, ErrorKind::Protocol);
    EXPECT_EQ(std::string(plain.what()), "cannot retrieve message 4 from 'pop.example.com:995'");
    EXPECT_EQ(error_of([&] { session.stat(); }).kind, ErrorKind::Unavailable);
}

TEST(Pop3Session, SinkFailureDrainsThePipelineAndKeepsTheSession) {
    const auto messages = tricky_messages();
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({9});
    stream.expect_line("CAPA", dovecot_capa);
    for (int n = 1; n <= 4; ++n) stream.expect_line("RETR " + std::to_string(n), retr_reply(messages[n - 1]));
    stream.expect_line("QUIT", "+OK Logging out.\r\n");

    pop3::Session session(stream, pop3::SessionOptions{4, {}});
    session.capa();
    std::vector<Delivery> deliveries;
    int opened = 0;
    auto factory = [&](std::uint32_t number, const pop3::StatusLine& reply) -> std::unique_ptr<pop3::MessageSink> {
        ++opened;
        if (number == 2) throw Error(ErrorKind::Storage, "cannot write 'tmp/1.x': No space left on device");
        return recorder(deliveries)(number, reply);
    };
    std::vector<std::uint32_t> numbers = {1, 2, 3, 4, 5, 6, 7, 8};
    Error error = error_of([&] { session.retr_many(numbers, factory); });
    EXPECT_EQ(error.kind, ErrorKind::Storage);
    EXPECT_EQ(opened, 2);  // no sink was opened after the failure
    ASSERT_EQ(deliveries.size(), 1u);
    EXPECT_TRUE(deliveries[0].completed);
    // Four commands were in flight; all replies were read and nothing more was sent.
    EXPECT_EQ(stream.commands().size(), 5u);
    EXPECT_NO_THROW(session.quit());
    EXPECT_EQ(stream.unread(), 0u);
}

TEST(Pop3Session, SinkThrowingInsideRetrIsRethrownAfterTheReply) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({3});
    stream.expect_line("RETR 1", retr_reply("a\r\nb\r\nc\r\n"));
    stream.expect_line("NOOP", "+OK\r\n");
    pop3::Session session(stream);
    int calls = 0;
    Error error = error_of([&] {
        session.retr(1, [&calls](std::string_view) {
            ++calls;
            throw Error(ErrorKind::Storage, "disk full");
        });
    });
    EXPECT_EQ(error.kind, ErrorKind::Storage);
    EXPECT_EQ(calls, 1);
    EXPECT_NO_THROW(session.noop());  // the reply was drained: still in step
}

TEST(Pop3Session, ReentryFromASinkIsRefused) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("RETR 1", retr_reply("hello\r\n"));
    pop3::Session session(stream);
    Error error = error_of([&] { session.retr(1, [&session](std::string_view) { session.noop(); }); });
    EXPECT_EQ(error.kind, ErrorKind::Internal);
}

TEST(Pop3Session, StatListTopDeleNoopRset) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.set_chunk_sizes({2});
    stream.expect_line("STAT", "+OK 2 320\r\n");
    stream.expect_line("LIST", "+OK 2 messages:\r\n1 120\r\n2 200\r\n.\r\n");
    stream.expect_line("TOP 2 0", "+OK\r\nSubject: hi\r\n.hidden: header\r\n\r\n.\r\n");
    stream.expect_line("DELE 2", "+OK Marked to be deleted.\r\n");
    stream.expect_line("DELE 2", "-ERR Message is deleted.\r\n");
    stream.expect_line("RSET", "+OK\r\n");
    stream.expect_line("NOOP", "+OK\r\n");
    pop3::Session session(stream);

    auto stat = session.stat();
    EXPECT_EQ(stat.count, 2u);
    EXPECT_EQ(stat.size, 320u);
    auto list = session.list();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[1].number, 2u);
    EXPECT_EQ(list[1].size, 200u);
    std::string head;
    EXPECT_EQ(session.top(2, 0, [&head](std::string_view chunk) { head.append(chunk); }), 31u);
    EXPECT_EQ(head, "Subject: hi\r\nhidden: header\r\n\r\n");
    session.dele(2);
    EXPECT_EQ(session.marked_deleted(), 1u);
    Error again = error_of([&] { session.dele(2); });
    EXPECT_EQ(std::string(again.what()), "cannot delete message 2 on 'pop.example.com:995'");
    session.rset();
    EXPECT_EQ(session.marked_deleted(), 0u);
    session.noop();
    EXPECT_TRUE(stream.script_done());
}

TEST(Pop3Session, TraceSummarisesMessageData) {
    ScriptedStream stream(pop3_peer, fail_after_script);
    stream.expect_line("UIDL", "+OK\r\n1 abc\r\n.\r\n");
    stream.expect_line("RETR 1", retr_reply("Subject: secret body\r\n\r\nthe body\r\n"));
    stream.expect_line("QUIT", "+OK bye\r\n");
    std::vector<std::string> trace;
    pop3::SessionOptions options;
    options.trace = [&trace](std::string_view line) { trace.emplace_back(line); };
    pop3::Session session(stream, options);
    session.uidl();
    session.retr(1, [](std::string_view) {});
    session.quit();
    std::vector<std::string> expected = {"C: UIDL", "S: +OK", "S: 1 abc", "S: .", "C: RETR 1", "S: +OK 34 octets",
                                         "S: <34 bytes of message data>", "C: QUIT", "S: +OK bye"};
    EXPECT_EQ(trace, expected);
}
