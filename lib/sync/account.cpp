#include "sync/account.hpp"

#include "profile/folder_patterns.hpp"
#include "i18n.hpp"
#include "sync/state.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <dirent.h>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace zmail::sync {

bool AccountReport::ok() const {
    if (error) return false;
    for (const auto& f : folders)
        if (f.error || f.stopped) return false;
    return true;
}

bool AccountReport::changed() const {
    for (const auto& r : renamed)
        if (!r.finished) return true;
    for (const auto& f : folders)
        if (f.changed()) return true;
    return false;
}

namespace {

bool is_move_destination(const store::FolderInfo& f) {
    return f.special_use == "\\Trash" || f.special_use == "\\Junk" || f.special_use == "\\Archive";
}

}  // namespace

std::vector<std::string> select_folders(const std::vector<store::FolderInfo>& far,
                                        const std::vector<store::FolderInfo>& near,
                                        const std::vector<std::string>& known, const AccountOptions& options) {
    std::set<std::string> candidates, unselectable, destinations;
    for (const auto& f : far) (f.selectable ? candidates : unselectable).insert(f.name);
    for (const auto& f : far)
        if (is_move_destination(f)) destinations.insert(f.name);
    for (const auto& f : near) candidates.insert(f.name);
    candidates.insert(known.begin(), known.end());
    for (const auto& name : unselectable) candidates.erase(name);

    std::vector<std::string> chosen;
    if (!options.only.empty()) {
        for (const auto& name : options.only)
            if (!unselectable.count(name)) chosen.push_back(name);
    } else {
        for (const auto& name : candidates) {
            bool wanted = std::any_of(options.folders.begin(), options.folders.end(),
                                      [&](const std::string& p) { return profile::folder_pattern_matches(p, name); });
            bool skipped = std::any_of(options.exclude.begin(), options.exclude.end(),
                                       [&](const std::string& p) { return profile::folder_pattern_matches(p, name); });
            if (wanted && !skipped) chosen.push_back(name);
        }
    }
    std::stable_sort(chosen.begin(), chosen.end(), [&](const std::string& a, const std::string& b) {
        bool a_inbox = a == "INBOX", b_inbox = b == "INBOX";
        if (a_inbox != b_inbox) return a_inbox;
        bool a_last = destinations.count(a) > 0, b_last = destinations.count(b) > 0;
        if (a_last != b_last) return b_last;
        return a < b;
    });
    chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
    return chosen;
}

