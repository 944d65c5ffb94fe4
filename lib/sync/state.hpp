// The sync state of one folder pair: which far UID is which near UID, with the flags both had when
// they were last synced, plus the transfers that were under way when a run stopped. Kept crash-safe
// in a state::Journal (snapshot + append-only journal) and never ahead of the disk.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state/journal.hpp"
#include "store/store.hpp"

namespace zmail::sync {

/// The two sides, indexed like mbsync: far (the IMAP server) = 0, near (the Maildir) = 1.
enum Side : int { Far = 0, Near = 1 };
inline constexpr Side other(Side s) { return s == Far ? Near : Far; }
/// "far" or "near".
const char* side_name(Side side);

/// One message known on both sides, with the flags it had on both after the last sync.
struct Pair {
    std::array<std::uint32_t, 2> uid{};  ///< indexed by Side
    store::Flags flags = 0;
};

/// A transfer to `target` that may or may not have happened (the run stopped in between).
struct Pending {
    Side target = Near;
    std::uint32_t source_uid = 0;
    /// Exact form (the target stages appends): the UID the message got on the target; it exists
    /// there iff the transfer happened.
    std::uint32_t target_uid = 0;
    /// Search form (target_uid 0): the message, if it arrived, has a UID >= min_uid on the target
    /// and this identity.
    std::uint32_t min_uid = 0;
    std::uint64_t header_hash = 0, size = 0;
};

/// The pairs, indexed by both UIDs; one-to-one.
class PairTable {
public:
    /// Adds a pair, replacing any pair that has either UID.
    void add(const Pair& pair);
    /// Removes the pair with this far UID (if any).
    void remove_far(std::uint32_t far_uid);
    void set_flags(std::uint32_t far_uid, store::Flags flags);
    void clear();
    const Pair* by_far(std::uint32_t uid) const;
    const Pair* by_near(std::uint32_t uid) const;
    const Pair* by(Side side, std::uint32_t uid) const { return side == Far ? by_far(uid) : by_near(uid); }
    std::size_t size() const { return by_far_.size(); }
    /// Pairs in ascending far UID order.
    const std::map<std::uint32_t, Pair>& all() const { return by_far_; }

private:
    std::map<std::uint32_t, Pair> by_far_;
    std::unordered_map<std::uint32_t, std::uint32_t> near_to_far_;
};

/// The state of one folder pair in a journal file.
///
/// Lines (each idempotent, replayed in order): "H <far uidvalidity> <near uidvalidity> <far
/// modseq>", "I <far mailbox id>" (OBJECTID's MAILBOXID, kept across renames), "R" (forget all
/// pairs, pending transfers and left messages), "+ <far> <near> <flags>",
/// "= <far> <flags>", "- <far>", "P <target> <source> <target uid>", "Q <target> <source> <min
/// uid> <hash> <size>", "x <target> <source>" (pending transfer settled), "L <side> <uid>" and
/// "l <side> <uid>" (a message deliberately left unpaired: a far message flagged \Deleted after
/// its near copy was deleted, not expunged; it is neither fetched again nor deleted), "M <far>"
/// (a far message being moved to another folder by COPY; see moving()). Flags are
/// Maildir letters, "-" for none. Sides are "f" or "n".
///
/// Every change is appended to the journal buffer and applied in memory; sync() makes it durable.
/// Not thread-safe.
class SyncState {
public:
    /// `path` is the snapshot file; the journal is "<path>.journal".
    explicit SyncState(std::string path);

    /// Reads snapshot and journal. Throws Error{Config} for a line that is not a record,
    /// Error{Storage,Permission} when the files cannot be read.
    void load();
    /// True when load() found a snapshot or a journal.
    bool existed() const { return existed_; }
    /// In dry-run mode changes apply in memory only; sync() and compact() write nothing.
    void set_dry_run(bool dry_run) { dry_run_ = dry_run; }

    std::uint32_t uid_validity(Side side) const { return uid_validity_[side]; }
    std::uint64_t far_modseq() const { return far_modseq_; }
    /// The far folder's MAILBOXID (IMAP OBJECTID) as last seen; "" when the server has none.
    const std::string& far_mailbox_id() const { return far_mailbox_id_; }
    const PairTable& pairs() const { return pairs_; }
    const std::vector<Pending>& pending() const { return pending_; }
    /// Messages deliberately left unpaired on `side`.
    const std::set<std::uint32_t>& left(Side side) const { return left_[side]; }
    /// Far messages being moved out of the folder by COPY, STORE \Deleted and UID EXPUNGE (a
    /// server without MOVE): a copy may exist in the other folder already, so they are only ever
    /// deleted, never copied again. Cleared with the pair.
    const std::set<std::uint32_t>& moving() const { return moving_; }

