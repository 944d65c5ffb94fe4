// A POP3 session (RFC 1939, RFC 2449 PIPELINING) over an already logged-in byte stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "net/stream.hpp"
#include "pop3/listing.hpp"
#include "pop3/response.hpp"

namespace zmail::pop3 {

/// Receives protocol trace lines without line ending: "C: RETR 1", "S: +OK 120 octets",
/// "S: <120 bytes of message data>". Listing lines (UIDL, LIST, CAPA) are traced one by one.
using TraceHook = std::function<void(std::string_view line)>;

/// The start of Error::what() for every failure of Session::quit().
inline constexpr std::string_view deletions_not_committed = "deletions not committed";

/// Receives one message of Session::retr_many. It is created when the +OK for that message
/// arrives. complete() is called when the whole message has arrived; a sink destroyed without
/// complete() was abandoned (connection lost, protocol error) and must discard what it has.
class MessageSink {
public:
    virtual ~MessageSink() = default;
    /// A chunk of the message: dot-unstuffed, CRLF line endings exactly as sent. Never empty.
    virtual void write(std::string_view chunk) = 0;
    /// The message is complete; `size` is the number of bytes written.
    virtual void complete(std::uint64_t size) = 0;
};

/// Makes the sink for message `number` after its +OK `reply`; may return nullptr to discard it.
using MessageSinkFactory =
    std::function<std::unique_ptr<MessageSink>(std::uint32_t number, const StatusLine& reply)>;

/// A command of retr_many/dele_many that the server answered with -ERR.
struct CommandFailure {
    std::uint32_t number = 0;  ///< the message number
    StatusLine reply;          ///< the -ERR line
};

struct SessionOptions {
    /// Most commands in flight at once when the server advertised PIPELINING (1 = no pipelining).
    std::size_t pipeline_window = 8;
    TraceHook trace;  ///< optional protocol trace
};

/// Turns a -ERR reply into an Error: [IN-USE], [LOGIN-DELAY], [SYS/TEMP] -> Temporary (with a
/// hint for IN-USE), [AUTH] -> Auth, [SYS/PERM] -> Unavailable, anything else -> Protocol.
/// `what` is our words ("cannot retrieve message 3 from 'pop.example.com'"); the -ERR line
/// goes into server_reply.
Error error_from_reply(const StatusLine& reply, std::string what);

/// A POP3 session in the TRANSACTION state. It borrows `stream` (which must outlive it) and
/// owns the protocol state; not thread-safe. Every method throws zmail::Error:
///   - whatever Stream throws (Network on EOF, Temporary on timeout), unchanged;
///   - Protocol for replies that do not parse, naming the command;
///   - error_from_reply() for -ERR, except where a method says otherwise.
/// After a Network, Temporary or Protocol error the connection is out of step and the session
/// is broken: every later call throws Error{Network} (quit() throws "deletions not committed").
/// An exception from a sink does not break the session: the rest of the replies already asked
/// for are read and discarded first, then the sink's exception is rethrown.
/// The destructor does not send QUIT: dropping the connection makes the server roll back
/// deletions (RFC 1939 6), which is the safe outcome.
/// The methods must not be called from inside a sink (Error{Internal}).
class Session {
public:
    explicit Session(net::Stream& stream, SessionOptions options = {});
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// CAPA. A -ERR answer (a server without RFC 2449) gives capa_supported == false, not an
    /// error. The result is remembered: retr_many/dele_many pipeline only after a CAPA that
    /// listed PIPELINING.
    const Capabilities& capa();
    /// The result of the last capa() (all false before it).
    const Capabilities& capabilities() const { return capabilities_; }
    /// UTF8 (RFC 6856) when the last capa() listed it: without it a server such as Courier gives
    /// a "Cannot display Unicode content" notice in place of a message with raw UTF-8 headers.
    /// A refusal is not an error (the server said it could; the messages come as before).
    void enable_utf8();

    /// STAT.
    MaildropStat stat();
    /// UIDL (all messages). Duplicate uids are reported in the result, not thrown; malformed
    /// lines and a message number listed twice are Protocol errors.
    UidlListing uidl();
    /// LIST (all messages).
    std::vector<ListEntry> list();
    /// TOP n lines: the headers and `lines` body lines to `sink`. Returns the bytes delivered.
    std::uint64_t top(std::uint32_t number, std::uint32_t lines, const DataSink& sink);
    /// RETR n: the whole message to `sink`, in chunks. Returns the bytes delivered.
    std::uint64_t retr(std::uint32_t number, const DataSink& sink);
    /// DELE n: marks the message; the server deletes it only when QUIT succeeds.
    void dele(std::uint32_t number);
    /// NOOP.
    void noop();
    /// RSET: unmarks every message marked deleted.
    void rset();

    /// RETR of each number in order, with up to pipeline_window commands in flight when the
    /// server advertised PIPELINING, else one at a time. Messages are delivered strictly in
    /// order: message k's complete() comes before message k+1's factory call. Messages the
    /// server refused with -ERR are returned (in order) and the rest continue.
    std::vector<CommandFailure> retr_many(std::span<const std::uint32_t> numbers,
                                          const MessageSinkFactory& open);
    /// DELE of each number, pipelined like retr_many. Returns the numbers refused with -ERR;
    /// all others are marked deleted.
    std::vector<CommandFailure> dele_many(std::span<const std::uint32_t> numbers);

    /// QUIT: the server commits the deletions and closes. Returns only when the server answered
    /// +OK. Otherwise throws an Error whose message starts with "deletions not committed":
    /// kind Protocol for -ERR (server_reply has its words), Network when the connection failed
    /// or the session was already broken (the server may or may not have committed then).
    /// The session is finished afterwards either way.
    void quit();

    /// QUIT without waiting for the answer, for a session that marked nothing deleted: the answer
    /// could change nothing, and a run with nothing to do ends a round trip sooner. Throws
    /// Error{Internal} when messages are marked deleted (use quit()), Error{Network} when the
    /// command cannot be sent. The session is finished afterwards either way.
    void leave();

    /// The peer, for messages ("pop.example.com:995").
    std::string peer() const { return stream_.peer(); }
    /// Messages marked deleted with a +OK since the last RSET.
    std::size_t marked_deleted() const { return marked_deleted_; }

private:
    class Operation;

    void send(const std::vector<std::string>& commands);
    void fill_buffer();
    StatusLine read_reply(ReplyShape shape, const std::string& command,
                          const std::function<DataSink(const StatusLine&)>& open_data = {});
    StatusLine simple_command(const std::string& command);
    std::vector<std::string> listing_command(const std::string& command);
    /// `what` says what failed; it is called only when the server refuses the command.
    std::uint64_t data_command(const std::string& command, const DataSink& sink,
                               const std::function<std::string()>& what);
    std::vector<CommandFailure> pipelined(std::span<const std::uint32_t> numbers, const char* verb,
                                          const MessageSinkFactory* open);
    std::size_t window() const;
    void trace(std::string_view line) const;

    net::Stream& stream_;
    SessionOptions options_;
    Capabilities capabilities_;
    ReplyReader reader_;
    std::vector<char> buffer_;
    std::size_t buffer_begin_ = 0;
    std::size_t buffer_end_ = 0;
    bool broken_ = false;
    bool finished_ = false;
    bool busy_ = false;
    std::exception_ptr sink_error_;  ///< the first exception a sink threw in this operation
    std::size_t marked_deleted_ = 0;
};

}  // namespace zmail::pop3