std::vector<std::string> known_folders(const std::string& state_directory) {
    std::vector<std::string> names;
    DIR* d = ::opendir(state_directory.c_str());
    if (!d) return names;
    while (struct dirent* de = ::readdir(d)) {
        std::string folder = folder_of_state_file(de->d_name);
        if (!folder.empty()) names.push_back(folder);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

namespace {

// The folders to sync and which side has each.
struct FolderJobs {
    std::vector<std::string> names;
    std::set<std::string> on_near;
    std::map<std::string, std::optional<store::FolderStatus>> on_far;
    std::set<std::string> destinations;  ///< the server's Trash, Junk and Archive
    FolderPresence presence(const std::string& name) const {
        auto far = on_far.find(name);
        return {far != on_far.end(), on_near.count(name) > 0, far != on_far.end() ? far->second : std::nullopt};
    }
};

// Lists both sides, follows the folders renamed since the last run, and picks the folders to
// sync. Folders whose rename failed are reported into `report` and left out.
FolderJobs plan_folders(store::Store& far, store::Store& near, const std::string& state_directory,
                        const AccountOptions& options, AccountReport& report) {
    FolderJobs jobs;
    auto far_folders = far.list_folders();
    auto near_folders = near.list_folders();
    RenameReport renames;
    // a rename can uncover another (a parent renamed on one side only): look again, a few times
    for (int round = 0; round < 4; ++round) {
        auto names = select_folders(far_folders, near_folders, known_folders(state_directory), options);
        std::set<std::string> selected(names.begin(), names.end());
        if (!follow_renames(far, near, state_directory, far_folders, near_folders, selected, options.folder, renames))
            break;
        far_folders = far.list_folders();
        near_folders = near.list_folders();
    }
    for (const auto& f : far_folders) {
        if (f.selectable) jobs.on_far[f.name] = f.status;
        if (is_move_destination(f)) jobs.destinations.insert(f.name);
    }
    for (const auto& f : near_folders) jobs.on_near.insert(f.name);
    jobs.names = select_folders(far_folders, near_folders, known_folders(state_directory), options);
    std::erase_if(jobs.names, [&](const std::string& name) { return renames.skip.count(name) > 0; });
    report.renamed = std::move(renames.renamed);
    for (auto& failed : renames.failed) report.folders.push_back(std::move(failed));
    return jobs;
}

// The folder's error ended the connection: nothing more can be done in this run. A timeout
// stays a timeout (75, as in fetch and send); a dropped connection is 69.
bool connection_ended(const store::Store& far, const FolderReport& folder) {
    return folder.error && (folder.error->kind == ErrorKind::Network || !far.usable());
}

// The folder options of this run, with `moves` set up to follow moves between its folders
// (not in a dry run).
FolderOptions with_moves(const AccountOptions& options, const FolderJobs& jobs, std::optional<MoveBroker>& moves) {
    FolderOptions folder = options.folder;
    if (folder.dry_run) return folder;
    std::set<std::string> on_far;
    for (const auto& [name, status] : jobs.on_far) on_far.insert(name);
    moves.emplace(jobs.names, std::move(on_far), options.scan_near, jobs.destinations);
    folder.moves = &*moves;
    return folder;
}

Error connection_lost(const store::Store& far, const std::string& folder, const Error& cause) {
    return Error(cause.kind == ErrorKind::Temporary ? ErrorKind::Temporary : ErrorKind::Network,
                 // TRANSLATORS: a server ("server 'x'"), a folder, the error
                 tr("sync ended early: the connection to {} was lost while syncing folder '{}' ({})", far.describe(),
                    folder, cause.what()),
                 tr("run the sync again; nothing was lost"));
}

/// How many folders changed on the server since their last sync (only those are worth another
/// connection).
std::size_t changed_on_server(const FolderJobs& folders, const std::string& state_directory) {
    std::size_t busy = 0;
    for (const auto& name : folders.names) {
        auto presence = folders.presence(name);
        StateHeader recorded = peek_state_header(state_directory + "/" + state_file_name(name));
        if (!presence.far_status || presence.far_status->uid_validity != recorded.uid_validity[Far] ||
            presence.far_status->highest_modseq != recorded.far_modseq)
            ++busy;
    }
    return busy;
}

/// The workers' folder reports into `report`, in sync order; a folder no worker synced (or a
/// failure after a lost connection) ends the report with the last error.
void collect(AccountReport& report, std::vector<std::optional<FolderReport>>& results,
             const std::optional<Error>& last_error) {
    std::size_t synced = 0;
    for (auto& r : results)
        if (r) {
            report.folders.push_back(std::move(*r));
            ++synced;
        }
    if (synced < results.size() || (last_error && !report.ok()))
        report.error = last_error ? *last_error : Error(ErrorKind::Internal, tr("sync ended early without an error"));
}

/// However a worker ends, the supervisor hears of it: one active worker less.
struct WorkerLeaves {
    std::mutex& mutex;
    std::condition_variable& changed;
    std::size_t& active;
    ~WorkerLeaves() {
        std::lock_guard lock(mutex);
        --active;
        changed.notify_all();
    }
};

/// How long the work left must take for another connection to pay: opening one twice over. A
/// server on this machine shares its cores with us: there a login is worth it for more than a
/// second of work only (an incremental run over 20 folders doubled Dovecot's CPU with 4 logins),
/// estimated once two folders are done: INBOX, first and mostly the largest, timed alone makes
/// every folder look that slow.
std::chrono::steady_clock::duration worth_a_login(std::chrono::steady_clock::duration connect_time, bool local) {
    const std::chrono::steady_clock::duration twice = 2 * connect_time;
    return local ? std::max<std::chrono::steady_clock::duration>(twice, std::chrono::seconds(1)) : twice;
}

}  // namespace

AccountReport sync_account(store::Store& far, store::Store& near, const std::string& state_directory,
                           const AccountOptions& options, const ProgressCallback& progress) {
    AccountReport report;
    FolderJobs jobs;
    try {
        jobs = plan_folders(far, near, state_directory, options, report);
    } catch (const Error& e) {
        report.error = e;
        return report;
    }
    std::optional<MoveBroker> moves;
    FolderOptions folder_options = with_moves(options, jobs, moves);
    for (const auto& name : jobs.names) {
        FolderReport folder = sync_folder(far, near, name, state_directory + "/" + state_file_name(name),
                                          jobs.presence(name), folder_options, progress);
        const bool lost = connection_ended(far, folder);
        if (lost) report.error = connection_lost(far, name, *folder.error);
        report.folders.push_back(std::move(folder));
        if (lost) break;
    }
    return report;
}

AccountReport sync_account_parallel(const StoreOpener& open, const std::string& state_directory,
                                    const AccountOptions& options, int jobs, const ProgressCallback& progress) {
    AccountReport report;
    StorePair first;
    FolderJobs folders;
    const auto opening = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration connect_time{};
    try {
        first = open();
        connect_time = std::chrono::steady_clock::now() - opening;
        folders = plan_folders(*first.far, *first.near, state_directory, options, report);
    } catch (const Error& e) {
        report.error = e;
        return report;
    }
    const std::size_t workers =
        std::min<std::size_t>(std::max(jobs, 1), std::max<std::size_t>(changed_on_server(folders, state_directory), 1));
    std::vector<std::optional<FolderReport>> results(folders.names.size());
    std::optional<MoveBroker> moves;
    FolderOptions folder_options = with_moves(options, folders, moves);
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next = 0, done = 0, active = 0;
    std::optional<Error> last_error;

    auto work = [&](StorePair stores) {
        WorkerLeaves leave{mutex, changed, active};
        try {
            if (!stores.far) stores = open();
        } catch (const Error& e) {
            std::lock_guard lock(mutex);
            last_error = e;
            return;
        }
        while (true) {
            std::size_t index;
            {
                std::lock_guard lock(mutex);
                if (next == folders.names.size()) return;
                index = next++;
            }
            const std::string& name = folders.names[index];
            FolderReport folder = sync_folder(*stores.far, *stores.near, name, state_directory + "/" + state_file_name(name),
                                              folders.presence(name), folder_options, progress);
            const bool lost = connection_ended(*stores.far, folder);
            std::lock_guard lock(mutex);
            if (lost) last_error = connection_lost(*stores.far, name, *folder.error);
            results[index] = std::move(folder);
            ++done;
            changed.notify_all();
            if (lost) return;
        }
    };
    // One connection to start with; another only while the work left, estimated from the folders
    // done so far, would take longer than opening one twice over: an incremental run with a few
    // changes in every folder never pays for logins it cannot use, a first sync gets them all.
    const auto threshold = worth_a_login(connect_time, first.local);
    const std::size_t folders_to_estimate = first.local ? 2 : 0;  // (see worth_a_login)
    std::vector<std::thread> threads;
    const auto started = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex);
    ++active;
    threads.emplace_back(work, std::move(first));
    while (next < folders.names.size() && threads.size() < workers) {
        const auto elapsed = std::chrono::steady_clock::now() - started;
        const auto left = elapsed / std::max<std::size_t>(done, 1) * (folders.names.size() - next) /
                          std::max<std::size_t>(active, 1);
        if (active == 0 || (done >= folders_to_estimate && left > threshold)) {  // (active 0: a connection was lost)
            ++active;
            threads.emplace_back(work, StorePair{});
            continue;
        }
        changed.wait_for(lock, std::chrono::milliseconds(10));
    }
    lock.unlock();
    for (auto& t : threads) t.join();
    collect(report, results, last_error);
    return report;
}

}  // namespace zmail::sync
