#include "profile/schema.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <charconv>

namespace zmail::profile {

namespace {

using nlohmann::json;

KeyInfo text(std::string path, std::string description, json fallback = nullptr) {
    return {std::move(path), ValueType::String, {}, std::move(description), std::move(fallback)};
}
KeyInfo boolean(std::string path, std::string description, bool fallback) {
    return {std::move(path), ValueType::Boolean, {}, std::move(description), fallback};
}
KeyInfo integer(std::string path, std::string description, json fallback, long long min, long long max) {
    return {std::move(path), ValueType::Integer, {}, std::move(description), std::move(fallback), min, max};
}
KeyInfo choice(std::string path, std::vector<std::string> choices, std::string description, json fallback = nullptr) {
    return {std::move(path), ValueType::Choice, std::move(choices), std::move(description), std::move(fallback)};
}
KeyInfo list(std::string path, std::string description, json fallback = json::array()) {
    return {std::move(path), ValueType::List, {}, std::move(description), std::move(fallback)};
}
KeyInfo secret(std::string path, std::string description) {
    return {std::move(path), ValueType::Secret, {}, std::move(description), nullptr};
}

void add_server(std::vector<KeyInfo>& keys, const std::string& protocol, const std::string& label) {
    // TRANSLATORS: {} is IMAP, POP3 or SMTP (in the rest of these key descriptions too)
    keys.push_back(text(protocol + ".host", tr("{} server host name (default: the preset's)", label)));
    keys.push_back(integer(protocol + ".port", tr("{} server port (default: the preset's, else from security)", label),
                           nullptr, 1, 65535));
    keys.push_back(choice(protocol + ".security", {"tls", "starttls", "none"},
                          tr("{} connection security: implicit TLS, STARTTLS required, or none", label)));
    keys.push_back(boolean(protocol + ".allow_plaintext",
                           tr("allow security none for {} (passwords cross the network unencrypted)", label), false));
}

std::vector<KeyInfo> make_keys() {
    std::vector<KeyInfo> keys;
    keys.push_back(text("preset", tr("provider preset (see zmail settings presets)"), "custom"));
    keys.push_back(text("address", tr("the account's mail address")));
    keys.push_back(text("name", tr("display name used in From")));
    keys.push_back(list("aliases", tr("other From addresses the provider lets this account send as")));
    keys.push_back(text("user", tr("login user name (default: the address)")));
    add_server(keys, "imap", "IMAP");
    keys.push_back(boolean("imap.id", tr("send the RFC 2971 ID command after login (default: the preset's)"), false));
    keys.push_back(choice("imap.compress", {"auto", "always", "never"},
                          tr("COMPRESS=DEFLATE when the server offers it: auto (not on this machine's loopback), "
                             "always or never"),
                          "auto"));
    add_server(keys, "pop", "POP3");
    add_server(keys, "smtp", "SMTP");
    keys.push_back(text("ca_file", tr("trust only this CA certificate file (PEM) instead of the system store")));
    keys.push_back(boolean("tls_verify", tr("verify server certificates; false is unsafe and is warned about"), true));
    keys.push_back(choice("auth.mechanism", {"plain", "login", "xoauth2", "oauthbearer"},
                          tr("SASL mechanism (default: the preset's)")));
    keys.push_back(text("password.command", tr("command whose first output line is the password")));
    keys.push_back(text("password.env", tr("environment variable that holds the password")));
    keys.push_back(boolean("password.netrc", tr("look the password up in ~/.netrc (or $NETRC)"), false));
    keys.push_back(text("password.file", tr("file that holds the password; must not be readable by others")));
    keys.push_back(secret("password.plain",
                          tr("the password itself; only allowed while the config file is readable by you alone")));
    keys.push_back(text("oauth2.client_id", tr("OAuth2 client ID you registered with the provider")));
    keys.push_back(secret("oauth2.client_secret", tr("OAuth2 client secret (Google needs one); only allowed while the "
                                                     "config file is yours alone")));
    keys.push_back(text("oauth2.client_secret_command",
                        tr("command whose first output line is the OAuth2 client secret")));
    keys.push_back(text("oauth2.client_secret_env", tr("environment variable that holds the OAuth2 client secret")));
    keys.push_back(text("oauth2.tenant", tr("Microsoft tenant in the endpoint URLs: common, organizations, consumers "
                                            "or your tenant ID"),
                        "common"));
    keys.push_back(text("oauth2.authorize_url", tr("authorization endpoint (default: the preset's)")));
    keys.push_back(text("oauth2.token_url", tr("token endpoint (default: the preset's)")));
    keys.push_back(text("oauth2.device_url", tr("device authorization endpoint (default: the preset's)")));
    keys.push_back(text("oauth2.scope", tr("scopes asked for, separated by spaces (default: the preset's)")));
    keys.push_back(choice("oauth2.store", {"file", "command"},
                          tr("where the refresh token lives: a 0600 file in state_dir, or oauth2.load_command and "
                             "oauth2.save_command"),
                          "file"));
    keys.push_back(text("oauth2.load_command",
                        tr("command that prints the stored refresh token (oauth2.store command)")));
    keys.push_back(text("oauth2.save_command",
                        tr("command that stores the refresh token it reads on standard input (oauth2.store command)")));
    keys.push_back(text("oauth2.token_command", tr("command that prints an OAuth2 access token (instead of the "
                                                   "built-in login)")));
    keys.push_back(text("maildir", tr("local Maildir root (default: ~/Mail/ACCOUNT)")));
    keys.push_back(text("state_dir",
                        tr("where zmail keeps this account's state (default: $XDG_STATE_HOME/zmail/ACCOUNT)")));
    keys.push_back(boolean("fetch.keep", tr("leave a copy of fetched mail on the server"), true));
    keys.push_back(choice("fetch.scope", {"all", "new"},
                          tr("all: everything on the server; new: only mail that arrives from the first run on"),
                          "all"));
    keys.push_back(text("fetch.delivery", tr("maildir, maildir:FOLDER, mbox:PATH or mda:COMMAND"), "maildir"));
    keys.push_back(integer("fetch.max_size",
                           tr("leave messages larger than this many bytes on the server (0: no limit)"), 0, 0, 0));
    keys.push_back(integer("fetch.limit", tr("at most this many messages per run (0: no limit)"), 0, 0, 0));
    keys.push_back(list("sync.folders", tr("folder patterns to sync (* and % wildcards)"), json::array({"*"})));
    keys.push_back(list("sync.exclude", tr("folder patterns never to sync")));
    keys.push_back(choice("sync.expunge", {"immediate", "flag-only"},
                          tr("what a local deletion does on the server"), "immediate"));
    keys.push_back(choice("sync.direction", {"both", "pull", "push"}, tr("which way changes travel"), "both"));
    keys.push_back(choice("sync.layout", {"fs", "maildir++"},
                          tr("local folder layout: directories (fs) or Maildir++ (.A.B)"), "fs"));
    keys.push_back(boolean("sync.delete_folders", tr("propagate folder deletions"), false));
    keys.push_back(integer("sync.jobs", tr("folders synced at once, each over its own connection (default: 4, at "
                                           "most the preset's connection limit; 1 for custom)"),
                           nullptr, 1, 16));
    keys.push_back(integer("sync.mass_delete_percent",
                           tr("stop a folder when a run would delete more than this share of it"), 50, 1, 100));
    keys.push_back(choice("send.save_sent", {"auto", "always", "never"},
                          tr("copy sent mail to the Sent folder; auto follows the preset"), "auto"));
    keys.push_back(text("send.sent_folder", tr("the Sent folder (default: special-use \\Sent, else the preset's)")));
    return keys;
}

}  // namespace

const std::vector<KeyInfo>& account_keys() {
    static const std::vector<KeyInfo> keys = make_keys();
    return keys;
}

const KeyInfo* find_key(std::string_view path) {
    for (const auto& k : account_keys())
        if (k.path == path) return &k;
    return nullptr;
}

std::vector<std::string> keys_below(std::string_view prefix) {
    std::vector<std::string> out;
    for (const auto& k : account_keys()) {
        std::string_view p = k.path;
        std::string_view rest;
        if (prefix.empty()) rest = p;
        else if (p.size() > prefix.size() && p.starts_with(prefix) && p[prefix.size()] == '.')
            rest = p.substr(prefix.size() + 1);
        else continue;
        std::string first(rest.substr(0, rest.find('.')));
        bool seen = false;
        for (const auto& o : out) seen = seen || o == first;
        if (!seen) out.push_back(first);
    }
    return out;
}

bool is_key_group(std::string_view path) {
    if (find_key(path)) return false;
    return !keys_below(path).empty();
}

std::string describe_allowed(const KeyInfo& key) {
    switch (key.type) {
    case ValueType::Boolean: return tr("true or false");
    case ValueType::Integer:
        if (key.maximum > 0) return tr("a whole number from {} to {}", key.minimum, key.maximum);
        return tr("a whole number, {} or more", key.minimum);
    case ValueType::Choice: {
        if (key.choices.empty()) return {};
        std::string s = key.choices.front();
        for (size_t i = 1; i + 1 < key.choices.size(); ++i) s += ", " + key.choices[i];
        // TRANSLATORS: the last of the allowed values: "tls, starttls" or "none"
        return key.choices.size() == 1 ? s : tr("{} or {}", s, key.choices.back());
    }
    case ValueType::List: return tr("a list of strings (comma-separated on the command line)");
    case ValueType::String:
    case ValueType::Secret: return tr("a string");
    }
    return tr("a value");
}

namespace {

bool fits(const KeyInfo& key, const json& value) {
    switch (key.type) {
    case ValueType::Boolean: return value.is_boolean();
    case ValueType::Integer:
        return value.is_number_integer() && value.get<long long>() >= key.minimum &&
               (key.maximum == 0 || value.get<long long>() <= key.maximum);
    case ValueType::Choice:
        if (!value.is_string()) return false;
        for (const auto& c : key.choices)
            if (value == c) return true;
        return false;
    case ValueType::List:
        if (!value.is_array()) return false;
        for (const auto& item : value)
            if (!item.is_string()) return false;
        return true;
    case ValueType::String:
    case ValueType::Secret: return value.is_string();
    }
    return false;
}

bool has_control_characters(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

}  // namespace

void check_value(const KeyInfo& key, const json& value, const std::string& where) {
    if (!fits(key, value))
        throw Error(ErrorKind::Config, tr("invalid value for '{}'", where),
                    tr("'{}' takes {}", key.path, describe_allowed(key)));
    if (value.is_string() && has_control_characters(value.get<std::string>()))
        throw Error(ErrorKind::Config, tr("invalid value for '{}': control characters are not allowed", where));
}

json parse_value(const KeyInfo& key, std::string_view text) {
    json value;
    switch (key.type) {
    case ValueType::Boolean:
        if (text == "true" || text == "yes" || text == "on" || text == "1") value = true;
        else if (text == "false" || text == "no" || text == "off" || text == "0") value = false;
        break;
    case ValueType::Integer: {
        long long n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc() && end == text.data() + text.size()) value = n;
        break;
    }
    case ValueType::List: {
        value = json::array();
        size_t start = 0;
        while (start <= text.size() && !text.empty()) {
            size_t comma = text.find(',', start);
            std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            if (!item.empty()) value.push_back(std::string(item));
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        break;
    }
    case ValueType::Choice:
    case ValueType::String:
    case ValueType::Secret: value = std::string(text); break;
    }
    if (value.is_null() || !fits(key, value))
        throw Error(ErrorKind::Usage, tr("invalid value '{}' for '{}'", text, key.path),
                    tr("'{}' takes {}", key.path, describe_allowed(key)));
    if (value.is_string() && has_control_characters(value.get<std::string>()))
        throw Error(ErrorKind::Usage, tr("invalid value for '{}': control characters are not allowed", key.path));
    return value;
}

}  // namespace zmail::profile
