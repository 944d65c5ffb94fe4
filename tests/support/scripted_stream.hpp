// A net::Stream that plays a mail server from a script, for the session unit tests (IMAP, POP3):
// each step names the bytes the client must write next, and only then is its reply readable.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "error.hpp"
#include "net/stream.hpp"

namespace zmail::testing {

/// Each scripted step names the exact bytes the client must write next; once it has, the step's
/// reply becomes readable. Replies are handed out in chunks of the chosen sizes (cycled). A step may
/// be a gate (a "+" continuation): the client must read its whole reply before writing again, which
/// proves a synchronizing literal waited. When no bytes are left, read_some throws Error{Network}
/// (end of stream, as the libcurl stream does) or, in timeout mode, Error{Temporary} after a short
/// sleep, so nothing hangs.
class ScriptedStream : public net::Stream {
public:
    /// What bytes written after the last step are: kept for unexpected() (the test checks them),
    /// or a test failure.
    enum class AfterScript { Keep, Fail };

    explicit ScriptedStream(std::string peer = "imap.example.com:993", AfterScript after = AfterScript::Keep)
        : peer_(std::move(peer)), after_script_(after) {}

    /// The client must write `command` next; then `reply` becomes readable.
    void expect(std::string command, std::string reply, bool gate = false) {
        script_.push_back({std::move(command), std::move(reply), gate});
    }
    /// The client must write the line `command` (CRLF added) next; then `reply` becomes readable.
    void expect_line(const std::string& command, std::string reply) { expect(command + "\r\n", std::move(reply)); }
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
        match_steps();
        if (script_.empty() && !pending_.empty()) {
            if (after_script_ == AfterScript::Fail) ADD_FAILURE() << "unexpected command '" << printable(pending_) << "'";
            unexpected_ += pending_;
            pending_.clear();
        }
        max_in_flight_ = std::max(max_in_flight_, in_flight());
    }

    std::size_t read_some(char* buffer, std::size_t size) override {
        const std::size_t limit = std::min(available_.size(), close_at_);
        if (position_ >= limit) {
            if (timeout_mode_ && close_at_ == static_cast<std::size_t>(-1)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
                throw Error(ErrorKind::Temporary, "no reply from '" + peer_ + "' within 1 seconds");
            }
            throw Error(ErrorKind::Network, "'" + peer_ + "' closed the connection");
        }
        matched_since_read_ = 0;
        const std::size_t chunk = chunk_sizes_.empty() ? size : chunk_sizes_[reads_ % chunk_sizes_.size()];
        ++reads_;
        const std::size_t n = std::min({size, chunk, limit - position_});
        std::copy_n(available_.data() + position_, n, buffer);
        position_ += n;
        return n;
    }

    std::string peer() const override { return peer_; }

    bool script_done() const { return script_.empty(); }
    /// Everything the client wrote.
    const std::string& written() const { return written_; }
    /// The lines the client wrote, without CRLF.
    std::vector<std::string> commands() const {
        std::vector<std::string> lines;
        std::size_t start = 0, end;
        while ((end = written_.find("\r\n", start)) != std::string::npos) {
            lines.push_back(written_.substr(start, end - start));
            start = end + 2;
        }
        return lines;
    }
    /// Bytes written after the script ran out.
    const std::string& unexpected() const { return unexpected_; }
    /// The most scripted commands the client wrote without reading in between (pipelining depth).
    std::size_t max_burst() const { return max_burst_; }
    /// The most scripted commands whose replies the client had not read completely.
    std::size_t max_in_flight() const { return max_in_flight_; }
    /// How many times the client called write().
    std::size_t writes() const { return writes_; }
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

    void match_steps() {
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
            reply_ends_.push_back(available_.size());
            if (step.gate) {
                gate_end_ = available_.size();
                gated = true;
            }
            script_.pop_front();
            max_burst_ = std::max(max_burst_, ++matched_since_read_);
            if (gated && !pending_.empty()) {
                ADD_FAILURE() << "client wrote past a synchronizing literal: " << printable(pending_.substr(0, 100));
                break;
            }
        }
    }

    std::size_t in_flight() const {
        return static_cast<std::size_t>(std::count_if(reply_ends_.begin(), reply_ends_.end(),
                                                       [this](std::size_t end) { return end > position_; }));
    }

    std::string peer_;
    AfterScript after_script_;
    std::deque<Step> script_;
    std::string pending_;
    std::string written_;
    std::string unexpected_;
    std::string available_;
    std::vector<std::size_t> reply_ends_;
    std::vector<std::size_t> chunk_sizes_;
    std::size_t position_ = 0;
    std::size_t gate_end_ = 0;
    std::size_t reads_ = 0;
    std::size_t writes_ = 0;
    std::size_t max_burst_ = 0;
    std::size_t max_in_flight_ = 0;
    std::size_t matched_since_read_ = 0;
    std::size_t close_at_ = static_cast<std::size_t>(-1);
    bool timeout_mode_ = false;
};

}  // namespace zmail::testing
