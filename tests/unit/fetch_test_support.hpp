// Helpers for the fetch_*_test.cpp files: a temporary directory, file helpers, and FakeMaildrop,
// an in-memory POP3 server (RFC 1939 + CAPA + PIPELINING) that hands out net::Stream sessions and
// can cut a connection at a chosen point. Deletions take effect only on QUIT, as on a real server.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../support/files.hpp"
#include "error.hpp"
#include "net/stream.hpp"

namespace zmail::fetch::testing {

using zmail::testing::TempDir;
using zmail::testing::read_file;
using zmail::testing::write_file;

/// The contents of every file in DIR/new and DIR/cur, sorted.
inline std::vector<std::string> maildir_messages(const std::string& folder) {
    std::vector<std::string> out;
    for (const char* sub : {"new", "cur"}) {
        const std::string dir = folder + "/" + sub;
        if (!std::filesystem::exists(dir)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) out.push_back(read_file(entry.path()));
    }
    std::sort(out.begin(), out.end());
    return out;
}

inline std::size_t count_files(const std::string& dir) {
    if (!std::filesystem::exists(dir)) return 0;
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                                  std::filesystem::directory_iterator()));
}

/// CRLF -> LF, as Maildir needs.
inline std::string lf(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
        out += text[i];
    }
    return out;
}

/// A test message with CRLF line ends: "Subject: <subject>" and a body with `body_lines` lines.
inline std::string make_message(const std::string& subject, int body_lines = 3, const std::string& extra_body = {}) {
    std::string m = "From: a@example.test\r\nTo: b@example.test\r\nSubject: " + subject +
                    "\r\nMessage-ID: <" + subject + "@example.test>\r\n\r\n";
    for (int i = 0; i < body_lines; ++i) m += "line " + std::to_string(i) + " of " + subject + "\r\n";
    m += extra_body;
    return m;
}

/// Where FakeMaildrop cuts the connection.
struct Cut {
    std::string verb;            ///< cut when the `occurrence`-th command with this verb arrives ("RETR")
    int occurrence = 1;
    bool after_processing = false;  ///< the command takes effect (QUIT commits), but its reply is lost
    std::size_t after_reply_bytes = 0;  ///< or: cut once this many reply bytes were read (0: off)
};

/// An in-memory POP3 maildrop. connect() opens a session; one session at a time.
class FakeMaildrop {
public:
    struct Message {
        std::string uidl;
        std::string content;  ///< CRLF line ends, not dot-stuffed
    };

    std::vector<Message> messages;
    bool capa = true, capa_uidl = true, uidl_supported = true, pipelining = true;
    std::string retr_error_uidl;  ///< RETR of this uidl gets -ERR
    std::vector<Cut> cuts;  ///< applied in order, one per session (the first unused one)
    int sessions = 0, quits = 0;
    std::size_t max_reply_bytes = 0;  ///< the most bytes a finished session sent
    std::map<std::string, int> retr_count;  ///< how often each uidl was retrieved
    std::map<std::string, int> command_count;

    void add(const std::string& uidl, const std::string& content) { messages.push_back({uidl, content}); }
    std::vector<std::string> uidls() const {
        std::vector<std::string> out;
        for (const auto& m : messages) out.push_back(m.uidl);
        return out;
    }

    class Session final : public net::Stream {
    public:
        Session(FakeMaildrop& drop, std::optional<Cut> cut) : drop_(drop), cut_(std::move(cut)) {
            deleted_.assign(drop.messages.size(), false);
        }
        ~Session() override { drop_.max_reply_bytes = std::max(drop_.max_reply_bytes, output_.size()); }
        void write(std::string_view bytes) override {
            if (cut_now_) throw Error(ErrorKind::Network, "cannot send to 'fake': connection reset");
            input_ += bytes;
            std::size_t end;
            while (!cut_now_ && (end = input_.find("\r\n")) != std::string::npos) {
                std::string line = input_.substr(0, end);
                input_.erase(0, end + 2);
                handle(line);
            }
        }
        std::size_t read_some(char* buffer, std::size_t size) override {
            std::size_t limit = output_.size();
            if (cut_ && cut_->after_reply_bytes) limit = std::min(limit, cut_->after_reply_bytes);
            if (position_ >= limit) {
                if (cut_now_ || (cut_ && cut_->after_reply_bytes && position_ >= cut_->after_reply_bytes))
                    throw Error(ErrorKind::Network, "'fake:110' closed the connection");
                throw Error(ErrorKind::Temporary, "timed out waiting for 'fake:110' (the client waits for "
                                                  "a reply it never asked for)");
            }
            const std::size_t n = std::min({size, limit - position_, std::size_t{1000}});
            std::copy_n(output_.data() + position_, n, buffer);
            position_ += n;
            return n;
        }
        std::string peer() const override { return "fake:110"; }

