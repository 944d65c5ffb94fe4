#include "profile/profile.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"
#include "util/atomic_file.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace zmail::profile {

using nlohmann::json;

std::string config_path(const std::string& explicit_path) {
    if (!explicit_path.empty()) return util::expand_home(explicit_path);
    if (const char* env = std::getenv("ZMAIL_CONFIG"); env && *env) return util::expand_home(env);
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/zmail/config.json";
    return util::expand_home("~/.config/zmail/config.json");
}

std::string presets_path_for(const std::string& config) {
    return util::parent_directory(config) + "/presets.json";
}

namespace {

// Line and column (1-based) of a byte offset, for parse errors.
std::pair<size_t, size_t> line_and_column(const std::string& text, size_t offset) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') { ++line; column = 1; }
        else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
    }
    return {line, column};
}

// nlohmann's description of a parse error without its position and without the "last read"
// text, which quotes the file and so may quote a password.
std::string parse_error_detail(const std::string& what) {
    auto start = what.find(": ", what.find("column "));
    if (start == std::string::npos) return {};
    std::string detail = what.substr(start + 2);
    if (detail.starts_with("syntax error ")) detail.erase(0, 13);
    return detail.substr(0, detail.find("; last read:"));
}

void validate_object(const json& object, const std::string& prefix, const std::string& where,
                     const std::vector<Preset>& presets) {
    for (auto& [key, value] : object.items()) {
        std::string path = prefix.empty() ? key : prefix + "." + key;
        std::string full = where + "." + key;
        if (const KeyInfo* info = find_key(path)) {
            check_value(*info, value, full);
            if (path == "preset" && !find_preset(presets, value.get<std::string>()))
                throw Error(ErrorKind::Config, tr("unknown preset '{}' in '{}'", value.get<std::string>(), full),
                            tr("see 'zmail settings presets' for the names"));
        } else if (is_key_group(path)) {
            if (!value.is_object())
                throw Error(ErrorKind::Config, tr("invalid value for '{}'", full),
                            tr("'{}' holds keys: {}", path, text::join(keys_below(path), ", ")));
            validate_object(value, path, full, presets);
        } else {
            const std::string known = text::join(keys_below(prefix), ", ");
            throw Error(ErrorKind::Config, tr("unknown key '{}'", full),
                        prefix.empty() ? tr("known keys: {}", known) : tr("known keys under '{}': {}", prefix, known));
        }
    }
}

bool holds_plaintext_password(const json& doc) {
    if (!doc.contains("accounts") || !doc["accounts"].is_object()) return false;
    for (auto& [name, account] : doc["accounts"].items())
        for (auto [group, key] : {std::pair{"password", "plain"}, {"oauth2", "client_secret"}})
            if (account.is_object() && account.contains(group) && account[group].is_object() &&
                account[group].contains(key))
                return true;
    return false;
}

json* find_parent(json& object, const std::string& key, bool create, std::string& leaf) {
    json* node = &object;
    size_t start = 0;
    for (;;) {
        size_t dot = key.find('.', start);
        if (dot == std::string::npos) {
            leaf = key.substr(start);
            return node;
        }
        std::string part = key.substr(start, dot - start);
        if (!node->contains(part)) {
            if (!create) return nullptr;
            (*node)[part] = json::object();
        }
        node = &(*node)[part];
        if (!node->is_object()) return nullptr;
        start = dot + 1;
    }
}

}  // namespace

void validate_account(const json& account, const std::string& where, const std::vector<Preset>& presets) {
    if (!account.is_object())
        throw Error(ErrorKind::Config, tr("invalid value for '{}'", where), tr("an account is a JSON object"));
    validate_object(account, "", where, presets);
    if (!account.contains("address"))
        throw Error(ErrorKind::Config, tr("account '{}' has no address", where),
                    tr("set it with 'zmail settings set NAME address you@example.com'"));
}

void Profile::check_account_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '-';
    for (char c : name)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-');
    if (!ok)
        throw Error(ErrorKind::Usage, tr("invalid account name '{}'", name),
                    tr("use letters, digits, '.', '_' and '-' (not first), at most 64 characters"));
}

