// `zmail sync` for one account: the account's lock, the IMAP connection(s), the Maildir, and the
// folders to sync; --watch waits for changes and syncs again.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"
#include "sync/account.hpp"

namespace zmail::sync {

/// What the command line adds to the account's sync settings.
struct RunRequest {
    std::vector<std::string> folders;    ///< --folder (exact names); empty: sync.folders / sync.exclude
    std::optional<Direction> direction;  ///< --pull / --push; else sync.direction
    bool dry_run = false;
    bool allow_mass_delete = false;
    int jobs = 1;                        ///< folders in parallel, each over its own connection
    int lock_wait_seconds = 0;           ///< --wait for another sync of the account
    ProgressCallback progress;           ///< called from several threads when jobs > 1
    net::LineSink trace;                 ///< protocol trace (-v -v); secrets never reach it
    net::LineSink warning;
};

/// The sync settings of `account` with `request` applied (folders, direction, guard).
AccountOptions account_options(const profile::Account& account, const RunRequest& request);

/// The directory holding the account's per-folder sync state.
std::string sync_state_directory(const profile::Account& account);

/// One sync of one account. Takes "<state_dir>/sync.lock" (Error{Temporary} naming the holder
/// when another sync of the account runs), connects and logs in, syncs. Throws zmail::Error for
/// what stops the whole account before any folder (configuration, lock, login); folder errors
/// are in the report.
AccountReport run_account(const profile::Profile& profile, const profile::Account& account, const RunRequest& request);

/// --watch: syncs, then waits up to `interval` for a change on the server and syncs again, until
/// `after_run` returns false: with NOTIFY in every folder over one connection; else IDLE in INBOX
/// and in up to request.jobs - 1 more folders, each over its own connection (those that got mail
/// in most runs first); a plain wait without IDLE. Local changes and the other folders are picked
/// up by the sync after each wake-up or interval. Throws like run_account() when
/// the first run cannot start; later connection failures are reported to `after_run` and retried
/// after the interval.
void watch_account(const profile::Profile& profile, const profile::Account& account, const RunRequest& request,
                   std::chrono::seconds interval, const std::function<bool(const AccountReport&)>& after_run);

}  // namespace zmail::sync
