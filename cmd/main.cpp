// zmail: the command table, global options, set-up, the account loop, error -> exit code, once.
#include "context.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "version.hpp"

#include <CLI/CLI.hpp>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>

namespace zmail::cli {

const std::vector<Command>& command_table() {
    static const std::vector<Command> table = {
        {"fetch", N_("download mail over POP3 into a Maildir, an mbox or an MDA"), Setup::accounts, Service::pop3,
         define_fetch},
        {"folders", N_("list, create, rename, delete and subscribe to IMAP folders"), Setup::account, Service::imap,
         define_folders},
        {"send", N_("send mail over SMTP: compose, or pass a ready message as sendmail does"), Setup::none,
         Service::smtp, define_send},
        {"settings", N_("manage accounts, provider presets and policies"), Setup::none, Service::none,
         define_settings},
        {"sync", N_("two-way sync of IMAP folders with a local Maildir"), Setup::accounts, Service::imap,
         define_sync},
    };
    return table;
}

}  // namespace zmail::cli

namespace {

using namespace zmail;
using namespace zmail::cli;

/// A parsed subcommand: its table row, runner, and for Setup::accounts its account arguments.
struct Chosen {
    const Command* command = nullptr;
    Runner runner;
    std::shared_ptr<std::vector<std::string>> names = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<bool> all = std::make_shared<bool>(false);
};

/// The --all flag's help: "every account with an IMAP server".
std::string all_accounts_help(Service service) {
    switch (service) {
    case Service::imap: return tr("every account with an IMAP server");
    case Service::pop3: return tr("every account with a POP3 server");
    case Service::smtp: return tr("every account with an SMTP server");
    case Service::none: break;
    }
    return tr("every account with a server");
}

/// Does the set-up the command's table row asks for, then runs it.
int run_command(Context& ctx, const Chosen& chosen) {
    const Command& command = *chosen.command;
    switch (command.setup) {
    case Setup::none: break;
    case Setup::account: {
        ctx.select_accounts({}, false, command.service);
        const profile::Account account = profile::resolve_account(ctx.profile(), ctx.accounts().front());
        Outcome outcome = chosen.runner(ctx, &account);
        show(ctx.out(), outcome);
        return outcome.exit_code;
    }
    case Setup::accounts:
        ctx.select_accounts(*chosen.names, *chosen.all, command.service);
        return run_for_accounts(ctx, chosen.runner, command.service);
    }
    Outcome outcome = chosen.runner(ctx, nullptr);
    show(ctx.out(), outcome);
    return outcome.exit_code;
}

/// Adds the command-line part of the command's set-up: the account arguments and --all.
void add_setup_options(CLI::App& sub, const Command& command, Chosen& chosen) {
    if (command.setup != Setup::accounts) return;
    // TRANSLATORS: {} is a command name (fetch, sync)
    sub.add_option("account", *chosen.names,
                   tr("accounts to {} (default: -a, else the default account)", command.name));
    sub.add_flag("--all", *chosen.all, all_accounts_help(command.service));
}

int show_help(CLI::App& app, CLI::App* help, const std::vector<std::string>& topic) {
    CLI::App* target = &app;
    std::string prefix = "zmail";
    for (const auto& word : topic) {
        try {
            target = target->get_subcommand(word);
        } catch (const CLI::OptionNotFound&) {
            std::fprintf(stderr, "zmail: %s\n%s %s\n", tr("no such command '{}'", word).c_str(), tr("hint:").c_str(),
                         tr("run 'zmail --help' for the commands").c_str());
            return exit_codes::usage;
        }
        prefix += " " + word;
    }
    std::string text = target == &app
        ? app.get_formatter()->make_help(&app, "zmail", CLI::AppFormatMode::Normal)
        : target->get_formatter()->make_help(target, prefix, CLI::AppFormatMode::Normal);
    bool asked = help->parsed();
    std::fputs(text.c_str(), asked ? stdout : stderr);
    return asked ? 0 : exit_codes::usage;
}

/// CLI11's own words in the user's language: the labels of its help, the default groups, --help.
/// Before any option is added: subcommands inherit the groups and --help, and share the formatter.
void translate_cli(CLI::App& app) {
    const auto formatter = app.get_formatter();
    for (const char* label : {N_("Usage"), N_("OPTIONS"), N_("Positionals"), N_("SUBCOMMAND"), N_("SUBCOMMANDS"),
                              N_("REQUIRED"), N_("Needs"), N_("Excludes"), N_("Env")})
        formatter->label(label, translate(label));
    app.option_defaults()->group(tr("Options"));
    app.group(tr("Subcommands"));
    app.set_help_flag("-h,--help", tr("Print this help message and exit"));
}

/// A subcommand's --help is made before it takes its parent's default group: moved there.
void group_help_flags(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands({})) {
        if (CLI::Option* help = sub->get_help_ptr()) help->group(app.option_defaults()->get_group());
        group_help_flags(*sub);
    }
}

