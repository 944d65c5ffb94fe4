// What every subcommand gets from main: global options, the printer, the profile and account.
#pragma once

#include "printer.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
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

class Context {
public:
    explicit Context(GlobalOptions options);

    const GlobalOptions& options() const { return options_; }
    Printer& out() { return printer_; }

    /// The profile store, loaded on first use. Throws Error{Config,Permission}.
    profile::Profile& profile();
    /// The account -a names, else the default. Throws Error{Config} with a hint when none.
    std::string account_name();
    /// That account, resolved.
    profile::Account account();
    /// Accounts named on the command line (positional), or -a, or all with `all`, or the default.
    std::vector<std::string> select_accounts(const std::vector<std::string>& names, bool all,
                                             const std::function<bool(const profile::Account&)>& eligible);

private:
    GlobalOptions options_;
    Printer printer_;
    std::optional<profile::Profile> profile_;
};

/// A subcommand's body, run after the command line was parsed. Returns the exit code.
using Runner = std::function<int(Context&)>;

/// One row of the command table: `define` adds the subcommand's options to `app` and returns
/// the runner that uses them.
struct Command {
    const char* name;
    const char* summary;
    std::function<Runner(CLI::App& app)> define;
};

/// The verbs of a command with verbs ("zmail folders list"): each add() registers one, and
/// `chosen()` names the one the command line picked (one is required).
class Verbs {
public:
    explicit Verbs(CLI::App& app) : app_(app) { app_.require_subcommand(1); }
    CLI::App* add(const char* name, const char* summary) {
        CLI::App* verb = app_.add_subcommand(name, summary);
        verb->callback([chosen = chosen_, name] { *chosen = name; });
        return verb;
    }
    /// Shared, so the runner can keep it after the definition function returned.
    std::shared_ptr<const std::string> chosen() const { return chosen_; }

private:
    CLI::App& app_;
    std::shared_ptr<std::string> chosen_ = std::make_shared<std::string>();
};

/// The command table (cmd/main.cpp). A subcommand is listed only once it works.
const std::vector<Command>& command_table();

// One definition function per subcommand file.
Runner define_folders(CLI::App& app);
Runner define_settings(CLI::App& app);
Runner define_send(CLI::App& app);
Runner define_fetch(CLI::App& app);
Runner define_sync(CLI::App& app);

}  // namespace zmail::cli
