// zmail fetch: POP3 download into a Maildir, an mbox or an MDA (lib/fetch does the work).
#include "context.hpp"
#include "progress_line.hpp"

#include "error.hpp"
#include "fetch/fetch.hpp"
#include "net/account_options.hpp"
#include "net/connection.hpp"
#include "text/strings.hpp"

#include <chrono>
#include <memory>

namespace zmail::cli {

namespace {

using nlohmann::json;

struct FetchOptions {
    std::vector<std::string> accounts;
    bool all = false, keep = false, remove = false, dry_run = false;
    std::string scope, max_size, deliver;
    long long limit = -1;
    int wait = 0;
};

/// "10485760", "10M", "512k" (powers of 1024); 0 means no limit.
std::uint64_t parse_size(const std::string& text) {
    auto bad = [&] {
        return Error(ErrorKind::Usage, "invalid --max-size '" + text + "'",
                     "give a number of bytes, optionally with K, M or G (e.g. 10M); 0 means no limit");
    };
    if (text.empty() || text.find_first_not_of("0123456789") == 0) throw bad();
    std::size_t end = 0;
    unsigned long long value = 0;
    try {
        value = std::stoull(text, &end);
    } catch (const std::exception&) {
        throw bad();
    }
    std::string suffix = text.substr(end);
    unsigned long long factor = 1;
    if (suffix == "k" || suffix == "K" || suffix == "KB") factor = 1024ULL;
    else if (suffix == "m" || suffix == "M" || suffix == "MB") factor = 1024ULL * 1024;
    else if (suffix == "g" || suffix == "G" || suffix == "GB") factor = 1024ULL * 1024 * 1024;
    else if (!suffix.empty()) throw bad();
    if (value > (1ULL << 50) / factor) throw bad();
    return value * factor;
}

/// Messages, bytes and rate on the progress line; the protocol trace with -vv.
class ProgressDisplay final : public fetch::Observer {
public:
    ProgressDisplay(Printer& out, std::string account, bool trace)
        : out_(out), line_(out), account_(std::move(account)), trace_(trace),
          started_(std::chrono::steady_clock::now()) {}

