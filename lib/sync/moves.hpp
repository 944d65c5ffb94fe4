// Messages moved between folders, followed as moves within one run of an account, so a message
// filed into another folder never crosses the network again:
//
// - moved on the server (gone from folder A there, new in folder B): A's run sets the near copy
//   aside instead of deleting it (store::Store::set_aside); B's run, about to download a new
//   message with the same identity, takes the set-aside file instead. Copies nobody took are
//   deleted at the end of the run, and by the next select() of A after a killed run.
// - moved here (the file left A's Maildir, a new file with the same identity is in B's): A's run,
//   about to delete the server copy, moves it into B on the server instead (UID MOVE); B's run
//   then finds the message new on both sides and pairs the two by identity (as a mail reader's
//   Fcc copy), so nothing is uploaded.
//
// Both need A synced before B in the run (the sync order puts Trash, Junk and Archive last); in
// the other order the message is copied and deleted as before. A move killed at any point ends as
// one copy: the server moves atomically, and the next run pairs or deletes what it finds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace zmail::sync {

/// The identities of the new messages in a folder's Maildir (files no run has given a UID yet),
/// read without changing anything. Throws zmail::Error.
using NearScanner = std::function<std::vector<store::MessageIdentity>(const std::string& folder)>;

class MoveBroker {
public:
    /// `folders`: the folders of this run; `on_far`: those that exist on the server (a move's
    /// destination must); `scan`: empty to follow moves on the server only; `last`: the folders
    /// messages are moved to (Trash, Junk, Archive), which start only once every other folder of
    /// the run has finished (with parallel jobs; in order they come last anyway).
    MoveBroker(std::vector<std::string> folders, std::set<std::string> on_far, NearScanner scan,
               std::set<std::string> last = {});
    /// Deletes the set-aside copies nobody took.
    ~MoveBroker();
    MoveBroker(const MoveBroker&) = delete;
    MoveBroker& operator=(const MoveBroker&) = delete;

    /// A folder's sync begins: from now on its new messages are its own, and no move targets it.
    /// Waits while another worker moves messages into it.
    void start(const std::string& folder);
    /// A folder's sync ended (also when it failed).
    void finish(const std::string& folder);

    /// A near copy set aside by `folder`'s run (its server copy left the folder).
    void offer(const std::string& folder, const store::MessageIdentity& identity, std::string path);
    /// Whether a folder of the run other than `from` has not started yet (someone may take an offer).
    bool has_later(const std::string& from) const;
    bool has_offers() const;
    /// Whether a set-aside copy of this size (network form) is offered: only such a message can
    /// take one, so the others' headers are never asked for.
    bool offers_size(std::uint64_t size) const;
    /// The set-aside copy with exactly this identity, if any; it is no longer offered. The caller
    /// removes the file once its copy is recorded.
    std::optional<std::string> take(std::uint64_t header_hash, std::uint64_t size);

    /// Whether a folder of the run that has not started yet (other than `from`) has new messages
    /// here: scans those folders' Maildirs once. Without a scanner, false.
    bool may_have_destinations(const std::string& from);
    /// For messages leaving `from` on the server (their identities there), the destination folders
    /// where a new near message with the same identity waits, one message each. The destinations
    /// are reserved (start() waits) until release().
    std::map<std::string, std::vector<std::uint32_t>> claim(const std::string& from,
                                                             const std::vector<store::MessageIdentity>& leaving);
    void release(const std::vector<std::string>& folders);

private:
    struct Offer {
        std::string folder, path;
        store::MessageIdentity identity;
    };
    void scan_waiting(std::unique_lock<std::mutex>& lock);

    std::vector<std::string> folders_;
    std::set<std::string> on_far_;
    NearScanner scan_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> last_;
    std::set<std::string> started_, finished_;
    std::map<std::string, int> reserved_;
    std::vector<Offer> offers_;
    bool scanned_ = false;
    /// New near messages of the folders not started at the scan: folder -> identities.
    std::map<std::string, std::vector<store::MessageIdentity>> waiting_;
};

}  // namespace zmail::sync
