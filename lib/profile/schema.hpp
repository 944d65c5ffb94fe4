// The keys an account may hold: one table drives validation, `settings set/get`, the man page
// and shell completion.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::profile {

enum class ValueType { String, Boolean, Integer, Choice, List, Secret };

/// One account key: a dotted path into the account's JSON object.
struct KeyInfo {
    std::string path;                  ///< "imap.port"
    ValueType type;
    std::vector<std::string> choices;  ///< allowed values for Choice
    std::string description;
    nlohmann::json fallback;           ///< value when neither the account nor its preset sets it (null: none)
    long long minimum = 0, maximum = 0;  ///< for Integer; maximum 0 means no limit
};

/// All account keys, in the order the man page lists them.
const std::vector<KeyInfo>& account_keys();

/// The key with this dotted path, or nullptr.
const KeyInfo* find_key(std::string_view path);

/// The keys directly below an object prefix ("imap" -> host, port, ...), for hints.
std::vector<std::string> keys_below(std::string_view prefix);

/// True when `path` names an object that holds keys ("imap", "fetch", ...).
bool is_key_group(std::string_view path);

/// Parses a command-line value for `key`. Throws Error{Usage} naming the key and the allowed values.
nlohmann::json parse_value(const KeyInfo& key, std::string_view text);

/// Checks a JSON value for `key`; `where` is the full path for the message.
/// Throws Error{Config} naming the path and the allowed values.
void check_value(const KeyInfo& key, const nlohmann::json& value, const std::string& where);

/// "tls, starttls or none" / "true or false" / "a whole number from 1 to 65535" ...
std::string describe_allowed(const KeyInfo& key);

}  // namespace zmail::profile
