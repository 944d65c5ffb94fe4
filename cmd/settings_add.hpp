// zmail settings add: an account from its address (autodetection) or from --preset, and on a
// terminal the questions for whatever the command line left out.
#pragma once

#include "context.hpp"
#include "profile/presets.hpp"

#include <optional>
#include <string>
#include <vector>

namespace zmail::cli {

/// The options of the settings verbs (cmd/settings.cpp defines them).
struct SettingsOptions {
    std::string name, key, preset, address, display_name, user, imap, pop, smtp, ca_file;
    std::optional<std::string> value;  ///< set: absent for a secret (read from the terminal or stdin)
    std::string password_command, password_env, maildir;
    std::vector<std::string> aliases;
    bool make_default = false;
};

/// Error{Usage} "unknown preset 'x'" with the known names.
Error unknown_preset(const std::string& name, const std::vector<profile::Preset>& presets);

/// `zmail settings add`: asks for what is missing when standard input and standard error are a
/// terminal (never otherwise), finds the preset from the address unless --preset or servers
/// are given, adds the account and saves the store.
Outcome settings_add(Context& ctx, SettingsOptions options);

}  // namespace zmail::cli