    void progress(const fetch::Progress& p) override {
        if (!line_.shown() || p.messages_total == 0) return;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
        const auto rate = seconds > 0.2 ? static_cast<std::uint64_t>(static_cast<double>(p.bytes_done) / seconds) : 0;
        std::string text = account_ + ": " + std::to_string(p.messages_done) + "/" +
                           std::to_string(p.messages_total) + " messages, " + text::human_size(p.bytes_done) +
                           " of " + text::human_size(p.bytes_total);
        if (rate > 0) text += ", " + text::human_size(rate) + "/s";
        line_.show(text, p.messages_done == p.messages_total);
    }
    bool tracing() const override { return trace_; }
    void trace(std::string_view line) override {
        line_.clear();
        out_.trace(line);
    }
    void clear() { line_.clear(); }

private:
    Printer& out_;
    ProgressLine line_;
    std::string account_;
    bool trace_;
    std::chrono::steady_clock::time_point started_;
};

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

json error_json(const Error& e, bool fatal) {
    return {{"kind", kind_name(e.kind)}, {"message", e.what()}, {"hint", e.hint}, {"server_reply", e.server_reply},
            {"fatal", fatal}};
}

json message_list(const std::vector<fetch::ServerMessage>& messages) {
    json list = json::array();
    for (const auto& m : messages) list.push_back({{"number", m.number}, {"uidl", m.uidl}, {"size", m.size}});
    return list;
}

json result_json(const fetch::Result& r, bool keep) {
    json errors = json::array();
    for (const Error& e : r.errors) errors.push_back(error_json(e, false));
    if (r.fatal) errors.push_back(error_json(*r.fatal, true));
    json j = {{"account", r.account}, {"fetched", r.fetched}, {"bytes", r.bytes}, {"skipped", r.too_large},
              {"deferred", r.deferred}, {"deleted", r.deleted}, {"left_on_server", r.left_on_server},
              {"on_server", r.on_server}, {"marked_seen", r.marked_seen}, {"recovered", r.recovered},
              {"dry_run", r.dry_run}, {"errors", errors}, {"exit_code", r.exit_code()}};
    if (r.dry_run && r.plan) {
        const fetch::Plan& plan = *r.plan;
        j["would_fetch"] = message_list(plan.download);
        std::vector<fetch::ServerMessage> deleting;
        if (!keep) {
            deleting = plan.delivered;
            deleting.insert(deleting.end(), plan.download.begin(), plan.download.end());
        }
        j["would_delete"] = message_list(deleting);
        j["would_mark_seen"] = plan.mark_seen.size();
        j["skipped_messages"] = message_list(plan.too_large);
    }
    return j;
}

/// "left on server: 3 messages larger than 10 MB; 20 more for the next run (limit 100)".
std::string leftovers(const fetch::Result& r, long long limit) {
    std::string text;
    if (r.too_large) text += "left on server: " + plural(r.too_large, "message") + " larger than " +
                             text::human_size(r.max_size);
    if (r.deferred) {
        if (!text.empty()) text += "; ";
        text += std::to_string(r.deferred) + " more for the next run (limit " + std::to_string(limit) + ")";
    }
    return text;
}

void print_dry_run(Printer& out, const fetch::Result& r, bool keep) {
    const fetch::Plan& plan = *r.plan;
    std::size_t deleting = keep ? 0 : plan.delivered.size() + plan.download.size();
    std::string line = r.account + ": would fetch " + plural(plan.download.size(), "message") + " (" +
                       text::human_size(plan.download_bytes) + ")";
    if (!keep) line += " and delete " + std::to_string(deleting) + " on the server";
    if (!plan.mark_seen.empty())
        line += "; would record " + plural(plan.mark_seen.size(), "message") + " as seen without fetching (scope new)";
    out.line(line);
    for (const auto& m : plan.download)
        out.line("  fetch   " + std::to_string(m.number) + "  " + m.uidl + "  " + text::human_size(m.size));
    if (!keep)
        for (const auto& m : plan.delivered)
            out.line("  delete  " + std::to_string(m.number) + "  " + m.uidl + "  (fetched before)");
    for (const auto& m : plan.too_large)
        out.line("  skip    " + std::to_string(m.number) + "  " + m.uidl + "  " + text::human_size(m.size) +
                 " (larger than " + text::human_size(r.max_size) + ")");
}

void print_summary(Printer& out, const fetch::Result& r, bool keep, long long limit) {
    const bool arrived = r.fetched > 0 || r.deleted > 0 || r.marked_seen > 0 || r.recovered > 0;
    if (out.quiet() || (!arrived && !out.stdout_is_tty() && r.errors.empty())) return;
    std::string line = r.account + ": ";
    if (r.fetched > 0) {
        line += plural(r.fetched, "message") + " (" + text::human_size(r.bytes) + ") fetched";
    } else if (r.marked_seen > 0) {
        line += plural(r.marked_seen, "message") + " already on the server recorded as seen (scope new)";
    } else {
        line += "no new mail";
    }
    if (r.fetched > 0 && r.marked_seen > 0) line += ", " + std::to_string(r.marked_seen) + " recorded as seen";
    if (r.deleted > 0) line += ", " + std::to_string(r.deleted) + " deleted on the server";
    else if (!keep && r.fetched > 0) line += ", none deleted on the server";
    if (r.recovered > 0) line += " (" + plural(r.recovered, "delivery") + " of an interrupted run completed)";
    if (!r.errors.empty()) line += ", " + plural(r.errors.size(), "error");
    std::string rest = leftovers(r, limit);
    if (!rest.empty()) line += "; " + rest;
    out.line(line);
}

int fetch_account(Context& ctx, const std::string& name, const FetchOptions& o, bool label_errors, json& results) {
    Printer& out = ctx.out();
    profile::Profile& profile = ctx.profile();
    profile::Account account = profile::resolve_account(profile, name);
    if (!account.pop.configured())
        throw Error(ErrorKind::Config, "account '" + name + "' has no POP3 server",
                    "set one: zmail settings set " + name + " pop.host HOST");

    fetch::Request request;
    request.account = name;
    request.host = account.pop.host;
    request.user = account.user;
    request.state_dir = account.state_dir;
    request.policy.keep = o.keep ? true : o.remove ? false : account.fetch.keep;
    request.policy.scope_new = (o.scope.empty() ? account.fetch.scope : o.scope) == "new";
    request.policy.max_size = o.max_size.empty() ? static_cast<std::uint64_t>(std::max(0LL, account.fetch.max_size))
                                                 : parse_size(o.max_size);
    const long long limit = o.limit >= 0 ? o.limit : account.fetch.limit;
    request.policy.limit = static_cast<std::uint64_t>(std::max(0LL, limit));
    request.delivery = o.deliver.empty() ? fetch::parse_delivery(account.fetch.delivery, "fetch.delivery")
                                         : fetch::parse_delivery(o.deliver, "--deliver");
    request.target.maildir_root = account.maildir;
    request.target.layout = account.sync.layout;
    request.dry_run = o.dry_run;
    request.lock_wait_seconds = o.wait;
    if (account.state_dir.empty())
        throw Error(ErrorKind::Config, "account '" + name + "' has no state directory", "set state_dir");

    if (!request.policy.keep && (out.stderr_is_tty() || out.verbose() > 0)) {
        profile::Account effective = account;
        effective.fetch.keep = false;
        for (const std::string& warning : profile::policy_warnings(effective))
            if (warning.rfind("fetch.keep", 0) == 0) out.warning(warning);
    }

    ProgressDisplay display(out, name, out.verbose() >= 2);
    fetch::Connect connect = [&]() -> std::unique_ptr<net::Stream> {
        net::ServerOptions options = net::account_server_options(profile, account, net::Protocol::pop3);
        auto logged_in = std::make_shared<bool>(false);
        if (out.verbose() >= 2)  // the login here, the session's own trace afterwards
            options.trace = [&out, logged_in](std::string_view line) {
                if (!*logged_in) out.trace(line);
            };
        options.warning = [&out](std::string_view line) { out.warning(line); };
        auto connection = std::make_unique<net::Connection>(std::move(options));
        *logged_in = true;
        return connection;
    };
    fetch::Result result = fetch::run(request, connect, display);
    display.clear();

    // diagnostics go to stderr with and without --json
    auto report = [&](const Error& e) {
        if (!label_errors) return out.error(e);
        out.error(Error(e.kind, name + ": " + e.what(), e.hint, e.server_reply));
    };
    for (const Error& e : result.errors) report(e);
    if (result.fatal) report(*result.fatal);
    if (out.json()) {
        results.push_back(result_json(result, request.policy.keep));
        return result.exit_code();
    }
    if (result.fatal) return result.exit_code();
    if (result.dry_run)
        print_dry_run(out, result, request.policy.keep);
    else
        print_summary(out, result, request.policy.keep, limit);
    return result.exit_code();
}

}  // namespace

Runner define_fetch(CLI::App& app) {
    auto o = std::make_shared<FetchOptions>();
    app.add_option("account", o->accounts, "accounts to fetch (default: -a, else the default account)");
    app.add_flag("--all", o->all, "every account with a POP3 server");
    auto* keep = app.add_flag("--keep", o->keep, "leave the messages on the server (overrides fetch.keep)");
    auto* remove = app.add_flag("--delete", o->remove,
                                "delete each message on the server once it is delivered (overrides fetch.keep)");
    keep->excludes(remove);
    app.add_option("--scope", o->scope, "all: everything not fetched before; new: on the first run, record what "
                                        "is there as seen without fetching it")
        ->check(CLI::IsMember({"all", "new"}));
    app.add_option("--max-size", o->max_size, "leave messages larger than this on the server (bytes, or 10M)");
    app.add_option("--limit", o->limit, "fetch at most N messages this run (0: no limit)")->check(CLI::NonNegativeNumber);
    app.add_option("--deliver", o->deliver, "maildir, maildir:FOLDER, mbox:PATH or mda:COMMAND");
    app.add_option("--wait", o->wait, "wait up to SECONDS for another fetch of the account, or an mbox lock (default 0)")
        ->check(CLI::Range(0, 86400));
    app.add_flag("--dry-run", o->dry_run, "list what would be fetched and deleted; change nothing");

    return [o](Context& ctx) -> int {
        if (o->all && !o->accounts.empty())
            throw Error(ErrorKind::Usage, "give account names or --all, not both");
        if (!o->max_size.empty()) parse_size(o->max_size);  // a usage error before anything runs
        if (!o->deliver.empty()) fetch::parse_delivery(o->deliver, "--deliver");
        std::vector<std::string> names = ctx.select_accounts(
            o->accounts, o->all, [](const profile::Account& a) { return a.pop.configured(); });
        json results = json::array();
        int code = 0;
        for (const std::string& name : names) {
            int account_code = 0;
            try {
                account_code = fetch_account(ctx, name, *o, names.size() > 1, results);
            } catch (const Error& e) {
                if (!ctx.out().json() && names.size() == 1) throw;  // main reports it
                if (names.size() > 1)
                    ctx.out().error(Error(e.kind, name + ": " + e.what(), e.hint, e.server_reply));
                else
                    ctx.out().error(e);
                if (ctx.out().json())
                    results.push_back({{"account", name}, {"fetched", 0}, {"bytes", 0}, {"skipped", 0},
                                       {"deleted", 0}, {"left_on_server", 0}, {"dry_run", o->dry_run},
                                       {"errors", json::array({error_json(e, true)})},
                                       {"exit_code", exit_code(e.kind)}});
                account_code = exit_code(e.kind);
            }
            if (code == 0) code = account_code;
        }
        if (ctx.out().json()) ctx.out().json_value(results);
        return code;
    };
}

}  // namespace zmail::cli
