// zmail sync: two-way IMAP <-> Maildir sync (lib/sync does the work).
#include "context.hpp"
#include "progress_line.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "sync/runner.hpp"

#include <chrono>
#include <cstdio>
#include <memory>

namespace zmail::cli {

namespace {

using nlohmann::json;
using sync::Far;
using sync::Near;

struct SyncOptions {
    std::vector<std::string> folders;
    bool pull = false, push = false, dry_run = false, watch = false, allow_mass_delete = false;
    bool known_folders = false;
    int jobs = 0, wait = 0, interval = 300;  // jobs 0: the account's sync.jobs
};

/// "work 仕事: 12/40 fetched" on the progress line.
class FolderProgress {
public:
    FolderProgress(Printer& out, std::string account) : line_(out), account_(std::move(account)) {}

    void update(const std::string& folder, sync::Side target, std::size_t done, std::size_t total) {
        if (!line_.shown()) return;
        line_.show(account_ + " " + folder + ": " +
                       (target == Near ? tr("{}/{} fetched", done, total) : tr("{}/{} uploaded", done, total)),
                   done == total);
    }
    void clear() { line_.clear(); }

private:
    ProgressLine line_;
    std::string account_;
};

json both(std::size_t local, std::size_t server) { return {{"local", local}, {"server", server}}; }

json folder_json(const sync::FolderReport& f) {
    json j = {{"folder", f.folder},
              {"new", both(f.added[Near], f.added[Far])},
              {"flags", both(f.flagged[Near], f.flagged[Far])},
              {"deleted", both(f.deleted[Near], f.deleted[Far])},
              {"moved", both(f.moved[Near], f.moved[Far])},
              {"folder_created", {{"local", f.folder_created[Near]}, {"server", f.folder_created[Far]}}},
              {"folder_deleted", {{"local", f.folder_deleted[Near]}, {"server", f.folder_deleted[Far]}}},
              {"rematched", f.rematched},
              {"matched", f.matched},
              {"stopped", f.stopped},
              {"notes", f.notes},
              {"error", f.error ? error_json(*f.error) : json(nullptr)}};
    return j;
}

int report_code(const sync::AccountReport& r) {
    if (r.error) return exit_code(r.error->kind);
    for (const auto& f : r.folders)
        if (f.error) return exit_code(f.error->kind);
    return 0;
}

json account_json(const std::string& account, const sync::AccountReport& r, bool dry_run) {
    json folders = json::array(), renamed = json::array();
    for (const auto& f : r.folders) folders.push_back(folder_json(f));
    for (const auto& m : r.renamed)
        renamed.push_back({{"from", m.from}, {"to", m.to}, {"on", m.changed == Near ? "local" : "server"},
                           {"finished", m.finished}});
    return {{"account", account}, {"dry_run", dry_run}, {"renamed", renamed}, {"folders", folders},
            {"error", r.error ? error_json(*r.error) : json(nullptr)}, {"exit_code", report_code(r)}};
}

/// Flags changed here, on the server or both (a dry run's: what it would change).
std::string flags_text(bool dry_run, std::size_t here, std::size_t there) {
    if (here && there)
        return dry_run ? tr("change flags of {} here and {} on the server", here, there)
                       : tr("flags changed {} here and {} on the server", here, there);
    if (here) return dry_run ? tr("change flags of {} here", here) : tr("flags changed {} here", here);
    return dry_run ? tr("change flags of {} on the server", there) : tr("flags changed {} on the server", there);
}

/// Messages deleted here, on the server or both (a dry run's: what it would delete).
std::string deleted_text(bool dry_run, std::size_t here, std::size_t there) {
    if (here && there)
        return dry_run ? tr("delete {} here and {} on the server", here, there)
                       : tr("deleted {} here and {} on the server", here, there);
    if (here) return dry_run ? tr("delete {} here", here) : tr("deleted {} here", here);
    return dry_run ? tr("delete {} on the server", there) : tr("deleted {} on the server", there);
}

/// What happened to the folders themselves (a dry run's: what would happen).
void folder_parts(const sync::FolderReport& f, bool dry_run, bool created, std::vector<std::string>& parts) {
    if (created) {
        if (f.folder_created[Near]) parts.push_back(dry_run ? tr("create the folder here") : tr("folder created here"));
        if (f.folder_created[Far])
            parts.push_back(dry_run ? tr("create the folder on the server") : tr("folder created on the server"));
        return;
    }
    if (f.folder_deleted[Near]) parts.push_back(dry_run ? tr("delete the folder here") : tr("folder deleted here"));
    if (f.folder_deleted[Far])
        parts.push_back(dry_run ? tr("delete the folder on the server") : tr("folder deleted on the server"));
}

/// "fetched 3, uploaded 1, flags changed 2 here and 1 on the server, deleted 1 here"; for a dry
/// run "would fetch 3, upload 1, change flags of 2 here and 1 on the server, delete 1 here".
std::string describe(const sync::FolderReport& f, bool dry_run) {
    std::vector<std::string> parts;
    folder_parts(f, dry_run, true, parts);
    // TRANSLATORS: what sync did (or would do) in a folder; {} is a number of messages
    if (f.added[Near]) parts.push_back(dry_run ? tr("fetch {}", f.added[Near]) : tr("fetched {}", f.added[Near]));
    if (f.added[Far]) parts.push_back(dry_run ? tr("upload {}", f.added[Far]) : tr("uploaded {}", f.added[Far]));
    if (f.flagged[Near] || f.flagged[Far]) parts.push_back(flags_text(dry_run, f.flagged[Near], f.flagged[Far]));
    if (f.deleted[Near] || f.deleted[Far]) parts.push_back(deleted_text(dry_run, f.deleted[Near], f.deleted[Far]));
    if (f.moved[Near]) parts.push_back(tr("{} moved in from another folder (not fetched)", f.moved[Near]));
    if (f.moved[Far]) parts.push_back(tr("{} moved on the server to the folder they were moved to here", f.moved[Far]));
    folder_parts(f, dry_run, false, parts);
    if (f.rematched && f.matched)
        parts.push_back(dry_run ? tr("{} to match by Message-ID", f.matched)
                                : tr("{} matched by Message-ID", f.matched));
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : ", ") + p;
    // TRANSLATORS: {} is a list of what a dry run of sync would do, e.g. "fetch 3, upload 1, delete 1 here"
    return text.empty() || !dry_run ? text : tr("would {}", text);
}

/// Notes and errors on stderr, with and without --json.
void print_diagnostics(Printer& out, const std::string& account, const sync::AccountReport& r) {
    for (const auto& f : r.folders) {
        for (const auto& note : f.notes) out.note(account + ": " + note);
        if (f.error) {
            std::string message = f.error->what();
            if (message.find("'" + f.folder + "'") == std::string::npos)
                message = tr("folder '{}': {}", f.folder, message);
            out.error(labelled(account, Error(f.error->kind, message, f.error->hint, f.error->server_reply)));
        }
    }
    if (r.error) out.error(labelled(account, *r.error));
}

/// A folder renamed on one side, followed on the other: "renamed to 'B' here (it was renamed on the server)".
std::string rename_text(const std::string& to, bool here, bool dry_run) {
    if (dry_run)
        return here ? tr("would rename to '{}' here (it was renamed on the server)", to)
                    : tr("would rename to '{}' on the server (it was renamed here)", to);
    return here ? tr("renamed to '{}' here (it was renamed on the server)", to)
                : tr("renamed to '{}' on the server (it was renamed here)", to);
}

/// A run that changed nothing: "up to date (3 folders)".
std::string idle_text(std::size_t folders, bool dry_run) {
    if (dry_run)
        return folders == 1 ? tr("nothing to do ({} folder)", folders) : tr("nothing to do ({} folders)", folders);
    return folders == 1 ? tr("up to date ({} folder)", folders) : tr("up to date ({} folders)", folders);
}

void print_report(Printer& out, const std::string& account, const sync::AccountReport& r, bool dry_run) {
    if (out.quiet()) return;
    bool any = false;
    for (const auto& m : r.renamed) {
        if (m.finished) continue;  // both sides had it already: nothing to tell
        any = true;
        out.line(account + " " + m.from + ": " + rename_text(m.to, m.changed == Near, dry_run));
    }
    for (const auto& f : r.folders) {
        std::string text = describe(f, dry_run);
        if (text.empty()) continue;
        any = true;
        out.line(account + " " + f.folder + ": " + text);
    }
    if (!any && r.ok() && out.stdout_is_tty())
        out.line(account + ": " + idle_text(r.folders.size(), dry_run));
}

Outcome outcome_of(const std::string& account, std::shared_ptr<const sync::AccountReport> report, bool dry_run) {
    Outcome outcome;
    outcome.exit_code = report_code(*report);
    outcome.data = account_json(account, *report, dry_run);
    outcome.diagnostics = [account, report](Printer& out) { print_diagnostics(out, account, *report); };
    outcome.text = [account, report, dry_run](Printer& out) { print_report(out, account, *report, dry_run); };
    return outcome;
}

sync::RunRequest make_request(Context& ctx, const SyncOptions& o, FolderProgress& progress) {
    sync::RunRequest request;
    request.folders = o.folders;
    if (o.pull) request.direction = sync::Direction::Pull;
    if (o.push) request.direction = sync::Direction::Push;
    request.dry_run = o.dry_run;
    request.allow_mass_delete = o.allow_mass_delete;
    request.jobs = o.jobs;  // 0: make_request's caller fills in the account's
    request.lock_wait_seconds = o.wait;
    request.progress = [&progress](const std::string& folder, sync::Side target, std::size_t done, std::size_t total) {
        progress.update(folder, target, done, total);
    };
    Printer& out = ctx.out();
    if (out.verbose() >= 2)
        request.trace = [&out, &progress](std::string_view line) {
            progress.clear();
            out.trace(line);
        };
    request.warning = [&out](std::string_view line) { out.warning(line); };
    return request;
}

Outcome sync_one(Context& ctx, const profile::Account& account, const SyncOptions& o) {
    profile::Profile& profile = ctx.profile();
    FolderProgress progress(ctx.out(), account.name);
    sync::RunRequest request = make_request(ctx, o, progress);
    request.jobs = o.jobs > 0 ? o.jobs : account.sync.jobs;
    const int limit = account.preset.imap_connections;
    if (limit > 0 && request.jobs > limit) {
        // TRANSLATORS: a provider (preset name), then the limit twice
        ctx.out().warning(tr("{} allows {} connections per account: syncing {} folders at once", account.preset.name,
                             limit, limit));
        request.jobs = limit;
    }
    if (o.watch) {
        if (ctx.accounts().size() != 1)
            throw Error(ErrorKind::Usage, tr("--watch syncs one account"),
                        tr("run one 'zmail sync --watch' per account"));
        sync::watch_account(profile, account, request, std::chrono::seconds(o.interval),
                            [&](const sync::AccountReport& r) {
                                progress.clear();
                                Outcome each = outcome_of(account.name, std::make_shared<sync::AccountReport>(r), o.dry_run);
                                each.diagnostics(ctx.out());
                                if (ctx.out().json()) ctx.out().json_value(each.data);
                                else each.text(ctx.out());
                                std::fflush(stdout);
                                return true;
                            });
        return {};
    }
    auto report = std::make_shared<sync::AccountReport>(sync::run_account(profile, account, request));
    progress.clear();
    return outcome_of(account.name, std::move(report), o.dry_run);
}

/// For shell completions: the folders synced before, from the account's sync state.
Outcome known_folders(const profile::Account& account) {
    Outcome outcome;
    auto folders = std::make_shared<std::vector<std::string>>(sync::known_folders(sync::sync_state_directory(account)));
    outcome.data = *folders;
    outcome.text = [folders](Printer& out) {
        for (const auto& folder : *folders) out.line(folder);
    };
    return outcome;
}

}  // namespace

