// The POP3 reply codec (RFC 1939, RFC 2449, RFC 3206): status lines and an incremental reader
// for single-line and multi-line replies. Pure: no I/O, links without libcurl.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::pop3 {

/// The longest status line or listing line (UIDL, LIST, CAPA) accepted, CRLF included.
/// Message data lines (RETR, TOP) have no limit: they are streamed.
inline constexpr std::size_t max_line_length = 64 * 1024;

/// The extended response code of RFC 2449 / RFC 3206 ("-ERR [IN-USE] ..."), as far as policy cares.
enum class ResponseCode {
    None,        ///< no "[...]" after the status indicator
    InUse,       ///< [IN-USE]: another session holds the maildrop lock
    LoginDelay,  ///< [LOGIN-DELAY]: logged in too soon after the last login
    SysTemp,     ///< [SYS/TEMP]: temporary server problem
    SysPerm,     ///< [SYS/PERM]: permanent server problem
    Auth,        ///< [AUTH]: the credentials were wrong
    Other,       ///< some other code, kept as text in StatusLine::code_text
};

/// One parsed status line: "+OK text" or "-ERR [CODE] text".
struct StatusLine {
    bool ok = false;                         ///< true for +OK, false for -ERR
    ResponseCode code = ResponseCode::None;  ///< the response code, if any
    std::string code_text;                   ///< the code as sent, without brackets ("SYS/TEMP")
    std::string text;                        ///< the human text after status and code
    std::string line;                        ///< the whole line without CRLF (for Error::server_reply)
};

/// Parses one status line (without or with its CRLF). Throws zmail::Error{Protocol} when it is
/// neither "+OK..." nor "-ERR...".
StatusLine parse_status_line(std::string_view line);

/// What the reply being read looks like after a +OK. A -ERR reply is always a single line.
enum class ReplyShape {
    SingleLine,  ///< +OK/-ERR line only (STAT, DELE, NOOP, QUIT, UIDL n, LIST n)
    Data,        ///< +OK then message data to the data sink (RETR, TOP)
    Lines,       ///< +OK then listing lines, collected in lines() (UIDL, LIST, CAPA)
};

/// Receives message data: dot-unstuffed, line endings exactly as sent (CRLF), the final
/// ".CRLF" removed. Called with chunks of any size, never with an empty chunk.
using DataSink = std::function<void(std::string_view chunk)>;

/// An incremental reader of one reply at a time, fed arbitrary chunks of the server's bytes.
///
/// Typical use: start(shape); then repeatedly feed() the unread bytes and drop as many as it
/// consumed, until done(). feed() never consumes bytes past the end of the reply, so the
/// remainder belongs to the next (pipelined) reply. For a multi-line reply feed() also returns
/// right after the status line, so the caller can look at status() and attach a sink with
/// set_sink() before the first data byte is passed on.
///
/// Lines of data are delimited by CRLF only (as curl and the RFC do); a bare LF or CR is data.
/// A line that starts with "." has that "." removed (RFC 1939 3: "..x" -> ".x", ".x" -> "x"),
/// and a line that is exactly "." ends the reply.
///
/// Errors: feed() throws zmail::Error{Protocol} for a malformed status line, or a status or
/// listing line longer than max_line_length. After an exception the reader must be start()ed
/// again before use. Exceptions thrown by the sink pass through unchanged and also leave the
/// reader unusable until start().
class ReplyReader {
public:
    /// Begins a new reply; clears status, lines and sink.
    void start(ReplyShape shape);

    /// Sets (or replaces) where the data of a ReplyShape::Data reply goes. Without a sink the
    /// data is counted and discarded. The sink must stay valid until done() or start().
    void set_sink(DataSink sink);

    /// Consumes bytes of the reply; returns how many were consumed (0..bytes.size()).
    std::size_t feed(std::string_view bytes);

    /// The status line has been read completely (status() is valid).
    bool has_status() const { return phase_ != Phase::StatusLine; }
    /// The reply is complete (terminator seen, or single-line reply read).
    bool done() const { return phase_ == Phase::Done; }
    /// The status line; valid once has_status().
    const StatusLine& status() const { return status_; }
    /// The listing lines of a ReplyShape::Lines reply, unstuffed, without CRLF.
    const std::vector<std::string>& lines() const { return lines_; }
    /// Moves the listing lines out.
    std::vector<std::string> take_lines() { return std::move(lines_); }
    /// Bytes of data passed to the sink (or discarded) so far for this reply.
    std::uint64_t data_bytes() const { return data_bytes_; }

private:
    enum class Phase { StatusLine, Body, Done };
    /// Where we are in the current data line.
    enum class LineState {
        LineStart,  ///< at the first byte of a line
        Dot,        ///< the line began with "." (not passed on)
        DotCr,      ///< the line began with ".\r"
        Middle,     ///< inside a line, the last byte was not CR
        MiddleCr,   ///< inside a line, the last byte was CR
    };

    std::size_t feed_status(std::string_view bytes);
    std::size_t feed_body(std::string_view bytes);
    void emit(std::string_view chunk);
    void finish_listing_line();

    ReplyShape shape_ = ReplyShape::SingleLine;
    Phase phase_ = Phase::Done;
    LineState line_state_ = LineState::LineStart;
    std::string pending_;  ///< the partial status line, or the partial listing line
    StatusLine status_;
    std::vector<std::string> lines_;
    DataSink sink_;
    std::uint64_t data_bytes_ = 0;
};

}  // namespace zmail::pop3
