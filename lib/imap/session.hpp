// An IMAP session (RFC 3501 with UIDPLUS, CONDSTORE/QRESYNC, LITERAL+, SPECIAL-USE, LIST-STATUS, ID,
// ENABLE, IDLE) over an already logged-in byte stream: tags, pipelining, synchronizing literals,
// response dispatch, and the high-level calls that `zmail folders`, `send` and `sync` use.
// The pure codec is in response_reader.hpp / command.hpp; this file adds the I/O.
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

/// The STATUS items of a mailbox. Items the server did not send stay empty.
struct MailboxStatus {
    std::optional<std::uint32_t> messages, recent, uid_next, uid_validity, unseen;
    std::optional<std::uint64_t> size, highest_modseq;
};

/// One mailbox of a LIST or LSUB answer.
struct MailboxEntry {
    std::string name;                 ///< UTF-8 (decoded from modified UTF-7 unless UTF8=ACCEPT)
    std::string raw_name;             ///< exactly as the server sent it
    std::optional<char> delimiter;    ///< hierarchy delimiter; nullopt for a flat namespace
    std::vector<std::string> attributes;  ///< "\HasNoChildren", "\Sent", "\Noselect", ... as sent
    std::string special_use;          ///< "\Sent", "\Drafts", "\Trash", "\Junk", "\Archive", "\All",
                                      ///< "\Flagged", or empty
    bool selectable = true;           ///< false with \Noselect or \NonExistent
    std::optional<MailboxStatus> status;  ///< when asked for and the server answered
    bool has_attribute(std::string_view attribute) const;  ///< case-insensitive
};

/// What list() asks for.
struct ListRequest {
    std::string reference;            ///< LIST reference, usually empty
    std::string pattern = "*";        ///< UTF-8; '*' and '%' are wildcards
    /// STATUS items per selectable mailbox: LIST-STATUS when offered, else one STATUS per mailbox
    /// (pipelined; a mailbox whose STATUS is refused just has no status). Empty: none.
    std::vector<StatusItem> status;
};

/// One message of a flags listing, a QRESYNC change or an unsolicited flag update.
struct MessageFlags {
    std::uint32_t uid = 0;
    std::uint32_t sequence = 0;
    std::vector<std::string> flags;          ///< as sent ("\Seen", "$Forwarded")
    std::uint64_t modseq = 0;                ///< 0 when the server sent none
    std::optional<std::uint64_t> size;       ///< RFC822.SIZE, when asked
    std::optional<std::time_t> internal_date;  ///< INTERNALDATE (UTC), when asked
};

/// SELECT/EXAMINE parameters.
struct OpenOptions {
    bool read_only = false;  ///< EXAMINE instead of SELECT
    /// "(CONDSTORE)": ask for HIGHESTMODSEQ; ignored when the server lacks CONDSTORE.
    bool condstore = false;
    /// "(QRESYNC (...))": what the caller knew; used only when QRESYNC was enabled (see
    /// SessionOptions::enable_qresync), otherwise ignored.
    std::optional<Qresync> qresync;
    /// QRESYNC: messages whose flags changed since qresync->modseq, as the server reports them
    /// during SELECT. Without a callback they are dropped (the caller then lists flags itself).
    std::function<void(const MessageFlags&)> on_changed;
};

/// The mailbox selected by select()/examine().
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
};

/// uid_fetch_flags() parameters.
struct FlagListingOptions {
    /// > 0: only messages whose mod-sequence is higher ("(CHANGEDSINCE n)"); needs CONDSTORE.
    std::uint64_t changed_since = 0;
    /// With changed_since and QRESYNC enabled: also report expunged UIDs ("VANISHED").
    bool vanished = true;
    /// Also fetch RFC822.SIZE and INTERNALDATE.
    bool size_and_date = false;
};

/// What uid_fetch_flags() found besides the messages.
struct FlagListing {
    std::uint32_t count = 0;  ///< callbacks made
    SequenceSet vanished;     ///< VANISHED (EARLIER) UIDs (QRESYNC with changed_since)
};

/// The collected form of uid_fetch_flags().
struct FlagListingAll {
    std::vector<MessageFlags> messages;
    SequenceSet vanished;
};

