// The POP3 session over a scripted in-memory stream: pipelining, dot-unstuffing across chunk
// boundaries, -ERR handling, dropped connections and QUIT.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "net/stream.hpp"
#include "pop3/session.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace pop3 = zmail::pop3;

namespace {

/// A stream that plays a server from a script: each command the client sends must be the next
/// scripted one, and only then is its reply made readable. Replies are handed out in chunks of
/// the chosen sizes (cycled). When no bytes are left, read_some throws Error{Network} as the
/// libcurl stream does on EOF, so a client waiting for more never hangs.
class ScriptedStream : public zmail::net::Stream {
public:
    void expect(std::string command, std::string reply) { script_.push_back({std::move(command), std::move(reply)}); }
    void set_chunk_sizes(std::vector<std::size_t> sizes) { chunk_sizes_ = std::move(sizes); }
    /// The server goes away once it has sent this many more bytes of its replies.
    void close_after_reply_bytes(std::size_t bytes) { close_at_ = bytes; }

    void write(std::string_view bytes) override {
        ++writes_;
        pending_write_ += bytes;
        std::size_t end;
        while ((end = pending_write_.find("\r\n")) != std::string::npos) {
            std::string command = pending_write_.substr(0, end);
            pending_write_.erase(0, end + 2);
            commands_.push_back(command);
            if (script_.empty()) {
                ADD_FAILURE() << "unexpected command '" << command << "'";
                continue;
            }
            EXPECT_EQ(command, script_.front().command);
            available_ += script_.front().reply;
            reply_ends_.push_back(available_.size());
            script_.pop_front();
        }
        max_in_flight_ = std::max(max_in_flight_, in_flight());
    }

    std::size_t read_some(char* buffer, std::size_t size) override {
        std::size_t limit = std::min(available_.size(), close_at_);
        if (position_ >= limit) throw Error(ErrorKind::Network, "connection to 'scripted' closed by the server");
        std::size_t chunk = chunk_sizes_.empty() ? size : chunk_sizes_[reads_ % chunk_sizes_.size()];
        ++reads_;
        std::size_t n = std::min({size, chunk, limit - position_});
        std::copy_n(available_.data() + position_, n, buffer);
        position_ += n;
        return n;
    }

    std::string peer() const override { return "pop.example.com:995"; }

    const std::vector<std::string>& commands() const { return commands_; }
    std::size_t max_in_flight() const { return max_in_flight_; }
    std::size_t writes() const { return writes_; }
    bool script_done() const { return script_.empty(); }
    std::size_t unread() const { return available_.size() - position_; }

private:
    struct Step {
        std::string command;
        std::string reply;
    };
    /// Commands whose reply the client has not read completely yet.
    std::size_t in_flight() const {
        std::size_t answered = std::count_if(reply_ends_.begin(), reply_ends_.end(),
                                             [this](std::size_t end) { return end <= position_; });
        return reply_ends_.size() - answered;
    }

