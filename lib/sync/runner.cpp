#include "sync/runner.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"
#include "util/atomic_file.hpp"
#include "sync/connect.hpp"
#include "util/lock_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sys/stat.h>

namespace zmail::sync {

void check_account(const profile::Account& account) {
    if (!account.imap.configured())
        throw Error(ErrorKind::Config, tr("account '{}' has no IMAP server", account.name),
                    tr("set one: zmail settings set {} imap.host HOST", account.name));
    if (account.maildir.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no Maildir", account.name),
                    tr("set one: zmail settings set {} maildir PATH", account.name));
    if (account.state_dir.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no state directory", account.name),
                    tr("set one: zmail settings set {} state_dir PATH", account.name));
}

Connected connect(const profile::Profile& profile, const profile::Account& account, const RunRequest& request,
                  const std::vector<std::string>& list_ahead) {
    auto near = std::make_unique<store::MaildirStore>(account.maildir,
                                                      store::MaildirOptions{account.sync.layout, request.dry_run});
    if (!list_ahead.empty()) near->list_ahead(list_ahead);  // while the server logs us in
    imap::AccountSessionOptions options;
    options.enable_condstore = true;
    options.enable_qresync = true;
    options.trace = request.trace;
    options.warning = request.warning;
    Connected c;
    c.session = std::make_shared<imap::AccountSession>(imap::open_account_session(profile, account, options));
    c.stores.resources = c.session;
    c.stores.far = std::make_unique<store::ImapStore>(*c.session->session, account.imap.host);
    c.stores.near = std::move(near);
    c.stores.local = c.session->connection->report().loopback();
    return c;
}

// A Maildir root that is gone while folders were synced before is a disk that is not mounted or
// a tree deleted by mistake: never take that as every folder deleted.
void prepare_maildir(const profile::Account& account, const RunRequest& request) {
    struct stat st {};
    const bool found = ::stat(account.maildir.c_str(), &st) == 0;
    if (found && !S_ISDIR(st.st_mode))
        throw Error(ErrorKind::Storage,
                    tr("cannot sync account '{}': its Maildir '{}' is a file, not a directory", account.name,
                       account.maildir),
                    tr("move the file away, or point the account elsewhere: zmail settings set {} maildir DIR; "
                       "nothing was changed",
                       account.name));
    if (!found && errno != ENOENT)
        throw_storage_error(N_("read the Maildir"), account.maildir, errno,
                            {"", tr("make it readable again and run the sync again; nothing was changed")});
    const bool exists = found;
    if (!exists && !known_folders(sync_state_directory(account)).empty())
        throw Error(ErrorKind::Storage, tr("cannot sync account '{}': its Maildir '{}' is gone", account.name,
                                           account.maildir),
                    tr("if it is on a disk that is not mounted, mount it; to fetch everything again, remove '{}'",
                       sync_state_directory(account)));
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
    // For the kill and cut trials: small batches put the durable steps of a transfer (pending
    // recorded, files shown, pairs recorded) inside the message stream, where a kill can land.
    if (const char* batch = std::getenv("ZMAIL_TEST_SYNC_BATCH"); batch && std::atoi(batch) > 0)
        o.folder.batch_messages = static_cast<std::size_t>(std::atoi(batch));
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
    // the folders synced before, INBOX first as the sync takes them, are read while logging in
    std::vector<std::string> known = known_folders(state);
    std::stable_partition(known.begin(), known.end(), [](const std::string& f) { return f == "INBOX"; });
    Connected c = connect(profile, account, request, known);
    return sync_account(*c.stores.far, *c.stores.near, state, options, request.progress);
}

}  // namespace zmail::sync
