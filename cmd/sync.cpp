// zmail sync: two-way IMAP <-> Maildir sync (lib/sync does the work).
#include "context.hpp"
#include "progress_line.hpp"

#include "error.hpp"
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
        line_.show(account_ + " " + folder + ": " + std::to_string(done) + "/" + std::to_string(total) +
                       (target == Near ? " fetched" : " uploaded"),
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

/// "fetched 3, uploaded 1, flags changed 2 here and 1 on the server, deleted 1 here"; for a dry
/// run "would fetch 3, upload 1, change flags of 2 here and 1 on the server, delete 1 here".
std::string describe(const sync::FolderReport& f, bool dry_run) {
    std::vector<std::string> parts;
    auto both = [&](const std::string& what, std::size_t here, std::size_t there) {
        if (!here && !there) return;
        std::string text = what;
        if (here) text += " " + std::to_string(here) + " here";
        if (here && there) text += " and";
        if (there) text += " " + std::to_string(there) + " on the server";
        parts.push_back(text);
    };
    auto count = [&](const char* done, const char* todo, std::size_t n) {
        if (n) parts.push_back(std::string(dry_run ? todo : done) + " " + std::to_string(n));
    };
    if (f.folder_created[Near]) parts.push_back(dry_run ? "create the folder here" : "folder created here");
    if (f.folder_created[Far]) parts.push_back(dry_run ? "create the folder on the server" : "folder created on the server");
    count("fetched", "fetch", f.added[Near]);
    count("uploaded", "upload", f.added[Far]);
    both(dry_run ? "change flags of" : "flags changed", f.flagged[Near], f.flagged[Far]);
    both(dry_run ? "delete" : "deleted", f.deleted[Near], f.deleted[Far]);
    if (f.moved[Near]) parts.push_back(std::to_string(f.moved[Near]) + " moved in from another folder (not fetched)");
    if (f.moved[Far])
        parts.push_back(std::to_string(f.moved[Far]) + " moved on the server to the folder they were moved to here");
    if (f.folder_deleted[Near]) parts.push_back(dry_run ? "delete the folder here" : "folder deleted here");
    if (f.folder_deleted[Far]) parts.push_back(dry_run ? "delete the folder on the server" : "folder deleted on the server");
    if (f.rematched && f.matched)
        parts.push_back(std::to_string(f.matched) + (dry_run ? " to match" : " matched") + " by Message-ID");
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : ", ") + p;
    return text.empty() || !dry_run ? text : "would " + text;
}

/// Notes and errors on stderr, with and without --json.
void print_diagnostics(Printer& out, const std::string& account, const sync::AccountReport& r) {
    for (const auto& f : r.folders) {
        for (const auto& note : f.notes) out.note(account + ": " + note);
        if (f.error) {
            std::string message = f.error->what();
            if (message.find("'" + f.folder + "'") == std::string::npos)
                message = "folder '" + f.folder + "': " + message;
            out.error(labelled(account, Error(f.error->kind, message, f.error->hint, f.error->server_reply)));
        }
    }
    if (r.error) out.error(labelled(account, *r.error));
}

void print_report(Printer& out, const std::string& account, const sync::AccountReport& r, bool dry_run) {
    if (out.quiet()) return;
    bool any = false;
    for (const auto& m : r.renamed) {
        if (m.finished) continue;  // both sides had it already: nothing to tell
        any = true;
        out.line(account + " " + m.from + ": " + (dry_run ? "would rename" : "renamed") + " to '" + m.to + "' " +
                 (m.changed == Near ? "here" : "on the server") + " (it was renamed " +
                 (m.changed == Near ? "on the server)" : "here)"));
    }
    for (const auto& f : r.folders) {
        std::string text = describe(f, dry_run);
        if (text.empty()) continue;
        any = true;
        out.line(account + " " + f.folder + ": " + text);
    }
    if (!any && r.ok() && out.stdout_is_tty())
        out.line(account + ": " + (dry_run ? "nothing to do" : "up to date") + " (" + std::to_string(r.folders.size()) +
                 (r.folders.size() == 1 ? " folder)" : " folders)"));
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
        ctx.out().warning(account.preset.name + " allows " + std::to_string(limit) +
                          " connections per account: syncing " + std::to_string(limit) + " folders at once");
        request.jobs = limit;
    }
    if (o.watch) {
        if (ctx.accounts().size() != 1)
            throw Error(ErrorKind::Usage, "--watch syncs one account", "run one 'zmail sync --watch' per account");
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
    app.add_option("--folder", o->folders, "sync only this folder (repeatable; '/' between levels)")
        ->allow_extra_args(false);
    auto* pull = app.add_flag("--pull", o->pull, "only bring server changes here (overrides sync.direction)");
    auto* push = app.add_flag("--push", o->push, "only send local changes to the server (overrides sync.direction)");
    pull->excludes(push);
    app.add_flag("--dry-run", o->dry_run, "show what would change on either side; change nothing");
    app.add_option("--jobs", o->jobs, "sync up to N folders at once, each over its own connection (default: sync.jobs)")
        ->check(CLI::Range(1, 16));
    auto* watch = app.add_flag("--watch", o->watch, "keep running: sync again when the server changes (NOTIFY, "
                                                    "else IDLE in INBOX and --jobs - 1 more folders) and every "
                                                    "--interval seconds, until interrupted");
    app.add_option("--interval", o->interval, "with --watch: seconds between syncs without a change (default 300)")
        ->check(CLI::Range(10, 86400));
    app.add_flag("--allow-mass-delete", o->allow_mass_delete,
                 "go ahead even when a run would delete more than sync.mass_delete_percent of a folder");
    app.add_option("--wait", o->wait, "wait up to SECONDS for another sync of the account (default 0)")
        ->check(CLI::Range(0, 86400));
    watch->excludes("--dry-run");
    app.add_flag("--known-folders", o->known_folders)->group("");

    return [o](Context& ctx, const profile::Account* account) -> Outcome {
        if (o->known_folders) return known_folders(*account);
        return sync_one(ctx, *account, *o);
    };
}

}  // namespace zmail::cli
