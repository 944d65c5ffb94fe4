// The message commands of an IMAP session, on the selected mailbox: flag listings
// (CONDSTORE/QRESYNC), pipelined body fetches streamed to a sink, UID STORE, UID EXPUNGE (or its
// safe fallback), UID SEARCH, and APPEND.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imap/session.hpp"

namespace zmail::imap {

/// uid_fetch_flags() parameters.
struct FlagListingOptions {
    /// > 0: only messages whose mod-sequence is higher ("(CHANGEDSINCE n)"); needs CONDSTORE.
    std::uint64_t changed_since = 0;
    /// With changed_since and QRESYNC enabled: also report expunged UIDs ("VANISHED").
    bool vanished = true;
    /// Also fetch RFC822.SIZE and INTERNALDATE.
    bool size_and_date = false;
    /// Also fetch MODSEQ where the session has mod-sequences. Off for a listing sent before its
    /// folder is selected: a folder without mod-sequences ([NOMODSEQ]) would refuse the command.
    bool modseq = true;
};

/// What uid_fetch_flags() found besides the messages.
struct FlagListing {
    std::uint32_t count = 0;  ///< callbacks made
    SequenceSet vanished;     ///< VANISHED (EARLIER) UIDs (QRESYNC with changed_since)
};

/// A flag listing sent and not yet read to its end (Messages::send_fetch_flags).
struct PendingFlagListing {
    std::string tag;
    std::shared_ptr<FlagListing> listing;
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

/// append() result.
struct AppendResult {
    CommandResult result;
    std::optional<std::uint32_t> uid_validity;  ///< from [APPENDUID] (UIDPLUS)
    std::optional<std::uint32_t> uid;           ///< the new message's UID, from [APPENDUID]
};

/// The message commands of `session`, which it borrows (it must outlive this). Holds no state of
/// its own, e.g. `Messages(session).uid_store(...)`. All but append() work on the mailbox the
/// session has selected (Mailboxes::select). Errors as for Session.
class Messages {
public:
    explicit Messages(Session& session) : session_(session) {}

    /// UID FETCH <uid_set> (UID FLAGS [MODSEQ] [RFC822.SIZE INTERNALDATE]) [(CHANGEDSINCE n
    /// [VANISHED])], each message given to `each` as it arrives (a message may come twice when the
    /// server also reports a change; the later one wins). `uid_set` e.g. "1:*".
    FlagListing uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options,
                                const std::function<void(const MessageFlags&)>& each);
    /// The same, collected.
    FlagListingAll uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options = {});
    /// uid_fetch_flags() in two halves, so the command can follow another one (a SELECT) onto the
    /// wire before either is answered: send_fetch_flags() sends it; read_fetch_flags() reads it to
    /// its end and returns the server's answer without throwing for NO or BAD (the caller knows
    /// whether an empty folder, which some servers refuse "1:*" for, makes that fine).
    PendingFlagListing send_fetch_flags(std::string_view uid_set, const FlagListingOptions& options,
                                        std::function<void(const MessageFlags&)> each);
    CommandResult read_fetch_flags(const PendingFlagListing& pending);
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
    /// UID MOVE <uids> <mailbox> (RFC 6851; the caller checks the MOVE capability), or with
    /// `move` false UID COPY (the messages stay here). `mailbox` in
    /// UTF-8, sent in the server's form), one command
    /// per set the server takes. Returns (source UID, destination UID) from COPYUID (UIDPLUS), in
    /// the untagged OK or the tagged one; empty when the server tells no UIDs. The moved messages
    /// leave the selected mailbox (its EXPUNGE/VANISHED responses are taken). Throws CommandError
    /// on NO/BAD (the messages may have been moved or not: a NO moves none, RFC 6851 3.3).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> uid_move(std::span<const std::uint32_t> uids,
                                                                  std::string_view mailbox, bool move = true);
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

private:
    class BodyForwarder;
    /// An EXPUNGE or (not EARLIER) VANISHED response: how many messages left the selected
    /// mailbox (its EXISTS count lowered); 0 for any other response.
    std::uint64_t take_expunged(const Response& response);
    std::string folder_context() const;
    bool use_modseq() const;
    std::vector<std::uint32_t> search_command(const CommandBuilder& build);

    Session& session_;
};

}  // namespace zmail::imap
