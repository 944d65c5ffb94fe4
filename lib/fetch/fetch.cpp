#include "fetch/fetch.hpp"

#include "fetch/uidl_state.hpp"
#include "i18n.hpp"
#include "pop3/session.hpp"
#include "util/lock_file.hpp"

#include <future>
#include <unordered_map>
#include <unordered_set>

namespace zmail::fetch {

int Result::exit_code() const {
    if (fatal) return zmail::exit_code(fatal->kind);
    if (!errors.empty()) return zmail::exit_code(errors.front().kind);
    return 0;
}

namespace {

/// One run. It is the Ledger the delivery target reports to.
class Engine final : public Ledger {
public:
    Engine(const Request& request, const Connect& connect, Observer& observer, Result& result)
        : request_(request), connect_(connect), observer_(observer), result_(result),
          state_(uidl_state_path(request.state_dir, request.host, request.user)) {}

    void run() {
        util::LockFile lock(request_.state_dir + "/fetch.lock", "zmail fetch " + request_.account,
                            request_.lock_wait_seconds);
        const std::unique_ptr<net::Stream> stream = connect_and_load_state();
        settle_pending();

        pop3::SessionOptions options;
        options.pipeline_window = request_.pipeline_window;
        if (observer_.tracing()) options.trace = [this](std::string_view line) { observer_.trace(line); };
        pop3::Session session(*stream, options);
        // CAPA only matters for pipelining RETR and DELE: a run with nothing to do skips it
        const pop3::UidlListing listing = list_uidls(session);
        const Plan& plan = make_run_plan(session, listing);
        if (request_.dry_run) {
            quit(session);  // nothing was marked: QUIT changes nothing
            return;
        }
        if (plan.first_run_scope_new) record_first_run_snapshot(plan);
        if (!plan.download.empty()) download(session, plan);
        state_.sync();

        const std::unordered_set<std::string> deleted_uidls = delete_delivered(session, listing);
        quit(session);
        result_.deleted = deleted_uidls.size();
        result_.left_on_server = plan.on_server - result_.deleted;
        forget_gone(listing, deleted_uidls);
    }

    // Ledger
    void pending(const std::string& uidl, const std::string& detail) override { state_.record_pending(uidl, detail); }
    void sync() override { state_.sync(); }
    void delivered(const std::string& uidl) override {
        const auto listed = listed_size_.find(uidl);
        state_.record_delivered(uidl, listed == listed_size_.end() ? 0 : listed->second);
        ++result_.fetched;
        auto size = batch_sizes_.find(uidl);
        if (size != batch_sizes_.end()) {
            result_.bytes += size->second;
            batch_sizes_.erase(size);
        }
    }
    void failed(const std::string& uidl, const Error& error) override {
        batch_sizes_.erase(uidl);
        result_.errors.push_back(error);
    }

private:
    /// Receives one message from the session and hands it to the engine when complete.
    class Sink final : public pop3::MessageSink {
    public:
        Sink(Engine& engine, std::unique_ptr<IncomingMessage> message)
            : engine_(engine), message_(std::move(message)) {}
        void write(std::string_view chunk) override {
            message_->write(chunk);
            engine_.progress_.bytes_done += chunk.size();
            engine_.observer_.progress(engine_.progress_);
        }
        void complete(std::uint64_t) override {
            message_->finish();
            engine_.completed(std::move(message_));
        }

    private:
        Engine& engine_;
        std::unique_ptr<IncomingMessage> message_;
    };

    /// Connects while the state (thousands of records) loads on another thread.
    std::unique_ptr<net::Stream> connect_and_load_state() {
        std::future<void> loading = std::async(std::launch::async, [this] { state_.load(); });
        std::unique_ptr<net::Stream> stream;
        try {
            stream = connect_();
        } catch (...) {
            loading.wait();
            throw;
        }
        loading.get();  // a bad state file is reported as before
        return stream;
    }

