// Submitting messages over SMTP: libcurl connects, does TLS or STARTTLS and the pinned SASL
// login (net::Connection); the session pipelines MAIL FROM, RCPT TO and DATA itself and sends
// the message dot-stuffed. Partial recipient acceptance, the server's own words for every
// refusal, and one connection for many messages.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "net/server.hpp"
#include "smtp/dialogue.hpp"

namespace zmail::smtp {

/// Who a message goes from and to, in the form SMTP commands carry (ASCII domains, no brackets).
struct Envelope {
    std::string mail_from;
    std::vector<std::string> recipients;
};

/// A recipient the server refused.
struct RefusedRecipient {
    std::string address;
    int code = 0;             ///< 550, 451, ...
    bool temporary = false;   ///< 4xx: may work later
    std::string reply;        ///< the server's words
};

/// The server accepted the message for `accepted` (and refused `refused`).
struct Submission {
    std::vector<std::string> accepted;
    std::vector<RefusedRecipient> refused;
    std::string reply;  ///< the server's reply to the end of data ("250 2.0.0 OK queued as ...")
};

/// Whether the server may have the message after a failure.
enum class Delivery {
    NotSent,    ///< the end of data was never sent: nobody got it
    Uncertain,  ///< the end of data was sent and no reply came: the server may have accepted it
};

/// A failed submission: the Error (kind Temporary for 4xx, timeouts; Network for lost
/// connections; Data for refused senders, recipients, sizes; Auth, Tls, Config, Protocol)
/// plus whether the message may have gone out and, for refused recipients, which ones.
struct SubmitError : Error {
    Delivery delivery = Delivery::NotSent;
    std::vector<RefusedRecipient> refused;
    /// True when it failed before the login completed (connect, TLS, AUTH): no message of a
    /// queue can get through this way either.
    bool before_login = false;
    SubmitError(Error error, Delivery d, std::vector<RefusedRecipient> r = {})
        : Error(std::move(error)), delivery(d), refused(std::move(r)) {}
};

/// Called when the whole message has been sent, just before the end-of-data mark (the moment
/// after which the server may accept it). An exception from it aborts the submission before
/// the mark (the connection is dropped): the message is then NotSent.
using EndOfDataHook = std::function<void()>;

/// One SMTP server login, reused for consecutive messages. The first submit() connects, does
/// TLS/STARTTLS and logs in; later ones reuse the connection (RSET after a refused message; a
/// new connection after a lost one). The destructor sends QUIT. Not thread-safe; the sinks in
/// the options must outlive the session.
class Session {
public:
    /// No I/O here; net::Connection checks the options on the first submit() (Config errors
    /// come back as SubmitError with before_login).
    explicit Session(net::ServerOptions options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Sends `message` (CRLF line ends; dot-stuffed here) to `envelope`. Returns
    /// when the server accepted it for at least one recipient; throws SubmitError otherwise.
    /// Refused recipients of a partly accepted message are in the result, not thrown.
    Submission submit(const Envelope& envelope, std::string_view message, const EndOfDataHook& end_of_data = {});

    /// How many times a connection was opened (for tests and the benchmark: 1 for a flush).
    int connections() const;
    /// host:port.
    std::string peer() const;

private:
    Submission transaction(const Envelope& envelope, std::string_view message, const EndOfDataHook& end_of_data);
    struct State;
    std::unique_ptr<State> state_;
};

/// The error for a submission that failed after `dialogue`: refused by the server
/// (`io_error` null), or cut by `io_error` (the stream's Network, Temporary or Protocol error).
/// Exposed for unit tests; `peer` is "host:port", `sender` the envelope sender.
SubmitError submission_error(const Dialogue& dialogue, const Error* io_error, std::string_view peer,
                             std::string_view sender);

/// The refused recipients among `dialogue`'s RCPT replies.
std::vector<RefusedRecipient> refused_recipients(const Dialogue& dialogue);

}  // namespace zmail::smtp
