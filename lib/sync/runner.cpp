#include "sync/runner.hpp"

#include "error.hpp"
#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"
#include "util/atomic_file.hpp"
#include "sync/connect.hpp"
#include "util/lock_file.hpp"

#include <cerrno>
#include <sys/stat.h>

namespace zmail::sync {

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

namespace {

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

}  // namespace zmail::sync
