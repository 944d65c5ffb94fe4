// The core of an IMAP session (RFC 3501 with LITERAL+, ID, ENABLE) over an already logged-in byte
// stream: tags, pipelining, synchronizing literals, dispatch of tagged and untagged responses, start-up
// (CAPABILITY, ID, ENABLE), the selected mailbox's state, NOOP and LOGOUT. Like curl's pingpong.c
// under its protocol modules, the command groups are built on it:
//   session_mailboxes.hpp  imap::Mailboxes  LIST/LSUB/STATUS, SELECT/EXAMINE, CREATE, DELETE, RENAME, ...
//   session_messages.hpp   imap::Messages   UID FETCH (flags, bodies), UID STORE, UID EXPUNGE, SEARCH, APPEND
//   session_idle.hpp       imap::idle()     IDLE
// The pure codec is in response_reader.hpp / command.hpp; these files add the I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "imap/command.hpp"
#include "imap/response.hpp"
#include "imap/response_reader.hpp"
#include "imap/uid_set.hpp"
#include "net/deflate_stream.hpp"
#include "net/stream.hpp"

namespace zmail::imap {

class ResponseTracer;

/// Receives protocol trace lines without line ending: "C: Z5 UID FETCH 1:50 (...)", "S: * 3 FETCH
/// (UID 7 BODY[] {2345}", "S: <2345 bytes of message data>". Literals split a line where they stand.
using TraceHook = std::function<void(std::string_view line)>;

/// The server's capabilities (from the last CAPABILITY response).
class Capabilities {
public:
    Capabilities() = default;
    explicit Capabilities(std::vector<std::string> atoms) : atoms_(std::move(atoms)) {}
    /// True when the server listed `name` (case-insensitive), e.g. has("UIDPLUS"), has("AUTH=PLAIN").
    bool has(std::string_view name) const;
    const std::vector<std::string>& atoms() const { return atoms_; }
    bool empty() const { return atoms_.empty(); }
    /// The capabilities a server announced in one line of its login dialogue, "* CAPABILITY
    /// IMAP4rev1 ..." or "A2 OK [CAPABILITY IMAP4rev1 ...] Logged in"; empty for any other line.
    static Capabilities announced(std::string_view line);

private:
    std::vector<std::string> atoms_;
};

/// How a command ended: the tagged OK/NO/BAD with its response code and text.
struct CommandResult {
    std::string tag;
    std::string command;  ///< the command's name for messages: "UID FETCH", "APPEND", "SELECT"
    Status status = Status::Ok;
    ResponseCode code;    ///< code.kind == CodeKind::None when the reply had none
    std::string text;     ///< the human-readable text after the code
    std::string line;     ///< the whole tagged line (the server's words, for Error::server_reply)

