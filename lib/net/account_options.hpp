// Turning a resolved account into the settings lib/net needs to connect and log in.
#pragma once

#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

namespace zmail::net {

/// The server options for `account`'s IMAP, POP3 or SMTP service: host, port, security,
/// allow_plaintext, CA file, verification, the pinned mechanism, the user and the secret (from
/// profile::obtain_secret, so a password command runs here). Trace and warning sinks are left
/// empty for the caller to fill in.
/// Throws Error{Config} when the account has no such server, names an unknown security or
/// mechanism, or has no usable password source; Error{Permission} from obtain_secret.
ServerOptions account_server_options(const profile::Profile& profile, const profile::Account& account,
                                     Protocol protocol);

/// The account's settings for `protocol` (profile key prefix "imap", "pop" or "smtp").
const profile::ServerSettings& account_server(const profile::Account& account, Protocol protocol);

}  // namespace zmail::net
