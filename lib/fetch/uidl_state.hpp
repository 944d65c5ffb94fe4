// Which POP3 messages of one account and server were delivered or seen: the UIDL state file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "state/journal.hpp"

namespace zmail::fetch {

/// The first line of a UIDL state snapshot.
inline constexpr const char* uidl_state_header = "zmail-uidl 1";

/// What is known about one UIDL.
enum class UidlStatus {
    Delivered,  ///< "D uidl": durably in the mailbox; may be deleted on the server
    Seen,       ///< "S uidl": recorded without download (scope new); never deleted
    Pending,    ///< "P uidl detail": delivery was under way; resolve before trusting it
};

struct UidlEntry {
    UidlStatus status = UidlStatus::Pending;
    std::string detail;   ///< for Pending: where the message would be (see delivery.hpp)
    bool absent = false;  ///< missing from the last run's listing ("A uidl"): kept one more run
    std::uint64_t size = 0;  ///< octets as LIST gave them when recorded ("D uidl SIZE"); 0: unknown
};

/// The state of one account and server, kept in a state::Journal: a snapshot with one record per
/// line plus an append-only journal, replayed in order. A later record for a UIDL replaces an
/// earlier one, except that nothing replaces Delivered; "A uidl" (written by compact() after the
/// entry's own record) marks an entry missing from the last listing. Not thread-safe.
///
/// Crash safety comes from the order the fetch engine uses: append P and sync before the message
/// becomes visible in the mailbox, append D afterwards, sync D before any DELE of that message.
class UidlState {
public:
    /// `path` is the snapshot file; the journal is "<path>.journal".
    explicit UidlState(std::string path);

    /// Reads snapshot and journal. A torn last journal line is dropped. Throws Error{Config} for
    /// a line that is not a record (naming the file and line), Error{Storage,Permission} when
    /// the files cannot be read.
    void load();
    /// True when load() found a snapshot or a journal (false on an account's first run).
    bool existed() const { return existed_; }

    /// The entry for `uidl`, or nullptr.
    const UidlEntry* find(std::string_view uidl) const;
    bool is_delivered(std::string_view uidl) const;
    bool is_seen(std::string_view uidl) const;
    /// UIDL and detail of every Pending entry, in no particular order.
    std::vector<std::pair<std::string, std::string>> pending() const;
    std::size_t size() const { return entries_.size(); }

    /// Appends a record (buffered until sync()) and applies it. The uidl must be 1..70 bytes
    /// 0x21..0x7E (a POP3 unique-id); detail must hold no line break. Throws Error{Internal}.
    void record_pending(const std::string& uidl, const std::string& detail);
    /// `size`: the message's LIST size, kept to notice a server that gives an old UIDL to another
    /// message (0: unknown).
    void record_delivered(const std::string& uidl, std::uint64_t size = 0);
    void record_seen(const std::string& uidl, std::uint64_t size = 0);

    /// Applies in memory only, writes nothing (for --dry-run and resolved pending entries).
    void mark_delivered(const std::string& uidl);
    /// Forgets an entry in memory (a pending delivery that did not happen, a deleted message).
    /// The next compact() leaves it out.
    void forget(const std::string& uidl);

    /// Makes the records appended so far durable. Throws Error{Storage} (Temporary when the disk
    /// is full): the caller must not act on unsynced records.
    void sync();
    /// Something was recorded or forgotten since load(), or the journal holds records: compact()
    /// would change the files.
    bool changed() const { return changed_ || journal_.journal_lines() > 0; }
    /// Every UIDL with an entry, in no particular order.
    std::vector<std::string> uidls() const;
    /// Whether the state has a record of `uidl` (any status).
    bool knows(std::string_view uidl) const { return entries_.find(uidl) != entries_.end(); }
    /// What compact() does with an entry.
    enum class Keep {
        drop,    ///< gone from the server
        listed,  ///< on the server
        absent,  ///< missing from this listing: kept, and marked ("A uidl") so that a second
                 ///< listing without it drops it; one odd answer (a failover, a migration) never
                 ///< erases the state and brings every message again
    };
    /// Keeps the Delivered and Seen entries as `keep` says, writes them as the new snapshot
    /// (atomically) and removes the journal. Pending entries are dropped.
    void compact(const std::function<Keep(const std::string& uidl, const UidlEntry& entry)>& keep);
    /// Entries marked absent by the last compact().
    std::size_t absent() const;

    const std::string& path() const { return journal_.path(); }

private:
    void apply(UidlStatus status, std::string_view uidl, std::string detail, std::uint64_t size = 0);
    static void check_record(const std::string& uidl, std::string_view detail);

    state::Journal journal_;
    /// Looked up by string_view without building a string (thousands of UIDLs per run).
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_map<std::string, UidlEntry, Hash, std::equal_to<>> entries_;
    bool existed_ = false;
    bool changed_ = false;
};

/// The state file of one account and server below `state_dir`:
/// "<state_dir>/fetch/<host>-<user>.uidl", host and user with '/', '%' and bytes outside
/// 0x21..0x7E written as %XX.
std::string uidl_state_path(const std::string& state_dir, const std::string& host, const std::string& user);

}  // namespace zmail::fetch
