// zmail settings: the profile store from the command line.
#include "context.hpp"

#include "error.hpp"
#include "profile/account.hpp"
#include "diagnose/diagnose.hpp"
#include "profile/schema.hpp"
#include "text/strings.hpp"

#include <cstdio>
#include <memory>

namespace zmail::cli {

namespace {

using nlohmann::json;

struct SettingsOptions {
    std::string name, key, value, preset, address, display_name, user, imap, pop, smtp, ca_file;
    std::string password_command, password_env, maildir;
    std::vector<std::string> aliases;
    bool make_default = false;
};

// "host[:port]" into the account JSON; security from a well-known port.
void add_server(json& account, const std::string& protocol, const std::string& spec, Printer& out) {
    if (spec.empty()) return;
    std::string host = spec;
    json server = json::object();
    auto colon = spec.rfind(':');
    if (colon != std::string::npos && spec.find(']') == std::string::npos) {
        host = spec.substr(0, colon);
        std::string port_text = spec.substr(colon + 1);
        json port = profile::parse_value(*profile::find_key(protocol + ".port"), port_text);
        server["port"] = port;
        int p = port.get<int>();
        if (p == 993 || p == 995 || p == 465) server["security"] = "tls";
        else if (p == 143 || p == 110 || p == 587 || p == 25) server["security"] = "starttls";
        else out.note("note: port " + port_text + " is not a well-known " + protocol +
                      " port; set the security with 'zmail settings set NAME " + protocol +
                      ".security tls|starttls|none'");
    }
    if (host.empty()) throw Error(ErrorKind::Usage, "missing host in --" + protocol + " '" + spec + "'");
    server["host"] = host;
    account[protocol] = server;
}

int cmd_presets(Context& ctx, const std::string& name) {
    auto& out = ctx.out();
    auto presets = profile::load_presets(profile::presets_path_for(profile::config_path(ctx.options().config)));
    if (!name.empty()) {
        auto preset = profile::find_preset(presets, name);
        if (!preset) {
            std::vector<std::string> names;
            for (const auto& p : presets) names.push_back(p.name);
            throw Error(ErrorKind::Usage, "unknown preset '" + name + "'",
                        "known presets: " + text::join(names, ", "));
        }
        if (out.json()) { out.json_value(profile::preset_to_json(*preset)); return 0; }
        const auto& p = *preset;
        out.line(out.bold(p.name) + "  " + p.description);
        std::vector<std::pair<std::string, std::string>> rows;
        auto server = [](const profile::PresetServer& s) {
            return s.host.empty() ? std::string("(none)") : s.host + ":" + std::to_string(s.port) + " (" + s.security + ")";
        };
        rows.push_back({"imap", server(p.imap)});
        rows.push_back({"pop", server(p.pop)});
        rows.push_back({"smtp", server(p.smtp) + (p.smtp_alternate_port ? ", or port " +
                                                  std::to_string(p.smtp_alternate_port) + " (starttls)" : "")});
        rows.push_back({"sent copy", p.files_sent_mail ? "the server files SMTP-sent mail into Sent itself"
                                                       : "the client must save a copy"});
        rows.push_back({"folders", "sent '" + p.sent_folder + "', junk '" + p.junk_folder + "', trash '" +
                                       p.trash_folder + "'"});
        if (p.imap_id_required) rows.push_back({"imap id", "sent after login (required by the server)"});
        if (!p.password_note.empty()) rows.push_back({"password", p.password_note});
        out.rows(rows, 2);
        if (!p.web_policies.empty()) {
            out.line("  set in the provider's web settings:");
            for (const auto& w : p.web_policies) out.line("    - " + w.policy + ": " + w.where);
        }
        for (const auto& n : p.notes) out.line("  note: " + n);
        return 0;
    }
    if (out.json()) {
        json all = json::array();
        for (const auto& p : presets) all.push_back(profile::preset_to_json(p));
        out.json_value(all);
        return 0;
    }
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& p : presets) rows.push_back({p.name, p.description});
    out.rows(rows);
    return 0;
}

int cmd_list(Context& ctx) {
    auto& p = ctx.profile();
    auto& out = ctx.out();
    std::string fallback = p.default_account();
    if (out.json()) {
        json all = json::array();
        for (const auto& name : p.account_names()) {
            auto a = profile::resolve_account(p, name);
            all.push_back({{"name", name}, {"address", a.address}, {"preset", a.preset.name},
                           {"default", name == fallback}});
        }
        out.json_value(all);
        return 0;
    }
    if (p.account_names().empty()) {
        out.note("no accounts yet; add one with 'zmail settings add NAME --preset PRESET --address ADDRESS'");
        return 0;
    }
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& name : p.account_names()) {
        auto a = profile::resolve_account(p, name);
        rows.push_back({(name == fallback ? "* " : "  ") + name, a.address + "  (" + a.preset.name + ")"});
    }
    out.rows(rows);
    return 0;
}