    /// LIST when needed, the plan, and its counts in the result; tells the observer.
    const Plan& make_run_plan(pop3::Session& session, const pop3::UidlListing& listing) {
        const std::vector<pop3::ListEntry> sizes = list_sizes(session, listing);
        check_reused_uidls(listing, sizes);
        result_.plan = make_plan(listing, sizes, state_, request_.policy, request_.host);
        const Plan& plan = *result_.plan;
        for (const auto* messages : {&plan.download, &plan.mark_seen})
            for (const ServerMessage& m : *messages) listed_size_[m.uidl] = m.size;
        result_.on_server = plan.on_server;
        result_.left_on_server = plan.on_server;
        result_.too_large = plan.too_large.size();
        result_.deferred = plan.deferred.size();
        observer_.planned(plan);
        return plan;
    }

    /// The snapshot is written even when the maildrop is empty: its existence is what makes
    /// the next run fetch what arrives from now on.
    void record_first_run_snapshot(const Plan& plan) {
        for (const ServerMessage& message : plan.mark_seen) state_.record_seen(message.uidl, message.size);
        state_.compact([](const std::string&, const UidlEntry&) { return UidlState::Keep::listed; });
        result_.marked_seen = plan.mark_seen.size();
    }

    /// DELE of every delivered message unless the policy keeps them; returns the UIDLs the
    /// server accepted to delete (refusals go to the result's errors).
    std::unordered_set<std::string> delete_delivered(pop3::Session& session, const pop3::UidlListing& listing) {
        std::unordered_set<std::string> deleted_uidls;
        if (request_.policy.keep) return deleted_uidls;
        std::vector<std::uint32_t> deleting;
        for (const pop3::UidlEntry& entry : listing.entries) {
            if (state_.is_delivered(entry.uid)) {
                deleting.push_back(entry.number);
                deleted_uidls.insert(entry.uid);
            }
        }
        if (!deleting.empty() && !capabilities_known_) learn_capabilities(session);
        for (const pop3::CommandFailure& failure : session.dele_many(deleting)) {
            const std::string uidl = uidl_of(listing, failure.number);
            deleted_uidls.erase(uidl);
            // TRANSLATORS: the message's number, its UIDL, then the server
            result_.errors.push_back(pop3::error_from_reply(
                failure.reply, tr("cannot delete message {} ('{}') on '{}'", failure.number, uidl, request_.host)));
        }
        return deleted_uidls;
    }

    /// Forgets what is no longer on the server, then folds the journal into a new snapshot.
    void forget_gone(const pop3::UidlListing& listing, const std::unordered_set<std::string>& deleted_uidls) {
        if (!state_.changed() && !stale_records(listing, deleted_uidls)) return;
        std::unordered_set<std::string> remaining;
        remaining.reserve(listing.entries.size());
        for (const pop3::UidlEntry& entry : listing.entries)
            if (!deleted_uidls.count(entry.uid)) remaining.insert(entry.uid);
        try {
            state_.compact([&](const std::string& uidl, const UidlEntry& entry) {
                if (remaining.count(uidl)) return UidlState::Keep::listed;
                // deleted by us now, or missing from two listings in a row: gone
                return deleted_uidls.count(uidl) || entry.absent ? UidlState::Keep::drop : UidlState::Keep::absent;
            });
        } catch (const Error& error) {
            result_.errors.push_back(error);  // the journal stays valid; the next run compacts
        }
    }

    /// Settles deliveries a killed run left between "pending" and "delivered".
    void settle_pending() {
        const bool write = !request_.dry_run;
        const std::string spool_dir = target_settings().spool_dir;
        for (const auto& [uidl, detail] : state_.pending()) {
            if (pending_was_delivered(detail, write, request_.lock_wait_seconds, spool_dir)) {
                if (write)
                    state_.record_delivered(uidl);
                else
                    state_.mark_delivered(uidl);
                ++result_.recovered;
            } else {
                state_.forget(uidl);
            }
        }
        if (write) {
            state_.sync();
            remove_spool_leftovers(spool_dir);
        }
    }