    private:
        void reply(const std::string& text) { output_ += text; }
        void handle(const std::string& line) {
            const std::string verb = line.substr(0, line.find(' '));
            ++drop_.command_count[verb];
            const int seen = ++session_counts_[verb];
            const bool cut_here = cut_ && cut_->after_reply_bytes == 0 && cut_->verb == verb && cut_->occurrence == seen;
            if (cut_here && !cut_->after_processing) {
                cut_now_ = true;
                return;
            }
            const std::size_t mark = output_.size();
            process(verb, line);
            if (cut_here) {
                output_.resize(mark);  // the reply is lost
                cut_now_ = true;
            }
        }
        int number_arg(const std::string& line) {
            const auto space = line.find(' ');
            if (space == std::string::npos) return -1;
            const int n = std::atoi(line.c_str() + space + 1);
            if (n < 1 || n > static_cast<int>(drop_.messages.size()) || deleted_[n - 1]) return -1;
            return n;
        }
        void process(const std::string& verb, const std::string& line) {
            auto& ms = drop_.messages;
            if (verb == "CAPA") {
                if (!drop_.capa) return reply("-ERR unknown command\r\n");
                std::string r = "+OK\r\nTOP\r\nUSER\r\n";
                if (drop_.capa_uidl) r += "UIDL\r\n";
                if (drop_.pipelining) r += "PIPELINING\r\n";
                return reply(r + ".\r\n");
            }
            if (verb == "UIDL") {
                if (!drop_.uidl_supported) return reply("-ERR unknown command\r\n");
                std::string r = "+OK\r\n";
                for (std::size_t i = 0; i < ms.size(); ++i)
                    if (!deleted_[i]) r += std::to_string(i + 1) + " " + ms[i].uidl + "\r\n";
                return reply(r + ".\r\n");
            }
            if (verb == "LIST") {
                std::string r = "+OK\r\n";
                for (std::size_t i = 0; i < ms.size(); ++i)
                    if (!deleted_[i]) r += std::to_string(i + 1) + " " + std::to_string(ms[i].content.size()) + "\r\n";
                return reply(r + ".\r\n");
            }
            if (verb == "RETR") {
                const int n = number_arg(line);
                if (n < 0 || ms[n - 1].uidl == drop_.retr_error_uidl) return reply("-ERR no such message\r\n");
                ++drop_.retr_count[ms[n - 1].uidl];
                std::string r = "+OK " + std::to_string(ms[n - 1].content.size()) + " octets\r\n";
                bool line_start = true;
                for (char c : ms[n - 1].content) {
                    if (line_start && c == '.') r += '.';
                    r += c;
                    line_start = c == '\n';
                }
                if (!line_start) r += "\r\n";
                return reply(r + ".\r\n");
            }
            if (verb == "DELE") {
                const int n = number_arg(line);
                if (n < 0) return reply("-ERR no such message\r\n");
                deleted_[n - 1] = true;
                return reply("+OK deleted\r\n");
            }
            if (verb == "QUIT") {
                ++drop_.quits;
                std::vector<Message> kept;
                for (std::size_t i = 0; i < ms.size(); ++i)
                    if (!deleted_[i]) kept.push_back(ms[i]);
                ms = kept;
                deleted_.assign(ms.size(), false);
                return reply("+OK bye\r\n");
            }
            if (verb == "NOOP" || verb == "RSET") return reply("+OK\r\n");
            reply("-ERR unknown command\r\n");
        }

        FakeMaildrop& drop_;
        std::optional<Cut> cut_;
        std::vector<bool> deleted_;
        std::map<std::string, int> session_counts_;
        std::string input_, output_;
        std::size_t position_ = 0;
        bool cut_now_ = false;
    };

    std::unique_ptr<net::Stream> connect() {
        ++sessions;
        std::optional<Cut> cut;
        if (!cuts.empty()) {
            cut = cuts.front();
            cuts.erase(cuts.begin());
        }
        return std::make_unique<Session>(*this, cut);
    }
};

}  // namespace zmail::fetch::testing