int cmd_show(Context& ctx, const std::string& name) {
    auto& p = ctx.profile();
    auto& out = ctx.out();
    std::string account_name = name.empty() ? ctx.account_name() : name;
    auto a = profile::resolve_account(p, account_name);
    auto warnings = profile::policy_warnings(a);
    if (out.json()) {
        json j = profile::account_to_json(a);
        j["default"] = account_name == p.default_account();
        j["warnings"] = warnings;
        out.json_value(j);
        return 0;
    }
    auto server = [](const profile::ServerSettings& s) {
        return s.configured() ? s.endpoint() + " (" + s.security + ")" : std::string("(none)");
    };
    out.line(out.bold(a.name) + "  " + a.preset.name + ": " + a.preset.description);
    std::vector<std::pair<std::string, std::string>> rows = {
        {"address", a.address + (a.display_name.empty() ? "" : " (" + a.display_name + ")")},
        {"user", a.user},
        {"imap", server(a.imap)},
        {"pop", server(a.pop)},
        {"smtp", server(a.smtp)},
        {"credentials", a.credentials.describe()},
        {"maildir", a.maildir},
        {"fetch", std::string("keep ") + (a.fetch.keep ? "true" : "false") + ", scope " + a.fetch.scope +
                      ", delivery " + a.fetch.delivery},
        {"sync", "folders " + text::join(a.sync.folders, " ") + ", direction " + a.sync.direction + ", expunge " +
                     a.sync.expunge},
        {"send", "save_sent " + a.send.save_sent + " (" + a.send.save_sent_setting + ": " + a.send.save_sent_reason + ")"},
    };
    if (!a.aliases.empty()) rows.insert(rows.begin() + 1, {"aliases", text::join(a.aliases, ", ")});
    if (!a.ca_file.empty()) rows.push_back({"ca_file", a.ca_file});
    out.rows(rows, 2);
    for (const auto& w : warnings) out.warning(w);
    return 0;
}

int cmd_add(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    auto& out = ctx.out();
    auto preset = profile::find_preset(p.presets(), o.preset);
    if (!preset) {
        std::vector<std::string> names;
        for (const auto& x : p.presets()) names.push_back(x.name);
        throw Error(ErrorKind::Usage, "unknown preset '" + o.preset + "'",
                    "known presets: " + text::join(names, ", "));
    }
    json account = {{"preset", o.preset}, {"address", o.address}};
    if (!o.display_name.empty()) account["name"] = o.display_name;
    if (!o.user.empty()) account["user"] = o.user;
    if (!o.aliases.empty()) account["aliases"] = o.aliases;
    add_server(account, "imap", o.imap, out);
    add_server(account, "pop", o.pop, out);
    add_server(account, "smtp", o.smtp, out);
    if (o.preset == "custom" && o.imap.empty() && o.pop.empty() && o.smtp.empty())
        throw Error(ErrorKind::Usage, "the custom preset needs at least one server",
                    "give --imap HOST[:PORT], --pop HOST[:PORT] and/or --smtp HOST[:PORT]");
    if (!o.ca_file.empty()) account["ca_file"] = o.ca_file;
    if (!o.password_command.empty()) account["password"]["command"] = o.password_command;
    if (!o.password_env.empty()) account["password"]["env"] = o.password_env;
    if (!o.maildir.empty()) account["maildir"] = o.maildir;
    for (const auto& [key, value] : account.items())
        if (value.is_string() && value.get<std::string>().find_first_of("\r\n") != std::string::npos)
            throw Error(ErrorKind::Usage, "invalid value for '" + key + "': line breaks are not allowed");
    bool first = p.account_names().empty();
    try {
        p.add_account(o.name, account);
    } catch (const Error& e) {
        throw Error(e.kind == ErrorKind::Config ? ErrorKind::Usage : e.kind, e.what(), e.hint);
    }
    if (first || o.make_default) p.set_default_account(o.name);
    p.save();
    auto a = profile::resolve_account(p, o.name);
    out.note("added account '" + o.name + "' (" + a.preset.name + ")" + (first || o.make_default ? ", the default" : ""));
    if (a.credentials.kind == profile::CredentialSource::Kind::None)
        out.note("next: tell zmail where the password comes from, e.g.\n  zmail settings set " + o.name +
                 " password.command 'pass show mail/" + o.name + "'");
    if (!a.preset.password_note.empty()) out.note("note: " + a.preset.password_note);
    for (const auto& w : profile::policy_warnings(a))
        if (w.find("no password source") == std::string::npos) out.warning(w);
    return 0;
}