/// What uid_fetch_bodies() tells once a message's FETCH response is complete.
struct FetchedMessage {
    std::uint32_t uid = 0;
    std::uint32_t sequence = 0;
    std::vector<std::string> flags;
    std::optional<std::time_t> internal_date;  ///< UTC
    std::optional<int> internal_date_offset;   ///< minutes east of UTC
    std::optional<std::uint64_t> rfc822_size;
    std::uint64_t modseq = 0;
    std::uint64_t size = 0;  ///< body bytes delivered to data()
};

/// Receives message bodies from uid_fetch_bodies(), one at a time, never overlapping:
/// begin(), data() with consecutive chunks, then complete() or abandon().
class MessageSink {
public:
    virtual ~MessageSink() = default;
    /// A body starts. `start.uid` is set when the server sent UID before the body (Dovecot does);
    /// the UID is certain only in complete(). Keep the bytes in a temporary place until then.
    virtual void begin(const BodyStart& start) = 0;
    /// The next chunk; valid only during the call; `offset` is its position in the body.
    virtual void data(std::string_view bytes, std::uint64_t offset) = 0;
    /// The body is complete and its FETCH response has arrived: the message may be kept.
    virtual void complete(const FetchedMessage& message) = 0;
    /// The body begun last will not be completed (connection lost, a bad response, or this sink
    /// threw): discard it. Must not throw.
    virtual void abandon() noexcept = 0;
};

/// uid_fetch_bodies() parameters.
struct FetchBodiesOptions {
    std::size_t batch_size = 50;     ///< UIDs per UID FETCH command
    std::size_t max_in_flight = 4;   ///< UID FETCH commands sent before the first answer
};

/// What uid_fetch_bodies() could not deliver.
struct FetchBodiesResult {
    std::uint32_t delivered = 0;           ///< complete() calls
    std::vector<std::uint32_t> missing;    ///< asked for, but no body came (expunged meanwhile)
    std::vector<CommandResult> refused;    ///< UID FETCH commands answered NO (their UIDs may be missing)
};

/// uid_store() result.
struct StoreResult {
    SequenceSet modified;  ///< UNCHANGEDSINCE: UIDs the server did not change ([MODIFIED])
};

/// The message bytes for append(): exactly `size` bytes, read in chunks, so a 50 MB message is
/// never held whole. `read` fills up to `capacity` bytes and returns how many; 0 means the end.
struct AppendSource {
    std::uint64_t size = 0;
    std::function<std::size_t(char* buffer, std::size_t capacity)> read;
};

/// append() result.
struct AppendResult {
    CommandResult result;
    std::optional<std::uint32_t> uid_validity;  ///< from [APPENDUID] (UIDPLUS)
    std::optional<std::uint32_t> uid;           ///< the new message's UID, from [APPENDUID]
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

/// How idle() ended.
enum class IdleEnd {
    Timeout,  ///< max_duration passed
    Stopped,  ///< the callback asked to stop (by default: a mailbox change arrived)
};

struct SessionOptions {
    TraceHook trace;  ///< optional protocol trace; never sees credentials
    /// Send ID (RFC 2971) after CAPABILITY when the server offers it (NetEase refuses SELECT
    /// without). The fields are `id_fields`, or name "zmail" and the version when empty.
    bool send_id = false;
    std::vector<std::pair<std::string, std::string>> id_fields;
    bool enable_condstore = false;  ///< ENABLE CONDSTORE when offered
    bool enable_qresync = false;    ///< ENABLE QRESYNC (with CONDSTORE) when offered
    bool enable_utf8 = false;       ///< ENABLE UTF8=ACCEPT when offered (mailbox names sent as UTF-8)
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
    /// Sends CAPABILITY again and returns the new list.
    const Capabilities& refresh_capabilities();
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
    /// The selected mailbox, if any (set by a successful select/examine).
    const std::optional<SelectedMailbox>& selected() const { return selected_; }
    std::string peer() const { return stream_.peer(); }
    bool broken() const { return broken_; }

    /// Untagged data nobody asked for (EXISTS, EXPUNGE, VANISHED, FETCH, ALERT), since the last
    /// take_updates() or select(). take_updates() returns them and clears the collection.
    const MailboxUpdates& updates() const { return updates_; }
    MailboxUpdates take_updates();

    // --- commands (low level) -------------------------------------------------------------------