void add_global_options(CLI::App& app, GlobalOptions& options) {
    app.footer("\n" + tr("Run 'zmail help COMMAND' for a command's options.") + "\n" +
               tr("Exit codes: 0 ok, 64 usage, 65 bad data, 69 service unavailable (network, TLS, protocol),\n"
                  "70 internal error, 73 cannot create a local file, 75 temporary failure (try again),\n"
                  "77 permission or authentication, 78 configuration."));
    app.set_version_flag("--version", std::function<std::string()>(zmail::version_text),
                         tr("Display program version information and exit"));
    app.require_subcommand(0, 1);
    app.fallthrough();
    app.add_option("--config", options.config, tr("profile store (default: $ZMAIL_CONFIG, else "
                                                   "$XDG_CONFIG_HOME/zmail/config.json)"));
    app.add_option("-a,--account", options.account, tr("account to use (default: the default account)"));
    app.add_flag("-v,--verbose", options.verbose, tr("more detail; -v -v adds a protocol trace (secrets hidden)"));
    app.add_flag("-q,--quiet", options.quiet, tr("only errors and warnings on stderr"));
    app.add_flag("--json", options.json, tr("print data as JSON for scripts"));
    app.add_option("--color", options.color, tr("color: auto, always or never (NO_COLOR is honoured)"))
        ->check(CLI::IsMember({"auto", "always", "never"}));
}

/// Runs the command and maps its error to the exit code. An error that stops a command before it
/// has a result goes to stderr only, with and without --json (scripts read the exit code).
int run_guarded(Context& context, const Chosen& chosen) {
    int code = 0;
    try {
        code = run_command(context, chosen);
    } catch (const Error& e) {
        context.out().error(e);
        code = exit_code(e.kind);
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "zmail: %s\n", translate("out of memory"));  // nothing allocated
        code = exit_codes::tempfail;
    }
    if (!context.out().finish()) {
        std::fprintf(stderr, "zmail: %s\n", tr("cannot write to standard output").c_str());
        if (code == 0) code = exit_codes::cantcreat;
    }
    return code;
}

int run(int argc, char** argv) {
    GlobalOptions options;
    CLI::App app{tr("zmail: fetch, sync, send and organise mail from the command line"), "zmail"};
    translate_cli(app);
    add_global_options(app, options);
    bool list_commands = false;
    app.add_flag("--list-commands", list_commands)->group("");  // for completions and tests

    std::map<CLI::App*, Chosen> commands;
    for (const auto& command : command_table()) {
        CLI::App* sub = app.add_subcommand(command.name, translate(command.summary));
        Chosen& chosen = commands[sub];
        chosen.command = &command;
        add_setup_options(*sub, command, chosen);
        chosen.runner = command.define(*sub);
    }
    std::vector<std::string> help_topic;
    CLI::App* help = app.add_subcommand("help", tr("show help for zmail or a command"));
    help->add_option("command", help_topic, tr("the command"));
    group_help_flags(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        if (code == 0) return 0;
        std::fprintf(stderr, "%s %s\n", tr("hint:").c_str(), tr("run 'zmail --help' or 'zmail help COMMAND'").c_str());
        return exit_codes::usage;
    }
    if (list_commands) {
        for (const auto& command : command_table())
            std::printf("%s\t%s\n", command.name, translate(command.summary));
        return 0;
    }
    if (help->parsed() || app.get_subcommands().empty()) return show_help(app, help, help_topic);

    Context context(options);
    return run_guarded(context, commands.at(app.get_subcommands().front()));
}

}  // namespace

int main(int argc, char** argv) {
    std::setlocale(LC_CTYPE, "");
    // Messages in the user's language, except with --json: what a script reads never changes
    // with the locale (the JSON error object's message and hint stay English).
    bool json = false;
    for (int i = 1; i < argc; ++i) json = json || std::string_view(argv[i]) == "--json";
    if (!json) zmail::enable_translation();
    std::signal(SIGPIPE, SIG_IGN);  // a closed pipe becomes a write error we report
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "zmail: %s\n%s %s\n", zmail::tr("internal error: {}", e.what()).c_str(),
                     zmail::tr("hint:").c_str(), zmail::tr("please report this as a bug").c_str());
        return zmail::exit_codes::software;
    }
}
