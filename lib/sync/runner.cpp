#include "sync/runner.hpp"

#include "error.hpp"
#include "imap/session_account.hpp"
#include "imap/session_idle.hpp"
#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"
#include "util/atomic_file.hpp"
#include "util/lock_file.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <thread>

namespace zmail::sync {

namespace {

void check_account(const profile::Account& account) {
    if (!account.imap.configured())
        throw Error(ErrorKind::Config, "account '" + account.name + "' has no IMAP server",
                    "set one: zmail settings set " + account.name + " imap.host HOST");
    if (account.maildir.empty())
        throw Error(ErrorKind::Config, "account '" + account.name + "' has no Maildir",
                    "set one: zmail settings set " + account.name + " maildir PATH");
    if (account.state_dir.empty())
        throw Error(ErrorKind::Config, "account '" + account.name + "' has no state directory",
                    "set one: zmail settings set " + account.name + " state_dir PATH");
}

struct Connected {
    std::shared_ptr<imap::AccountSession> session;
    StorePair stores;
};

Connected connect(const profile::Profile& profile, const profile::Account& account, const RunRequest& request) {
    imap::AccountSessionOptions options;
    options.enable_condstore = true;
    options.enable_qresync = true;
    options.trace = request.trace;
    options.warning = request.warning;
    Connected c;
    c.session = std::make_shared<imap::AccountSession>(imap::open_account_session(profile, account, options));
    c.stores.resources = c.session;
    c.stores.far = std::make_unique<store::ImapStore>(*c.session->session, account.imap.host);
    c.stores.near = std::make_unique<store::MaildirStore>(account.maildir,
                                                          store::MaildirOptions{account.sync.layout, request.dry_run});
    return c;
}

// A Maildir root that is gone while folders were synced before is a disk that is not mounted or
// a tree deleted by mistake: never take that as every folder deleted.
void prepare_maildir(const profile::Account& account, const RunRequest& request) {
    struct stat st {};
    const bool found = ::stat(account.maildir.c_str(), &st) == 0;
    if (found && !S_ISDIR(st.st_mode))
        throw Error(ErrorKind::Storage,
                    "cannot sync account '" + account.name + "': its Maildir '" + account.maildir +
                        "' is a file, not a directory",
                    "move the file away, or point the account elsewhere: zmail settings set " + account.name +
                        " maildir DIR; nothing was changed");
    if (!found && errno != ENOENT)
        throw_storage_error("read the Maildir", account.maildir, errno,
                            {"", "make it readable again and run the sync again; nothing was changed"});
    const bool exists = found;
    if (!exists && !known_folders(sync_state_directory(account)).empty())
        throw Error(ErrorKind::Storage,
                    "cannot sync account '" + account.name + "': its Maildir '" + account.maildir + "' is gone",
                    "if it is on a disk that is not mounted, mount it; to fetch everything again, remove '" +
                        sync_state_directory(account) + "'");
    if (!request.dry_run) util::make_directories(account.maildir);
}

Direction parse_direction(const std::string& text) {
    if (text == "pull") return Direction::Pull;
    if (text == "push") return Direction::Push;
    return Direction::Both;
}

}  // namespace

AccountOptions account_options(const profile::Account& account, const RunRequest& request) {
    AccountOptions o;
    o.folders = account.sync.folders;
    o.exclude = account.sync.exclude;
    o.only = request.folders;
    o.folder.direction = request.direction.value_or(parse_direction(account.sync.direction));
    o.folder.expunge = account.sync.expunge == "immediate";
    o.folder.delete_folders = account.sync.delete_folders;
    o.folder.mass_delete_percent = account.sync.mass_delete_percent;
    o.folder.allow_mass_delete = request.allow_mass_delete;
    o.folder.dry_run = request.dry_run;
    // moves made here: the new files of a folder, read without renaming anything
    o.scan_near = [root = account.maildir, layout = account.sync.layout](const std::string& folder) {
        store::MaildirStore near(root, store::MaildirOptions{layout, true});
        near.select(folder);
        near.list_messages(0);
        return near.identities(near.fresh_uids());
    };
    return o;
}

std::string sync_state_directory(const profile::Account& account) { return account.state_dir + "/sync"; }

AccountReport run_account(const profile::Profile& profile, const profile::Account& account, const RunRequest& request) {
    check_account(account);
    util::make_directories(account.state_dir);
    util::LockFile lock(account.state_dir + "/sync.lock", "zmail sync " + account.name, request.lock_wait_seconds);
    prepare_maildir(account, request);
    AccountOptions options = account_options(account, request);
    std::string state = sync_state_directory(account);
    if (request.jobs > 1) {
        auto open = [&] { return connect(profile, account, request).stores; };
        return sync_account_parallel(open, state, options, request.jobs, request.progress);
    }
    Connected c = connect(profile, account, request);
    return sync_account(*c.stores.far, *c.stores.near, state, options, request.progress);
}

namespace {

/// Waits for a change on the server, up to `interval`: with NOTIFY (RFC 5465) in every folder of
/// the account over this one connection, else with IDLE in INBOX. False when the server offers
/// neither (the caller sleeps instead). Throws the session's errors.
bool wait_for_change(Connected& c, std::chrono::seconds interval, bool& notify_set) {
    imap::Session& session = *c.session->session;
    if (session.capabilities().has("NOTIFY") && session.capabilities().has("IDLE")) {
        if (!notify_set) {
            const auto result = session.run([](const std::string& tag) { return imap::command::notify_set(tag); });
            notify_set = result.ok();
        }
        if (notify_set) {
            imap::idle(session, interval, [](const imap::Response& r) {
                return r.get<imap::MailboxStatusData>() || r.get<imap::ExistsData>() || r.get<imap::ExpungeData>() ||
                       r.get<imap::FetchData>() || r.get<imap::ListData>() || r.get<imap::VanishedData>();
            });
            return true;
        }
    }
    if (!session.capabilities().has("IDLE")) return false;
    c.stores.far->select("INBOX");
    imap::idle(session, interval);
    return true;
}

}  // namespace

void watch_account(const profile::Profile& profile, const profile::Account& account, const RunRequest& request,
                   std::chrono::seconds interval, const std::function<bool(const AccountReport&)>& after_run) {
    check_account(account);
    util::make_directories(account.state_dir);
    util::LockFile lock(account.state_dir + "/sync.lock", "zmail sync --watch " + account.name,
                        request.lock_wait_seconds);
    prepare_maildir(account, request);
    AccountOptions options = account_options(account, request);
    std::string state = sync_state_directory(account);
    std::optional<Connected> c = connect(profile, account, request);  // the first failure is thrown
    bool notify_set = false;
    int failures = 0;  // runs in a row that could not reach the server
    while (true) {
        AccountReport report;
        try {
            if (!c) {
                c = connect(profile, account, request);
                notify_set = false;
            }
            report = sync_account(*c->stores.far, *c->stores.near, state, options, request.progress);
        } catch (const Error& e) {
            report.error = e;
        }
        if (report.error && (report.error->kind == ErrorKind::Network || report.error->kind == ErrorKind::Temporary ||
                             (c && !c->stores.far->usable())))
            c.reset();
        failures = c ? 0 : failures + 1;
        if (!after_run(report)) return;
        if (!c) {
            // a dropped network, a server restart, a laptop waking up: 5 s, 10 s, 20 s ... up to the interval
            const auto backoff = std::chrono::seconds(5) * (1 << std::min(failures - 1, 10));
            std::this_thread::sleep_for(std::min<std::chrono::seconds>(backoff, interval));
            continue;
        }
        try {
            if (wait_for_change(*c, interval, notify_set)) continue;
        } catch (const Error&) {
            c.reset();  // a BYE or a cut while waiting: reconnect and sync at once
            continue;
        }
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace zmail::sync
