// `zmail send`: submit one message now (or queue it on a temporary failure), flush an account's
// queue over one connection, and make the Sent copy the account's policy asks for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"
#include "send/outgoing.hpp"
#include "send/queue.hpp"
#include "send/sent_copy.hpp"
#include "smtp/session.hpp"

namespace zmail::send {

/// A recipient the server refused (the SMTP session's type, named here for send's results).
using smtp::RefusedRecipient;

/// Options of one send.
struct SendOptions {
    bool queue = false;                 ///< --queue: keep the message on a temporary failure
    std::optional<bool> save_sent;      ///< --save-sent / --no-save-sent
    net::LineSink trace;                ///< protocol trace (secrets hidden)
    net::LineSink warning;
};

/// What became of one message.
struct SendReport {
    std::string account;
    std::string message_id;
    std::vector<std::string> accepted;       ///< recipients the server took
    std::vector<RefusedRecipient> refused;   ///< recipients it refused (the message went to the others)
    bool sent = false;                       ///< the server accepted it for at least one recipient
    bool queued = false;                     ///< kept in the queue (see queue_id)
    std::string queue_id;
    std::vector<std::string> queued_recipients;  ///< recipients the queued copy will go to
    bool uncertain = false;                  ///< the server may have it (no answer after the end of data)
    SentCopyResult sent_copy;
    std::optional<Error> error;              ///< the failure behind queued/uncertain
    /// 0, or 65 when recipients were refused for good, 75 for an uncertain or unqueued
    /// temporary refusal.
    int exit_code() const;
};

/// The queue directory of an account: STATE_DIR/queue.
std::string queue_directory(const profile::Account& account);

/// The SMTP options of the account (server, TLS, login) with the sinks of `options`.
net::ServerOptions smtp_options(const profile::Profile& profile, const profile::Account& account,
                                const net::LineSink& trace, const net::LineSink& warning);

/// Sends `message` now. On a temporary failure (network, 4xx, timeout) with options.queue the
/// message is queued and the report says so; an uncertain failure with options.queue keeps it
/// in the queue as uncertain (never resent automatically). Recipients refused temporarily
/// while others accepted it are queued on their own with options.queue. Then the Sent copy.
/// Throws zmail::Error for failures that were not queued (smtp::SubmitError from the server;
/// Config, Auth, Tls and Data problems are never queued).
SendReport send_now(const profile::Profile& profile, const profile::Account& account, const Outgoing& message,
                    const SendOptions& options);

/// Queues `message` without trying to send it.
SendReport queue_only(const profile::Account& account, const Outgoing& message, std::optional<bool> save_sent);

/// Options of a flush.
struct FlushOptions {
    bool resend_uncertain = false;  ///< also send entries whose earlier attempt may have gone out
    bool drop_uncertain = false;    ///< take those entries as sent instead (the user saw them arrive):
                                    ///< their Sent copy is made, then they are removed
    net::LineSink trace;
    net::LineSink warning;
    int lock_wait_seconds = 0;
};

/// One queue entry after a flush.
struct FlushedMessage {
    std::string id;
    std::string message_id;
    QueueState state = QueueState::Pending;  ///< after the flush (Sent entries are removed)
    std::vector<std::string> accepted;
    std::vector<RefusedRecipient> refused;
    std::optional<Error> error;
    SentCopyResult sent_copy;
    bool sent_now = false;                   ///< sent during this flush
    bool dropped = false;                    ///< an uncertain entry taken as sent (drop_uncertain)
};

/// What a flush did.
struct FlushReport {
    std::string account;
    std::vector<FlushedMessage> messages;  ///< every entry looked at, oldest first
    int connections = 0;                   ///< SMTP connections opened
    std::optional<Error> stopped;          ///< why the flush stopped before the end of the queue
    std::size_t sent() const;
    std::size_t remaining() const;         ///< pending entries left
    std::size_t uncertain() const;
    std::size_t failed() const;
    /// 0 when nothing is left to do; 75 when pending entries remain (temporary failures); the
    /// stop error's code for a configuration, login or TLS problem; 65 for refusals.
    int exit_code() const;
};

/// Sends the account's queue, oldest first, over one SMTP connection while it works; holds the
/// queue lock. Entries already accepted (state sent) are finished, not resent; uncertain ones
/// are reported and kept unless options.resend_uncertain. Throws Error{Temporary} when another
/// flush holds the lock, Error{Storage} for queue files that cannot be read or renamed.
FlushReport flush_queue(const profile::Profile& profile, const profile::Account& account,
                        const FlushOptions& options);

/// Whether an error of this kind is worth queueing (network, timeouts, 4xx).
bool queueable(const Error& error);

}  // namespace zmail::send