const profile::KeyInfo& known_key(const std::string& key) {
    const profile::KeyInfo* info = profile::find_key(key);
    if (!info) {
        std::string group = key.substr(0, key.rfind('.'));
        std::string hint = "run 'zmail settings keys' for the keys";
        if (group != key && profile::is_key_group(group))
            hint = "keys under '" + group + "': " + text::join(profile::keys_below(group), ", ");
        throw Error(ErrorKind::Usage, "unknown key '" + key + "'", hint);
    }
    return *info;
}

int cmd_set(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    const auto& info = known_key(o.key);
    json value = profile::parse_value(info, o.value);
    p.set(o.name, o.key, value);
    p.save();
    if (info.type == profile::ValueType::Secret)
        ctx.out().warning("the password is now stored in plain text in '" + p.path() +
                          "'; password.command is safer");
    for (const auto& w : profile::policy_warnings(profile::resolve_account(p, o.name)))
        if (w.find(o.key) != std::string::npos) ctx.out().warning(w);
    return 0;
}

int cmd_get(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    const auto& info = known_key(o.key);
    if (info.type == profile::ValueType::Secret)
        throw Error(ErrorKind::Usage, "'" + o.key + "' is a secret and is never printed",
                    "'zmail settings show " + o.name + "' tells where the password comes from");
    json value = profile::effective_value(p, o.name, o.key);
    auto& out = ctx.out();
    if (out.json()) { out.json_value(value); return 0; }
    if (value.is_null()) return 1;  // unset: print nothing and exit 1, like git config
    if (value.is_string()) out.line(value.get<std::string>());
    else if (value.is_array()) { for (const auto& item : value) out.line(item.get<std::string>()); }
    else out.line(value.dump());
    return 0;
}

int cmd_unset(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    known_key(o.key);
    if (!p.unset(o.name, o.key)) {
        ctx.out().note("'" + o.key + "' was not set for '" + o.name + "'");
        return 0;
    }
    p.save();
    return 0;
}

int cmd_remove(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    p.remove_account(o.name);
    p.save();
    ctx.out().note("removed account '" + o.name + "' (its mail and state on disk were left alone)");
    return 0;
}

int cmd_default(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    if (o.name.empty()) {
        std::string name = p.default_account();
        if (name.empty()) return 1;
        ctx.out().line(name);
        return 0;
    }
    p.set_default_account(o.name);
    p.save();
    return 0;
}

int cmd_keys(Context& ctx) {
    auto& out = ctx.out();
    if (out.json()) {
        json all = json::array();
        for (const auto& k : profile::account_keys())
            all.push_back({{"key", k.path}, {"allowed", profile::describe_allowed(k)}, {"description", k.description},
                           {"choices", k.choices}});
        out.json_value(all);
        return 0;
    }
    for (const auto& k : profile::account_keys()) out.line(k.path + "\t" + k.description);
    return 0;
}

int cmd_test(Context& ctx, const std::string& name, int timeout) {
    auto& p = ctx.profile();
    auto& out = ctx.out();
    std::string account_name = name.empty() ? ctx.account_name() : name;
    auto account = profile::resolve_account(p, account_name);
    std::string shown;
    auto progress = [&](const diagnose::ServiceReport& r, const diagnose::Step& s) {
        if (out.json()) return;
        if (shown != r.service) {
            out.line(out.bold(r.service) + "  " + r.endpoint);
            shown = r.service;
        }
        char time[32];
        std::snprintf(time, sizeof time, "%7.1f ms", s.milliseconds);
        out.line(std::string("  ") + (s.ok ? "ok   " : "FAIL ") + s.name + std::string(14 - std::min<size_t>(13, s.name.size()), ' ') +
                 (s.milliseconds > 0 ? time : "          ") + (s.detail.empty() ? "" : "  " + s.detail));
    };
    int code = 0;
    json all = json::array();
    for (const auto& service : diagnose::configured_services(account)) {
        auto r = diagnose::test_service(p, account, service, progress, timeout);
        all.push_back(diagnose::to_json(r));
        if (r.ok) {
            if (!out.json()) {
                std::string offers;
                for (auto& [key, value] : r.offers.items()) {
                    if (value.is_boolean()) offers += std::string(value.get<bool>() ? " +" : " -") + key;
                    else if (!value.is_null()) offers += " " + key + "=" + value.dump();
                }
                out.line("  offers" + offers);
                for (const auto& h : r.hints) out.hint(h);
            }
            continue;
        }
        if (code == 0) code = exit_code(r.kind);
        if (!out.json()) {
            out.error(Error(r.kind, r.error, "", r.server_reply));
            for (const auto& h : r.hints) out.hint(h);
        }
    }
    if (out.json()) out.json_value({{"account", account_name}, {"ok", code == 0}, {"services", all}});
    return code;
}

}  // namespace