    /// Sends one command without waiting for its answer (pipelining) and returns its tag. A part
    /// announcing a synchronizing literal waits here for "+" (reading other answers meanwhile); if
    /// the server answers NO/BAD instead, the rest is not sent and wait() returns that result.
    /// `handler` sees untagged responses while this command is in flight (see UntaggedHandler).
    std::string send(const CommandBuilder& build, UntaggedHandler handler = {});
    /// Reads until the command `tag` is answered; returns its result (NO/BAD included, not thrown).
    /// An exception from a handler propagates from here; the session stays usable.
    CommandResult wait(const std::string& tag);
    /// send() then wait().
    CommandResult run(const CommandBuilder& build, UntaggedHandler handler = {});
    /// Commands sent and not yet answered.
    std::size_t in_flight() const { return in_flight_.size(); }

    // --- mailboxes (session_mailboxes.cpp) --------------------------------------------------------

    /// LIST with RETURN (SPECIAL-USE) when offered (with LIST-EXTENDED) and STATUS as asked.
    std::vector<MailboxEntry> list(const ListRequest& request = {});
    /// LSUB (subscribed mailboxes).
    std::vector<MailboxEntry> lsub(std::string_view pattern = "*");
    /// STATUS of one mailbox (HIGHESTMODSEQ is dropped when the server lacks CONDSTORE).
    MailboxStatus status(std::string_view mailbox, const std::vector<StatusItem>& items);
    /// SELECT (or EXAMINE with options.read_only). Clears updates(). A failure leaves no mailbox
    /// selected. A missing folder: CommandError "cannot select folder 'X': no such folder" with
    /// result.missing_mailbox().
    SelectedMailbox select(std::string_view mailbox, const OpenOptions& options = {});
    /// EXAMINE: select() read-only (options.read_only is ignored).
    SelectedMailbox examine(std::string_view mailbox, const OpenOptions& options = {});
    /// UNSELECT when offered, else nothing is sent (CLOSE would expunge); forgets the selection.
    void unselect();
    /// CREATE, with "(USE (...))" when `special_use` is given and CREATE-SPECIAL-USE is offered.
    void create(std::string_view mailbox, const std::vector<std::string>& special_use = {});
    void delete_mailbox(std::string_view mailbox);
    void rename(std::string_view from, std::string_view to);
    void subscribe(std::string_view mailbox);
    void unsubscribe(std::string_view mailbox);

    // --- messages in the selected mailbox (session_messages.cpp) ---------------------------------

