// Folders renamed on one side since the last sync, followed on the other side.
//
// A folder that was synced before (it has a state file) and is gone from one side while it is
// still on the other, and a folder on that side that is new to sync (no state, not on the other
// side) are one folder renamed when the new one holds the old one's messages: more than half of
// the recorded messages still on the other side are found in it by identity (Message-ID, Date,
// From, Subject, size), or, for a folder with no messages, it has the recorded UIDVALIDITY. Then
// the other side's folder is renamed too (IMAP RENAME, or the Maildir directory) and the state
// file follows; the folder's sync then transfers no message (a new UIDVALIDITY, as Courier gives
// a renamed folder, is matched again by identity) and the mass-deletion guard sees nothing
// deleted. Folders below a renamed one move with it (IMAP RENAME's rule).
//
// Order, for a process killed at any point: the store first, then the state. Killed in between,
// the next run finds the state's folder gone from both sides and a folder on both without state
// whose local UIDVALIDITY is the state's: it moves the state then.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "sync/engine.hpp"
#include "sync/state.hpp"

namespace zmail::sync {

struct FolderRename {
    std::string from, to;
    /// The side zmail renamed (the other side had been renamed by someone else); for a state
    /// moved after an interrupted run, both sides were renamed already: `finished` is set.
    Side changed = Near;
    bool finished = false;
};

struct RenameReport {
    std::vector<FolderRename> renamed;  ///< done, or in a dry run to be done
    /// A rename refused (folder: the new name, with the error), or one the direction does not
    /// allow (with a note); both names are left out of the run.
    std::vector<FolderReport> failed;
    std::set<std::string> skip;         ///< names not to sync in this run (dry run, failures)
};

/// Finds the renames between the folder lists and the state files in `state_directory` and
/// follows them (in a dry run: only reports them). Returns true when a store was changed: the
/// caller lists the folders again and calls this again (a rename may uncover another, as a
/// parent renamed on one side only). Throws zmail::Error from the stores.
/// Only folders in `selected` (the account's folder selection over both lists and the states)
/// are looked at: a folder renamed out of the selection counts as gone, one renamed into it as new.
bool follow_renames(store::Store& far, store::Store& near, const std::string& state_directory,
                    const std::vector<store::FolderInfo>& far_folders,
                    const std::vector<store::FolderInfo>& near_folders, const std::set<std::string>& selected,
                    const FolderOptions& options, RenameReport& report);

}  // namespace zmail::sync