    pop3::UidlListing list_uidls(pop3::Session& session) {
        try {
            return session.uidl();
        } catch (const Error& error) {
            const bool refused = error.server_reply.rfind("-ERR", 0) == 0 && error.kind == ErrorKind::Protocol;
            if (!refused) throw;
            throw Error(ErrorKind::Unavailable,
                        tr("server '{}' does not support UIDL, so zmail cannot tell which messages it fetched before",
                           request_.host),
                        tr("nothing was fetched or deleted; without UIDL every run would fetch everything again or "
                           "delete mail blindly; read this mailbox over IMAP, or use a server that offers UIDL"),
                        error.server_reply);
        }
    }

    /// LIST, unless no message can be new (then the sizes are not needed and a run with nothing
    /// to do saves a command and the server's work).
    std::vector<pop3::ListEntry> list_sizes(pop3::Session& session, const pop3::UidlListing& listing) {
        const bool first_scope_new = request_.policy.scope_new && !state_.existed();
        bool candidates = first_scope_new;
        for (const pop3::UidlEntry& entry : listing.entries) {
            if (candidates) break;
            candidates = !state_.is_delivered(entry.uid) && !(request_.policy.scope_new && state_.is_seen(entry.uid));
        }
        // a UIDL back after a listing without it may be an old id given to another message:
        // its size tells
        for (const pop3::UidlEntry& entry : listing.entries) {
            if (candidates) break;
            const UidlEntry* known = state_.find(entry.uid);
            candidates = known && known->absent && known->size;
        }
        if (candidates) return session.list();
        std::vector<pop3::ListEntry> unknown;
        unknown.reserve(listing.entries.size());
        for (const pop3::UidlEntry& entry : listing.entries) unknown.push_back({entry.number, 0});
        return unknown;
    }

    void download(pop3::Session& session, const Plan& plan) {
        target_ = make_target(request_.delivery, target_settings());
        std::vector<std::uint32_t> numbers;
        std::unordered_map<std::uint32_t, const ServerMessage*> by_number;
        numbers.reserve(plan.download.size());
        for (const ServerMessage& message : plan.download) {
            numbers.push_back(message.number);
            by_number.emplace(message.number, &message);
        }
        progress_.messages_total = plan.download.size();
        progress_.bytes_total = plan.download_bytes;
        observer_.progress(progress_);

        learn_capabilities(session);
        std::vector<pop3::CommandFailure> failures;
        try {
            failures = session.retr_many(numbers, [&](std::uint32_t number, const pop3::StatusLine&) {
                return std::make_unique<Sink>(*this, target_->open(by_number.at(number)->uidl));
            });
        } catch (const Error&) {
            // the connection failed: the messages that arrived complete are still delivered
            if (!commit_failed_ && !batch_.empty()) {
                try {
                    commit_batch();
                    state_.sync();
                } catch (const Error&) {
                    // the first error is the one to report; these stay undelivered
                }
            }
            throw;
        }
        commit_batch();
        for (const pop3::CommandFailure& failure : failures) {
            const ServerMessage& message = *by_number.at(failure.number);
            // TRANSLATORS: the message's number, its UIDL, then the server
            result_.errors.push_back(pop3::error_from_reply(
                failure.reply,
                tr("cannot retrieve message {} ('{}') from '{}'", failure.number, message.uidl, request_.host)));
        }
    }

    void completed(std::unique_ptr<IncomingMessage> message) {
        batch_bytes_ += message->size();
        batch_sizes_[message->uidl()] = message->size();
        batch_.push_back(std::move(message));
        ++progress_.messages_done;
        observer_.progress(progress_);
        if (batch_.size() >= request_.batch_messages || batch_bytes_ >= request_.batch_bytes) commit_batch();
    }

    void commit_batch() {
        if (batch_.empty()) return;
        try {
            target_->commit(batch_, *this);
        } catch (...) {
            commit_failed_ = true;
            batch_.clear();
            throw;
        }
        batch_bytes_ = 0;
    }