    std::deque<Step> script_;
    std::string pending_write_;
    std::string available_;
    std::vector<std::size_t> reply_ends_;
    std::vector<std::string> commands_;
    std::vector<std::size_t> chunk_sizes_;
    std::size_t position_ = 0;
    std::size_t reads_ = 0;
    std::size_t writes_ = 0;
    std::size_t max_in_flight_ = 0;
    std::size_t close_at_ = static_cast<std::size_t>(-1);
};

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

template <typename F>
Error catch_error(F&& f) {
    try {
        f();
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error thrown";
    return Error(ErrorKind::Internal, "none");
}

}  // namespace

TEST(Pop3Session, PipelinedRetrWithTrickyBodiesAtManyChunkSizes) {
    const auto messages = tricky_messages();
    for (std::vector<std::size_t> chunks :
         std::vector<std::vector<std::size_t>>{{1}, {2, 3}, {7}, {5, 1, 64}, {65536}}) {
        SCOPED_TRACE(chunks.front());
        ScriptedStream stream;
        stream.set_chunk_sizes(chunks);
        stream.expect("CAPA", dovecot_capa);
        std::vector<std::uint32_t> numbers;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            numbers.push_back(static_cast<std::uint32_t>(i + 1));
            stream.expect("RETR " + std::to_string(i + 1), retr_reply(messages[i]));
        }
        stream.expect("QUIT", "+OK Logging out, messages deleted.\r\n");

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
    ScriptedStream stream;
    stream.set_chunk_sizes({3});
    stream.expect("CAPA", no_pipelining_capa);
    std::vector<std::uint32_t> numbers = {1, 2, 3};
    for (std::uint32_t n : numbers) stream.expect("RETR " + std::to_string(n), retr_reply(messages[n - 1]));
    stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
    stream.expect("DELE 2", "+OK Marked to be deleted.\r\n");
    stream.expect("DELE 3", "+OK Marked to be deleted.\r\n");

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
    ScriptedStream stream;
    stream.expect("DELE 1", "+OK\r\n");
    stream.expect("DELE 2", "+OK\r\n");
    pop3::Session session(stream);
    std::vector<std::uint32_t> numbers = {1, 2};
    EXPECT_TRUE(session.dele_many(numbers).empty());
    EXPECT_EQ(stream.max_in_flight(), 1u);
}

TEST(Pop3Session, CapaRefusedMeansNoExtensions) {
    ScriptedStream stream;
    stream.expect("CAPA", "-ERR unknown command\r\n");
    pop3::Session session(stream);
    const auto& caps = session.capa();
    EXPECT_FALSE(caps.capa_supported);
    EXPECT_FALSE(caps.pipelining);
}

TEST(Pop3Session, ErrMidPipelineIsReportedAndTheRestContinue) {
    const auto messages = tricky_messages();
    ScriptedStream stream;
    stream.set_chunk_sizes({5});
    stream.expect("CAPA", dovecot_capa);
    stream.expect("RETR 1", retr_reply(messages[0]));
    stream.expect("RETR 2", "-ERR There's no message 2.\r\n");
    stream.expect("RETR 3", retr_reply(messages[2]));
    stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
    stream.expect("DELE 3", "-ERR [SYS/TEMP] cannot mark\r\n");
    stream.expect("DELE 4", "+OK Marked to be deleted.\r\n");

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
    ScriptedStream stream;
    stream.set_chunk_sizes({4});
    stream.expect("CAPA", dovecot_capa);
    stream.expect("RETR 1", first);
    stream.expect("RETR 2", retr_reply(messages[1]));
    stream.expect("RETR 3", retr_reply(messages[2]));
    // The connection drops 10 bytes into the second message's data.
    stream.close_after_reply_bytes(std::string(dovecot_capa).size() + first.size() + 30);

    pop3::Session session(stream);
    session.capa();
    std::vector<Delivery> deliveries;
    std::vector<std::uint32_t> numbers = {1, 2, 3};
    Error error = catch_error([&] { session.retr_many(numbers, recorder(deliveries)); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    ASSERT_EQ(deliveries.size(), 2u);
    EXPECT_TRUE(deliveries[0].completed);
    EXPECT_FALSE(deliveries[1].completed);  // abandoned, never completed

    Error later = catch_error([&] { session.noop(); });
    EXPECT_EQ(later.kind, ErrorKind::Network);
    Error quit = catch_error([&] { session.quit(); });
    EXPECT_EQ(quit.kind, ErrorKind::Network);
    EXPECT_TRUE(std::string_view(quit.what()).starts_with(pop3::deletions_not_committed));
    EXPECT_FALSE(quit.hint.empty());
}

TEST(Pop3Session, ConnectionClosedBeforeTheTerminator) {
    ScriptedStream stream;
    stream.expect("RETR 1", "+OK 10 octets\r\nabc\r\n.\r");  // the last LF never comes
    pop3::Session session(stream);
    std::string data;
    Error error = catch_error([&] { session.retr(1, [&data](std::string_view chunk) { data.append(chunk); }); });
    EXPECT_EQ(error.kind, ErrorKind::Network);
    EXPECT_EQ(data, "abc\r\n");
}

TEST(Pop3Session, QuitCommitsOnlyOnOk) {
    {
        ScriptedStream stream;
        stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect("QUIT", "+OK Logging out, messages deleted.\r\n");
        pop3::Session session(stream);
        session.dele(1);
        EXPECT_NO_THROW(session.quit());
        EXPECT_EQ(catch_error([&] { session.noop(); }).kind, ErrorKind::Internal);  // ended
    }
    {
        ScriptedStream stream;
        stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect("QUIT", "-ERR [SYS/TEMP] some deleted messages not removed\r\n");
        pop3::Session session(stream);
        session.dele(1);
        Error error = catch_error([&] { session.quit(); });
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_EQ(std::string(error.what()), "deletions not committed: 'pop.example.com:995' refused 'QUIT'");
        EXPECT_EQ(error.server_reply, "-ERR [SYS/TEMP] some deleted messages not removed");
    }
    {
        ScriptedStream stream;
        stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
        stream.expect("QUIT", "");  // the server closes without a word
        pop3::Session session(stream);
        session.dele(1);
        Error error = catch_error([&] { session.quit(); });
        EXPECT_EQ(error.kind, ErrorKind::Network);
        EXPECT_TRUE(std::string_view(error.what()).starts_with("deletions not committed: "));
    }
    {
        ScriptedStream stream;
        stream.expect("QUIT", "+OK half a line");  // closes mid-reply
        pop3::Session session(stream);
        EXPECT_EQ(catch_error([&] { session.quit(); }).kind, ErrorKind::Network);
    }
}

TEST(Pop3Session, LeaveSendsQuitWithoutWaitingOnlyWhenNothingIsMarked) {
    {
        ScriptedStream stream;
        stream.expect("QUIT", "+OK Logging out.\r\n");
        pop3::Session session(stream);
        session.leave();
        EXPECT_EQ(stream.commands(), std::vector<std::string>{"QUIT"});
        EXPECT_EQ(stream.unread(), std::string("+OK Logging out.\r\n").size());  // not waited for
        EXPECT_EQ(catch_error([&] { session.noop(); }).kind, ErrorKind::Internal);   // ended
    }
    {
        ScriptedStream stream;
        stream.expect("DELE 1", "+OK Marked to be deleted.\r\n");
        pop3::Session session(stream);
        session.dele(1);
        // deletions are committed only by a QUIT whose +OK was read
        EXPECT_EQ(catch_error([&] { session.leave(); }).kind, ErrorKind::Internal);
        EXPECT_EQ(stream.commands(), std::vector<std::string>{"DELE 1"});
    }
}

TEST(Pop3Session, GiantLineBreaksTheSession) {
    ScriptedStream stream;
    stream.set_chunk_sizes({4096});
    stream.expect("STAT", "+OK " + std::string(100000, '9') + "\r\n");
    pop3::Session session(stream);
    Error error = catch_error([&] { session.stat(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_NE(std::string(error.what()).find("to 'STAT'"), std::string::npos);
    EXPECT_EQ(catch_error([&] { session.noop(); }).kind, ErrorKind::Network);
    Error quit = catch_error([&] { session.quit(); });
    EXPECT_TRUE(std::string_view(quit.what()).starts_with(pop3::deletions_not_committed));
}

TEST(Pop3Session, GiantUidlLine) {
    ScriptedStream stream;
    stream.expect("UIDL", "+OK\r\n1 " + std::string(70000, 'u') + "\r\n.\r\n");
    pop3::Session session(stream);
    EXPECT_EQ(catch_error([&] { session.uidl(); }).kind, ErrorKind::Protocol);
}

TEST(Pop3Session, UidlReportsDuplicates) {
    ScriptedStream stream;
    stream.set_chunk_sizes({6});
    stream.expect("UIDL", "+OK\r\n1 000000017d8e4a1b\r\n2 000000027d8e4a1b\r\n3 000000017d8e4a1b\r\n.\r\n");
    pop3::Session session(stream);
    auto listing = session.uidl();
    ASSERT_EQ(listing.entries.size(), 3u);
    EXPECT_EQ(listing.entries[2].number, 3u);
    EXPECT_EQ(listing.duplicate_uids, std::vector<std::string>{"000000017d8e4a1b"});
}

TEST(Pop3Session, MalformedUidlIsAProtocolErrorButTheSessionGoesOn) {
    ScriptedStream stream;
    stream.expect("UIDL", "+OK\r\n1 good\r\n2 has a space\r\n.\r\n");
    stream.expect("NOOP", "+OK\r\n");
    pop3::Session session(stream);
    Error error = catch_error([&] { session.uidl(); });
    EXPECT_EQ(error.kind, ErrorKind::Protocol);
    EXPECT_EQ(std::string(error.what()), "bad reply from 'pop.example.com:995' to 'UIDL': malformed UIDL line");
    EXPECT_EQ(error.server_reply, "2 has a space");
    EXPECT_NO_THROW(session.noop());
}

TEST(Pop3Session, ErrRepliesBecomeErrorsByResponseCode) {
    ScriptedStream stream;
    stream.expect("RETR 1", "-ERR [IN-USE] Mailbox locked by another session\r\n");
    stream.expect("RETR 2", "-ERR [SYS/TEMP] Internal error occurred\r\n");
    stream.expect("RETR 3", "-ERR [AUTH] go away\r\n");
    stream.expect("RETR 4", "-ERR There's no message 4.\r\n");
    stream.expect("STAT", "-ERR [SYS/PERM] broken\r\n");
    pop3::Session session(stream);
    auto discard = [](std::string_view) {};

    Error in_use = catch_error([&] { session.retr(1, discard); });
    EXPECT_EQ(in_use.kind, ErrorKind::Temporary);
    EXPECT_EQ(std::string(in_use.what()), "cannot retrieve message 1 from 'pop.example.com:995': mailbox in use");
    EXPECT_NE(in_use.hint.find("another client"), std::string::npos);
    EXPECT_EQ(in_use.server_reply, "-ERR [IN-USE] Mailbox locked by another session");

    EXPECT_EQ(catch_error([&] { session.retr(2, discard); }).kind, ErrorKind::Temporary);
    EXPECT_EQ(catch_error([&] { session.retr(3, discard); }).kind, ErrorKind::Auth);
    Error plain = catch_error([&] { session.retr(4, discard); });
    EXPECT_EQ(plain.kind, ErrorKind::Protocol);
    EXPECT_EQ(std::string(plain.what()), "cannot retrieve message 4 from 'pop.example.com:995'");
    EXPECT_EQ(catch_error([&] { session.stat(); }).kind, ErrorKind::Unavailable);
}

TEST(Pop3Session, SinkFailureDrainsThePipelineAndKeepsTheSession) {
    const auto messages = tricky_messages();
    ScriptedStream stream;
    stream.set_chunk_sizes({9});
    stream.expect("CAPA", dovecot_capa);
    for (int n = 1; n <= 4; ++n) stream.expect("RETR " + std::to_string(n), retr_reply(messages[n - 1]));
    stream.expect("QUIT", "+OK Logging out.\r\n");

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
    Error error = catch_error([&] { session.retr_many(numbers, factory); });
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
    ScriptedStream stream;
    stream.set_chunk_sizes({3});
    stream.expect("RETR 1", retr_reply("a\r\nb\r\nc\r\n"));
    stream.expect("NOOP", "+OK\r\n");
    pop3::Session session(stream);
    int calls = 0;
    Error error = catch_error([&] {
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
    ScriptedStream stream;
    stream.expect("RETR 1", retr_reply("hello\r\n"));
    pop3::Session session(stream);
    Error error = catch_error([&] { session.retr(1, [&session](std::string_view) { session.noop(); }); });
    EXPECT_EQ(error.kind, ErrorKind::Internal);
}

TEST(Pop3Session, StatListTopDeleNoopRset) {
    ScriptedStream stream;
    stream.set_chunk_sizes({2});
    stream.expect("STAT", "+OK 2 320\r\n");
    stream.expect("LIST", "+OK 2 messages:\r\n1 120\r\n2 200\r\n.\r\n");
    stream.expect("TOP 2 0", "+OK\r\nSubject: hi\r\n.hidden: header\r\n\r\n.\r\n");
    stream.expect("DELE 2", "+OK Marked to be deleted.\r\n");
    stream.expect("DELE 2", "-ERR Message is deleted.\r\n");
    stream.expect("RSET", "+OK\r\n");
    stream.expect("NOOP", "+OK\r\n");
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
    Error again = catch_error([&] { session.dele(2); });
    EXPECT_EQ(std::string(again.what()), "cannot delete message 2 on 'pop.example.com:995'");
    session.rset();
    EXPECT_EQ(session.marked_deleted(), 0u);
    session.noop();
    EXPECT_TRUE(stream.script_done());
}

TEST(Pop3Session, TraceSummarisesMessageData) {
    ScriptedStream stream;
    stream.expect("UIDL", "+OK\r\n1 abc\r\n.\r\n");
    stream.expect("RETR 1", retr_reply("Subject: secret body\r\n\r\nthe body\r\n"));
    stream.expect("QUIT", "+OK bye\r\n");
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
