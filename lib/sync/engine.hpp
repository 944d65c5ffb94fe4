// The sync engine for one folder pair: loads the state, lists both sides, re-matches after a
// UIDVALIDITY change, settles transfers a stopped run left open, plans, and carries the plan out in
// a crash-safe order. It sees two store::Store objects, never IMAP or Maildir by name.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "store/store.hpp"
#include "sync/plan.hpp"
#include "sync/moves.hpp"
#include "sync/state.hpp"

namespace zmail::sync {

struct FolderOptions {
    Direction direction = Direction::Both;
    /// sync.expunge = immediate: a message deleted on the near side is expunged on the far side
    /// (only that message: UID EXPUNGE); false (flag-only): it is only flagged \Deleted there.
    bool expunge = true;
    /// sync.delete_folders: a folder gone on one side is deleted on the other (when nothing new
    /// arrived there since the last run); otherwise it is created again.
    bool delete_folders = false;
    int mass_delete_percent = 50;
    bool allow_mass_delete = false;
    /// Plan only: list both sides and report what would happen; nothing is written anywhere.
    bool dry_run = false;
    /// Messages per transfer batch (one journal sync before and after each batch).
    std::size_t batch_messages = 250;
    /// Bytes per transfer batch when sizes are known.
    std::uint64_t batch_bytes = 64ull << 20;
    /// Moves between the account's folders in this run (see sync/moves.hpp); null: none followed.
    MoveBroker* moves = nullptr;
};

/// Which sides have the folder now.
struct FolderPresence {
    bool far = true, near = true;
    /// The far folder's UIDVALIDITY and HIGHESTMODSEQ from the folder listing, when known: if
    /// they are what the state recorded and nothing changed on the near side either, the far
    /// folder is not even selected.
    std::optional<store::FolderStatus> far_status = std::nullopt;
};

/// What one run did to one folder (or, in a dry run, would do). Arrays are indexed by the side
/// that changed: added[Near] counts messages copied from far to near.
struct FolderReport {
    std::string folder;
    std::array<std::size_t, 2> added{}, flagged{}, deleted{};
    /// moved[Near]: messages placed here from a copy another folder set aside (moved on the
    /// server, not fetched); moved[Far]: messages moved on the server from this folder to the
    /// folder their file was moved to here (not uploaded, not deleted).
    std::array<std::size_t, 2> moved{};
    std::array<bool, 2> folder_created{}, folder_deleted{};
    bool rematched = false;     ///< first run with mail on both sides, or a UIDVALIDITY change
    std::size_t matched = 0;    ///< messages paired by identity then
    bool stopped = false;       ///< the mass-deletion guard stopped this folder
    std::vector<std::string> notes;  ///< things worth telling (a folder re-created, ...)
    std::optional<Error> error; ///< why this folder failed or stopped; counts say what was done before

    bool changed() const;
};

/// Called after each message copied (for progress on a terminal): folder, target side, done, total.
using ProgressCallback = std::function<void(const std::string& folder, Side target, std::size_t done,
                                            std::size_t total)>;

/// Syncs one folder. The folder must exist on the sides `presence` says; one that is missing and
/// was never synced is created (when the direction lets that side change); one that was synced
/// before and is gone now counts as deleted there (see FolderOptions::delete_folders; the guard
/// applies). `state_path` is the folder's state file. Never throws zmail::Error: failures end up in
/// FolderReport::error (after an Error of kind Network the far store is unusable).
FolderReport sync_folder(store::Store& far, store::Store& near, const std::string& folder,
                         const std::string& state_path, const FolderPresence& presence,
                         const FolderOptions& options, const ProgressCallback& progress = {});

}  // namespace zmail::sync
