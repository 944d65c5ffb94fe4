#include "oauth2/session_tokens.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "profile/credentials.hpp"
#include "util/atomic_file.hpp"
#include "util/lock_file.hpp"
#include "util/no_core_dumps.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>
#include <mutex>
#include <sys/stat.h>

namespace zmail::oauth2 {

namespace {

using nlohmann::json;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

/// The command store's access tokens, per account, for this process only.
std::map<std::string, Tokens>& memory_tokens() {
    static std::map<std::string, Tokens> tokens;
    return tokens;
}
std::mutex memory_mutex;

std::string file_text(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t file_number(const json& doc, const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string login_command(const profile::Account& account) {
    const bool plain = account.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                      "._@+-") == std::string::npos;
    return "zmail settings login " + (plain ? account.name : "'" + account.name + "'");
}

HttpOptions http_options(const profile::Account& account) {
    HttpOptions o;
    o.ca_file = account.ca_file;
    o.tls_verify = account.tls_verify;
    return o;
}

TokenStore::TokenStore(const profile::Account& account)
    : account_(account), path_(account.state_dir + "/oauth2-tokens.json") {}

std::string TokenStore::describe() const {
    return account_.oauth2.store == "command" ? "command (oauth2.save_command)" : "file " + path_;
}

std::optional<Tokens> TokenStore::load() const {
    util::no_core_dumps();
    if (account_.oauth2.store == "command") {
        if (account_.oauth2.load_command.empty())
            throw Error(ErrorKind::Config,
                        tr("account '{}' keeps its OAuth2 tokens with a command, but oauth2.load_command is not set",
                           account_.name),
                        tr("set oauth2.load_command and oauth2.save_command, or oauth2.store file"));
        Tokens t;
        {
            std::lock_guard lock(memory_mutex);
            if (auto it = memory_tokens().find(account_.name); it != memory_tokens().end()) t = it->second;
        }
        const std::string refresh =
            profile::run_command_for_secret(account_.oauth2.load_command, N_("OAuth2 load command"), account_.name);
        if (refresh != t.refresh_token) t = Tokens{refresh, {}, {}, 0, 0};  // another process rotated it
        return t;
    }
    std::string text;
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
        if (errno == ENOENT) return std::nullopt;
        throw_storage_error(N_("read"), path_, errno);
    }
    if (st.st_mode & 077)
        throw Error(ErrorKind::Permission, tr("refusing to use OAuth2 token file '{}': others can read it", path_),
                    tr("run 'chmod 600 {}'; if others may have read it, sign in again: {}", path_,
                       login_command(account_)));
    if (!util::read_file(path_, text, true)) return std::nullopt;
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
        throw Error(ErrorKind::Config, tr("OAuth2 token file '{}' is damaged", path_),
                    tr("sign in again: {}", login_command(account_)));
    Tokens t;
    t.refresh_token = file_text(doc, "refresh_token");
    t.access_token = file_text(doc, "access_token");
    t.scope = file_text(doc, "scope");
    t.expires_at = file_number(doc, "expires_at");
    t.obtained_at = file_number(doc, "obtained_at");
    if (t.refresh_token.empty() && t.access_token.empty()) return std::nullopt;
    return t;
}

void TokenStore::save(const Tokens& tokens) const {
    if (account_.oauth2.store == "command") {
        std::string stored;
        {
            std::lock_guard lock(memory_mutex);
            auto it = memory_tokens().find(account_.name);
            if (it != memory_tokens().end()) stored = it->second.refresh_token;
        }
        if (account_.oauth2.save_command.empty())
            throw Error(ErrorKind::Config,
                        tr("account '{}' keeps its OAuth2 tokens with a command, but oauth2.save_command is not set",
                           account_.name),
                        tr("set oauth2.save_command (it reads the refresh token on standard input)"));
        if (!tokens.refresh_token.empty() && tokens.refresh_token != stored)
            profile::run_with_input(account_.oauth2.save_command, tokens.refresh_token,
                                    tr("OAuth2 save command of account '{}'", account_.name));
        std::lock_guard lock(memory_mutex);
        memory_tokens()[account_.name] = tokens;
        return;
    }
    json doc = {{"refresh_token", tokens.refresh_token}, {"access_token", tokens.access_token},
                {"scope", tokens.scope},                 {"expires_at", tokens.expires_at},
                {"obtained_at", tokens.obtained_at}};
    util::write_file_atomically(path_, doc.dump(2) + "\n", 0600);
}

Tokens tokens_from_grant(const Grant& grant, const Tokens& previous, std::int64_t now) {
    Tokens t;
    t.access_token = grant.access_token;
    t.refresh_token = grant.refresh_token.empty() ? previous.refresh_token : grant.refresh_token;
    t.scope = grant.scope.empty() ? previous.scope : grant.scope;
    t.obtained_at = now;
    t.expires_at = grant.expires_in > 0 ? now + grant.expires_in : 0;
    return t;
}

bool needs_refresh(const Tokens& tokens, std::int64_t now) {
    if (tokens.access_token.empty()) return true;
    if (tokens.expires_at == 0) return false;  // the server did not say; a refusal will tell
    const std::int64_t lifetime = std::max<std::int64_t>(0, tokens.expires_at - tokens.obtained_at);
    const std::int64_t margin = std::min<std::int64_t>(60, lifetime / 4);
    return now >= tokens.expires_at - margin;
}

TokenStatus token_status(const profile::Account& account) {
    TokenStore store(account);
    TokenStatus status;
    status.store = store.describe();
    if (auto t = store.load()) {
        status.signed_in = !t->refresh_token.empty();
        status.access_valid = !t->access_token.empty() && (t->expires_at == 0 || t->expires_at > now_seconds());
        status.valid_until = t->expires_at;
        status.scope = t->scope;
    }
    return status;
}

Fields client_fields(const profile::Profile& profile, const profile::Account& account) {
    if (account.oauth2.client_id.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no oauth2.client_id", account.name),
                    tr("register zmail with the provider (see zmail-settings(1)), then: zmail settings set {} "
                       "oauth2.client_id ID",
                       account.name));
    Fields fields{{"client_id", account.oauth2.client_id}};
    std::string secret = profile::obtain_client_secret(profile, account);
    if (!secret.empty()) fields.emplace_back("client_secret", std::move(secret));
    return fields;
}

Error grant_error(const profile::Account& account, const GrantError& error, const std::string& activity) {
    const std::string words = error.error + (error.description.empty() ? "" : ": " + error.description);
    const std::string doing = translate(activity.c_str());  // marked with N_ by the callers
    if (error.error == "invalid_grant")
        return Error(ErrorKind::Auth,
                     // TRANSLATORS: the second {} is an activity such as "renewing the access token"
                     tr("the provider refused the stored sign-in of account '{}' while {} (it was revoked, expired "
                        "or the password changed)",
                        account.name, doing),
                     tr("sign in again: {}", login_command(account)), words);
    if (error.error == "invalid_client" || error.error == "unauthorized_client")
        return Error(ErrorKind::Auth,
                     // TRANSLATORS: the second {} is an activity such as "renewing the access token"
                     tr("the provider refused the client of account '{}' while {}", account.name, doing),
                     tr("check oauth2.client_id (and oauth2.client_secret) against your registration"), words);
    if (error.error == "invalid_scope")
        return Error(ErrorKind::Config, tr("the provider refused the scopes of account '{}'", account.name),
                     tr("check oauth2.scope"), words);
    if (error.error == "temporarily_unavailable" || error.error == "server_error")
        // TRANSLATORS: {} is an activity such as "renewing the access token"
        return Error(ErrorKind::Temporary, tr("the provider could not answer while {}", doing), tr("try again later"),
                     words);
    // TRANSLATORS: {} is an activity such as "renewing the access token"
    return Error(ErrorKind::Protocol, tr("the provider's token endpoint failed while {}", doing),
                 tr("try again later; if it persists, sign in again: {}", login_command(account)), words);
}

std::string access_token(const profile::Profile& profile, const profile::Account& account,
                         const std::string& rejected, const HttpOptions& http) {
    if (!account.oauth2.configured())
        throw Error(ErrorKind::Config, tr("account '{}' has no OAuth2 token endpoint", account.name),
                    tr("use a preset that has one (outlook, gmail) or set oauth2.token_url"));
    TokenStore store(account);
    auto usable = [&](const std::optional<Tokens>& t) {
        return t && !t->access_token.empty() && t->access_token != rejected && !needs_refresh(*t, now_seconds());
    };
    auto tokens = store.load();
    if (usable(tokens)) return tokens->access_token;
    // One refresh at a time per account: another process may have just rotated the refresh token.
    util::make_directories(account.state_dir);
    util::LockFile lock(account.state_dir + "/oauth2.lock", "zmail OAuth2 token refresh", 60);
    tokens = store.load();
    if (usable(tokens)) return tokens->access_token;
    if (!tokens || tokens->refresh_token.empty())
        throw Error(ErrorKind::Auth, tr("account '{}' has no OAuth2 sign-in yet", account.name),
                    tr("sign in once: {}", login_command(account)));
    Fields fields{{"grant_type", "refresh_token"}, {"refresh_token", tokens->refresh_token}};
    for (auto& f : client_fields(profile, account)) fields.push_back(std::move(f));
    if (!account.oauth2.scope.empty()) fields.emplace_back("scope", account.oauth2.scope);
    const HttpAnswer reply = post_form(account.oauth2.token_url, fields, http);
    const TokenAnswer answer = parse_token_answer(reply.status, reply.body);
    if (answer.error) throw grant_error(account, *answer.error, N_("renewing the access token"));
    Tokens fresh = tokens_from_grant(*answer.grant, *tokens, now_seconds());
    store.save(fresh);  // a rotated refresh token is safe before the access token is used
    return fresh.access_token;
}

}  // namespace zmail::oauth2