Profile Profile::load(const std::string& path) {
    Profile p;
    p.path_ = path;
    std::string text;
    p.exists_ = util::read_file(path, text, true);  // first: an unreadable config is named, not presets.json
    p.presets_ = load_presets(presets_path_for(path));
    if (!p.exists_) {
        p.doc_ = {{"version", format_version}, {"accounts", json::object()}};
        return p;
    }
    try {
        p.doc_ = json::parse(text);
    } catch (const json::parse_error& e) {
        auto [line, column] = line_and_column(text, e.byte == 0 ? 0 : e.byte - 1);
        std::string detail = parse_error_detail(e.what());
        throw Error(ErrorKind::Config,
                    detail.empty() ? tr("cannot parse '{}': syntax error at line {}, column {}", path, line, column)
                                   // TRANSLATORS: the last {} is the JSON parser's own (English) words
                                   : tr("cannot parse '{}': syntax error at line {}, column {}: {}", path, line,
                                        column, detail),
                    tr("fix the file by hand; zmail does not change a file it cannot parse"));
    }
    if (!p.doc_.is_object())
        throw Error(ErrorKind::Config, tr("invalid configuration '{}': the top level must be a JSON object", path));
    for (auto& [key, value] : p.doc_.items()) {
        if (key == "version") {
            if (!value.is_number_integer() || value.get<int>() != format_version)
                throw Error(ErrorKind::Config, tr("unsupported configuration version in '{}'", path),
                            tr("this zmail reads version {}", format_version));
        } else if (key == "default") {
            if (!value.is_string())
                throw Error(ErrorKind::Config, tr("invalid value for '{}' in '{}'", key, path),
                            tr("'default' takes an account name"));
        } else if (key == "accounts") {
            if (!value.is_object())
                throw Error(ErrorKind::Config, tr("invalid value for '{}' in '{}'", key, path),
                            tr("'accounts' is an object of named accounts"));
        } else {
            throw Error(ErrorKind::Config, tr("unknown key '{}' in '{}'", key, path),
                        tr("known top-level keys: {}", "version, default, accounts"));
        }
    }
    if (!p.doc_.contains("accounts")) p.doc_["accounts"] = json::object();
    if (!p.doc_.contains("version")) p.doc_["version"] = format_version;
    for (auto& [name, account] : p.doc_["accounts"].items()) {
        try {
            check_account_name(name);
            validate_account(account, "accounts." + name, p.presets_);
        } catch (const Error& e) {
            // TRANSLATORS: the last {} is what is wrong in the file (a message of its own)
            throw Error(ErrorKind::Config, tr("invalid configuration '{}': {}", path, e.what()), e.hint);
        }
    }
    if (p.doc_.contains("default") && !p.has_account(p.doc_["default"].get<std::string>()))
        throw Error(ErrorKind::Config,
                    tr("invalid configuration '{}': default account '{}' does not exist", path,
                       p.doc_["default"].get<std::string>()),
                    tr("set another with 'zmail settings default NAME'"));
    if (holds_plaintext_password(p.doc_)) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077))
            throw Error(ErrorKind::Permission,
                        tr("refusing to use '{}': it holds a plaintext password and others can read it", path),
                        tr("run 'chmod 600 {}', or better use password.command instead of password.plain", path));
    }
    return p;
}

void Profile::save() const {
    util::write_file_atomically(path_, doc_.dump(2) + "\n", 0600);
}

std::vector<std::string> Profile::account_names() const {
    std::vector<std::string> names;
    for (auto& [name, account] : doc_["accounts"].items()) names.push_back(name);
    return names;
}

bool Profile::has_account(const std::string& name) const { return doc_["accounts"].contains(name); }

std::string Profile::default_account() const {
    if (doc_.contains("default")) return doc_["default"].get<std::string>();
    auto names = account_names();
    return names.size() == 1 ? names[0] : std::string();
}

void Profile::set_default_account(const std::string& name) {
    account(name);
    doc_["default"] = name;
}

const json& Profile::account(const std::string& name) const {
    if (!has_account(name)) {
        auto names = account_names();
        throw Error(ErrorKind::Config, tr("no account '{}'", name),
                    names.empty() ? tr("add one with 'zmail settings add NAME --preset P --address A'")
                                  : tr("known accounts: {}", text::join(names, ", ")));
    }
    return doc_["accounts"][name];
}

void Profile::add_account(const std::string& name, json account) {
    check_account_name(name);
    if (has_account(name))
        throw Error(ErrorKind::Usage, tr("account '{}' already exists", name),
                    tr("change it with 'zmail settings set {} KEY VALUE', or remove it first", name));
    validate_account(account, name, presets_);
    doc_["accounts"][name] = std::move(account);
}

void Profile::remove_account(const std::string& name) {
    account(name);
    doc_["accounts"].erase(name);
    if (doc_.contains("default") && doc_["default"] == name) doc_.erase("default");
}

std::optional<json> Profile::stored(const std::string& name, const std::string& key) const {
    json copy = account(name);
    std::string leaf;
    json* parent = find_parent(copy, key, false, leaf);
    if (!parent || !parent->contains(leaf)) return std::nullopt;
    return (*parent)[leaf];
}

void Profile::set(const std::string& name, const std::string& key, const json& value) {
    account(name);
    const KeyInfo* info = find_key(key);
    if (!info)
        throw Error(ErrorKind::Usage, tr("unknown key '{}'", key), tr("see 'zmail settings keys' for the keys"));
    try {
        check_value(*info, value, key);
    } catch (const Error& e) {
        throw Error(ErrorKind::Usage, e.what(), e.hint);  // the caller's value, not the file, is wrong
    }
    if (key == "preset" && !find_preset(presets_, value.get<std::string>()))
        throw Error(ErrorKind::Usage, tr("unknown preset '{}'", value.get<std::string>()),
                    tr("see 'zmail settings presets' for the names"));
    json& account = doc_["accounts"][name];
    std::string leaf;
    json* parent = find_parent(account, key, true, leaf);
    if (!parent)
        throw Error(ErrorKind::Config, tr("cannot set '{}': a value is in the way", key),
                    tr("unset the parent key first"));
    (*parent)[leaf] = value;
}

bool Profile::unset(const std::string& name, const std::string& key) {
    account(name);
    if (!find_key(key) && !is_key_group(key))
        throw Error(ErrorKind::Usage, tr("unknown key '{}'", key), tr("see 'zmail settings keys' for the keys"));
    if (key == "address")
        throw Error(ErrorKind::Usage, tr("cannot unset 'address': every account needs one"),
                    tr("change it with 'zmail settings set NAME address NEW'"));
    json& account = doc_["accounts"][name];
    std::string leaf;
    json* parent = find_parent(account, key, false, leaf);
    if (!parent || !parent->contains(leaf)) return false;
    parent->erase(leaf);
    // drop groups left empty
    std::string group = key.substr(0, key.rfind('.'));
    if (group != key && account.contains(group) && account[group].is_object() && account[group].empty())
        account.erase(group);
    return true;
}

}  // namespace zmail::profile
