// An account's OAuth2 tokens: where they are kept, and a valid access token when a login needs
// one (refreshed before it expires, and once more after the server refused it).
#pragma once

#include "error.hpp"
#include "oauth2/grant.hpp"
#include "oauth2/session_http.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace zmail::oauth2 {

struct Tokens {
    std::string refresh_token, access_token, scope;
    std::int64_t expires_at = 0;   ///< Unix time the access token stops working; 0: unknown
    std::int64_t obtained_at = 0;  ///< Unix time it was issued
};

/// Where an account keeps its tokens (oauth2.store): "file", the default, is
/// STATE_DIR/oauth2-tokens.json, mode 0600, replaced atomically and refused when others can
/// read it; "command" keeps the refresh token with oauth2.load_command / oauth2.save_command
/// (a password manager) and the access token only in memory.
class TokenStore {
public:
    explicit TokenStore(const profile::Account& account);
    /// The stored tokens; nullopt when there are none yet. Throws Error{Permission} for a token
    /// file others can read, Error{Config} when the load command fails.
    std::optional<Tokens> load() const;
    /// Stores `tokens` (the file atomically; the command store runs save_command with the
    /// refresh token when it changed). Throws Error{Storage}.
    void save(const Tokens& tokens) const;
    /// "file PATH" or "command (oauth2.save_command)", for messages.
    std::string describe() const;
    std::string path() const { return path_; }

private:
    const profile::Account& account_;
    std::string path_;
};

/// Tokens from a grant, keeping `previous`'s refresh token when the server sent none.
Tokens tokens_from_grant(const Grant& grant, const Tokens& previous, std::int64_t now);

/// True when `tokens`' access token should be refreshed at `now`: missing, or within a quarter
/// of its lifetime (at most 60 s) of expiring.
bool needs_refresh(const Tokens& tokens, std::int64_t now);

/// A valid access token for `account`. `rejected`: the token a server just refused (then a new
/// one is fetched unless another process already did); empty on the first try. Refreshing
/// holds STATE_DIR/oauth2.lock, so concurrent runs (fetch and sync from cron) refresh once and a
/// rotated refresh token is saved before the access token is handed out.
/// Throws Error{Auth} (exit 77) with the 'zmail settings login ACCOUNT' hint when there are no
/// tokens or the provider refuses the refresh token (invalid_grant); Error{Network/Temporary}
/// when the provider cannot be reached.
std::string access_token(const profile::Profile& profile, const profile::Account& account,
                         const std::string& rejected, const HttpOptions& http);

/// What `zmail settings test` says of the stored tokens, never the tokens themselves.
struct TokenStatus {
    std::string store;             ///< TokenStore::describe()
    bool signed_in = false;        ///< a refresh token is stored
    bool access_valid = false;     ///< the stored access token has not expired
    std::int64_t valid_until = 0;  ///< its expiry (Unix time), 0 when unknown
    std::string scope;
};

/// The state of `account`'s tokens. Throws like TokenStore::load().
TokenStatus token_status(const profile::Account& account);

/// The client's fields for a token request: client_id, and client_secret when the account has one.
Fields client_fields(const profile::Profile& profile, const profile::Account& account);

/// The token endpoint's error as an Error: invalid_grant is Auth with the login hint. `activity`
/// is English, marked with N_ ("renewing the access token"), and shown translated.
Error grant_error(const profile::Account& account, const GrantError& error, const std::string& activity);

/// HttpOptions from the account (its ca_file and tls_verify).
HttpOptions http_options(const profile::Account& account);

/// "zmail settings login ACCOUNT" (quoted when needed).
std::string login_command(const profile::Account& account);

}  // namespace zmail::oauth2
