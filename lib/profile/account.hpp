// An account as the commands see it: the stored keys, filled in from the preset and the defaults.
#pragma once

#include "profile/presets.hpp"
#include "profile/profile.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zmail::profile {

/// One service of an account, effective values. `host` empty: the account has no such service.
struct ServerSettings {
    std::string host;
    int port = 0;
    std::string security;  ///< tls, starttls, none
    bool allow_plaintext = false;
    bool configured() const { return !host.empty(); }
    std::string endpoint() const { return host + ":" + std::to_string(port); }
};

/// Where the secret comes from (never the secret itself).
struct CredentialSource {
    enum class Kind { None, Command, Environment, Netrc, File, Plain, OAuth2Command, OAuth2Tokens } kind = Kind::None;
    std::string value;  ///< the command, variable name or file path; empty for Netrc and Plain
    std::string describe() const;  ///< "password command", "environment variable X", ...
};

/// OAuth2 for an account (auth.mechanism xoauth2 or oauthbearer): the client zmail signs in as,
/// the provider's endpoints ({tenant} replaced) and where the refresh token is kept.
struct OAuth2Settings {
    std::string client_id;
    CredentialSource client_secret;  ///< Command, Environment or Plain (oauth2.client_secret); None: public client
    std::string tenant;
    std::string authorize_url, token_url, device_url, scope;
    std::vector<std::pair<std::string, std::string>> authorize_params;  ///< from the preset
    std::string store = "file";      ///< file, command
    std::string load_command, save_command;
    bool configured() const { return !token_url.empty(); }
};

struct FetchPolicy {
    bool keep = true;
    std::string scope = "all";  ///< all, new
    std::string delivery = "maildir";
    long long max_size = 0;
    long long limit = 0;
};

struct SyncPolicy {
    std::vector<std::string> folders{"*"}, exclude;
    std::string expunge = "immediate", direction = "both", layout = "fs";
    bool delete_folders = false;
    int mass_delete_percent = 50;
    int jobs = 1;  ///< folders at once (sync.jobs; default from the preset)
};

struct SendPolicy {
    std::string save_sent_setting = "auto";  ///< as configured
    std::string save_sent = "never";          ///< effective: always or never
    std::string save_sent_reason;
    std::string sent_folder;                  ///< empty: find \Sent, else the preset's
};

/// An account with every key resolved: stored value, else the preset's, else the default.
struct Account {
    std::string name, address, display_name, user;
    std::vector<std::string> aliases;
    Preset preset;
    ServerSettings imap, pop, smtp;
    bool imap_id = false;
    std::string imap_compress = "auto";  ///< auto, always, never
    std::string ca_file;
    bool tls_verify = true;
    std::string auth_mechanism = "plain";
    CredentialSource credentials;
    OAuth2Settings oauth2;
    std::string maildir, state_dir;
    FetchPolicy fetch;
    SyncPolicy sync;
    SendPolicy send;
};

/// Resolves `name` from the profile. Throws Error{Config} when the account does not exist or
/// its preset is unknown.
Account resolve_account(const Profile& profile, const std::string& name);

/// The effective value of a dotted key (for `settings get`), or null when there is none.
nlohmann::json effective_value(const Profile& profile, const std::string& account, const std::string& key);

/// The account as JSON with effective values; secrets are never included.
nlohmann::json account_to_json(const Account& account);

/// Policies that fight each other or are unsafe, in plain words (for `settings show`, fetch, send).
std::vector<std::string> policy_warnings(const Account& account);

/// True if `address` is the account's address or one of its aliases (case-insensitive).
bool account_owns_address(const Account& account, const std::string& address);

}  // namespace zmail::profile
