#include "net/account_options.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "oauth2/session_tokens.hpp"
#include "profile/credentials.hpp"

namespace zmail::net {

namespace {

const char* key_prefix(Protocol protocol) {
    switch (protocol) {
    case Protocol::imap: return "imap";
    case Protocol::pop3: return "pop";
    case Protocol::smtp: return "smtp";
    }
    return "imap";
}

}  // namespace

const profile::ServerSettings& account_server(const profile::Account& account, Protocol protocol) {
    switch (protocol) {
    case Protocol::imap: return account.imap;
    case Protocol::pop3: return account.pop;
    case Protocol::smtp: return account.smtp;
    }
    return account.imap;
}

ServerOptions account_server_options(const profile::Profile& profile, const profile::Account& account,
                                     Protocol protocol) {
    const profile::ServerSettings& server = account_server(account, protocol);
    const std::string prefix = key_prefix(protocol);
    if (!server.configured())
        // TRANSLATORS: the second {} is imap, pop or smtp
        throw Error(ErrorKind::Config, tr("account '{}' has no {} server", account.name, prefix),
                    tr("set one: zmail settings set {} {}.host HOST", account.name, prefix));
    ServerOptions options;
    options.protocol = protocol;
    options.host = server.host;
    options.port = server.port;
    auto security = parse_security(server.security);
    if (!security)
        throw Error(ErrorKind::Config,
                    tr("account '{}' has an unknown {}.security '{}'", account.name, prefix, server.security),
                    tr("use tls, starttls or none"));
    options.security = *security;
    options.allow_plaintext = server.allow_plaintext;
    options.ca_file = account.ca_file;
    options.tls_verify = account.tls_verify;
    auto mechanism = parse_mechanism(account.auth_mechanism);
    if (!mechanism)
        throw Error(ErrorKind::Config,
                    tr("account '{}' has an unknown auth.mechanism '{}'", account.name, account.auth_mechanism),
                    tr("use plain, login, xoauth2 or oauthbearer"));
    options.mechanism = *mechanism;
    options.user = account.user;
    if (account.credentials.kind == profile::CredentialSource::Kind::OAuth2Tokens) {
        // the profile is copied: a connection made later (a reconnecting sync) may renew the token
        const oauth2::HttpOptions http = oauth2::http_options(account);
        options.secret = oauth2::access_token(profile, account, "", http);
        options.renew_hint = tr("sign in again: {}", oauth2::login_command(account));
        options.renew_secret = [profile, account, http](const std::string& rejected) {
            return oauth2::access_token(profile, account, rejected, http);
        };
    } else {
        options.secret = profile::obtain_secret(profile, account, server.host);
    }
    return options;
}

}  // namespace zmail::net
