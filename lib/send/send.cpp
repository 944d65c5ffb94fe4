#include "send/send.hpp"

#include <memory>

#include "i18n.hpp"
#include "net/account_options.hpp"
#include "util/lock_file.hpp"

namespace zmail::send {

namespace {

/// The account's stored send.sent_folder (not the preset's): it wins over special-use \Sent.
std::string explicit_sent_folder(const profile::Profile& profile, const profile::Account& account) {
    const auto stored = profile.stored(account.name, "send.sent_folder");
    return stored && stored->is_string() ? stored->get<std::string>() : std::string();
}

QueuedEnvelope queued_envelope(const Outgoing& message, std::optional<bool> save_sent,
                               const std::vector<std::string>& recipients) {
    QueuedEnvelope e;
    e.mail_from = message.envelope.mail_from;
    e.recipients = recipients;
    e.message_id = message.message_id;
    e.date = message.date;
    e.date_offset_minutes = message.date_offset_minutes;
    e.save_sent = save_sent;
    e.queued_at = std::time(nullptr);
    return e;
}

std::vector<std::string> temporarily_refused(const std::vector<smtp::RefusedRecipient>& refused) {
    std::vector<std::string> out;
    for (const auto& r : refused)
        if (r.temporary) out.push_back(r.address);
    return out;
}

void warn(const net::LineSink& sink, const std::string& text) {
    if (sink) sink(text);
}

}  // namespace

bool queueable(const Error& error) {
    return error.kind == ErrorKind::Temporary || error.kind == ErrorKind::Network;
}

std::string queue_directory(const profile::Account& account) { return account.state_dir + "/queue"; }

net::ServerOptions smtp_options(const profile::Profile& profile, const profile::Account& account,
                                const net::LineSink& trace, const net::LineSink& warning) {
    net::ServerOptions options = net::account_server_options(profile, account, net::Protocol::smtp);
    options.trace = trace;
    options.warning = warning;
    return options;
}

int SendReport::exit_code() const {
    if (uncertain) return exit_codes::tempfail;
    for (const auto& r : refused)
        if (!r.temporary) return exit_codes::data;
    if (!temporarily_refused(refused).empty() && !queued) return exit_codes::tempfail;
    if (!sent && !queued) return exit_codes::tempfail;
    return exit_codes::ok;
}

SendReport send_now(const profile::Profile& profile, const profile::Account& account, const Outgoing& message,
                    const SendOptions& options) {
    SendReport report;
    report.account = account.name;
    report.message_id = message.message_id;
    std::string reason;
    const bool wanted = sent_copy_wanted(account, options.save_sent, reason);
    Queue queue(queue_directory(account));

    smtp::Session session(smtp_options(profile, account, options.trace, options.warning));
    try {
        smtp::Submission submission = session.submit(message.envelope, wire_form(message.message));
        report.sent = true;
        report.accepted = std::move(submission.accepted);
        report.refused = std::move(submission.refused);
    } catch (const smtp::SubmitError& caught) {
        smtp::SubmitError e = caught;
        if (e.kind == ErrorKind::Network) e.kind = ErrorKind::Temporary;  // sendmail callers retry on 75
        if (e.delivery == smtp::Delivery::Uncertain) {
            if (!options.queue) throw e;
            report.uncertain = true;
            report.error = e;
            report.queue_id = queue.add(message.message,
                                        queued_envelope(message, options.save_sent, message.envelope.recipients),
                                        QueueState::Sending);
            report.queued = true;
            report.queued_recipients = message.envelope.recipients;
            return report;
        }
        if (!options.queue || !queueable(e)) throw e;
        report.error = e;
        report.queue_id =
            queue.add(message.message, queued_envelope(message, options.save_sent, message.envelope.recipients));
        report.queued = true;
        report.queued_recipients = message.envelope.recipients;
        return report;
    }

    const auto later = temporarily_refused(report.refused);
    if (options.queue && !later.empty()) {
        report.queue_id = queue.add(message.message, queued_envelope(message, options.save_sent, later));
        report.queued = true;
        report.queued_recipients = later;
    }
    if (!wanted) {
        report.sent_copy.reason = reason;
        return report;
    }
    SentFolder folder(profile, account, explicit_sent_folder(profile, account), options.trace);
    report.sent_copy = folder.save(message.message, message.message_id, message.date, message.date_offset_minutes);
    return report;
}

std::size_t FlushReport::sent() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.sent_now ? 1 : 0;
    return n;
}

std::size_t FlushReport::remaining() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.state == QueueState::Pending ? 1 : 0;
    return n;
}

std::size_t FlushReport::uncertain() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.state == QueueState::Sending ? 1 : 0;
    return n;
}

std::size_t FlushReport::failed() const {
    std::size_t n = 0;
    for (const auto& m : messages) n += m.state == QueueState::Failed ? 1 : 0;
    return n;
}

int FlushReport::exit_code() const {
    if (stopped && !queueable(*stopped)) return zmail::exit_code(stopped->kind);
    for (const auto& m : messages)
        if (m.state == QueueState::Failed && m.error) return exit_codes::data;  // refused in this flush
    for (const auto& m : messages)
        if (m.sent_now)
            for (const auto& r : m.refused)
                if (!r.temporary) return exit_codes::data;
    if (remaining() > 0 || uncertain() > 0 || stopped) return exit_codes::tempfail;
    return exit_codes::ok;
}

