// Opening an IMAP session for an account: connection (lib/net) + session, set up the way the
// account's preset needs (ID command, CONDSTORE/QRESYNC).
#pragma once

#include "imap/session.hpp"
#include "net/connection.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <memory>

namespace zmail::imap {

/// What to enable and where the trace and warnings go.
struct AccountSessionOptions {
    bool enable_condstore = false;
    bool enable_qresync = false;
    net::LineSink trace;    ///< protocol trace (login by lib/net, then the session's own); may be empty
    net::LineSink warning;  ///< warnings such as "certificate verification is off"; may be empty
};

/// A logged-in IMAP session with the connection it runs on. Destroying it sends LOGOUT.
struct AccountSession {
    std::unique_ptr<net::Connection> connection;
    std::unique_ptr<Session> session;
    Session& operator*() { return *session; }
    Session* operator->() { return session.get(); }
};

/// Connects and logs in to `account`'s IMAP server and starts the session (CAPABILITY, ID when
/// the account's imap.id or preset asks for it, ENABLE as asked). Throws the errors of
/// net::Connection and Session::start().
AccountSession open_account_session(const profile::Profile& profile, const profile::Account& account,
                                    const AccountSessionOptions& options = {});

}  // namespace zmail::imap
