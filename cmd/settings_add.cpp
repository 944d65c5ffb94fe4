// zmail settings add: the account from the command line, autodetection and, on a terminal, the
// questions for what is missing. The rules live in lib/profile (autodetect, credentials).
#include "settings_add.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "profile/account.hpp"
#include "profile/autodetect.hpp"
#include "profile/credentials.hpp"
#include "profile/server_spec.hpp"
#include "text/strings.hpp"

#include <algorithm>

namespace zmail::cli {

using nlohmann::json;

namespace {

/// What add decided besides the options: the detection and a password typed on the terminal.
struct AddPlan {
    std::optional<profile::Detection> detection;
    std::string password;       ///< typed now; written to password_file
    std::string password_file;  ///< the path the account references
};

void add_server(json& account, const std::string& protocol, const std::string& spec, std::vector<std::string>& notes) {
    if (spec.empty()) return;
    profile::ServerSpec parsed = profile::parse_server_spec(protocol, spec);
    if (!parsed.note.empty()) notes.push_back(parsed.note);
    account[protocol] = parsed.server;
}

json new_account(const SettingsOptions& o, const AddPlan& plan, std::vector<std::string>& notes) {
    json account = {{"preset", o.preset}, {"address", o.address}};
    if (!o.display_name.empty()) account["name"] = o.display_name;
    if (!o.user.empty()) account["user"] = o.user;
    if (!o.aliases.empty()) account["aliases"] = o.aliases;
    if (plan.detection) profile::add_detected_servers(*plan.detection, account);
    add_server(account, "imap", o.imap, notes);
    add_server(account, "pop", o.pop, notes);
    add_server(account, "smtp", o.smtp, notes);
    if (o.preset == "custom" && !account.contains("imap") && !account.contains("pop") && !account.contains("smtp"))
        throw Error(ErrorKind::Usage, tr("the custom preset needs at least one server"),
                    tr("give --imap HOST[:PORT], --pop HOST[:PORT] and/or --smtp HOST[:PORT]"));
    if (!o.ca_file.empty()) account["ca_file"] = o.ca_file;
    if (!o.password_command.empty()) account["password"]["command"] = o.password_command;
    if (!o.password_env.empty()) account["password"]["env"] = o.password_env;
    if (!plan.password_file.empty()) account["password"]["file"] = plan.password_file;
    if (!o.maildir.empty()) account["maildir"] = o.maildir;
    for (const auto& [key, value] : account.items())
        if (value.is_string() && value.get<std::string>().find_first_of("\r\n") != std::string::npos)
            throw Error(ErrorKind::Usage, tr("invalid value for '{}': line breaks are not allowed", key));
    return account;
}

std::string trimmed(std::string text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

/// A line read on the terminal; Ctrl-D ends the command with nothing added.
std::string answer(Printer& out, const std::string& question) {
    std::optional<std::string> line = out.ask(question);
    if (!line) throw Error(ErrorKind::Usage, tr("no answer: no account was added"),
                           tr("run 'zmail settings add NAME --address ADDRESS' with the options instead"));
    return trimmed(*line);
}

/// An answer that is not empty, asked again until it is.
std::string required_answer(Printer& out, const std::string& question) {
    for (;;) {
        std::string line = answer(out, question);
        if (!line.empty()) return line;
    }
}

void ask_names(Printer& out, SettingsOptions& o) {
    if (o.address.empty()) o.address = required_answer(out, tr("mail address:"));
    if (o.name.empty()) {
        const std::string local = o.address.substr(0, o.address.find('@'));
        std::string name = answer(out, tr("account name [{}]:", local));
        o.name = name.empty() ? local : name;
    }
}

/// A preset named on the terminal; for custom, its IMAP and SMTP servers too.
void ask_preset(Printer& out, SettingsOptions& o, const std::vector<profile::Preset>& presets) {
    for (;;) {
        o.preset = required_answer(out, tr("preset ('zmail settings presets' lists them; custom for your own servers):"));
        if (profile::find_preset(presets, o.preset)) break;
        out.instruct(unknown_preset(o.preset, presets).what());
    }
    if (o.preset != "custom") return;
    o.imap = answer(out, tr("IMAP server HOST[:PORT] (Enter: none):"));
    o.pop = o.imap.empty() ? answer(out, tr("POP3 server HOST[:PORT] (Enter: none):")) : std::string();
    o.smtp = answer(out, tr("SMTP server HOST[:PORT] (Enter: none):"));
}

/// Shows what autodetection found and asks to use it (Enter: yes); else asks for a preset.
void confirm_detection(Printer& out, SettingsOptions& o, AddPlan& plan, const std::vector<profile::Preset>& presets) {
    const profile::Detection& found = *plan.detection;
    if (found.found()) {
        out.instruct(tr("found: preset '{}' ({})", found.preset, found.reason));
        if (out.confirm(tr("use it?"), true)) {
            o.preset = found.preset;
            return;
        }
    } else {
        out.instruct(profile::nothing_detected(o.address, found).what());
    }
    plan.detection.reset();
    ask_preset(out, o, presets);
}

/// Where the password comes from, asked when the command line named no source.
void ask_password_source(Printer& out, SettingsOptions& o, AddPlan& plan, const std::string& config_path) {
    const std::string file = profile::password_file_for(config_path, o.name);
    out.instruct(tr("where does the password come from?"));
    out.instruct(tr("  1) type it now; zmail keeps it in '{}', readable by you alone", file));
    out.instruct(tr("  2) a command that prints it (a password manager, e.g. 'pass show mail/{}')", o.name));
    out.instruct(tr("  3) an environment variable"));
    out.instruct(tr("  4) decide later"));
    for (;;) {
        const std::string choice = answer(out, tr("choice [1]:"));
        if (choice.empty() || choice == "1") {
            plan.password = out.read_secret(tr("password for '{}' (not shown)", o.address));
            if (plan.password.empty()) continue;
            plan.password_file = file;
        } else if (choice == "2") {
            o.password_command = required_answer(out, tr("command:"));
        } else if (choice == "3") {
            o.password_env = required_answer(out, tr("variable name:"));
        } else if (choice != "4") {
            continue;
        }
        return;
    }
}

bool uses_password(const profile::Preset& preset) {
    return preset.auth_mechanism != "xoauth2" && preset.auth_mechanism != "oauthbearer";
}

/// Fills in the preset (autodetection) and, on a terminal, whatever else is missing.
AddPlan plan_account(Context& ctx, SettingsOptions& o) {
    Printer& out = ctx.out();
    const auto& presets = ctx.profile().presets();
    const bool terminal = out.can_ask();
    if (terminal) ask_names(out, o);
    if (o.name.empty() || o.address.empty())
        throw Error(ErrorKind::Usage, tr("'zmail settings add' needs an account name and --address"),
                    tr("zmail settings add NAME --address you@example.com [--preset PRESET]"));
    profile::Profile::check_account_name(o.name);
    AddPlan plan;
    if (o.preset.empty() && (!o.imap.empty() || !o.pop.empty() || !o.smtp.empty())) o.preset = "custom";
    if (o.preset.empty()) {
        plan.detection = profile::detect_settings(o.address, presets, profile::SystemDns());
        if (terminal) confirm_detection(out, o, plan, presets);
        else if (!plan.detection->found()) throw profile::nothing_detected(o.address, *plan.detection);
        else o.preset = plan.detection->preset;
    }
    const auto preset = profile::find_preset(presets, o.preset);
    if (!preset) throw unknown_preset(o.preset, presets);
    if (terminal && o.password_command.empty() && o.password_env.empty() && uses_password(*preset))
        ask_password_source(out, o, plan, ctx.profile().path());
    return plan;
}

/// The notes of a new account on stderr (and nothing on stdout).
void print_added(Printer& out, const profile::Account& a, const std::vector<std::string>& notes,
                 const std::optional<profile::Detection>& detection, bool made_default, bool asked) {
    if (detection && !asked) out.note(tr("found: preset '{}' ({})", detection->preset, detection->reason));
    for (const auto& n : notes) out.note(n);
    out.note(made_default ? tr("added account '{}' ({}), the default", a.name, a.preset.name)
                          : tr("added account '{}' ({})", a.name, a.preset.name));
    if (a.credentials.kind == profile::CredentialSource::Kind::File)
        out.note(tr("the password is in '{}' (mode 0600)", a.credentials.value));
    if (a.credentials.kind == profile::CredentialSource::Kind::None && uses_password(a.preset))
        out.note(tr("next: tell zmail where the password comes from, e.g.\n  zmail settings set {} password.command "
                    "'pass show mail/{}'", a.name, a.name));
    if (!a.preset.password_note.empty()) out.note(tr("note: {}", a.preset.password_note));
    for (const auto& w : profile::policy_warnings(a))
        if (w.find("no password source") == std::string::npos) out.warning(w);
}

}  // namespace

Error unknown_preset(const std::string& name, const std::vector<profile::Preset>& presets) {
    std::vector<std::string> names;
    for (const auto& p : presets) names.push_back(p.name);
    return Error(ErrorKind::Usage, tr("unknown preset '{}'", name), tr("known presets: {}", text::join(names, ", ")));
}

Outcome settings_add(Context& ctx, SettingsOptions o) {
    auto& p = ctx.profile();
    const bool asked = ctx.out().can_ask();
    AddPlan plan = plan_account(ctx, o);
    std::vector<std::string> notes;
    const json account = new_account(o, plan, notes);
    const bool first = p.account_names().empty();
    try {
        p.add_account(o.name, account);
    } catch (const Error& e) {
        throw Error(e.kind == ErrorKind::Config ? ErrorKind::Usage : e.kind, e.what(), e.hint);
    }
    if (!plan.password_file.empty()) profile::write_password_file(plan.password_file, plan.password);
    std::fill(plan.password.begin(), plan.password.end(), '\0');
    const bool made_default = first || o.make_default;
    if (made_default) p.set_default_account(o.name);
    p.save();
    const auto a = profile::resolve_account(p, o.name);
    Outcome outcome;
    outcome.data = {{"account", a.name},
                    {"preset", a.preset.name},
                    {"default", made_default},
                    {"autodetect", plan.detection ? profile::detection_to_json(*plan.detection) : json(nullptr)}};
    outcome.diagnostics = [a, notes, detection = plan.detection, made_default, asked](Printer& out) {
        print_added(out, a, notes, detection, made_default, asked);
    };
    return outcome;
}

}  // namespace zmail::cli
