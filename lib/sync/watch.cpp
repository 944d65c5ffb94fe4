// zmail sync --watch: sync, wait for a change on the server, sync again. With NOTIFY one
// connection hears every folder; without it the main connection IDLEs in INBOX and up to
// sync.jobs - 1 more connections IDLE in the folders that get mail most, each waking the loop.
#include "sync/runner.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "error.hpp"
#include "imap/session_idle.hpp"
#include "sync/connect.hpp"
#include "text/ascii.hpp"
#include "util/atomic_file.hpp"
#include "util/lock_file.hpp"

namespace zmail::sync {
namespace {

// RFC 2177: a client re-issues IDLE at least every 29 minutes, before the server logs it out.
constexpr std::chrono::seconds max_idle{25 * 60};

/// Connections that IDLE in one folder each and raise a flag when it changes. Each keeps itself
/// connected (reconnecting after 5, 10, 20 ... seconds, up to 5 minutes); destroying the set ends
/// every wait within about a second and logs out.
class FolderWatchers {
public:
    using Opener = std::function<Connected()>;
    FolderWatchers(Opener open, std::vector<std::string> folders) : open_(std::move(open)), folders_(std::move(folders)) {
        for (const auto& folder : folders_) threads_.emplace_back([this, folder] { watch(folder); });
    }
    ~FolderWatchers() {
        stop_ = true;
        for (auto& t : threads_) t.join();
    }
    FolderWatchers(const FolderWatchers&) = delete;
    FolderWatchers& operator=(const FolderWatchers&) = delete;

    const std::vector<std::string>& folders() const { return folders_; }
    /// A watched folder changed since take() was last called.
    bool changed() const { return changed_; }
    /// Clears the flag (before a sync: what changes during it raises the flag again).
    void take() { changed_ = false; }

private:
    void watch(const std::string& folder) {
        std::optional<Connected> c;
        int failures = 0;
        while (!stop_) {
            try {
                if (!c) {
                    c = open_();
                    c->stores.far->select(folder);
                    // what arrived before this IDLE (since the last sync, or while disconnected)
                    // would wait for the interval: one sync more now, cheap when nothing changed
                    changed_ = true;
                }
                failures = 0;
                imap::Session& session = **c->session;
                if (imap::idle(session, max_idle, {}, [this] { return stop_.load(); }) == imap::IdleEnd::Stopped)
                    changed_ = true;
                session.take_updates();  // what it heard is only a wake-up: memory stays flat for days
            } catch (const Error&) {
                // a lost connection, a folder deleted meanwhile, a server out of connections: the
                // syncs every interval still cover the folder; try again later
                c.reset();
                const auto backoff = std::min<std::chrono::seconds>(std::chrono::seconds(5 << std::min(failures++, 6)),
                                                                    std::chrono::seconds(300));
                for (auto waited = std::chrono::seconds(0); waited < backoff && !stop_; waited += std::chrono::seconds(1))
                    std::this_thread::sleep_for(std::chrono::seconds(1));
            }
        }
    }