Runner define_sync(CLI::App& app) {
    auto o = std::make_shared<SyncOptions>();
    app.add_option("--folder", o->folders, tr("sync only this folder (repeatable; '/' between levels)"))
        ->allow_extra_args(false);
    auto* pull = app.add_flag("--pull", o->pull, tr("only bring server changes here (overrides sync.direction)"));
    auto* push =
        app.add_flag("--push", o->push, tr("only send local changes to the server (overrides sync.direction)"));
    pull->excludes(push);
    app.add_flag("--dry-run", o->dry_run, tr("show what would change on either side; change nothing"));
    app.add_option("--jobs", o->jobs,
                   tr("sync up to N folders at once, each over its own connection (default: sync.jobs)"))
        ->check(CLI::Range(1, 16));
    auto* watch = app.add_flag("--watch", o->watch, tr("keep running: sync again when the server changes (NOTIFY, "
                                                       "else IDLE in INBOX and --jobs - 1 more folders) and every "
                                                       "--interval seconds, until interrupted"));
    app.add_option("--interval", o->interval, tr("with --watch: seconds between syncs without a change (default 300)"))
        ->check(CLI::Range(10, 86400));
    app.add_flag("--allow-mass-delete", o->allow_mass_delete,
                 tr("go ahead even when a run would delete more than sync.mass_delete_percent of a folder"));
    app.add_option("--wait", o->wait, tr("wait up to SECONDS for another sync of the account (default 0)"))
        ->check(CLI::Range(0, 86400));
    watch->excludes("--dry-run");
    app.add_flag("--known-folders", o->known_folders)->group("");

    return [o](Context& ctx, const profile::Account* account) -> Outcome {
        if (o->known_folders) return known_folders(*account);
        return sync_one(ctx, *account, *o);
    };
}

}  // namespace zmail::cli