    void set_header(std::uint32_t far_validity, std::uint32_t near_validity, std::uint64_t far_modseq);
    /// Records the far folder's MAILBOXID (nothing when it is "" or already recorded).
    void set_far_mailbox_id(const std::string& id);
    /// Forgets every pair, pending transfer and left message (after a UIDVALIDITY change).
    void reset();
    /// Records a pair; settles a pending transfer of either UID.
    void add_pair(std::uint32_t far_uid, std::uint32_t near_uid, store::Flags flags);
    void set_flags(std::uint32_t far_uid, store::Flags flags);
    void remove_pair(std::uint32_t far_uid);
    void add_pending(const Pending& pending);
    void settle_pending(Side target, std::uint32_t source_uid);
    void leave(Side side, std::uint32_t uid);
    void unleave(Side side, std::uint32_t uid);
    void mark_moving(std::uint32_t far_uid);

    /// Makes the changes so far durable. Throws Error{Storage} (Temporary on a full disk): the
    /// caller must then stop before acting on what was recorded.
    void sync();
    /// Folds the journal into a new snapshot (atomically) when it holds anything.
    void compact();
    /// compact() when there is no snapshot yet, or once the journal has grown to a quarter of the
    /// snapshot (at least 64 lines): the journal is as durable as the snapshot, and rewriting the
    /// snapshot costs the whole folder, so a run with a few changes appends them and leaves the
    /// snapshot alone.
    void compact_when_worth_it();
    /// Folds the journal into a new snapshot (atomically), even when it holds nothing new.
    void fold();
    /// Deletes the snapshot and the journal (the folder is gone on both sides) and forgets all.
    void remove_files();
    /// Lines appended since the last compaction.
    std::size_t journal_lines() const { return journal_.journal_lines(); }
    const std::string& path() const { return journal_.path(); }

private:
    void record(const std::string& line);
    void apply(std::string_view line, std::size_t number);
    /// The "H" (UIDVALIDITY pair and MODSEQ) and "I" (MAILBOXID) records; false when malformed.
    bool apply_header(const std::vector<std::string_view>& words);
    /// The effects of a "+" record (a new pair settles its pending appends) and of "P"/"Q".
    void apply_pair(const Pair& pair);
    void clear_records();
    void apply_pending(const Pending& pending);
    std::vector<std::string> snapshot_lines() const;

    state::Journal journal_;
    bool existed_ = false, dry_run_ = false;
    std::array<std::uint32_t, 2> uid_validity_{};
    std::uint64_t far_modseq_ = 0;
    std::string far_mailbox_id_;
    PairTable pairs_;
    std::vector<Pending> pending_;
    std::array<std::set<std::uint32_t>, 2> left_;
    std::set<std::uint32_t> moving_;
};

/// The header of a state file without loading its pairs: far and near UIDVALIDITY and the far
/// HIGHESTMODSEQ as recorded (zeros when there is no state). Cheap; never throws.
struct StateHeader {
    std::array<std::uint32_t, 2> uid_validity{};
    std::uint64_t far_modseq = 0;
};
StateHeader peek_state_header(const std::string& path);

/// Moves the sync state at `from_path` to `to_path` (its folder was renamed): the journal is
/// folded into the snapshot first, so one atomic rename moves all of it; a state left at
/// `to_path` is removed first. Throws Error{Storage}.
void move_state(const std::string& from_path, const std::string& to_path);

/// The first line of a sync state snapshot.
inline constexpr const char* sync_state_header = "zmail-sync 1";

/// The state file of `folder` (UTF-8, '/' between levels) below `directory`: one flat file name,
/// readable for non-ASCII names, with '/', '%', control characters and a leading '.' written as %XX.
std::string state_file_name(std::string_view folder);
/// The folder a state file name stands for, or "" when `file_name` is not one.
std::string folder_of_state_file(std::string_view file_name);

}  // namespace zmail::sync
