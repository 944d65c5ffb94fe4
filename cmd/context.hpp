// What every subcommand gets from main: global options, the printer, the profile and the
// accounts main resolved for it; and what it hands back (Outcome).
#pragma once

#include "i18n.hpp"
#include "printer.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zmail::cli {

struct GlobalOptions {
    std::string config;
    std::string account;
    int verbose = 0;
    bool quiet = false;
    bool json = false;
    std::string color = "auto";
};

/// The servers an account can have; a command that needs one names it in the command table.
enum class Service { none, imap, pop3, smtp };

/// What main sets up before it runs a command (git's RUN_SETUP, ninja's RUN_AFTER_LOAD).
enum class Setup {
    none,      ///< nothing: the command loads the profile when it needs it (Context::profile())
    account,   ///< one account: -a, else the default; it has the command's service
    accounts,  ///< the accounts named as arguments, -a, --all or the default; main runs the command once for each
};

class Context {
public:
    explicit Context(GlobalOptions options);

    const GlobalOptions& options() const { return options_; }
    Printer& out() { return printer_; }

    /// The profile store, loaded on first use. Throws Error{Config,Permission}.
    profile::Profile& profile();
    /// The account -a names, else the default. Throws Error{Config} with a hint when none.
    std::string account_name();
    /// The accounts main runs the command for (Setup::account and Setup::accounts).
    const std::vector<std::string>& accounts() const { return accounts_; }

    /// main's part: which accounts to run for (arguments, -a, --all or the default), each checked
    /// to have `service`.
    void select_accounts(const std::vector<std::string>& names, bool all, Service service);
    /// Accounts chosen by the command itself (send --flush: those with a queue).
    void set_accounts(std::vector<std::string> names) { accounts_ = std::move(names); }

private:
    GlobalOptions options_;
    Printer printer_;
    std::optional<profile::Profile> profile_;
    std::vector<std::string> accounts_;
};

/// What a command hands back (himalaya's printer): main renders it once, as JSON or as text.
struct Outcome {
    int exit_code = 0;
    /// With --json: the document. Discarded (the default): nothing on stdout; null prints null.
    nlohmann::json data = nlohmann::json(nlohmann::json::value_t::discarded);
    std::function<void(Printer&)> text;         ///< without --json: the data as text on stdout
    std::function<void(Printer&)> diagnostics;  ///< on stderr in both modes: warnings, per-item errors
};

/// A subcommand's body, run after the command line was parsed and the set-up was done.
/// `account` is the account main resolved (Setup::account, and once per account for
/// Setup::accounts); null otherwise.
using Runner = std::function<Outcome(Context&, const profile::Account* account)>;

/// One row of the command table: `define` adds the subcommand's options to `app` and returns
/// the runner that uses them.
struct Command {
    const char* name;
    const char* summary;  ///< marked with N_, translated where shown
    Setup setup;
    Service service;  ///< the server each account must have (Setup::account/accounts)
    std::function<Runner(CLI::App& app)> define;
};

/// The verbs of a command with verbs ("zmail folders list"), a {verb, function} table: each add()
/// registers one with the function that runs it; run() calls the one the command line picked.
class Verbs {
public:
    using Function = std::function<Outcome(Context&, const profile::Account*)>;
    explicit Verbs(CLI::App& app) : app_(app) { app_.require_subcommand(1); }
    CLI::App* add(const char* name, const std::string& summary, Function function) {
        CLI::App* verb = app_.add_subcommand(name, summary);
        verb->callback([chosen = chosen_, name] { *chosen = name; });
        table_->emplace(name, std::move(function));
        return verb;
    }
    /// The runner: calls the chosen verb's function. Copies share the table.
    Runner runner() const {
        return [chosen = chosen_, table = table_](Context& ctx, const profile::Account* account) {
            return table->at(*chosen)(ctx, account);
        };
    }

private:
    CLI::App& app_;
    std::shared_ptr<std::string> chosen_ = std::make_shared<std::string>();
    std::shared_ptr<std::map<std::string, Function>> table_ = std::make_shared<std::map<std::string, Function>>();
};

/// Throws Error{Config} "account 'X' has no POP3 server" with the one hint style.
void require_service(const profile::Account& account, Service service);

/// Shows an outcome: diagnostics on stderr, then its data as JSON or as text on stdout.
void show(Printer& out, const Outcome& outcome);

/// The one account loop: runs `runner` for each of ctx.accounts() (each checked to have
/// `service`), goes on after an account's error (labelled with its name when there are several),
/// prints one JSON array of the results; returns the first failing account's exit code.
int run_for_accounts(Context& ctx, const Runner& runner, Service service);

/// The one JSON error object of every command: kind, message, hint, server_reply, exit_code.
nlohmann::json error_json(const Error& error);
/// error_json(), or null.
nlohmann::json error_json(const std::optional<Error>& error);
/// An error about one of several accounts, its message prefixed with the account's name.
Error labelled(const std::string& account, const Error& error);

/// A CLI11 validator from a lib/ parser that throws Error: its message becomes the usage error,
/// so a bad value is refused before anything runs.
inline std::function<std::string(const std::string&)> usage_check(std::function<void(const std::string&)> parse) {
    return [parse = std::move(parse)](const std::string& text) -> std::string {
        try {
            parse(text);
        } catch (const Error& e) {
            return e.hint.empty() ? e.what() : std::string(e.what()) + "\n" + tr("hint:") + " " + e.hint;
        }
        return {};
    };
}

/// The command table (cmd/main.cpp). A subcommand is listed only once it works.
const std::vector<Command>& command_table();

// One definition function per subcommand file.
Runner define_folders(CLI::App& app);
Runner define_settings(CLI::App& app);
Runner define_send(CLI::App& app);
Runner define_fetch(CLI::App& app);
Runner define_sync(CLI::App& app);

}  // namespace zmail::cli
