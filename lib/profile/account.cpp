#include "profile/account.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/ascii.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <cstdlib>

namespace zmail::profile {

using nlohmann::json;

std::string CredentialSource::describe() const {
    switch (kind) {
    // TRANSLATORS: where an account's password comes from (settings show)
    case Kind::None: return tr("none");
    case Kind::Command: return tr("password command");
    case Kind::Environment: return tr("environment variable {}", value);
    case Kind::Netrc: return "~/.netrc";
    case Kind::File: return tr("password file {}", value);
    case Kind::Plain: return tr("plaintext password in the config file");
    case Kind::OAuth2Command: return tr("OAuth2 token command");
    case Kind::OAuth2Tokens: return tr("OAuth2 tokens from 'zmail settings login'");
    }
    return tr("none");
}

namespace {

int default_port(const std::string& protocol, const std::string& security) {
    bool tls = security == "tls";
    if (protocol == "imap") return tls ? 993 : 143;
    if (protocol == "pop") return tls ? 995 : 110;
    return tls ? 465 : 587;
}

const PresetServer& preset_server(const Preset& preset, const std::string& protocol) {
    if (protocol == "imap") return preset.imap;
    if (protocol == "pop") return preset.pop;
    return preset.smtp;
}

// The value a preset gives a key, or null.
json preset_value(const Preset& preset, const std::string& key) {
    for (const char* protocol : {"imap", "pop", "smtp"}) {
        const PresetServer& s = preset_server(preset, protocol);
        std::string p = protocol;
        if (s.host.empty()) continue;
        if (key == p + ".host") return s.host;
        if (key == p + ".port") return s.port;
        if (key == p + ".security") return s.security;
    }
    if (key == "imap.id") return preset.imap_id_required;
    if (key == "sync.jobs") return preset.imap_connections > 0 ? std::min(4, preset.imap_connections) : 1;
    if (key == "auth.mechanism") return preset.auth_mechanism;
    if (key == "send.sent_folder" && !preset.sent_folder.empty()) return preset.sent_folder;
    if (preset.oauth2.configured()) {
        if (key == "oauth2.authorize_url" && !preset.oauth2.authorize_url.empty()) return preset.oauth2.authorize_url;
        if (key == "oauth2.token_url") return preset.oauth2.token_url;
        if (key == "oauth2.device_url" && !preset.oauth2.device_url.empty()) return preset.oauth2.device_url;
        if (key == "oauth2.scope" && !preset.oauth2.scope.empty()) return preset.oauth2.scope;
    }
    return nullptr;
}

json stored_or_null(const Profile& profile, const std::string& account, const std::string& key) {
    auto v = profile.stored(account, key);
    return v ? *v : json(nullptr);
}

Preset preset_of(const Profile& profile, const std::string& account) {
    json name = stored_or_null(profile, account, "preset");
    std::string preset_name = name.is_string() ? name.get<std::string>() : "custom";
    auto preset = find_preset(profile.presets(), preset_name);
    if (!preset)
        throw Error(ErrorKind::Config, tr("account '{}' uses unknown preset '{}'", account, preset_name),
                    tr("see 'zmail settings presets', then 'zmail settings set {} preset NAME'", account));
    return *preset;
}

std::string state_home() {
    if (const char* env = std::getenv("XDG_STATE_HOME"); env && *env) return env;
    return util::expand_home("~/.local/state");
}

}  // namespace

json effective_value(const Profile& profile, const std::string& account, const std::string& key) {
    json v = stored_or_null(profile, account, key);
    if (!v.is_null()) return v;
    Preset preset = preset_of(profile, account);
    v = preset_value(preset, key);
    if (v.is_string() && key.starts_with("oauth2.") && key.ends_with("_url")) {
        std::string url = v.get<std::string>();
        const std::string tenant = effective_value(profile, account, "oauth2.tenant").get<std::string>();
        for (std::size_t at; (at = url.find("{tenant}")) != std::string::npos;) url.replace(at, 8, tenant);
        return url;
    }
    if (!v.is_null()) return v;
    // a server port follows the security when only security or host was given
    for (const char* protocol : {"imap", "pop", "smtp"}) {
        std::string p = protocol;
        if (key == p + ".port") {
            json host = effective_value(profile, account, p + ".host");
            if (host.is_null()) return nullptr;
            return default_port(p, effective_value(profile, account, p + ".security").get<std::string>());
        }
        if (key == p + ".security") {
            json host = effective_value(profile, account, p + ".host");
            if (host.is_null()) return nullptr;
            json port = stored_or_null(profile, account, p + ".port");
            if (port.is_number_integer() && (port == 143 || port == 110 || port == 587 || port == 25))
                return "starttls";
            return "tls";
        }
    }
    if (key == "user") return effective_value(profile, account, "address");
    if (key == "maildir") return util::expand_home("~/Mail/" + account);
    if (key == "state_dir") return state_home() + "/zmail/" + account;
    if (const KeyInfo* info = find_key(key)) return info->fallback;
    return nullptr;
}

/// The account's OAuth2 client, endpoints ({tenant} replaced) and token store.
static OAuth2Settings resolve_oauth2(const Profile& profile, const std::string& name, const Preset& preset) {
    using Kind = CredentialSource::Kind;
    auto text = [&](const std::string& key) {
        json v = effective_value(profile, name, key);
        return v.is_string() ? v.get<std::string>() : std::string();
    };
    OAuth2Settings o;
    o.client_id = text("oauth2.client_id");
    if (auto c = profile.stored(name, "oauth2.client_secret_command")) o.client_secret = {Kind::Command, c->get<std::string>()};
    else if (auto e = profile.stored(name, "oauth2.client_secret_env"))
        o.client_secret = {Kind::Environment, e->get<std::string>()};
    else if (profile.stored(name, "oauth2.client_secret")) o.client_secret = {Kind::Plain, {}};
    o.tenant = text("oauth2.tenant");
    o.authorize_url = text("oauth2.authorize_url");
    o.token_url = text("oauth2.token_url");
    o.device_url = text("oauth2.device_url");
    o.scope = text("oauth2.scope");
    o.store = text("oauth2.store");
    o.load_command = text("oauth2.load_command");
    o.save_command = text("oauth2.save_command");
    if (!profile.stored(name, "oauth2.authorize_url")) o.authorize_params = preset.oauth2.authorize_params;
    return o;
}

// Where the secret comes from: the first source the account sets, in order of preference.
CredentialSource credential_source(const Profile& profile, const std::string& name, const std::string& mechanism) {
    using Kind = CredentialSource::Kind;
    bool oauth = mechanism == "xoauth2" || mechanism == "oauthbearer";
    if (auto v = profile.stored(name, "oauth2.token_command"); v && oauth) return {Kind::OAuth2Command, v->get<std::string>()};
    if (auto c = profile.stored(name, "password.command")) return {Kind::Command, c->get<std::string>()};
    if (auto e = profile.stored(name, "password.env")) return {Kind::Environment, e->get<std::string>()};
    if (auto f = profile.stored(name, "password.file")) return {Kind::File, util::expand_home(f->get<std::string>())};
    if (profile.stored(name, "password.plain")) return {Kind::Plain, {}};
    if (auto n = profile.stored(name, "password.netrc"); n && n->get<bool>()) return {Kind::Netrc, {}};
    if (auto t = profile.stored(name, "oauth2.token_command")) return {Kind::OAuth2Command, t->get<std::string>()};
    if (oauth) return {Kind::OAuth2Tokens, {}};
    return {};
}

// send.save_sent "auto" decided from the preset: whether the server files sent mail itself.
void resolve_save_sent(Account& a) {
    if (a.send.save_sent_setting == "auto") {
        bool server_files = a.preset.files_sent_mail;
        a.send.save_sent = server_files ? "never" : "always";
        a.send.save_sent_reason =
            server_files ? tr("preset '{}': the server files mail sent over SMTP into Sent itself", a.preset.name)
                         : tr("preset '{}': the server does not keep a copy of mail sent over SMTP", a.preset.name);
        if (!server_files && !a.imap.configured()) {
            a.send.save_sent = "never";
            a.send.save_sent_reason = tr("the account has no IMAP server to keep a copy on");
        }
    } else {
        a.send.save_sent = a.send.save_sent_setting;
        a.send.save_sent_reason = tr("set in the account");
    }
}

Account resolve_account(const Profile& profile, const std::string& name) {
    profile.account(name);  // throws for an unknown name
    auto value = [&](const std::string& key) { return effective_value(profile, name, key); };
    auto text = [&](const std::string& key) {
        json v = value(key);
        return v.is_string() ? v.get<std::string>() : std::string();
    };
    Account a;
    a.name = name;
    a.preset = preset_of(profile, name);
    a.address = text("address");
    a.display_name = text("name");
    a.user = text("user");
    for (const auto& alias : value("aliases")) a.aliases.push_back(alias.get<std::string>());
    for (auto [protocol, server] : {std::pair{"imap", &a.imap}, {"pop", &a.pop}, {"smtp", &a.smtp}}) {
        std::string p = protocol;
        server->host = text(p + ".host");
        if (server->host.empty()) continue;
        server->port = value(p + ".port").get<int>();
        server->security = text(p + ".security");
        server->allow_plaintext = value(p + ".allow_plaintext").get<bool>();
    }
    a.imap_id = value("imap.id").get<bool>();
    a.ca_file = util::expand_home(text("ca_file"));
    a.tls_verify = value("tls_verify").get<bool>();
    a.auth_mechanism = text("auth.mechanism");
    if (a.auth_mechanism.empty()) a.auth_mechanism = "plain";

    a.credentials = credential_source(profile, name, a.auth_mechanism);

    a.oauth2 = resolve_oauth2(profile, name, a.preset);

    a.maildir = util::expand_home(text("maildir"));
    a.state_dir = util::expand_home(text("state_dir"));
    a.fetch.keep = value("fetch.keep").get<bool>();
    a.fetch.scope = text("fetch.scope");
    a.fetch.delivery = text("fetch.delivery");
    a.fetch.max_size = value("fetch.max_size").get<long long>();
    a.fetch.limit = value("fetch.limit").get<long long>();
    a.sync.folders.clear();
    for (const auto& f : value("sync.folders")) a.sync.folders.push_back(f.get<std::string>());
    for (const auto& f : value("sync.exclude")) a.sync.exclude.push_back(f.get<std::string>());
    a.sync.expunge = text("sync.expunge");
    a.sync.direction = text("sync.direction");
    a.sync.layout = text("sync.layout");
    a.sync.delete_folders = value("sync.delete_folders").get<bool>();
    a.sync.jobs = value("sync.jobs").get<int>();
    a.imap_compress = text("imap.compress");
    a.sync.mass_delete_percent = value("sync.mass_delete_percent").get<int>();

    a.send.save_sent_setting = text("send.save_sent");
    a.send.sent_folder = text("send.sent_folder");
    resolve_save_sent(a);
    return a;
}

json account_to_json(const Account& a) {
    auto server = [](const ServerSettings& s) -> json {
        if (!s.configured()) return nullptr;
        return {{"host", s.host}, {"port", s.port}, {"security", s.security},
                {"endpoint", s.endpoint()}, {"allow_plaintext", s.allow_plaintext}};
    };
    return {
        {"name", a.name},
        {"address", a.address},
        {"display_name", a.display_name},
        {"user", a.user},
        {"aliases", a.aliases},
        {"preset", a.preset.name},
        {"imap", server(a.imap)},
        {"pop", server(a.pop)},
        {"smtp", server(a.smtp)},
        {"imap_id", a.imap_id},
        {"imap_compress", a.imap_compress},
        {"ca_file", a.ca_file},
        {"tls_verify", a.tls_verify},
        {"auth", {{"mechanism", a.auth_mechanism}}},
        {"credentials", a.credentials.describe()},
        {"oauth2", a.oauth2.configured() || !a.oauth2.client_id.empty()
                       ? json{{"client_id", a.oauth2.client_id}, {"client_secret", a.oauth2.client_secret.describe()},
                              {"authorize_url", a.oauth2.authorize_url}, {"token_url", a.oauth2.token_url},
                              {"device_url", a.oauth2.device_url}, {"scope", a.oauth2.scope},
                              {"store", a.oauth2.store}}
                       : json(nullptr)},
        {"maildir", a.maildir},
        {"state_dir", a.state_dir},
        {"fetch", {{"keep", a.fetch.keep}, {"scope", a.fetch.scope}, {"delivery", a.fetch.delivery},
                   {"max_size", a.fetch.max_size}, {"limit", a.fetch.limit}}},
        {"sync", {{"folders", a.sync.folders}, {"exclude", a.sync.exclude}, {"expunge", a.sync.expunge},
                  {"direction", a.sync.direction}, {"layout", a.sync.layout},
                  {"delete_folders", a.sync.delete_folders}, {"mass_delete_percent", a.sync.mass_delete_percent},
                  {"jobs", a.sync.jobs}}},
        {"send", {{"save_sent", a.send.save_sent}, {"save_sent_setting", a.send.save_sent_setting},
                  {"save_sent_reason", a.send.save_sent_reason}, {"sent_folder", a.send.sent_folder}}},
    };
}

std::vector<std::string> policy_warnings(const Account& a) {
    std::vector<std::string> w;
    if (a.pop.configured() && !a.fetch.keep && a.imap.configured())
        w.push_back(tr("fetch.keep is false on an account that also has IMAP: deleting through POP removes the mail "
                       "from the server, and so from every IMAP device (set fetch.keep true, or drop pop)"));
    if (a.send.save_sent_setting == "always" && a.preset.files_sent_mail)
        w.push_back(tr("send.save_sent is always, but {} already files mail sent over SMTP into Sent: every sent "
                       "message will be there twice (set send.save_sent auto)",
                       a.preset.name));
    if (!a.tls_verify)
        w.push_back(tr("tls_verify is false: server certificates are not checked and anyone on the network path "
                       "can read your password and mail"));
    for (auto [label, s] : {std::pair{"imap", &a.imap}, {"pop", &a.pop}, {"smtp", &a.smtp}})
        if (s->configured() && s->security == "none")
            w.push_back(s->allow_plaintext
                            ? tr("{}.security is none: the password crosses the network unencrypted", label)
                            : tr("{}.security is none: the password crosses the network unencrypted (and zmail "
                                 "refuses it until {}.allow_plaintext is true)",
                                 label, label));
    if (a.smtp.configured() && a.smtp.port == 25)
        w.push_back(tr("smtp.port is 25, which is for server-to-server mail: providers expect 465 (tls) or 587 "
                       "(starttls)"));
    if (a.credentials.kind == CredentialSource::Kind::None)
        w.push_back(tr("no password source: set password.command, password.env, password.netrc or password.file"));
    if (a.credentials.kind == CredentialSource::Kind::OAuth2Tokens && a.oauth2.client_id.empty())
        w.push_back(tr("auth.mechanism {} needs oauth2.client_id (your client registered with the provider) before "
                       "'zmail settings login {}', or oauth2.token_command",
                       a.auth_mechanism, a.name));
    if (a.credentials.kind == CredentialSource::Kind::OAuth2Tokens && !a.oauth2.configured())
        w.push_back(tr("auth.mechanism {} needs oauth2.token_url (and oauth2.authorize_url or oauth2.device_url): "
                       "the preset has none",
                       a.auth_mechanism));
    if (a.credentials.kind == CredentialSource::Kind::Plain)
        w.push_back(tr("password.plain keeps the password in the config file: prefer password.command"));
    return w;
}

bool account_owns_address(const Account& a, const std::string& address) {
    const std::string want = text::ascii_lower(address);
    if (text::ascii_lower(a.address) == want) return true;
    for (const auto& alias : a.aliases)
        if (text::ascii_lower(alias) == want) return true;
    return false;
}

}  // namespace zmail::profile