    Opener open_;
    std::vector<std::string> folders_;
    std::atomic<bool> stop_{false}, changed_{false};
    std::vector<std::thread> threads_;
};

/// The folders to watch besides INBOX: those that got mail from the server in most runs of this
/// watch first, then in sync order; at most `count`.
std::vector<std::string> folders_to_watch(const AccountReport& report, const std::map<std::string, int>& arrivals,
                                          std::size_t count) {
    std::vector<std::string> folders;
    for (const auto& f : report.folders)
        if (!text::equals_ignore_case(f.folder, "INBOX") && !f.error) folders.push_back(f.folder);
    auto busy = [&](const std::string& f) {
        const auto it = arrivals.find(f);
        return it == arrivals.end() ? 0 : it->second;
    };
    std::stable_sort(folders.begin(), folders.end(),
                     [&](const std::string& a, const std::string& b) { return busy(a) > busy(b); });
    if (folders.size() > count) folders.resize(count);
    return folders;
}

/// Waits for a change on the server, up to `interval`: with NOTIFY (RFC 5465) in every folder of
/// the account over this one connection, else with IDLE in INBOX, ended early when one of the
/// `watchers` sees a change. False when the server offers neither (the caller sleeps instead).
/// Throws the session's errors.
bool wait_for_change(Connected& c, std::chrono::seconds interval, bool& notify_set, const FolderWatchers* watchers) {
    imap::Session& session = *c.session->session;
    if (session.capabilities().has("NOTIFY") && session.capabilities().has("IDLE")) {
        if (!notify_set) {
            const auto result = session.run([](const std::string& tag) { return imap::command::notify_set(tag); });
            notify_set = result.ok();
        }
        if (notify_set) {
            imap::idle(session, interval, [](const imap::Response& r) {
                return r.get<imap::MailboxStatusData>() || r.get<imap::ExistsData>() || r.get<imap::ExpungeData>() ||
                       r.get<imap::FetchData>() || r.get<imap::ListData>() || r.get<imap::VanishedData>();
            });
            return true;
        }
    }
    if (!session.capabilities().has("IDLE")) return false;
    c.stores.far->select("INBOX");
    if (watchers)
        imap::idle(session, interval, {}, [watchers] { return watchers->changed(); });
    else
        imap::idle(session, interval);
    return true;
}

/// Whether this connection's server needs watchers: IDLE without NOTIFY.
bool needs_watchers(const Connected& c) {
    const auto& caps = c.session->session->capabilities();
    return caps.has("IDLE") && !caps.has("NOTIFY");
}

}  // namespace

void watch_account(const profile::Profile& profile, const profile::Account& account, const RunRequest& request,
                   std::chrono::seconds interval, const std::function<bool(const AccountReport&)>& after_run) {
    check_account(account);
    util::make_directories(account.state_dir);
    util::LockFile lock(account.state_dir + "/sync.lock", "zmail sync --watch " + account.name,
                        request.lock_wait_seconds);
    prepare_maildir(account, request);
    AccountOptions options = account_options(account, request);
    std::string state = sync_state_directory(account);
    std::optional<Connected> c = connect(profile, account, request);  // the first failure is thrown
    bool notify_set = false;
    int failures = 0;                     // runs in a row that could not reach the server
    std::map<std::string, int> arrivals;  // folder -> runs that brought mail from the server
    std::unique_ptr<FolderWatchers> watchers;
    const std::size_t watched = request.jobs > 1 ? static_cast<std::size_t>(request.jobs - 1) : 0;
    while (true) {
        AccountReport report;
        if (watchers) watchers->take();
        try {
            if (!c) {
                c = connect(profile, account, request);
                notify_set = false;
            }
            report = sync_account(*c->stores.far, *c->stores.near, state, options, request.progress);
        } catch (const Error& e) {
            report.error = e;
        }
        if (report.error && (report.error->kind == ErrorKind::Network || report.error->kind == ErrorKind::Temporary ||
                             (c && !c->stores.far->usable())))
            c.reset();
        failures = c ? 0 : failures + 1;
        if (!after_run(report)) return;
        if (!c) {
            // a dropped network, a server restart, a laptop waking up: 5 s, 10 s, 20 s ... up to the interval
            const auto backoff = std::chrono::seconds(5) * (1 << std::min(failures - 1, 10));
            std::this_thread::sleep_for(std::min<std::chrono::seconds>(backoff, interval));
            continue;
        }
        if (watched > 0 && needs_watchers(*c) && !report.folders.empty()) {
            for (const auto& f : report.folders)
                if (f.added[Near] > 0) ++arrivals[f.folder];
            auto folders = folders_to_watch(report, arrivals, watched);
            if (!watchers || watchers->folders() != folders) {
                watchers.reset();
                if (!folders.empty())
                    watchers = std::make_unique<FolderWatchers>([&] { return connect(profile, account, request); },
                                                                std::move(folders));
            }
        }
        try {
            if (wait_for_change(*c, interval, notify_set, watchers.get())) continue;
        } catch (const Error&) {
            c.reset();  // a BYE or a cut while waiting: reconnect and sync at once
            continue;
        }
        std::this_thread::sleep_for(interval);
    }
}

}  // namespace zmail::sync