Runner define_settings(CLI::App& app) {
    auto o = std::make_shared<SettingsOptions>();
    Verbs verbs(app);
    auto selected = verbs.chosen();
    verbs.add("presets", "list provider presets, or show one")->add_option("preset", o->name, "preset name");
    verbs.add("list", "list accounts (* marks the default)");
    verbs.add("show", "show an account with every effective value")->add_option("account", o->name, "account name");
    CLI::App* add = verbs.add("add", "add an account");
    add->add_option("account", o->name, "account name")->required();
    add->add_option("--preset", o->preset, "provider preset (see 'zmail settings presets')")->required();
    add->add_option("--address", o->address, "the account's mail address")->required();
    add->add_option("--name", o->display_name, "display name for From");
    add->add_option("--user", o->user, "login user name (default: the address)");
    add->add_option("--alias", o->aliases, "another From address the account may use (repeatable)");
    add->add_option("--imap", o->imap, "IMAP server HOST[:PORT]");
    add->add_option("--pop", o->pop, "POP3 server HOST[:PORT]");
    add->add_option("--smtp", o->smtp, "SMTP server HOST[:PORT]");
    add->add_option("--ca-file", o->ca_file, "trust only this CA certificate (PEM)");
    add->add_option("--password-command", o->password_command, "command that prints the password");
    add->add_option("--password-env", o->password_env, "environment variable that holds the password");
    add->add_option("--maildir", o->maildir, "local Maildir root (default ~/Mail/ACCOUNT)");
    add->add_flag("--default", o->make_default, "make it the default account");
    CLI::App* set = verbs.add("set", "set an account key");
    set->add_option("account", o->name, "account name")->required();
    set->add_option("key", o->key, "dotted key, e.g. imap.port (see 'zmail settings keys')")->required();
    set->add_option("value", o->value, "the value")->required();
    CLI::App* get = verbs.add("get", "print an account key's effective value");
    get->add_option("account", o->name, "account name")->required();
    get->add_option("key", o->key, "dotted key")->required();
    CLI::App* unset = verbs.add("unset", "remove an account key (back to the preset or default)");
    unset->add_option("account", o->name, "account name")->required();
    unset->add_option("key", o->key, "dotted key")->required();
    verbs.add("remove", "remove an account (mail on disk is kept)")->add_option("account", o->name, "account name")->required();
    verbs.add("default", "print or set the default account")->add_option("account", o->name, "account name");
    verbs.add("path", "print the profile store's path");
    verbs.add("keys", "list the keys an account can hold");
    auto timeout = std::make_shared<int>(15);
    CLI::App* test = verbs.add("test", "check each server of an account: resolve, connect, TLS, login, capabilities");
    test->add_option("account", o->name, "account name (default: the default account)");
    test->add_option("--timeout", *timeout, "seconds to wait for each step (default 15)")->check(CLI::Range(1, 600));

    return [o, selected, timeout](Context& ctx) -> int {
        const std::string& s = *selected;
        if (s == "presets") return cmd_presets(ctx, o->name);
        if (s == "list") return cmd_list(ctx);
        if (s == "show") return cmd_show(ctx, o->name);
        if (s == "add") return cmd_add(ctx, *o);
        if (s == "set") return cmd_set(ctx, *o);
        if (s == "get") return cmd_get(ctx, *o);
        if (s == "unset") return cmd_unset(ctx, *o);
        if (s == "remove") return cmd_remove(ctx, *o);
        if (s == "default") return cmd_default(ctx, *o);
        if (s == "path") {
            ctx.out().line(profile::config_path(ctx.options().config));
            return 0;
        }
        if (s == "keys") return cmd_keys(ctx);
        if (s == "test") return cmd_test(ctx, o->name, *timeout);
        throw Error(ErrorKind::Internal, "unhandled settings command '" + s + "'");
    };
}

}  // namespace zmail::cli
