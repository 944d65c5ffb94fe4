// What run_account() and watch_account() share: the account checks, the Maildir root's check,
// and one logged-in connection with its two stores. Internal to lib/sync.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "imap/session_account.hpp"
#include "sync/runner.hpp"

namespace zmail::sync {

/// A logged-in IMAP session with the account's two stores over it.
struct Connected {
    std::shared_ptr<imap::AccountSession> session;
    StorePair stores;
};

/// Throws Error{Config} when the account cannot be synced as configured (no IMAP server,
/// Maildir or state directory).
void check_account(const profile::Account& account);

/// Connects and logs in (CONDSTORE and QRESYNC enabled when offered); throws like
/// imap::open_account_session(). The Maildir folders `list_ahead` are listed meanwhile (see
/// store::MaildirStore::list_ahead).
Connected connect(const profile::Profile& profile, const profile::Account& account, const RunRequest& request,
                  const std::vector<std::string>& list_ahead = {});

/// Checks the Maildir root before a run: a file there, an unreadable root or a root that is gone
/// while folders were synced before (a disk not mounted) is an Error{Storage}; else creates it.
void prepare_maildir(const profile::Account& account, const RunRequest& request);

}  // namespace zmail::sync
