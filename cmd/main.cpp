// zmail: the command table, global options, account resolution, error -> exit code, once.
#include "context.hpp"

#include "error.hpp"
#include "version.hpp"

#include <CLI/CLI.hpp>
#include <clocale>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace zmail::cli {

const std::vector<Command>& command_table() {
    static const std::vector<Command> table = {
        {"fetch", "download mail over POP3 into a Maildir, an mbox or an MDA", define_fetch},
        {"folders", "list, create, rename, delete and subscribe to IMAP folders", define_folders},
        {"send", "send mail over SMTP: compose, or pass a ready message as sendmail does", define_send},
        {"settings", "manage accounts, provider presets and policies", define_settings},
        {"sync", "two-way sync of IMAP folders with a local Maildir", define_sync},
    };
    return table;
}

}  // namespace zmail::cli

namespace {

using namespace zmail;
using namespace zmail::cli;

constexpr const char* exit_code_text =
    "Exit codes: 0 ok, 64 usage, 65 bad data, 69 service unavailable (network, TLS, protocol),\n"
    "70 internal error, 73 cannot create a local file, 75 temporary failure (try again),\n"
    "77 permission or authentication, 78 configuration.";

int run(int argc, char** argv) {
    GlobalOptions options;
    CLI::App app{"zmail: fetch, sync, send and organise mail from the command line", "zmail"};
    app.footer(std::string("\nRun 'zmail help COMMAND' for a command's options.\n") + exit_code_text);
    // Lazily: curl_version() initialises libldap and its SASL plugins, several ms on every run.
    app.set_version_flag("--version", std::function<std::string()>(zmail::version_text));
    app.require_subcommand(0, 1);
    app.fallthrough();
    app.add_option("--config", options.config, "profile store (default: $ZMAIL_CONFIG, else "
                                                "$XDG_CONFIG_HOME/zmail/config.json)");
    app.add_option("-a,--account", options.account, "account to use (default: the default account)");
    app.add_flag("-v,--verbose", options.verbose, "more detail; -v -v adds a protocol trace (secrets hidden)");
    app.add_flag("-q,--quiet", options.quiet, "only errors and warnings on stderr");
    app.add_flag("--json", options.json, "print data as JSON for scripts");
    app.add_option("--color", options.color, "color: auto, always or never (NO_COLOR is honoured)")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    bool list_commands = false;
    app.add_flag("--list-commands", list_commands)->group("");  // for completions and tests

    std::map<CLI::App*, Runner> runners;
    for (const auto& command : command_table()) {
        CLI::App* sub = app.add_subcommand(command.name, command.summary);
        runners[sub] = command.define(*sub);
    }
    std::vector<std::string> help_topic;
    CLI::App* help = app.add_subcommand("help", "show help for zmail or a command");
    help->add_option("command", help_topic, "the command");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        if (code == 0) return 0;
        std::fputs("hint: run 'zmail --help' or 'zmail help COMMAND'\n", stderr);
        return exit_codes::usage;
    }

    if (list_commands) {
        for (const auto& command : command_table()) std::printf("%s\t%s\n", command.name, command.summary);
        return 0;
    }
    if (help->parsed() || app.get_subcommands().empty()) {
        CLI::App* target = &app;
        std::string prefix = "zmail";
        for (const auto& word : help_topic) {
            try {
                target = target->get_subcommand(word);
            } catch (const CLI::OptionNotFound&) {
                std::fprintf(stderr, "zmail: no such command '%s'\nhint: run 'zmail --help' for the commands\n",
                             word.c_str());
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

    Context context(options);
    int code = 0;
    try {
        code = runners.at(app.get_subcommands().front())(context);
    } catch (const Error& e) {
        context.out().error(e);
        code = exit_code(e.kind);
    } catch (const std::bad_alloc&) {
        std::fputs("zmail: out of memory\n", stderr);
        code = exit_codes::tempfail;
    }
    if (!context.out().finish()) {
        std::fputs("zmail: cannot write to standard output\n", stderr);
        if (code == 0) code = exit_codes::cantcreat;
    }
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    std::setlocale(LC_CTYPE, "");
    std::signal(SIGPIPE, SIG_IGN);  // a closed pipe becomes a write error we report
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "zmail: internal error: %s\nhint: please report this as a bug\n", e.what());
        return zmail::exit_codes::software;
    }
}
