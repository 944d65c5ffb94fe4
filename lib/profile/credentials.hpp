// Getting an account's password or token at the moment it is needed, from where the account says.
#pragma once

#include "profile/account.hpp"

#include <string>
#include <string_view>

namespace zmail::profile {

/// The password or OAuth2 token for `account` to log in to `host`. Runs the password/token
/// command (first line of its output), reads the environment variable, ~/.netrc ($NETRC), the
/// password file (refused if others can read it) or the plaintext key. The secret is returned
/// only to the caller: it never appears in an error message.
/// Throws Error{Config} when no source is set or the source yields nothing, Error{Permission}
/// for a password file others can read.
std::string obtain_secret(const Profile& profile, const Account& account, const std::string& host);

/// Looks `host` (and `user`, if the entry names one) up in netrc text. Empty when not found.
/// Pure, for tests.
std::string netrc_lookup(std::string_view netrc_text, const std::string& host, const std::string& user);

}  // namespace zmail::profile
