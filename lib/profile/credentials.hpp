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

/// The OAuth2 client secret of `account` (oauth2.client_secret_command, _env or the plaintext
/// key); empty when the account names none (a public client). Throws Error{Config} like
/// obtain_secret when the source yields nothing.
std::string obtain_client_secret(const Profile& profile, const Account& account);

/// Runs `command` with `input` on its standard input (e.g. oauth2.save_command with the refresh
/// token). Throws Error{Storage} naming `what` and the exit status when it fails.
void run_with_input(const std::string& command, std::string_view input, const std::string& what);

/// The first line a command prints (e.g. oauth2.load_command), with errors naming `what` and
/// `account`. Throws Error{Config} when it fails or prints nothing.
std::string run_command_for_secret(const std::string& command, const std::string& what, const std::string& account);

/// Where `settings add` keeps a password typed on the terminal: "passwords/ACCOUNT" beside the
/// profile store `config_path`.
std::string password_file_for(const std::string& config_path, const std::string& account);

/// Writes `secret` (one line) to the password file `path` atomically with mode 0600, in a 0700
/// directory created if missing; obtain_secret() reads it back (password.file). Throws
/// Error{Storage} naming the path when it cannot be written.
void write_password_file(const std::string& path, std::string_view secret);

/// Looks `host` (and `user`, if the entry names one) up in netrc text. Empty when not found.
/// Pure, for tests.
std::string netrc_lookup(std::string_view netrc_text, const std::string& host, const std::string& user);

}  // namespace zmail::profile
