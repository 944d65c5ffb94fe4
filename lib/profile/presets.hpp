// Provider presets: servers and what each provider does that a client must respect.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zmail::profile {

/// One server of a preset. `host` empty means the provider offers no such service.
struct PresetServer {
    std::string host;
    int port = 0;
    std::string security;  ///< "tls", "starttls" or "none"
};

/// A provider policy that lives in the provider's web settings, not in the client.
struct WebPolicy {
    std::string policy;  ///< what it decides, e.g. "POP access: all mail or from now on" (translated)
    std::string where;   ///< where to change it (the provider's own words: not translated)
    std::string access;  ///< "imap" or "pop" when it turns that access on or off (settings test hints)
};

/// A provider's OAuth2 endpoints (RFC 6749, RFC 8628). "{tenant}" in a URL is replaced by the
/// account's oauth2.tenant (Microsoft). Empty URLs: the provider has no such endpoint.
struct PresetOAuth2 {
    std::string authorize_url, token_url, device_url;
    std::string scope;                   ///< space-separated, as sent
    std::vector<std::pair<std::string, std::string>> authorize_params;  ///< e.g. access_type=offline
    bool configured() const { return !token_url.empty(); }
};

/// A provider preset. Built-in presets are compiled in; a user presets file beside the config can
/// add presets or replace built-in ones by name.
struct Preset {
    std::string name;
    std::string description;
    PresetServer imap, pop, smtp;
    int smtp_alternate_port = 0;          ///< e.g. 587 STARTTLS when the default is 465 TLS
    bool files_sent_mail = false;         ///< the server files mail sent over SMTP into Sent itself
    std::string sent_folder, drafts_folder, junk_folder, trash_folder, archive_folder;
    bool imap_id_required = false;        ///< send the RFC 2971 ID command after login (NetEase)
    std::string auth_mechanism = "plain"; ///< plain, login, xoauth2, oauthbearer
    std::string password_note;            ///< e.g. application-specific password with two-factor
    PresetOAuth2 oauth2;
    /// The most IMAP connections at once the provider allows one account (0: unknown). sync's
    /// default --jobs is min(4, this); 1 when unknown.
    int imap_connections = 0;
    std::vector<WebPolicy> web_policies;
    std::vector<std::string> notes;
};

/// All presets: the built-in ones, then those of `user_presets_path` if it exists (JSON object
/// {"presets": {name: {...}}}). Throws Error{Config} for a malformed user presets file.
std::vector<Preset> load_presets(const std::string& user_presets_path);

/// The built-in presets only.
const std::vector<Preset>& builtin_presets();

/// Finds a preset by name (case-sensitive). nullopt when unknown.
std::optional<Preset> find_preset(const std::vector<Preset>& presets, const std::string& name);

/// The preset as JSON (for `settings presets --json` and `settings show`).
nlohmann::json preset_to_json(const Preset& preset);

/// Parses one preset from JSON (user presets file). Throws Error{Config} naming `where`.
Preset preset_from_json(const std::string& name, const nlohmann::json& value, const std::string& where);

}  // namespace zmail::profile