    bool ok() const { return status == Status::Ok; }
    bool has_code(CodeKind kind) const { return code.kind == kind; }
    /// A NO saying the mailbox does not exist: [TRYCREATE] or [NONEXISTENT], or no code and the
    /// usual words ("Mailbox doesn't exist", "does not exist", "no such mailbox", "unknown
    /// mailbox", "not found"), which Dovecot 2.3 (SELECT, STATUS), Cyrus and Courier send instead.
    bool missing_mailbox() const;
};

/// The error for a tagged NO or BAD: a zmail::Error whose kind, message and server_reply follow
/// command_error(), carrying the typed result so callers can act on the response code
/// (`catch (const imap::CommandError& e) { if (e.result.has_code(CodeKind::TryCreate)) ... }`).
struct CommandError : Error {
    CommandResult result;
    CommandError(Error error, CommandResult command_result)
        : Error(std::move(error)), result(std::move(command_result)) {}
};

/// Turns a NO/BAD into an Error. `what` is our words ("cannot create folder '送信済み/テスト'"); the
/// reason from the response code is appended (": it already exists") and the tagged line goes to
/// server_reply. Kinds: missing_mailbox() ("no such folder"), ALREADYEXISTS, NOPERM, LIMIT,
/// CANNOT, other NO and BAD -> Protocol; OVERQUOTA, INUSE, UNAVAILABLE, EXPUNGEISSUED -> Temporary;
/// AUTHENTICATIONFAILED, AUTHORIZATIONFAILED, EXPIRED -> Auth; PRIVACYREQUIRED -> Tls;
/// SERVERBUG, CORRUPTION -> Unavailable.
CommandError command_error(const CommandResult& result, std::string what);

/// One message of a flags listing, a QRESYNC change or an unsolicited flag update.
struct MessageFlags {
    std::uint32_t uid = 0;
    std::uint32_t sequence = 0;
    std::vector<std::string> flags;          ///< as sent ("\Seen", "$Forwarded")
    std::uint64_t modseq = 0;                ///< 0 when the server sent none
    std::optional<std::uint64_t> size;       ///< RFC822.SIZE, when asked
    std::optional<std::time_t> internal_date;  ///< INTERNALDATE (UTC), when asked
};

/// The mailbox selected by Mailboxes::select()/examine().
struct SelectedMailbox {
    std::string name;                 ///< UTF-8, as the caller gave it
    std::string raw_name;             ///< as sent
    std::uint32_t uid_validity = 0;
    std::uint32_t uid_next = 0;       ///< 0 when the server did not say
    std::uint32_t exists = 0;
    std::uint32_t recent = 0;
    std::optional<std::uint32_t> first_unseen;
    std::uint64_t highest_modseq = 0; ///< 0 without CONDSTORE or with [NOMODSEQ]
    bool no_modseq = false;           ///< the server said [NOMODSEQ]
    std::vector<std::string> flags;
    std::vector<std::string> permanent_flags;  ///< "\*" means new keywords may be made
    bool read_only = false;           ///< EXAMINE, or the server answered [READ-ONLY]
    SequenceSet vanished;             ///< QRESYNC: UIDs expunged since qresync->modseq
    std::uint32_t changed = 0;        ///< QRESYNC: number of changed messages reported
    std::string mailbox_id;           ///< OBJECTID (RFC 8474): stays the same across RENAME; "" when not sent
};

/// The message bytes for Messages::append(): exactly `size` bytes, read in chunks, so a 50 MB
/// message is never held whole. `read` fills up to `capacity` bytes and returns how many; 0 means
/// the end.
struct AppendSource {
    std::uint64_t size = 0;
    std::function<std::size_t(char* buffer, std::size_t capacity)> read;
};

/// What the server said without being asked, collected for the caller between operations.
struct MailboxUpdates {
    std::optional<std::uint32_t> exists;         ///< the last EXISTS count
    std::optional<std::uint32_t> recent;         ///< the last RECENT count
    std::vector<std::uint32_t> expunged;         ///< EXPUNGE sequence numbers, in arrival order
    SequenceSet vanished;                        ///< VANISHED UIDs (QRESYNC)
    /// Unsolicited FETCH with FLAGS; uid is 0 when the server sent only the sequence number
    /// (usual without QRESYNC).
    std::vector<MessageFlags> flag_changes;
    std::optional<std::vector<std::string>> flags;  ///< a new FLAGS list
    bool overflow = false;   ///< more flag changes than SessionOptions::max_updates: rescan instead
    std::vector<std::string> alerts;             ///< [ALERT] texts and untagged NO/BAD lines
    bool empty() const;
};

/// How idle() ends (session_idle.hpp).
enum class IdleEnd;

struct SessionOptions {
    TraceHook trace;  ///< optional protocol trace; never sees credentials
    /// Send ID (RFC 2971) after CAPABILITY when the server offers it (NetEase refuses SELECT
    /// without). The fields are `id_fields`, or name "zmail" and the version when empty.
    bool send_id = false;
    std::vector<std::pair<std::string, std::string>> id_fields;
    bool enable_condstore = false;  ///< ENABLE CONDSTORE when offered
    bool enable_qresync = false;    ///< ENABLE QRESYNC (with CONDSTORE) when offered
    bool enable_utf8 = false;       ///< ENABLE UTF8=ACCEPT when offered (mailbox names sent as UTF-8)
    /// What the server announced with its reply to the login (Capabilities::announced): the
    /// session then starts without asking CAPABILITY (one round trip less). Empty: it asks.
    Capabilities capabilities;
    /// Ask NAMESPACE (when offered) together with ENABLE and ID at the start; Mailboxes::namespaces()
    /// then answers from it without another round trip.
    bool ask_namespace = false;
    bool compress = false;          ///< COMPRESS DEFLATE (RFC 4978) when offered, before ID and ENABLE
    /// Memory bounds for one response (message bodies are streamed and do not count).
    ReaderLimits limits{16 * 1024 * 1024, 1024 * 1024, 32 * 1024 * 1024};
    /// Most unsolicited flag changes kept in MailboxUpdates before `overflow` is set.
    std::size_t max_updates = 100'000;
    /// Lets idle() wake up on time: called with the time left (at most `io_timeout`) before each
    /// wait, and with `io_timeout` afterwards. For net::Connection:
    /// `[&](auto t) { connection.set_io_timeout(t); }`. Without it idle() ends at the first read
    /// timeout after max_duration.
    std::function<void(std::chrono::seconds)> set_io_timeout;
    std::chrono::seconds io_timeout{120};  ///< the stream's normal I/O timeout (restored after idle)
};

/// Builds a command for the tag the session chose.
using CommandBuilder = std::function<Command(const std::string& tag)>;
/// Sees the untagged responses that arrive while its command is in flight; returns true when it
/// used one. A response is offered to the handlers of the commands in flight, oldest first, until
/// one uses it; a response nobody uses goes to MailboxUpdates.
using UntaggedHandler = std::function<bool(const Response& response)>;

/// An IMAP session in the authenticated state. It borrows `stream` (already logged in; must outlive
/// the session) and is not thread-safe. Errors are zmail::Error:
///   - tagged NO/BAD: CommandError (see command_error()); the session stays usable;
///   - the stream's errors: Network (a cut in the middle of a response becomes "connection to
///     'peer' closed in the middle of a response"), Temporary (I/O timeout);
///   - Protocol for responses that do not parse, an unknown tag or an unexpected "+", naming the
///     command, with the server's text in server_reply; limits exceeded (ReaderLimits);
///   - untagged BYE: Network (Temporary with [UNAVAILABLE]/[INUSE]), the BYE line in server_reply;
///   - Data for names or flags that cannot be sent; Unavailable when a needed capability is missing.
/// After a stream, protocol or BYE error the session is broken: later calls throw Error{Network}
/// "connection to 'peer' is unusable after an earlier error", and nothing more is written (an APPEND
/// cut short is never completed by a later command). An exception from a caller's callback or
/// sink does not break it: the commands in flight are read to their end first, then it is rethrown.
/// Callbacks must not call the session (Error{Internal}).
///
/// The command groups (Mailboxes, Messages, idle()) are friends: they drive the core's tags and
/// dispatch and keep its mailbox state (selection, raw names, updates) current.
///
/// The first call sends CAPABILITY (always asked again: libcurl swallows what the server sent),
/// then ID and ENABLE as SessionOptions say. The destructor sends LOGOUT when the session is
/// still usable and never throws.
class Session {
public:
    explicit Session(net::Stream& stream, SessionOptions options = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // --- set-up and state -----------------------------------------------------------------------

    /// CAPABILITY (once), ID and ENABLE; called by every other method. Idempotent.
    void start();
    /// The capabilities (starts the session if needed).
    const Capabilities& capabilities();
    /// The server's ID answer, when ID was sent and answered; empty otherwise.
    const std::optional<IdData>& server_id() const { return server_id_; }
    /// ID with the given fields (name/version when empty); returns the server's fields. Needs ID.
    IdData id(const std::vector<std::pair<std::string, std::string>>& fields = {});
    /// ENABLE of those of `wanted` the server offers; returns what it enabled. Needs ENABLE.
    std::vector<std::string> enable(const std::vector<std::string>& wanted);
    // The next five reflect the state after start() (which every operation calls first).

    /// True once ENABLEd (case-insensitive): "CONDSTORE", "QRESYNC", "UTF8=ACCEPT".
    bool enabled(std::string_view capability) const;
    /// True when mod-sequences can be used (CONDSTORE offered).
    bool condstore() const;
    /// True when QRESYNC was enabled.
    bool qresync() const { return enabled("QRESYNC"); }
    /// The wire form of a UTF-8 name (modified UTF-7 unless UTF8=ACCEPT is enabled; a name seen
    /// in a LIST whose raw form does not round-trip is sent as the server wrote it).
    std::string encode_mailbox(std::string_view utf8) const;
    /// The UTF-8 form of a name the server sent.
    std::string decode_mailbox(std::string_view raw) const;
    /// The options strings are written with (LITERAL+, LITERAL-, UTF8=ACCEPT).
    EncodeOptions encode_options() const;
    /// The selected mailbox, if any (set by a successful Mailboxes::select/examine).
    const std::optional<SelectedMailbox>& selected() const { return selected_; }
    std::string peer() const { return stream_->peer(); }
    bool broken() const { return broken_; }
    /// The compressed stream once COMPRESS DEFLATE is on (its byte counts); null otherwise.
    const net::DeflateStream* compression() const { return compressed_.get(); }

    /// Untagged data nobody asked for (EXISTS, EXPUNGE, VANISHED, FETCH, ALERT), since the last
    /// take_updates() or Mailboxes::select(). take_updates() returns them and clears the collection.
    const MailboxUpdates& updates() const { return updates_; }
    MailboxUpdates take_updates();

    // --- commands ---------------------------------------------------------------------------------

    /// Sends one command without waiting for its answer (pipelining) and returns its tag. A part
    /// announcing a synchronizing literal waits here for "+" (reading other answers meanwhile); if
    /// the server answers NO/BAD instead, the rest is not sent and wait() returns that result.
    /// `handler` sees untagged responses while this command is in flight (see UntaggedHandler).
    /// `message`: the bytes of the message literal a command built by command::append announces
    /// (streamed after the command; see Messages::append for its errors); null for other commands.
    std::string send(const CommandBuilder& build, UntaggedHandler handler = {}, const AppendSource* message = nullptr);
    /// Reads until the command `tag` is answered; returns its result (NO/BAD included, not thrown).
    /// An exception from a handler propagates from here; the session stays usable.
    CommandResult wait(const std::string& tag);
    /// send() then wait().
    CommandResult run(const CommandBuilder& build, UntaggedHandler handler = {});
    /// Commands sent and not yet answered.
    std::size_t in_flight() const { return in_flight_.size(); }

    /// NOOP: lets the server report changes (see updates()).
    void noop();
    /// LOGOUT: reads the BYE and the tagged OK. Afterwards the session is finished. On a broken
    /// session nothing is sent and nothing thrown.
    void logout();

private:
    friend class Mailboxes;
    friend class Messages;
    friend IdleEnd idle(Session& session, std::chrono::seconds max_duration,
                        const std::function<bool(const Response&)>& on_response,
                        const std::function<bool()>& cancelled);

    class Operation;
    class CallbackScope;
    struct Pending {
        std::string tag;
        std::string command;
        UntaggedHandler handler;
    };

    void do_start();
    void start_compression();
    std::string next_tag();
    void write(std::string_view bytes);
    void write_raw(std::string_view bytes);
    void trace(std::string_view line) const;
    /// Runs a caller's callback; its exception is kept (the first one) and false returned.
    bool call_back(const std::function<void()>& callback);
    /// call_back() unless an earlier callback of this operation threw.
    void guarded(const std::function<void()>& callback);
    void set_io_timeout(std::chrono::seconds timeout);
    void ensure_usable() const;
    std::string current_command() const;
    Error protocol_error(const Error& cause) const;
    bool fill(bool idle_wait);
    std::optional<Response> next_response(bool idle_wait);
    void read_and_dispatch();
    void dispatch(const Response& response);
    void complete(const StatusResponse& status);
    void record_update(const Response& response);
    bool await_continuation(const std::string& tag);
    void send_message_literal(const AppendSource& source);
    CommandBuilder id_builder(std::vector<std::pair<std::string, std::string>> fields) const;
    UntaggedHandler id_handler();

    net::Stream* stream_;                          // the connection, or compressed_ over it
    std::unique_ptr<net::DeflateStream> compressed_;  // after COMPRESS DEFLATE
    SessionOptions options_;
    ResponseReader reader_;
    std::vector<char> buffer_;
    std::size_t buffer_begin_ = 0;
    std::size_t buffer_end_ = 0;
    std::unique_ptr<ResponseTracer> tracer_;

    std::uint64_t tag_counter_ = 0;
    std::deque<Pending> in_flight_;
    std::map<std::string, CommandResult> answered_;
    bool awaiting_continuation_ = false;
    bool continuation_seen_ = false;
    bool logging_out_ = false;
    bool bye_seen_ = false;

    bool started_ = false;
    bool broken_ = false;
    bool finished_ = false;
    bool busy_ = false;            // an operation is running (operations nest: the outermost guards)
    mutable int callback_depth_ = 0;  // > 0 while a caller's callback runs
    std::exception_ptr callback_error_;

    Capabilities capabilities_;
    std::vector<std::string> enabled_;
    std::optional<IdData> server_id_;
    std::optional<NamespaceData> namespaces_;  // asked at the start (SessionOptions::ask_namespace)
    std::map<std::string, std::string> raw_names_;  // UTF-8 name -> raw name that does not round-trip
    std::optional<SelectedMailbox> selected_;
    MailboxUpdates updates_;
};

}  // namespace zmail::imap