    /// Whether the state has records of messages no longer on the server (counted, not
    /// compared: a run with nothing to do stays cheap with thousands of messages).
    bool stale_records(const pop3::UidlListing& listing, const std::unordered_set<std::string>& deleted) const {
        if (!listing.duplicate_uids.empty() || !deleted.empty()) return true;  // rare: compare the slow way
        std::size_t known = 0, back = 0;  // back: marked absent last time, listed again now
        for (const pop3::UidlEntry& entry : listing.entries) {
            const UidlEntry* record = state_.find(entry.uid);
            known += record ? 1 : 0;
            back += record && record->absent ? 1 : 0;
        }
        return known < state_.size() || back > 0;
    }

    /// A server that gives a UIDL zmail recorded to a message of another size reuses unique ids
    /// (a migration, a failover to a copy): the new message would never be fetched. Refused.
    void check_reused_uidls(const pop3::UidlListing& listing, const std::vector<pop3::ListEntry>& sizes) const {
        std::unordered_map<std::uint32_t, std::uint64_t> size_of;
        for (const pop3::ListEntry& entry : sizes)
            if (entry.size) size_of[entry.number] = entry.size;
        for (const pop3::UidlEntry& entry : listing.entries) {
            const UidlEntry* known = state_.find(entry.uid);
            const auto listed = size_of.find(entry.number);
            if (!known || !known->size || listed == size_of.end() || listed->second == known->size) continue;
            // TRANSLATORS: the server, a message number, its UIDL, its size now, then the size zmail recorded
            throw Error(ErrorKind::Protocol,
                        tr("server '{}' lists message {} as '{}' with {} bytes, but the message zmail recorded under "
                           "that UIDL had {}: the server gives old unique ids to other messages",
                           request_.host, entry.number, entry.uid, listed->second, known->size),
                        tr("nothing was fetched or deleted; zmail stops rather than skip a message it never fetched. "
                           "If the mailbox was moved to a new server, move the state file '{}' away: the next run "
                           "then fetches every message on the server again",
                           state_.path()));
        }
    }

    /// CAPA, for PIPELINING and UTF8 (sent before the first RETR).
    void learn_capabilities(pop3::Session& session) {
        session.capa();
        session.enable_utf8();
        capabilities_known_ = true;
    }

    void quit(pop3::Session& session) {
        if (session.marked_deleted() > 0) {
            session.quit();  // commits the deletions; throws when they may not have been
            return;
        }
        try {
            session.leave();  // nothing to commit: the answer to QUIT changes nothing
        } catch (const Error&) {
            // a lost QUIT changes nothing either
        }
    }

    TargetSettings target_settings() const {
        TargetSettings settings = request_.target;
        settings.account = request_.account;
        if (settings.spool_dir.empty()) settings.spool_dir = request_.state_dir + "/fetch/spool";
        settings.lock_wait_seconds = request_.lock_wait_seconds;
        return settings;
    }

    static std::string uidl_of(const pop3::UidlListing& listing, std::uint32_t number) {
        for (const pop3::UidlEntry& entry : listing.entries)
            if (entry.number == number) return entry.uid;
        return "?";
    }

    const Request& request_;
    const Connect& connect_;
    Observer& observer_;
    Result& result_;
    UidlState state_;
    std::unique_ptr<Target> target_;
    std::vector<std::unique_ptr<IncomingMessage>> batch_;
    std::unordered_map<std::string, std::uint64_t> batch_sizes_;
    std::unordered_map<std::string, std::uint64_t> listed_size_;  // LIST sizes of this run's messages
    std::uint64_t batch_bytes_ = 0;
    bool commit_failed_ = false;
    bool capabilities_known_ = false;
    Progress progress_;
};

}  // namespace

Result run(const Request& request, const Connect& connect, Observer& observer) {
    Result result;
    result.account = request.account;
    result.dry_run = request.dry_run;
    result.max_size = request.policy.max_size;
    try {
        Engine engine(request, connect, observer, result);
        engine.run();
    } catch (const Error& error) {
        result.fatal = error;
    }
    return result;
}

}  // namespace zmail::fetch
