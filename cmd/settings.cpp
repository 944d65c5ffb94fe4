// zmail settings: the profile store from the command line.
#include "settings_add.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"
#include "profile/account.hpp"
#include "diagnose/diagnose.hpp"
#include "oauth2/session_login.hpp"
#include "profile/schema.hpp"
#include "profile/server_spec.hpp"

#include <cstdio>
#include <memory>
#include <optional>

namespace zmail::cli {

namespace {

using nlohmann::json;

/// Data for --json and its text rendering.
Outcome shown(json data, std::function<void(Printer&)> text, int code = 0) {
    Outcome outcome;
    outcome.exit_code = code;
    outcome.data = std::move(data);
    outcome.text = std::move(text);
    return outcome;
}

/// A change with nothing on stdout: its notes and warnings on stderr.
Outcome changed(std::function<void(Printer&)> diagnostics, int code = 0) {
    Outcome outcome;
    outcome.exit_code = code;
    outcome.diagnostics = std::move(diagnostics);
    return outcome;
}

void print_preset(Printer& out, const profile::Preset& p) {
    out.line(out.bold(p.name) + "  " + p.description);
    std::vector<std::pair<std::string, std::string>> rows;
    auto server = [](const profile::PresetServer& s) {
        return s.host.empty() ? tr("(none)") : s.host + ":" + std::to_string(s.port) + " (" + s.security + ")";
    };
    rows.push_back({"imap", server(p.imap)});
    rows.push_back({"pop", server(p.pop)});
    rows.push_back({"smtp", server(p.smtp) + (p.smtp_alternate_port
                                                  ? ", " + tr("or port {} (starttls)", p.smtp_alternate_port)
                                                  : "")});
    // TRANSLATORS: row names of 'zmail settings presets NAME' (imap, pop, smtp, imap id and oauth2 stay)
    rows.push_back({tr("sent copy"), p.files_sent_mail ? tr("the server files SMTP-sent mail into Sent itself")
                                                       : tr("the client must save a copy")});
    rows.push_back({tr("folders"), tr("sent '{}', junk '{}', trash '{}'", p.sent_folder, p.junk_folder,
                                      p.trash_folder)});
    if (p.imap_id_required) rows.push_back({"imap id", tr("sent after login (required by the server)")});
    if (p.imap_connections > 0)
        rows.push_back({tr("connections"), tr("at most {} IMAP connections per account", p.imap_connections)});
    if (p.oauth2.configured())
        rows.push_back({"oauth2", tr("sign in with 'zmail settings login' (set oauth2.client_id)")});
    if (!p.password_note.empty()) rows.push_back({tr("password"), p.password_note});
    out.rows(rows, 2);
    if (!p.web_policies.empty()) {
        out.line("  " + tr("set in the provider's web settings:"));
        for (const auto& w : p.web_policies) out.line("    - " + w.policy + ": " + w.where);
    }
    for (const auto& n : p.notes) out.line("  " + tr("note: {}", n));
}

Outcome cmd_presets(Context& ctx, const std::string& name) {
    auto presets = profile::load_presets(profile::presets_path_for(profile::config_path(ctx.options().config)));
    if (!name.empty()) {
        auto preset = profile::find_preset(presets, name);
        if (!preset) throw unknown_preset(name, presets);
        return shown(profile::preset_to_json(*preset), [p = *preset](Printer& out) { print_preset(out, p); });
    }
    json all = json::array();
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& p : presets) {
        all.push_back(profile::preset_to_json(p));
        rows.push_back({p.name, p.description});
    }
    return shown(all, [rows](Printer& out) { out.rows(rows); });
}

Outcome cmd_list(Context& ctx) {
    auto& p = ctx.profile();
    const std::string fallback = p.default_account();
    json all = json::array();
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& name : p.account_names()) {
        auto a = profile::resolve_account(p, name);
        all.push_back({{"name", name}, {"address", a.address}, {"preset", a.preset.name}, {"default", name == fallback}});
        rows.push_back({(name == fallback ? "* " : "  ") + name, a.address + "  (" + a.preset.name + ")"});
    }
    return shown(all, [rows](Printer& out) {
        if (rows.empty())
            out.note(tr("no accounts yet; add one with 'zmail settings add NAME --preset PRESET --address ADDRESS'"));
        else out.rows(rows);
    });
}