    /// UID FETCH <uid_set> (UID FLAGS [MODSEQ] [RFC822.SIZE INTERNALDATE]) [(CHANGEDSINCE n
    /// [VANISHED])], each message given to `each` as it arrives (a message may come twice when the
    /// server also reports a change; the later one wins). `uid_set` e.g. "1:*".
    FlagListing uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options,
                                const std::function<void(const MessageFlags&)>& each);
    /// The same, collected.
    FlagListingAll uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options = {});
    /// UID FETCH (UID FLAGS INTERNALDATE RFC822.SIZE [MODSEQ] BODY.PEEK[]) in batches, several in
    /// flight, bodies streamed to `sink` (\Seen is not set). After a sink exception no further
    /// batches are sent; those in flight are read and discarded, then it is rethrown. A NO answer
    /// is returned in `refused` (its missing UIDs in `missing`); a BAD stops further batches and is
    /// thrown as CommandError once the batches in flight are read.
    FetchBodiesResult uid_fetch_bodies(std::span<const std::uint32_t> uids, MessageSink& sink,
                                       const FetchBodiesOptions& options = {});
    /// UID STORE <set> [(UNCHANGEDSINCE n)] +FLAGS.SILENT / -FLAGS.SILENT / FLAGS.SILENT, in as
    /// many commands as the set needs (pipelined).
    StoreResult uid_store(std::span<const std::uint32_t> uids, StoreMode mode, const std::vector<std::string>& flags,
                          std::optional<std::uint64_t> unchanged_since = std::nullopt);
    /// Removes the given messages, which the caller has marked \Deleted. With UIDPLUS: UID EXPUNGE.
    /// Without: UID SEARCH DELETED, and EXPUNGE only when every \Deleted message is one of `uids`;
    /// otherwise nothing is removed and Error{Unavailable} is thrown (EXPUNGE would also remove
    /// messages another client marked). A message marked by another client between the SEARCH and
    /// the EXPUNGE would still go: a small window only servers without UIDPLUS have.
    /// Returns how many messages the server reported gone (EXPUNGE/VANISHED responses).
    std::uint32_t uid_expunge(std::span<const std::uint32_t> uids);
    /// UID SEARCH HEADER Message-ID <id>: the UIDs whose Message-ID contains `message_id`.
    std::vector<std::uint32_t> uid_search_message_id(std::string_view message_id);
    /// UID SEARCH with the given terms.
    std::vector<std::uint32_t> uid_search(const std::vector<SearchTerm>& terms);

    /// APPEND <mailbox> [(flags)] ["date"] {size}: streams `source` in chunks (waiting for "+"
    /// without LITERAL+). Throws CommandError on NO/BAD ([TRYCREATE] when the mailbox is missing).
    /// A source that ends early or runs long is Error{Data} and breaks the session without ending
    /// the literal, so the server never stores a cut message.
    AppendResult append(std::string_view mailbox, const AppendSource& source,
                        const std::vector<std::string>& flags = {}, const std::optional<DateTime>& date = {});
    /// append() that returns NO/BAD in AppendResult::result instead of throwing.
    AppendResult try_append(std::string_view mailbox, const AppendSource& source,
                            const std::vector<std::string>& flags = {}, const std::optional<DateTime>& date = {});

    // --- waiting (session.cpp) -------------------------------------------------------------------

    /// NOOP: lets the server report changes (see updates()).
    void noop();
    /// IDLE until `on_response` returns true for an untagged response, or `max_duration` passes;
    /// then DONE. Every untagged response is also collected in updates(). Without a callback it
    /// stops at the first EXISTS, EXPUNGE, VANISHED or FETCH. Needs IDLE (Error{Unavailable}).
    /// A read timeout of the stream while idling is not an error (see SessionOptions::set_io_timeout).
    IdleEnd idle(std::chrono::seconds max_duration, const std::function<bool(const Response&)>& on_response = {});
    /// LOGOUT: reads the BYE and the tagged OK. Afterwards the session is finished. On a broken
    /// session nothing is sent and nothing thrown.
    void logout();

private:
    class Operation;
    class BodyForwarder;
    struct Pending {
        std::string tag;
        std::string command;
        UntaggedHandler handler;
    };

    // session.cpp: plumbing
    void do_start();
    std::string next_tag();
    void write(std::string_view bytes);
    void write_raw(std::string_view bytes);
    void trace(std::string_view line) const;
    void guarded(const std::function<void()>& callback);
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
    std::string submit(const CommandBuilder& build, UntaggedHandler handler = {},
                       const AppendSource* message = nullptr);
    CommandResult await(const std::string& tag);
    CommandResult execute(const CommandBuilder& build, UntaggedHandler handler = {});
    CommandBuilder id_builder(std::vector<std::pair<std::string, std::string>> fields) const;
    UntaggedHandler id_handler();
    // session_mailboxes.cpp
    std::vector<StatusItem> usable_status_items(const std::vector<StatusItem>& items) const;
    std::vector<MailboxEntry> list_command(bool lsub, const ListRequest& request);
    SelectedMailbox open_mailbox(std::string_view mailbox, const OpenOptions& options, bool read_only);
    void status_fallback(std::vector<MailboxEntry>& entries, const std::vector<StatusItem>& items);
    void remember_raw_names(const std::vector<MailboxEntry>& entries);
    // session_messages.cpp
    std::string folder_context() const;
    bool use_modseq() const;
    std::vector<std::uint32_t> search_command(const CommandBuilder& build);
    AppendResult append_command(std::string_view mailbox, const AppendSource& source,
                                const std::vector<std::string>& flags, const std::optional<DateTime>& date);

    net::Stream& stream_;
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
    bool busy_ = false;
    std::exception_ptr callback_error_;

    Capabilities capabilities_;
    std::vector<std::string> enabled_;
    std::optional<IdData> server_id_;
    std::map<std::string, std::string> raw_names_;  // UTF-8 name -> raw name that does not round-trip
    std::optional<SelectedMailbox> selected_;
    MailboxUpdates updates_;
};

}  // namespace zmail::imap
