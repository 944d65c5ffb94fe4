// The JSON profile store: accounts, the default account, format version.
#pragma once

#include "profile/presets.hpp"
#include "profile/schema.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zmail::profile {

inline constexpr int format_version = 1;

/// Where the profile store lives: `explicit_path` (from --config) if given, else $ZMAIL_CONFIG,
/// else $XDG_CONFIG_HOME/zmail/config.json, else ~/.config/zmail/config.json.
std::string config_path(const std::string& explicit_path);

/// The user presets file beside a config file ("…/presets.json").
std::string presets_path_for(const std::string& config_path);

/// A loaded profile store. Loading never changes the file; save() replaces it atomically (0600).
class Profile {
public:
    /// Loads and validates `path`; a missing file gives an empty profile. Throws Error{Config}
    /// for malformed JSON (with line and column), unknown keys and bad values (with the key path);
    /// Error{Permission} when the file cannot be read, or holds a plaintext password while others
    /// can read it.
    static Profile load(const std::string& path);

    /// Writes the profile atomically with mode 0600 (temp file, fsync, rename, fsync directory).
    void save() const;

    const std::string& path() const { return path_; }
    bool exists() const { return exists_; }
    const std::vector<Preset>& presets() const { return presets_; }

    std::vector<std::string> account_names() const;
    bool has_account(const std::string& name) const;
    /// The default account: the "default" key, else the only account, else empty.
    std::string default_account() const;
    void set_default_account(const std::string& name);

    /// The account's stored JSON. Throws Error{Config} "no account 'x'" with the known names.
    const nlohmann::json& account(const std::string& name) const;
    /// Adds an account (validated). Throws Error{Usage} if the name is taken or invalid.
    void add_account(const std::string& name, nlohmann::json account);
    void remove_account(const std::string& name);

    /// The stored value at a dotted key, or nullopt when the account does not set it.
    std::optional<nlohmann::json> stored(const std::string& account, const std::string& key) const;
    /// Sets a key (validated against the schema; the preset must exist). Throws Error{Usage}.
    void set(const std::string& account, const std::string& key, const nlohmann::json& value);
    /// Removes a key; returns false when it was not set.
    bool unset(const std::string& account, const std::string& key);

    /// Throws Error{Usage} for an account name that cannot be used (it names files and folders).
    static void check_account_name(const std::string& name);

private:
    std::string path_;
    bool exists_ = false;
    nlohmann::json doc_;
    std::vector<Preset> presets_;
};

/// Validates one account object; `where` prefixes key paths in messages ("accounts.work").
void validate_account(const nlohmann::json& account, const std::string& where, const std::vector<Preset>& presets);

}  // namespace zmail::profile
