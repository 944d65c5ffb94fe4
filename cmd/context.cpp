#include "context.hpp"

#include "error.hpp"
#include "i18n.hpp"

namespace zmail::cli {

namespace {

struct ServiceInfo {
    const char* label;  ///< "POP3"
    const char* key;    ///< "pop"
};

ServiceInfo info(Service service) {
    switch (service) {
    case Service::imap: return {"IMAP", "imap"};
    case Service::pop3: return {"POP3", "pop"};
    case Service::smtp: return {"SMTP", "smtp"};
    case Service::none: break;
    }
    return {"", ""};
}

bool has(const profile::Account& account, Service service) {
    switch (service) {
    case Service::imap: return account.imap.configured();
    case Service::pop3: return account.pop.configured();
    case Service::smtp: return account.smtp.configured();
    case Service::none: break;
    }
    return true;
}

/// "account has no X" is checked here only, with one hint style.
void require(const profile::Account& account, Service service) {
    if (has(account, service)) return;
    const ServiceInfo s = info(service);
    // TRANSLATORS: the second {} is IMAP, POP3 or SMTP
    throw Error(ErrorKind::Config, tr("account '{}' has no {} server", account.name, s.label),
                tr("set one: zmail settings set {} {}.host HOST", account.name, s.key));
}

}  // namespace

Context::Context(GlobalOptions options)
    : options_(std::move(options)),
      printer_(OutputStyle{options_.json, options_.quiet, options_.verbose, options_.color}) {}

profile::Profile& Context::profile() {
    if (!profile_) profile_ = profile::Profile::load(profile::config_path(options_.config));
    return *profile_;
}

std::string Context::account_name() {
    auto& p = profile();
    if (!options_.account.empty()) {
        p.account(options_.account);  // throws with the known names
        return options_.account;
    }
    std::string name = p.default_account();
    if (name.empty()) {
        if (p.account_names().empty())
            throw Error(ErrorKind::Config, tr("no account is configured"),
                        tr("add one: zmail settings add NAME --preset PRESET --address YOU@EXAMPLE.COM"));
        throw Error(ErrorKind::Config, tr("no default account"),
                    tr("pick one with -a NAME or 'zmail settings default NAME'"));
    }
    return name;
}

void Context::select_accounts(const std::vector<std::string>& names, bool all, Service service) {
    auto& p = profile();
    accounts_.clear();
    if (all && !names.empty()) throw Error(ErrorKind::Usage, tr("give account names or --all, not both"));
    if (all) {
        for (const auto& name : p.account_names())
            if (has(profile::resolve_account(p, name), service)) accounts_.push_back(name);
        if (accounts_.empty()) throw Error(ErrorKind::Config, tr("no account is set up for this command"));
        return;
    }
    for (const auto& name : names) p.account(name);  // throws with the known names
    accounts_ = names.empty() ? std::vector<std::string>{account_name()} : names;
    // with one account its problem is the error; with several, each is reported in the loop
    if (accounts_.size() == 1) require(profile::resolve_account(p, accounts_.front()), service);
}

void require_service(const profile::Account& account, Service service) { require(account, service); }

/// Shows an outcome: data as JSON or text on stdout, diagnostics on stderr.
void show(Printer& out, const Outcome& outcome) {
    if (outcome.diagnostics) outcome.diagnostics(out);
    if (out.json()) {
        if (!outcome.data.is_discarded()) out.json_value(outcome.data);
    } else if (outcome.text) {
        outcome.text(out);
    }
}

/// Setup::accounts: runs the command once per account, goes on after an account's error, prints
/// one JSON array of the accounts' results; the exit code is the first account's failure.
int run_for_accounts(Context& ctx, const Runner& runner, Service service) {
    Printer& out = ctx.out();
    const auto& names = ctx.accounts();
    const bool several = names.size() > 1;
    nlohmann::json results = nlohmann::json::array();
    int code = 0;
    for (const std::string& name : names) {
        int account_code = 0;
        try {
            const profile::Account account = profile::resolve_account(ctx.profile(), name);
            require_service(account, service);
            Outcome outcome = runner(ctx, &account);
            if (out.json() && !outcome.data.is_discarded()) results.push_back(std::move(outcome.data));
            outcome.data = nlohmann::json(nlohmann::json::value_t::discarded);
            show(out, outcome);
            account_code = outcome.exit_code;
        } catch (const Error& e) {
            if (!several && !out.json()) throw;  // main reports it
            out.error(several ? labelled(name, e) : e);
            results.push_back({{"account", name}, {"error", error_json(e)}, {"exit_code", exit_code(e.kind)}});
            account_code = exit_code(e.kind);
        }
        if (code == 0) code = account_code;
    }
    if (out.json() && !results.empty()) out.json_value(results);
    return code;
}


nlohmann::json error_json(const Error& e) {
    return {{"kind", kind_name(e.kind)}, {"message", e.what()}, {"hint", e.hint}, {"server_reply", e.server_reply},
            {"exit_code", exit_code(e.kind)}};
}

nlohmann::json error_json(const std::optional<Error>& e) { return e ? error_json(*e) : nlohmann::json(nullptr); }

Error labelled(const std::string& account, const Error& e) {
    return Error(e.kind, account + ": " + e.what(), e.hint, e.server_reply);
}

}  // namespace zmail::cli
