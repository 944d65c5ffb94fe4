#include "fetch/account.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "net/account_options.hpp"
#include "net/connection.hpp"

#include <algorithm>
#include <memory>

namespace zmail::fetch {

Request make_request(const profile::Account& account, const Overrides& o) {
    Request request;
    request.account = account.name;
    request.host = account.pop.host;
    request.user = account.user;
    request.state_dir = account.state_dir;
    request.policy.keep = o.keep.value_or(account.fetch.keep);
    request.policy.scope_new = (o.scope.empty() ? account.fetch.scope : o.scope) == "new";
    request.policy.max_size = o.max_size.value_or(static_cast<std::uint64_t>(std::max(0LL, account.fetch.max_size)));
    request.policy.limit = o.limit.value_or(static_cast<std::uint64_t>(std::max(0LL, account.fetch.limit)));
    request.delivery = o.deliver.empty() ? parse_delivery(account.fetch.delivery, "fetch.delivery")
                                         : parse_delivery(o.deliver, "--deliver");
    request.target.maildir_root = account.maildir;
    request.target.recipient = account.address;
    request.target.layout = account.sync.layout;
    request.dry_run = o.dry_run;
    request.lock_wait_seconds = o.lock_wait_seconds;
    if (account.state_dir.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no state directory", account.name), tr("set state_dir"));
    return request;
}

Result fetch_account(const profile::Profile& profile, const profile::Account& account, const Request& request,
                     const net::LineSink& warning, Observer& observer) {
    Connect connect = [&]() -> std::unique_ptr<net::Stream> {
        net::ServerOptions options = net::account_server_options(profile, account, net::Protocol::pop3);
        auto logged_in = std::make_shared<bool>(false);
        if (observer.tracing())  // the login here, the session's own trace afterwards
            options.trace = [&observer, logged_in](std::string_view line) {
                if (!*logged_in) observer.trace(line);
            };
        options.warning = warning;
        auto connection = std::make_unique<net::Connection>(std::move(options));
        *logged_in = true;
        return connection;
    };
    return run(request, connect, observer);
}

std::uint64_t parse_size(const std::string& text, const std::string& option) {
    auto bad = [&] {
        // TRANSLATORS: an option or setting (--max-size), then the value given
        return Error(ErrorKind::Usage, tr("invalid {} '{}'", option, text),
                     tr("give a number of bytes, optionally with K, M or G (e.g. 10M); 0 means no limit"));
    };
    if (text.empty() || text.find_first_not_of("0123456789") == 0) throw bad();
    std::size_t end = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &end);
    } catch (const std::exception&) {
        throw bad();
    }
    const std::string suffix = text.substr(end);
    unsigned long long factor = 1;
    if (suffix == "k" || suffix == "K" || suffix == "KB") factor = 1024ULL;
    else if (suffix == "m" || suffix == "M" || suffix == "MB") factor = 1024ULL * 1024;
    else if (suffix == "g" || suffix == "G" || suffix == "GB") factor = 1024ULL * 1024 * 1024;
    else if (!suffix.empty()) throw bad();
    if (value > (1ULL << 50) / factor) throw bad();
    return value * factor;
}

}  // namespace zmail::fetch
