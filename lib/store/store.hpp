// The mail-store interface between the sync engine and the two sides it syncs (isync's driver.h):
// the IMAP server (far) and the local Maildir (near). Both sides give every message a UID that is
// stable while the folder's UIDVALIDITY stays the same; the engine maps far UIDs to near UIDs and
// writes each rule once for both sides.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zmail::store {

/// The standard flags zmail syncs, as a bit set. Keywords are not synced. Each store maps them
/// to its own form (see maildir_store.hpp and imap_store.hpp).
enum Flag : unsigned {
    Seen = 1u << 0,
    Answered = 1u << 1,
    Flagged = 1u << 2,
    Deleted = 1u << 3,
    Draft = 1u << 4,
};
using Flags = unsigned;
inline constexpr Flags all_flags = Seen | Answered | Flagged | Deleted | Draft;


/// One message as a listing shows it.
struct MessageInfo {
    std::uint32_t uid = 0;
    Flags flags = 0;
    std::uint64_t size = 0;  ///< size in network form (CRLF line ends) when known, else 0
};

/// What identifies a message across the two sides when UIDs cannot: a hash of its Message-ID, Date,
/// From and Subject header fields (see header_hash()) and its size in network form (CRLF line ends).
struct MessageIdentity {
    std::uint32_t uid = 0;
    std::uint64_t header_hash = 0;
    std::uint64_t size = 0;
};

/// The header fields header_hash() reads, for an IMAP BODY.PEEK[HEADER.FIELDS (...)].
inline constexpr const char* identity_header_fields = "MESSAGE-ID DATE FROM SUBJECT";

/// A 64-bit hash of the Message-ID, Date, From and Subject fields found in `header` (a message header
/// or any part of it, CRLF or LF line ends; the first occurrence of each field counts; folding and
/// runs of white space do not matter; field names are case-insensitive). Both stores compute it the
/// same way from the same message, so it matches across sides whatever the line ends.
std::uint64_t header_hash(std::string_view header);

/// What select() tells about a folder.
struct FolderStatus {
    std::uint32_t uid_validity = 0;
    /// A lower bound for the UID of the next message appended (0: unknown).
    std::uint32_t uid_next = 0;
    std::uint64_t highest_modseq = 0;  ///< 0: the store has no mod-sequences (or the folder none yet)
    /// The folder's identity that survives a rename (IMAP OBJECTID's MAILBOXID); "" when unknown.
    std::string mailbox_id = {};
    /// How many messages it holds, when the folder listing told (not select()).
    std::optional<std::uint32_t> messages = std::nullopt;
};

/// The messages of the selected folder, all of them or only the changes since a mod-sequence.
struct Listing {
    std::vector<MessageInfo> messages;   ///< all messages, or (partial) only those changed
    bool partial = false;                ///< true: messages not listed are unchanged, except...
    std::vector<std::uint32_t> vanished; ///< ...these, known to be gone (QRESYNC VANISHED)
    /// ...or, when set, every UID that still exists (CONDSTORE without QRESYNC: UID SEARCH ALL);
    /// UIDs the caller knows that are not here are gone.
    std::optional<std::vector<std::uint32_t>> present;
    /// Messages that could not be listed and were left alone, in words (a Maildir file whose
    /// name cannot take a UID): the caller warns; the rest of the folder is synced.
    std::vector<std::string> skipped;
};

/// One folder as list_folders() shows it (name in UTF-8, '/' between levels).
struct FolderInfo {
    std::string name;
    bool selectable = true;
    std::string special_use;  ///< "\\Sent", ... or empty
    /// UIDVALIDITY and HIGHESTMODSEQ when the listing tells them cheaply (IMAP LIST-STATUS with
    /// CONDSTORE); uid_next is 0 then. Lets the engine skip a folder nothing changed in.
    std::optional<FolderStatus> status = std::nullopt;
};

/// Receives message bodies while they arrive, one message after another.
struct BodyReceiver {
    /// A body starts; `size` bytes follow through data(). `uid` is set when the store knows it
    /// already (the IMAP server may send the UID after the body); `date` is 0 when not yet known.
    std::function<void(std::optional<std::uint32_t> uid, std::uint64_t size, std::time_t date)> begin;
    /// The next bytes of the body (never empty); valid only during the call.
    std::function<void(std::string_view bytes)> data;
    /// The body is complete; `uid` is now known, `date` is the message's date (0: unknown).
    std::function<void(std::uint32_t uid, std::time_t date)> end;
};

/// The target refused one message for what it is (a 0-byte file, too big, malformed): the store
/// stays usable and the other messages can still be appended. Kind Data, the server's words in
/// server_reply.
struct MessageRefused : Error {
    using Error::Error;
};

/// A message being appended, written in chunks so a large message is never held whole.
/// Destroying it before finish() abandons the message (nothing becomes visible).
class AppendWriter {
public:
    virtual ~AppendWriter() = default;
    /// The next bytes of the message (network or Unix line ends; each store converts to its own).
    virtual void write(std::string_view bytes) = 0;
    /// The message is complete. Returns its UID in the target folder, or 0 when the store cannot
    /// tell (IMAP without UIDPLUS). Throws MessageRefused when the target refuses this message. `flags` and `date` are final here for stores that stage
    /// appends (Maildir); a store that sends at once (IMAP) used those given to begin_append().
    virtual std::uint32_t finish(Flags flags, std::time_t date) = 0;
};

