// Helpers for integration tests against the private mail servers that the CTest fixture
// (tests/fixture/mailserver.py) starts in ZMAIL_FIXTURE_DIR.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/server.hpp"

namespace zmail::test {

/// DIR/env.json, written by `mailserver.py start DIR`.
struct ServerEnv {
    std::string host;           ///< 127.0.0.1 (in the certificate; Dovecot treats it as secured)
    std::string alt_host;       ///< 127.0.0.2 (in the certificate; plaintext login refused)
    std::string mismatch_host;  ///< 127.0.0.3 (served, but not in the certificate)
    std::map<std::string, int> ports;  ///< imap imaps pop3 pop3s submission submissions lmtp sink
    std::string ca_file;        ///< the CA that signed the server certificate
    std::string other_ca_file;  ///< an unrelated CA
    std::string dovecot_config;
    std::vector<std::string> doveadm;  ///< {"doveadm", "-c", config}
    std::string received_dir;   ///< the SMTP receiver's NNNNNN.eml / NNNNNN.json files
    std::string aliases_dir;    ///< aliases/<user>: extra MAIL FROM addresses the user owns
    std::string mail_dir;       ///< mail/<user>/Maildir: the server's own Maildirs
    std::map<std::string, std::string> users;  ///< the fixed users (alice, bob) and passwords
    std::string domain;         ///< example.test

    /// The port named `name`; throws std::runtime_error when there is none.
    int port(const std::string& name) const;
};

/// The fixture's env.json, loaded once. Throws std::runtime_error when the fixture is not running.
const ServerEnv& server_env();

/// Adds a new user with an empty mailbox (name unique per call and process, e.g. "u4242n3").
/// Its password is password_for(name).
std::string create_user();

/// The password of a user made by create_user() or one of the fixed users.
std::string password_for(const std::string& user);

/// user@domain.
std::string address_of(const std::string& user);

/// Connection settings for `user` at the fixture: host 127.0.0.1, the port that matches
/// protocol and security (smtp: submission / submissions), the fixture CA, the user's password.
net::ServerOptions server_options(net::Protocol protocol, net::Security security, const std::string& user);

struct CommandResult {
    int exit_code = -1;  ///< exit status, or 128 + signal number
    std::string out;     ///< standard output
    std::string err;     ///< standard error
};

/// Runs argv (PATH lookup) with `environment` added to (or replacing in) the current one and
/// `input` on standard input. Throws std::runtime_error when it cannot start.
CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment = {},
                          const std::string& input = {});

/// Runs doveadm against the fixture's Dovecot; returns its standard output.
/// Throws std::runtime_error (with doveadm's stderr) when it fails.
std::string run_doveadm(const std::vector<std::string>& args);

/// Stores `bytes` as a new message in `mailbox` of `user` (doveadm save).
void save_message(const std::string& user, const std::string& mailbox, const std::string& bytes);

/// One message the SMTP receiver accepted (complete: its .json exists).
struct ReceivedMessage {
    std::string id;                      ///< "000001"
    std::string content;                 ///< the message as received (CRLF line ends)
    std::string mail_from;
    std::vector<std::string> rcpt_tos;
    std::string xclient_login;           ///< the user Dovecot named with XCLIENT LOGIN, or empty
    nlohmann::json envelope;             ///< the whole .json
};

/// Everything the receiver has kept so far, oldest first.
std::vector<ReceivedMessage> received_messages();

/// A new empty directory under the fixture directory, unique per call and process.
std::string make_scratch_dir(const std::string& label);

/// Runs the zmail binary with a private environment: ZMAIL_CONFIG, HOME, XDG_CONFIG_HOME and
/// XDG_STATE_HOME point into one scratch directory per process (made on first use), NO_COLOR
/// is set; `environment` overrides any of them (pass ZMAIL_CONFIG for a fresh profile).
CommandResult run_zmail(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment = {},
                        const std::string& input = {});

/// The private ZMAIL_CONFIG path run_zmail uses by default.
std::string default_zmail_config();

}  // namespace zmail::test
