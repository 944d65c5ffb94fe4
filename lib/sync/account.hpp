// Syncing every selected folder of an account: which folders (sync.folders / sync.exclude
// patterns, --folder), which side has each, and one sync_folder() per folder.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "store/store.hpp"
#include "sync/engine.hpp"
#include "sync/moves.hpp"
#include "sync/renames.hpp"

namespace zmail::sync {

struct AccountOptions {
    /// Folder patterns to sync and to skip (profile::folder_pattern_matches: '*' matches anything,
    /// '%' anything but '/').
    std::vector<std::string> folders{"*"}, exclude;
    /// Exact folder names (--folder); when not empty, only these are synced (patterns ignored).
    std::vector<std::string> only;
    FolderOptions folder;
    /// Lists the new messages of a near folder for following local moves (see sync/moves.hpp);
    /// empty: moves made here are not followed (those made on the server still are).
    NearScanner scan_near;
};

struct AccountReport {
    /// Folders renamed on one side and followed on the other (before the folders were synced).
    std::vector<FolderRename> renamed;
    std::vector<FolderReport> folders;
    /// A failure before any folder (listing the folders), or why the run ended early.
    std::optional<Error> error;
    /// True when no folder failed or stopped.
    bool ok() const;
    bool changed() const;
};

/// The folders to sync, from the folders each side has and those synced before (their state files),
/// INBOX first, then in name order, the server's Trash, Junk and Archive folders (special use)
/// last: where messages are moved to, so their sources are synced first (see sync/moves.hpp).
/// Far folders that cannot be selected are left out.
std::vector<std::string> select_folders(const std::vector<store::FolderInfo>& far,
                                        const std::vector<store::FolderInfo>& near,
                                        const std::vector<std::string>& known, const AccountOptions& options);

/// The folders that have a state file in `state_directory` (synced before).
std::vector<std::string> known_folders(const std::string& state_directory);

/// Syncs the selected folders one after another. State files live in `state_directory`. Stops
/// after a folder whose error left the far store unusable (Network); the remaining folders are
/// not reported. Never throws zmail::Error.
AccountReport sync_account(store::Store& far, store::Store& near, const std::string& state_directory,
                           const AccountOptions& options, const ProgressCallback& progress = {});

/// A far and a near store for one worker, with what keeps them alive (a connection, a session).
struct StorePair {
    std::shared_ptr<void> resources;  ///< destroyed after the stores
    std::unique_ptr<store::Store> far, near;
    /// The server runs on this machine (loopback): another connection shares our cores and costs
    /// them a login (Dovecot: a process, TLS, its indexes), so it is opened only for long work.
    bool local = false;
};
/// Opens a new StorePair (a new connection); throws zmail::Error.
using StoreOpener = std::function<StorePair()>;

/// Like sync_account(), with up to `jobs` folders at a time, each worker on its own StorePair
/// (`open` is called once per worker, from that worker's thread; `progress` must be thread-safe).
/// Workers beyond the first start only while the work left (estimated from the folders done so
/// far) takes longer than opening two connections, and, with a server on this machine
/// (StorePair::local), longer than a second, estimated once two folders are done.
/// A worker whose connection is lost stops; the others take over its remaining folders. Folders
/// no worker could sync are reported with the error that stopped the last worker.
AccountReport sync_account_parallel(const StoreOpener& open, const std::string& state_directory,
                                    const AccountOptions& options, int jobs, const ProgressCallback& progress = {});

}  // namespace zmail::sync