/// What the engine may rely on.
struct Capabilities {
    /// list_messages() can return a partial listing (CONDSTORE or QRESYNC).
    bool mod_sequences = false;
    /// Appended messages stay invisible until commit_appends(), and finish() always returns the
    /// UID: the engine records the UID before the message can be seen (Maildir).
    bool staged_appends = false;
    /// remove(..., expunge=true) removes only the given messages (UIDPLUS UID EXPUNGE, or Maildir).
    bool selective_expunge = false;
    /// move_messages() works (IMAP MOVE, RFC 6851).
    bool move = false;
    /// copy_messages() works (IMAP COPY).
    bool copy = false;
};

/// A mail store. Errors are zmail::Error (Network for a cut connection, Storage for local files,
/// Protocol for a server answer we cannot accept). After an error thrown in the middle of fetch()
/// or an append, the store may be unusable (a connection out of step): the engine stops using it.
/// Not thread-safe; one folder selected at a time.
class Store {
public:
    virtual ~Store() = default;
    /// "server 'imap.example.com'" or "Maildir '~/Mail'", for messages.
    virtual std::string describe() const = 0;
    virtual Capabilities capabilities() const = 0;
    /// False once the store's connection is gone (an I/O timeout, a cut): nothing more can be
    /// done with it in this run.
    virtual bool usable() const { return true; }

    /// Every folder of the store. Throws on failure.
    virtual std::vector<FolderInfo> list_folders() = 0;
    /// Creates a folder (its parents as needed). Throws when it cannot.
    virtual void create_folder(const std::string& name) = 0;
    /// Deletes an empty folder (the engine removes the messages first). Throws when it cannot.
    virtual void delete_folder(const std::string& name) = 0;
    /// Renames a folder and the folders below it (IMAP RENAME's rule), keeping their messages
    /// and UIDs. `to` must not exist. Throws when it cannot.
    virtual void rename_folder(const std::string& from, const std::string& to) = 0;

    /// Selects a folder for the calls below. Throws when it does not exist.
    virtual FolderStatus select(const std::string& name) = 0;
    /// The next select() is followed by list_messages(0): a store may ask for the listing
    /// together with the selection (IMAP: the UID FETCH follows the SELECT onto the wire, one
    /// round trip for both).
    virtual void expect_full_listing() {}
    /// The next select() is followed by list_messages(modseq), and `highest_uid` is the highest
    /// UID of the folder the caller knows (0: none): likewise asked together where the store can.
    virtual void expect_changes_since(std::uint64_t modseq, std::uint32_t highest_uid) {
        (void)modseq;
        (void)highest_uid;
    }
    /// Work of the caller's to do while the next select() waits for its answer (the Maildir
    /// listed while the server opens the folder). A store that never waits runs it at once. When
    /// the work throws, select() still finishes reading the server's answer, then rethrows.
    virtual void while_selecting(std::function<void()> work) { work(); }
    /// Lists the selected folder. With `changed_since` > 0 and mod_sequences, only what changed
    /// since then (Listing::partial); a store may always return a full listing instead.
    virtual Listing list_messages(std::uint64_t changed_since) = 0;
    /// The identities of the given messages (UIDs that no longer exist are left out).
    virtual std::vector<MessageIdentity> identities(const std::vector<std::uint32_t>& uids) = 0;
    /// The identities of every message whose UID is at least `min_uid`.
    virtual std::vector<MessageIdentity> identities_from(std::uint32_t min_uid) = 0;
    /// Streams the bodies of `uids` to `receiver`, in any order. Messages that no longer exist are
    /// skipped silently (the receiver never hears of them). Exceptions thrown by the receiver pass
    /// through.
    virtual void fetch(const std::vector<std::uint32_t>& uids, const BodyReceiver& receiver) = 0;
    /// Starts appending a message of exactly `size` bytes in the form the writer will be given
    /// (stores that need the size up front, like IMAP, rely on it) with `flags` and `date`
    /// (0: now).
    virtual std::unique_ptr<AppendWriter> begin_append(std::uint64_t size, Flags flags, std::time_t date) = 0;
    /// Makes the finished appends visible and durable (staged_appends); a no-op otherwise.
    virtual void commit_appends() = 0;
    /// Adds and removes flags on messages.
    virtual void set_flags(const std::vector<std::uint32_t>& uids, Flags add, Flags remove) = 0;
    /// Deletes messages: Maildir unlinks the files; IMAP flags them \Deleted and, when `expunge`
    /// and selective_expunge, expunges exactly them (UID EXPUNGE).
    virtual void remove(const std::vector<std::uint32_t>& uids, bool expunge) = 0;

    /// Moves messages of the selected folder into folder `to` (capabilities().move), atomically
    /// per message. Returns (UID here, UID there) where the store tells them (may be empty).
    /// Throws; a refusal (Protocol, Data) moved nothing.
    virtual std::vector<std::pair<std::uint32_t, std::uint32_t>> move_messages(const std::vector<std::uint32_t>& uids,
                                                                               const std::string& to);
    /// Copies messages of the selected folder into folder `to` (capabilities().copy). Throws; a
    /// refusal (Protocol, Data) copied nothing.
    virtual void copy_messages(const std::vector<std::uint32_t>& uids, const std::string& to);
    /// Takes messages out of the selected folder without deleting them yet: each file is renamed
    /// to a private place of the store's (a Maildir's tmp/) where no mail reader sees it and
    /// where the next select() of the folder removes it. Returns (UID, path) of those set aside;
    /// a store that cannot (IMAP) returns none and the caller removes them instead.
    virtual std::vector<std::pair<std::uint32_t, std::string>> set_aside(const std::vector<std::uint32_t>& uids);
};

}  // namespace zmail::store