void print_account(Printer& out, const profile::Account& a, const std::vector<std::string>& warnings) {
    auto server = [](const profile::ServerSettings& s) {
        return s.configured() ? s.endpoint() + " (" + s.security + ")" : tr("(none)");
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
}

Outcome cmd_show(Context& ctx, const std::string& name) {
    auto& p = ctx.profile();
    const std::string account_name = name.empty() ? ctx.account_name() : name;
    auto a = profile::resolve_account(p, account_name);
    auto warnings = profile::policy_warnings(a);
    json j = profile::account_to_json(a);
    j["default"] = account_name == p.default_account();
    j["warnings"] = warnings;
    return shown(j, [a, warnings](Printer& out) { print_account(out, a, warnings); });
}

const profile::KeyInfo& known_key(const std::string& key) {
    const profile::KeyInfo* info = profile::find_key(key);
    if (!info) {
        std::string group = key.substr(0, key.rfind('.'));
        std::string hint = tr("run 'zmail settings keys' for the keys");
        if (group != key && profile::is_key_group(group))
            hint = tr("keys under '{}': {}", group, text::join(profile::keys_below(group), ", "));
        throw Error(ErrorKind::Usage, tr("unknown key '{}'", key), hint);
    }
    return *info;
}

Outcome cmd_set(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    const auto& info = known_key(o.key);
    std::string text = o.value ? *o.value : std::string();
    if (info.type == profile::ValueType::Secret) {
        if (o.value)
            throw Error(ErrorKind::Usage, tr("a secret is never taken from the command line (ps and the shell's "
                                             "history would show it)"),
                        tr("run 'zmail settings set {} {}' and type it, or give it on standard input: '... < file'",
                           o.name, o.key));
        text = ctx.out().read_secret(o.key == "password.plain"
                                         ? tr("password for account '{}' (not shown)", o.name)
                                         // TRANSLATORS: a key such as oauth2.client_secret, then the account
                                         : tr("{} for account '{}' (not shown)", o.key, o.name));
        if (text.empty()) throw Error(ErrorKind::Usage, tr("no {} given on standard input", o.key));
    } else if (!o.value) {
        throw Error(ErrorKind::Usage, tr("'{}' needs a value", o.key), "zmail settings set " + o.name + " " + o.key +
                                                                           " VALUE");
    }
    json value = profile::parse_value(info, text);
    p.set(o.name, o.key, value);
    p.save();
    std::vector<std::string> warnings;
    if (info.type == profile::ValueType::Secret)
        // TRANSLATORS: a key, the config file, then the key that is safer (password.command)
        warnings.push_back(tr("{} is now stored in plain text in '{}'; {} is safer", o.key, p.path(),
                              o.key == "password.plain" ? "password.command" : "oauth2.client_secret_command"));
    for (const auto& w : profile::policy_warnings(profile::resolve_account(p, o.name)))
        if (w.find(o.key) != std::string::npos) warnings.push_back(w);
    return changed([warnings](Printer& out) {
        for (const auto& w : warnings) out.warning(w);
    });
}

Outcome cmd_get(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    const auto& info = known_key(o.key);
    if (info.type == profile::ValueType::Secret)
        throw Error(ErrorKind::Usage, tr("'{}' is a secret and is never printed", o.key),
                    tr("'zmail settings show {}' tells where the password comes from", o.name));
    json value = profile::effective_value(p, o.name, o.key);
    // unset: print nothing and exit 1, like git config; with --json, null
    const int code = value.is_null() && !ctx.out().json() ? 1 : 0;
    return shown(value, [value](Printer& out) {
        if (value.is_string()) out.line(value.get<std::string>());
        else if (value.is_array()) { for (const auto& item : value) out.line(item.get<std::string>()); }
        else if (!value.is_null()) out.line(value.dump());
    }, code);
}

Outcome cmd_unset(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    known_key(o.key);
    if (!p.unset(o.name, o.key))
        return changed([o](Printer& out) { out.note(tr("'{}' was not set for '{}'", o.key, o.name)); });
    p.save();
    return {};
}

Outcome cmd_remove(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    p.remove_account(o.name);
    p.save();
    return changed([name = o.name](Printer& out) {
        out.note(tr("removed account '{}' (its mail and state on disk were left alone)", name));
    });
}

Outcome cmd_default(Context& ctx, const SettingsOptions& o) {
    auto& p = ctx.profile();
    if (o.name.empty()) {
        // none: print nothing and exit 1, like settings get; with --json, null
        const std::string name = p.default_account();
        return shown(name.empty() ? json(nullptr) : json(name), [name](Printer& out) {
            if (!name.empty()) out.line(name);
        }, name.empty() && !ctx.out().json() ? 1 : 0);
    }
    p.set_default_account(o.name);
    p.save();
    return {};
}

Outcome cmd_keys() {
    json all = json::array();
    for (const auto& k : profile::account_keys())
        all.push_back({{"key", k.path}, {"allowed", profile::describe_allowed(k)}, {"description", k.description},
                       {"choices", k.choices}});
    return shown(all, [](Printer& out) {
        for (const auto& k : profile::account_keys()) out.line(k.path + "\t" + k.description);
    });
}

/// One step of `settings test` as it happens (on a terminal and in a pipe alike, not with --json).
class StepPrinter {
public:
    explicit StepPrinter(Printer& out) : out_(out) {}
    void operator()(const diagnose::ServiceReport& r, const diagnose::Step& s) {
        if (out_.json()) return;
        if (shown_ != r.service) {
            out_.line(out_.bold(r.service) + "  " + r.endpoint);
            shown_ = r.service;
        }
        char time[32];
        std::snprintf(time, sizeof time, "%7.1f ms", s.milliseconds);
        out_.line(std::string("  ") + (s.ok ? "ok   " : "FAIL ") + s.name +
                  std::string(14 - std::min<size_t>(13, s.name.size()), ' ') + (s.milliseconds > 0 ? time : "          ") +
                  (s.detail.empty() ? "" : "  " + s.detail));
    }
    void finished(const diagnose::ServiceReport& r) {
        if (out_.json()) return;
        if (!r.ok) {
            out_.error(Error(r.kind, r.error, "", r.server_reply));
        } else {
            std::string offers;
            for (auto& [key, value] : r.offers.items()) {
                if (value.is_boolean()) offers += std::string(value.get<bool>() ? " +" : " -") + key;
                else if (!value.is_null()) offers += " " + key + "=" + value.dump();
            }
            // TRANSLATORS: {} is the list of what the server offers (" +STARTTLS -PIPELINING SIZE=...")
            out_.line("  " + tr("offers{}", offers));
        }
        for (const auto& h : r.hints) out_.hint(h);
    }

private:
    Printer& out_;
    std::string shown_;
};

std::string utc_time(std::int64_t unix_time) {
    std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

/// "access token valid until 2025-01-01 10:00:00 UTC".
std::string access_text(bool valid, std::int64_t until) {
    if (!until) return valid ? tr("access token valid") : tr("access token expired");
    const std::string time = utc_time(until);
    return valid ? tr("access token valid until {}", time) : tr("access token expired since {}", time);
}

/// The OAuth2 tokens' state for `settings test` (never the tokens): JSON, and lines on stdout.
json token_state(Printer& out, const profile::Account& account) {
    if (account.credentials.kind != profile::CredentialSource::Kind::OAuth2Tokens) return nullptr;
    const auto status = oauth2::token_status(account);
    json data = {{"store", status.store},           {"signed_in", status.signed_in},
                 {"access_valid", status.access_valid}, {"scope", status.scope},
                 {"valid_until", status.valid_until ? json(utc_time(status.valid_until)) : json(nullptr)}};
    if (out.json()) return data;
    out.line(out.bold("oauth2") + "  " + status.store);
    if (!status.signed_in) {
        out.line("  " + tr("not signed in: run '{}'", oauth2::login_command(account)));
        return data;
    }
    out.line("  " + tr("refresh token stored; the access token is renewed when needed"));
    out.line("  " + access_text(status.access_valid, status.valid_until));
    if (!status.scope.empty()) out.line("  " + tr("scopes {}", status.scope));
    return data;
}

Outcome cmd_login(Context& ctx, const std::string& name, bool device, int timeout, bool no_browser) {
    auto& p = ctx.profile();
    const std::string account_name = name.empty() ? ctx.account_name() : name;
    auto account = profile::resolve_account(p, account_name);
    if (account.auth_mechanism != "xoauth2" && account.auth_mechanism != "oauthbearer")
        throw Error(ErrorKind::Usage,
                    tr("account '{}' does not sign in with OAuth2 (auth.mechanism {})", account_name,
                       account.auth_mechanism),
                    "zmail settings set " + account_name + " auth.mechanism xoauth2");
    Printer& out = ctx.out();
    oauth2::LoginOptions options;
    options.device = device;
    options.timeout_seconds = timeout;
    options.open_browser = !no_browser;
    options.http = oauth2::http_options(account);
    if (out.verbose() > 0) options.http.trace = [&out](std::string_view line) { out.trace(line); };
    options.tell = [&out](std::string_view line) { out.instruct(line); };
    const auto result = oauth2::login(p, account, options);
    json data = {{"account", account_name}, {"signed_in", true}, {"store", result.stored},
                 {"scope", result.tokens.scope},
                 {"valid_until", result.tokens.expires_at ? json(utc_time(result.tokens.expires_at)) : json(nullptr)}};
    return shown(data, [account_name, result](Printer& o) {
        // TRANSLATORS: the account, then where the tokens are stored
        o.line(tr("signed in: account '{}', tokens in {}", account_name, result.stored));
    });
}

Outcome cmd_test(Context& ctx, const std::string& name, int timeout) {
    auto& p = ctx.profile();
    const std::string account_name = name.empty() ? ctx.account_name() : name;
    auto account = profile::resolve_account(p, account_name);
    const json tokens = token_state(ctx.out(), account);
    StepPrinter steps(ctx.out());
    auto progress = [&steps](const diagnose::ServiceReport& r, const diagnose::Step& s) { steps(r, s); };
    int code = 0;
    json all = json::array();
    for (const auto& service : diagnose::configured_services(account)) {
        auto r = diagnose::test_service(p, account, service, progress, timeout);
        json report = diagnose::to_json(r);
        report["error"] = r.ok ? json(nullptr)
                               : error_json(Error(r.kind, r.error, r.hints.empty() ? "" : r.hints.front(), r.server_reply));
        all.push_back(std::move(report));
        steps.finished(r);
        if (!r.ok && code == 0) code = exit_code(r.kind);
    }
    Outcome outcome;
    outcome.exit_code = code;
    outcome.data = {{"account", account_name}, {"ok", code == 0}, {"services", all}};
    if (!tokens.is_null()) outcome.data["oauth2"] = tokens;
    return outcome;
}

}  // namespace

Runner define_settings(CLI::App& app) {
    auto o = std::make_shared<SettingsOptions>();
    Verbs verbs(app);
    auto verb = [&](const char* name, const std::string& summary, std::function<Outcome(Context&)> run) {
        return verbs.add(name, summary, [run](Context& ctx, const profile::Account*) { return run(ctx); });
    };
    verb("presets", tr("list provider presets, or show one"), [o](Context& c) { return cmd_presets(c, o->name); })
        ->add_option("preset", o->name, tr("preset name"));
    verb("list", tr("list accounts (* marks the default)"), cmd_list);
    verb("show", tr("show an account with every effective value"), [o](Context& c) { return cmd_show(c, o->name); })
        ->add_option("account", o->name, tr("account name"));
    CLI::App* add = verb("add", tr("add an account"), [o](Context& c) { return settings_add(c, *o); });
    add->add_option("account", o->name, tr("account name (asked on a terminal when missing)"));
    add->add_option("--preset", o->preset, tr("provider preset (default: found from the address)"));
    add->add_option("--address", o->address, tr("the account's mail address (asked on a terminal when missing)"));
    add->add_option("--name", o->display_name, tr("display name for From"));
    add->add_option("--user", o->user, tr("login user name (default: the address)"));
    add->add_option("--alias", o->aliases, tr("another From address the account may use (repeatable)"));
    add->add_option("--imap", o->imap, tr("IMAP server HOST[:PORT]"));
    add->add_option("--pop", o->pop, tr("POP3 server HOST[:PORT]"));
    add->add_option("--smtp", o->smtp, tr("SMTP server HOST[:PORT]"));
    add->add_option("--ca-file", o->ca_file, tr("trust only this CA certificate (PEM)"));
    add->add_option("--password-command", o->password_command, tr("command that prints the password"));
    add->add_option("--password-env", o->password_env, tr("environment variable that holds the password"));
    add->add_option("--maildir", o->maildir, tr("local Maildir root (default ~/Mail/ACCOUNT)"));
    add->add_flag("--default", o->make_default, tr("make it the default account"));
    CLI::App* set = verb("set", tr("set an account key"), [o](Context& c) { return cmd_set(c, *o); });
    set->add_option("account", o->name, tr("account name"))->required();
    set->add_option("key", o->key, tr("dotted key, e.g. imap.port (see 'zmail settings keys')"))->required();
    set->add_option("value", o->value, tr("the value (a secret is read from the terminal or standard input)"));
    CLI::App* get =
        verb("get", tr("print an account key's effective value"), [o](Context& c) { return cmd_get(c, *o); });
    get->add_option("account", o->name, tr("account name"))->required();
    get->add_option("key", o->key, tr("dotted key"))->required();
    CLI::App* unset = verb("unset", tr("remove an account key (back to the preset or default)"),
                           [o](Context& c) { return cmd_unset(c, *o); });
    unset->add_option("account", o->name, tr("account name"))->required();
    unset->add_option("key", o->key, tr("dotted key"))->required();
    verb("remove", tr("remove an account (mail on disk is kept)"), [o](Context& c) { return cmd_remove(c, *o); })
        ->add_option("account", o->name, tr("account name"))->required();
    verb("default", tr("print or set the default account"), [o](Context& c) { return cmd_default(c, *o); })
        ->add_option("account", o->name, tr("account name"));
    verb("path", tr("print the profile store's path"), [](Context& c) {
        const std::string path = profile::config_path(c.options().config);
        return shown(path, [path](Printer& out) { out.line(path); });
    });
    verb("keys", tr("list the keys an account can hold"), [](Context&) { return cmd_keys(); });
    auto timeout = std::make_shared<int>(15);
    CLI::App* test = verb("test", tr("check each server of an account: resolve, connect, TLS, login, capabilities"),
                          [o, timeout](Context& c) { return cmd_test(c, o->name, *timeout); });
    test->add_option("account", o->name, tr("account name (default: the default account)"));
    test->add_option("--timeout", *timeout, tr("seconds to wait for each step (default 15)"))
        ->check(CLI::Range(1, 600));
    auto login = std::make_shared<std::tuple<bool, int, bool>>(false, 300, false);
    CLI::App* signin = verb("login", tr("sign an OAuth2 account in (browser, or --device) and store its tokens"),
                            [o, login](Context& c) {
                                return cmd_login(c, o->name, std::get<0>(*login), std::get<1>(*login),
                                                 std::get<2>(*login));
                            });
    signin->add_option("account", o->name, tr("account name (default: the default account)"));
    signin->add_flag("--device", std::get<0>(*login), tr("sign in on another device with a code (RFC 8628)"));
    signin->add_option("--timeout", std::get<1>(*login), tr("seconds to wait for the browser (default 300)"))
        ->check(CLI::Range(1, 3600));
    signin->add_flag("--no-browser", std::get<2>(*login), tr("print the URL only; do not run xdg-open"));
    return verbs.runner();
}

}  // namespace zmail::cli
