// zmail fetch: POP3 download into a Maildir, an mbox or an MDA (lib/fetch does the work).
#include "context.hpp"
#include "progress_line.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"
#include "fetch/fetch.hpp"
#include "fetch/account.hpp"

#include <chrono>
#include <memory>

namespace zmail::cli {

namespace {

using nlohmann::json;

struct FetchOptions {
    bool keep = false, remove = false, dry_run = false;
    std::string scope, max_size, deliver;
    long long limit = -1;
    int wait = 0;
};

fetch::Overrides overrides(const FetchOptions& o) {
    fetch::Overrides v;
    if (o.keep) v.keep = true;
    if (o.remove) v.keep = false;
    v.scope = o.scope;
    if (!o.max_size.empty()) v.max_size = fetch::parse_size(o.max_size, "--max-size");
    if (o.limit >= 0) v.limit = static_cast<std::uint64_t>(o.limit);
    v.deliver = o.deliver;
    v.dry_run = o.dry_run;
    v.lock_wait_seconds = o.wait;
    return v;
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
        const std::string done = text::human_size(p.bytes_done), total = text::human_size(p.bytes_total);
        // TRANSLATORS: messages done/total, bytes done and total (e.g. "3/40 messages, 1.2 MB of 9.5 MB")
        std::string shown = rate > 0 ? tr("{}/{} messages, {} of {}, {}/s", p.messages_done, p.messages_total, done,
                                          total, text::human_size(rate))
                                     : tr("{}/{} messages, {} of {}", p.messages_done, p.messages_total, done, total);
        line_.show(account_ + ": " + shown, p.messages_done == p.messages_total);
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

json message_list(const std::vector<fetch::ServerMessage>& messages) {
    json list = json::array();
    for (const auto& m : messages) list.push_back({{"number", m.number}, {"uidl", m.uidl}, {"size", m.size}});
    return list;
}

json result_json(const fetch::Result& r, bool keep) {
    json errors = json::array();
    for (const Error& e : r.errors) errors.push_back(error_json(e));
    json j = {{"account", r.account}, {"fetched", r.fetched}, {"bytes", r.bytes}, {"skipped", r.too_large},
              {"deferred", r.deferred}, {"deleted", r.deleted}, {"left_on_server", r.left_on_server},
              {"on_server", r.on_server}, {"marked_seen", r.marked_seen}, {"recovered", r.recovered},
              {"dry_run", r.dry_run}, {"errors", errors}, {"error", error_json(r.fatal)},
              {"exit_code", r.exit_code()}};
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
std::string leftovers(const fetch::Result& r, std::uint64_t limit) {
    std::string out;
    const std::string size = text::human_size(r.max_size);
    if (r.too_large == 1) out += tr("left on server: {} message larger than {}", r.too_large, size);
    else if (r.too_large) out += tr("left on server: {} messages larger than {}", r.too_large, size);
    if (r.deferred) {
        if (!out.empty()) out += "; ";
        out += tr("{} more for the next run (limit {})", r.deferred, limit);
    }
    return out;
}

/// The dry run's first line after the account: what would be fetched and deleted.
std::string would_fetch(const fetch::Plan& plan, bool keep) {
    const std::size_t n = plan.download.size(), deleting = plan.delivered.size() + plan.download.size();
    const std::string size = text::human_size(plan.download_bytes);
    if (keep) return n == 1 ? tr("would fetch {} message ({})", n, size) : tr("would fetch {} messages ({})", n, size);
    return n == 1 ? tr("would fetch {} message ({}) and delete {} on the server", n, size, deleting)
                  : tr("would fetch {} messages ({}) and delete {} on the server", n, size, deleting);
}

void print_dry_run(Printer& out, const fetch::Result& r, bool keep) {
    const fetch::Plan& plan = *r.plan;
    std::string line = r.account + ": " + would_fetch(plan, keep);
    if (plan.mark_seen.size() == 1)
        line += "; " + tr("would record {} message as seen without fetching (scope new)", plan.mark_seen.size());
    else if (!plan.mark_seen.empty())
        line += "; " + tr("would record {} messages as seen without fetching (scope new)", plan.mark_seen.size());
    out.line(line);
    // the words fetch, delete and skip stay: a column of the listing
    for (const auto& m : plan.download)
        out.line("  fetch   " + std::to_string(m.number) + "  " + m.uidl + "  " + text::human_size(m.size));
    if (!keep)
        for (const auto& m : plan.delivered)
            out.line("  delete  " + std::to_string(m.number) + "  " + m.uidl + "  " + tr("(fetched before)"));
    for (const auto& m : plan.too_large)
        out.line("  skip    " + std::to_string(m.number) + "  " + m.uidl + "  " + text::human_size(m.size) + " " +
                 tr("(larger than {})", text::human_size(r.max_size)));
}

/// The summary's first clause: what was fetched or recorded.
std::string arrived_text(const fetch::Result& r) {
    const std::string size = text::human_size(r.bytes);
    if (r.fetched == 1) return tr("{} message ({}) fetched", r.fetched, size);
    if (r.fetched > 0) return tr("{} messages ({}) fetched", r.fetched, size);
    if (r.marked_seen == 1) return tr("{} message already on the server recorded as seen (scope new)", r.marked_seen);
    if (r.marked_seen > 0) return tr("{} messages already on the server recorded as seen (scope new)", r.marked_seen);
    return tr("no new mail");
}

void print_summary(Printer& out, const fetch::Result& r, bool keep, std::uint64_t limit) {
    const bool arrived = r.fetched > 0 || r.deleted > 0 || r.marked_seen > 0 || r.recovered > 0;
    if (out.quiet() || (!arrived && !out.stdout_is_tty() && r.errors.empty())) return;
    std::string line = r.account + ": " + arrived_text(r);
    if (r.fetched > 0 && r.marked_seen > 0) line += ", " + tr("{} recorded as seen", r.marked_seen);
    if (r.deleted > 0) line += ", " + tr("{} deleted on the server", r.deleted);
    else if (!keep && r.fetched > 0) line += ", " + tr("none deleted on the server");
    if (r.recovered == 1) line += " " + tr("({} delivery of an interrupted run completed)", r.recovered);
    else if (r.recovered > 0) line += " " + tr("({} deliveries of an interrupted run completed)", r.recovered);
    if (r.errors.size() == 1) line += ", " + tr("{} error", r.errors.size());
    else if (!r.errors.empty()) line += ", " + tr("{} errors", r.errors.size());
    std::string rest = leftovers(r, limit);
    if (!rest.empty()) line += "; " + rest;
    out.line(line);
}

Outcome fetch_one(Context& ctx, const profile::Account& account, const FetchOptions& o) {
    Printer& out = ctx.out();
    const fetch::Request request = fetch::make_request(account, overrides(o));
    if (!request.policy.keep && (out.stderr_is_tty() || out.verbose() > 0)) {
        profile::Account effective = account;
        effective.fetch.keep = false;
        for (const std::string& warning : profile::policy_warnings(effective))
            if (warning.find("fetch.keep") != std::string::npos) out.warning(warning);  // a translation moves it
    }
    ProgressDisplay display(out, account.name, out.verbose() >= 2);
    auto result = std::make_shared<fetch::Result>(fetch::fetch_account(
        ctx.profile(), account, request, [&out](std::string_view line) { out.warning(line); }, display));
    display.clear();

    const bool keep = request.policy.keep;
    const std::uint64_t limit = request.policy.limit;
    const bool several = ctx.accounts().size() > 1;
    Outcome outcome;
    outcome.exit_code = result->exit_code();
    outcome.data = result_json(*result, keep);
    outcome.diagnostics = [result, several](Printer& p) {  // on stderr with and without --json
        for (const Error& e : result->errors) p.error(several ? labelled(result->account, e) : e);
        if (result->fatal) p.error(several ? labelled(result->account, *result->fatal) : *result->fatal);
    };
    outcome.text = [result, keep, limit](Printer& p) {
        if (result->fatal) return;
        if (result->dry_run) print_dry_run(p, *result, keep);
        else print_summary(p, *result, keep, limit);
    };
    return outcome;
}

}  // namespace

Runner define_fetch(CLI::App& app) {
    auto o = std::make_shared<FetchOptions>();
    auto* keep = app.add_flag("--keep", o->keep, tr("leave the messages on the server (overrides fetch.keep)"));
    auto* remove = app.add_flag("--delete", o->remove,
                                tr("delete each message on the server once it is delivered (overrides fetch.keep)"));
    keep->excludes(remove);
    app.add_option("--scope", o->scope, tr("all: everything not fetched before; new: on the first run, record what "
                                           "is there as seen without fetching it"))
        ->check(CLI::IsMember({"all", "new"}));
    app.add_option("--max-size", o->max_size, tr("leave messages larger than this on the server (bytes, or 10M)"))
        ->check(usage_check([](const std::string& text) { fetch::parse_size(text, "--max-size"); }));
    app.add_option("--limit", o->limit, tr("fetch at most N messages this run (0: no limit)"))
        ->check(CLI::NonNegativeNumber);
    // TRANSLATORS: the forms of --deliver's value; FOLDER, PATH and COMMAND are placeholders
    app.add_option("--deliver", o->deliver, tr("maildir, maildir:FOLDER, mbox:PATH or mda:COMMAND"))
        ->check(usage_check([](const std::string& text) { fetch::parse_delivery(text, "--deliver"); }));
    app.add_option("--wait", o->wait,
                   tr("wait up to SECONDS for another fetch of the account, or an mbox lock (default 0)"))
        ->check(CLI::Range(0, 86400));
    app.add_flag("--dry-run", o->dry_run, tr("list what would be fetched and deleted; change nothing"));

    return [o](Context& ctx, const profile::Account* account) { return fetch_one(ctx, *account, *o); };
}

}  // namespace zmail::cli
