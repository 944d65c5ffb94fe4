// A net::Stream that plays an IMAP server from a script, for the IMAP session's unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "error.hpp"
#include "imap/session.hpp"
#include "net/stream.hpp"

namespace zmail::imap::testing {

/// Each scripted step names the exact bytes the client must write next; once it has, the step's
/// reply becomes readable. Replies are handed out in chunks of the chosen sizes (cycled). A step may
/// be a gate (a "+" continuation): the client must read its whole reply before writing again, which
/// proves a synchronizing literal waited. When no bytes are left, read_some throws Error{Network}
/// (end of stream) or, in timeout mode, Error{Temporary} after a short sleep, so nothing hangs.
class ScriptedStream : public net::Stream {
public:
    /// The client must write `command` next; then `reply` becomes readable.
    void expect(std::string command, std::string reply, bool gate = false) {
        script_.push_back({std::move(command), std::move(reply), gate});
    }
    /// Bytes readable at once (a greeting, or unsolicited data).
    void push(std::string_view bytes) { available_ += bytes; }
    void set_chunk_sizes(std::vector<std::size_t> sizes) { chunk_sizes_ = std::move(sizes); }
    /// The server goes away after this many more bytes of its replies (counted from now).
    void close_after(std::size_t bytes) { close_at_ = position_ + bytes; }
    /// read_some with nothing to read throws Temporary (an I/O timeout) instead of Network.
    void set_timeout_mode(bool on) { timeout_mode_ = on; }

    void write(std::string_view bytes) override {
        ++writes_;
        if (position_ < gate_end_) ADD_FAILURE() << "client wrote before reading the continuation: " << bytes;
        pending_ += bytes;
        written_ += bytes;
        bool gated = false;
        while (!script_.empty() && pending_.size() >= script_.front().command.size()) {
            Step& step = script_.front();
            if (pending_.compare(0, step.command.size(), step.command) != 0) {
                ADD_FAILURE() << "client wrote '" << printable(pending_.substr(0, 300)) << "', expected '"
                              << printable(step.command) << "'";
                pending_.clear();
                break;
            }
            pending_.erase(0, step.command.size());
            available_ += step.reply;
            if (step.gate) {
                gate_end_ = available_.size();
                gated = true;
            }
            script_.pop_front();
            max_in_flight_ = std::max(max_in_flight_, ++matched_since_read_);
            if (gated && !pending_.empty()) {
                ADD_FAILURE() << "client wrote past a synchronizing literal: " << printable(pending_.substr(0, 100));
                break;
            }
        }
        if (script_.empty() && !pending_.empty()) {
            unexpected_ += pending_;
            pending_.clear();
        }
    }

    std::size_t read_some(char* buffer, std::size_t size) override {
        const std::size_t limit = std::min(available_.size(), close_at_);
        if (position_ >= limit) {
            if (timeout_mode_ && close_at_ == static_cast<std::size_t>(-1)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                throw Error(ErrorKind::Temporary, "no reply from 'imap.example.com:993' within 1 seconds");
            }
            throw Error(ErrorKind::Network, "'imap.example.com:993' closed the connection");
        }
        matched_since_read_ = 0;
        std::size_t chunk = chunk_sizes_.empty() ? size : chunk_sizes_[reads_ % chunk_sizes_.size()];
        ++reads_;
        const std::size_t n = std::min({size, chunk, limit - position_});
        std::copy_n(available_.data() + position_, n, buffer);
        position_ += n;
        return n;
    }

    std::string peer() const override { return "imap.example.com:993"; }

    bool script_done() const { return script_.empty(); }
    /// Everything the client wrote.
    const std::string& written() const { return written_; }
    /// Bytes written after the script ran out.
    const std::string& unexpected() const { return unexpected_; }
    /// The most scripted commands the client wrote without reading in between (pipelining depth).
    std::size_t max_in_flight() const { return max_in_flight_; }
    std::size_t unread() const { return available_.size() - position_; }

    static std::string printable(std::string_view text) {
        std::string out;
        for (char c : text) {
            if (c == '\r') out += "\\r";
            else if (c == '\n') out += "\\n";
            else out += c;
        }
        return out;
    }

private:
    struct Step {
        std::string command;
        std::string reply;
        bool gate = false;
    };

    std::deque<Step> script_;
    std::string pending_;
    std::string written_;
    std::string unexpected_;
    std::string available_;
    std::vector<std::size_t> chunk_sizes_;
    std::size_t position_ = 0;
    std::size_t gate_end_ = 0;
    std::size_t reads_ = 0;
    std::size_t writes_ = 0;
    std::size_t max_in_flight_ = 0;
    std::size_t matched_since_read_ = 0;
    std::size_t close_at_ = static_cast<std::size_t>(-1);
    bool timeout_mode_ = false;
};

/// Dovecot 2.3's capabilities after login.
inline const char* const dovecot_capabilities =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
    "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
    "I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE "
    "SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

/// A plain server: no LITERAL+, no UIDPLUS, no LIST-STATUS, no CONDSTORE.
inline const char* const plain_capabilities = "IMAP4rev1 IDLE NAMESPACE";

/// Scripts the CAPABILITY exchange every session starts with (tag Z1).
inline void expect_start(ScriptedStream& stream, const std::string& capabilities) {
    stream.expect("Z1 CAPABILITY\r\n", "* CAPABILITY " + capabilities + "\r\nZ1 OK Capability completed.\r\n");
}

/// Calls `f` and returns the zmail::Error it throws (a failure when it throws none).
template <typename F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error thrown";
    return Error(ErrorKind::Internal, "none");
}

/// Records what uid_fetch_bodies delivers and checks the order of calls.
class RecordingMessageSink : public MessageSink {
public:
    struct Message {
        BodyStart start;
        std::string body;
        FetchedMessage info;
        bool completed = false;
    };
    std::vector<Message> messages;
    int abandoned = 0;
    /// Throw from data() of the n-th message (1-based), 0: never.
    int throw_in_message = 0;

    void begin(const BodyStart& start) override {
        EXPECT_FALSE(open_) << "bodies overlap";
        open_ = true;
        messages.push_back({start, {}, {}, false});
    }
    void data(std::string_view bytes, std::uint64_t offset) override {
        EXPECT_TRUE(open_);
        EXPECT_EQ(offset, messages.back().body.size());
        messages.back().body += bytes;
        if (throw_in_message == static_cast<int>(messages.size()))
            throw Error(ErrorKind::Storage, "cannot write message: disk full");
    }
    void complete(const FetchedMessage& message) override {
        EXPECT_TRUE(open_);
        open_ = false;
        messages.back().info = message;
        messages.back().completed = true;
    }
    void abandon() noexcept override {
        open_ = false;
        ++abandoned;
    }

private:
    bool open_ = false;
};

}  // namespace zmail::imap::testing
