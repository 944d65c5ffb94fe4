#include "context.hpp"

#include "error.hpp"

namespace zmail::cli {

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
            throw Error(ErrorKind::Config, "no account is configured",
                        "add one: zmail settings add NAME --preset PRESET --address YOU@EXAMPLE.COM");
        throw Error(ErrorKind::Config, "no default account", "pick one with -a NAME or 'zmail settings default NAME'");
    }
    return name;
}

profile::Account Context::account() { return profile::resolve_account(profile(), account_name()); }

std::vector<std::string> Context::select_accounts(const std::vector<std::string>& names, bool all,
                                                  const std::function<bool(const profile::Account&)>& eligible) {
    auto& p = profile();
    std::vector<std::string> out;
    if (all) {
        for (const auto& name : p.account_names())
            if (eligible(profile::resolve_account(p, name))) out.push_back(name);
        if (out.empty()) throw Error(ErrorKind::Config, "no account is set up for this command");
        return out;
    }
    if (!names.empty()) {
        for (const auto& name : names) p.account(name);
        return names;
    }
    return {account_name()};
}

}  // namespace zmail::cli