namespace {

/// Sends one pending entry; updates the queue and `m`. Returns false when the flush must stop.
bool flush_one(Queue& queue, smtp::Session& session, const QueueEntry& entry, FlushedMessage& m,
               std::optional<Error>& stopped) {
    const std::string message = queue.read_message(entry.id);
    bool handed_over = false;
    try {
        smtp::Submission s = session.submit({entry.envelope.mail_from, entry.envelope.recipients}, wire_form(message),
                                      [&] {
                                          queue.mark_sending(entry.id);
                                          handed_over = true;
                                      });
        const auto later = temporarily_refused(s.refused);
        if (!later.empty()) {  // the others have it: only these get it later
            QueuedEnvelope rest = entry.envelope;
            rest.recipients = later;
            rest.attempts = 0;
            rest.last_error.clear();
            queue.add(message, rest);
        }
        queue.mark_sent(entry.id);
        m.state = QueueState::Sent;
        m.sent_now = true;
        m.accepted = std::move(s.accepted);
        m.refused = std::move(s.refused);
        return true;
    } catch (const smtp::SubmitError& e) {
        m.error = e;
        m.refused = e.refused;
        if (e.delivery == smtp::Delivery::Uncertain) {
            m.state = QueueState::Sending;
            stopped = e;
            return false;
        }
        if (handed_over) queue.mark_pending(entry.id);  // refused after the end of data: not sent
        if (queueable(e)) {
            queue.record_attempt(entry.id, e.what());
            m.state = QueueState::Pending;
            if (e.before_login || e.kind == ErrorKind::Network) {
                stopped = e;
                return false;
            }
            return true;
        }
        if (e.kind == ErrorKind::Data && !e.before_login) {
            const std::string reply = e.server_reply.empty() ? "" : " (" + e.server_reply + ")";
            queue.mark_failed(entry.id, std::string(e.what()) + reply);
            m.state = QueueState::Failed;
            return true;
        }
        m.state = QueueState::Pending;  // login, TLS, configuration: nothing can go out
        stopped = e;
        return false;
    }
}

}  // namespace

FlushReport flush_queue(const profile::Profile& profile, const profile::Account& account,
                        const FlushOptions& options) {
    FlushReport report;
    report.account = account.name;
    Queue queue(queue_directory(account));
    std::vector<QueueEntry> entries = queue.entries();
    if (entries.empty()) return report;
    std::optional<util::LockFile> lock;
    try {
        lock.emplace(queue.lock_path(), "zmail send --flush", options.lock_wait_seconds);
    } catch (const Error& e) {
        if (e.kind != ErrorKind::Temporary) throw;
        throw Error(ErrorKind::Temporary, tr("the queue of account '{}' is being sent: {}", account.name, e.what()),
                    tr("another 'zmail send --flush' is at work; the messages it leaves are sent next time"));
    }
    queue.remove_leftovers();
    entries = queue.entries();  // again, now that no other flush changes them

    std::unique_ptr<smtp::Session> session;
    std::vector<std::size_t> finished;  // indexes into report.messages of accepted entries
    for (const auto& entry : entries) {
        FlushedMessage m;
        m.id = entry.id;
        m.message_id = entry.envelope.message_id;
        m.state = entry.state;
        bool send = entry.state == QueueState::Pending;
        if (entry.state == QueueState::Sending && options.drop_uncertain) {
            queue.mark_sent(entry.id);  // the user saw it arrive: finish it as sent (Sent copy, removal)
            m.state = QueueState::Sent;
            m.dropped = true;
        }
        if (entry.state == QueueState::Sending && options.resend_uncertain && !report.stopped) {
            queue.mark_pending(entry.id);
            m.state = QueueState::Pending;
            send = true;
        }
        if (!entry.has_message && entry.state != QueueState::Sent) {
            m.error = Error(ErrorKind::Data, tr("queue entry '{}' has lost its message file", entry.id));
            send = false;
        }
        if (send && !report.stopped) {
            try {
                if (!session)
                    session = std::make_unique<smtp::Session>(smtp_options(profile, account, options.trace,
                                                                         options.warning));
                flush_one(queue, *session, entry, m, report.stopped);
            } catch (const Error& e) {  // the session could not be set up, or a queue file failed
                m.error = e;
                report.stopped = e;
            }
        }
        report.messages.push_back(std::move(m));
        if (report.messages.back().state == QueueState::Sent) finished.push_back(report.messages.size() - 1);
    }
    report.connections = session ? session->connections() : 0;
    session.reset();  // QUIT before the IMAP work

    std::unique_ptr<SentFolder> folder;
    for (std::size_t index : finished) {
        FlushedMessage& m = report.messages[index];
        const QueueEntry& entry = entries[index];
        std::string reason;
        if (sent_copy_wanted(account, entry.envelope.save_sent, reason) && entry.has_message) {
            if (!folder)
                folder = std::make_unique<SentFolder>(profile, account, explicit_sent_folder(profile, account),
                                                      options.trace);
            m.sent_copy = folder->save(queue.read_message(entry.id), entry.envelope.message_id, entry.envelope.date,
                                       entry.envelope.date_offset_minutes);
            if (m.sent_copy.outcome == SentCopyResult::Outcome::Failed && m.sent_copy.error)
                warn(options.warning, tr("message {} was sent, but its Sent copy failed: {}", m.message_id,
                                         m.sent_copy.error->what()));
        } else {
            m.sent_copy.reason = reason;
        }
        queue.remove(entry.id);
    }
    return report;
}

}  // namespace zmail::send
