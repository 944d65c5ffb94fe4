// Turning a failed submission (after the login) into words: which step failed, what the
// server said, and whether the message may have gone out.
#include "smtp/session.hpp"

#include "i18n.hpp"

namespace zmail::smtp {

namespace {

bool size_problem(const Reply& reply) {
    return reply.code == 552 || (reply.enhanced && reply.enhanced->subject == 3 && reply.enhanced->detail == 4);
}

bool authentication_required(const Reply& reply) {
    return reply.code == 530 ||
           (reply.enhanced && reply.enhanced->subject == 7 && reply.enhanced->detail == 0 && reply.code != 553);
}

std::string describe(const RefusedRecipient& r) { return "'" + r.address + "' (" + r.reply + ")"; }

std::string join(const std::vector<RefusedRecipient>& refused) {
    std::string out;
    for (const auto& r : refused) out += (out.empty() ? "" : ", ") + describe(r);
    return out;
}

SubmitError too_large(std::string_view peer, const Reply& r) {
    return SubmitError(Error(ErrorKind::Data, tr("the message is too large for '{}'", peer),
                             tr("send the attachments another way (a link), or in several messages"), r.raw),
                       Delivery::NotSent);
}

/// When the stream failed: the one sentence for each moment of the transfer.
enum class When { before_sending, while_sending, after_sending };

std::string timed_out(std::string_view peer, When when) {
    switch (when) {
    case When::before_sending: return tr("'{}' did not answer in time before the message was sent", peer);
    case When::while_sending: return tr("'{}' did not answer in time while sending the message", peer);
    case When::after_sending: return tr("'{}' did not answer in time after the whole message was sent", peer);
    }
    return {};
}

/// `what` is what went wrong ("unexpected reply from 'smtp.example.com:587'").
std::string bad_reply(const char* what, When when) {
    switch (when) {
    // TRANSLATORS: {} is what went wrong, e.g. "unexpected reply from 'smtp.example.com:587'"
    case When::before_sending: return tr("{} before the message was sent", what);
    // TRANSLATORS: {} is what went wrong, e.g. "unexpected reply from 'smtp.example.com:587'"
    case When::while_sending: return tr("{} while sending the message", what);
    // TRANSLATORS: {} is what went wrong, e.g. "unexpected reply from 'smtp.example.com:587'"
    case When::after_sending: return tr("{} after the whole message was sent", what);
    }
    return {};
}

std::string connection_lost(std::string_view peer, const char* what, When when) {
    switch (when) {
    // TRANSLATORS: the first {} is the server (host:port), the second the reason
    case When::before_sending: return tr("connection to '{}' was lost before the message was sent: {}", peer, what);
    // TRANSLATORS: the first {} is the server (host:port), the second the reason
    case When::while_sending: return tr("connection to '{}' was lost while sending the message: {}", peer, what);
    case When::after_sending:
        // TRANSLATORS: the first {} is the server (host:port), the second the reason
        return tr("connection to '{}' was lost after the whole message was sent: {}", peer, what);
    }
    return {};
}

/// The stream failed `when`: timeouts are Temporary, the rest Network.
SubmitError lost(std::string_view peer, const Error& io, When when, Delivery delivery, const Dialogue& d) {
    const std::string reply = !io.server_reply.empty() ? io.server_reply
                              : d.last_reply()        ? d.last_reply()->raw
                                                      : d.malformed_line();
    if (io.kind == ErrorKind::Temporary)
        return SubmitError(Error(ErrorKind::Temporary, timed_out(peer, when),
                                 tr("the server or the network may be slow; try again later"), reply),
                           delivery);
    if (io.kind == ErrorKind::Protocol)
        return SubmitError(Error(ErrorKind::Protocol, bad_reply(io.what(), when), io.hint, reply), delivery);
    return SubmitError(Error(ErrorKind::Network, connection_lost(peer, io.what(), when), tr("try again later"), reply),
                       delivery);
}

/// MAIL FROM refused.
SubmitError sender_refused(std::string_view peer, std::string_view sender, const Reply& r) {
    if (r.temporary_failure())
        // TRANSLATORS: the first {} is the server (host:port), the second the sender's address
        return SubmitError(Error(ErrorKind::Temporary, tr("'{}' cannot take mail from '{}' right now", peer, sender),
                                 tr("try again later"), r.raw),
                           Delivery::NotSent);
    if (size_problem(r)) return too_large(peer, r);
    if (authentication_required(r))
        return SubmitError(Error(ErrorKind::Auth, tr("'{}' wants a login before it takes mail", peer),
                                 tr("check the account's smtp settings (security tls or starttls)"), r.raw),
                           Delivery::NotSent);
    return SubmitError(
        // TRANSLATORS: the first {} is the server (host:port), the second the sender's address
        Error(ErrorKind::Data, tr("'{}' refused the sender '{}': relay denied", peer, sender),
              tr("the From address must be the account's address or an alias the provider lets you send as; add "
                 "aliases with 'zmail settings set ACCOUNT aliases ...'"),
              r.raw),
        Delivery::NotSent);
}

}  // namespace

std::vector<RefusedRecipient> refused_recipients(const Dialogue& dialogue) {
    std::vector<RefusedRecipient> out;
    for (const auto& r : dialogue.recipient_replies()) {
        if (r.reply.success()) continue;
        out.push_back({r.address, r.reply.code, r.reply.temporary_failure(), r.reply.raw});
    }
    return out;
}

SubmitError submission_error(const Dialogue& d, const Error* io, std::string_view peer, std::string_view sender) {
    // The envelope first: with pipelining, the commands after a refused MAIL FROM fail too.
    if (d.mail_reply() && !d.mail_reply()->success()) return sender_refused(peer, sender, *d.mail_reply());
    if (io) {  // cut: what was answered so far does not tell the rest
        switch (d.phase()) {
        case Phase::Connecting:
        case Phase::Authenticating:
        case Phase::Envelope:
        case Phase::Data: return lost(peer, *io, When::before_sending, Delivery::NotSent, d);
        case Phase::Body: return lost(peer, *io, When::while_sending, Delivery::NotSent, d);
        case Phase::EndOfData: {
            SubmitError e = lost(peer, *io, When::after_sending, Delivery::Uncertain, d);
            e.hint = tr("the server may or may not have accepted it: check with a recipient or the Sent folder "
                        "before sending it again");
            return e;
        }
        case Phase::Done: break;
        }
    }
    std::vector<RefusedRecipient> refused = refused_recipients(d);
    const bool every_recipient_refused =
        !d.recipient_replies().empty() && refused.size() == d.recipient_replies().size();
    if (every_recipient_refused) {
        bool all_temporary = true;
        for (const auto& r : refused) all_temporary = all_temporary && r.temporary;
        std::string reply;
        for (const auto& r : refused) reply += (reply.empty() ? "" : "\n") + r.reply;
        if (all_temporary)
            return SubmitError(Error(ErrorKind::Temporary,
                                     // TRANSLATORS: the first {} is the server (host:port), the second a list
                                     // of addresses with the server's replies: 'a@example.com' (550 ...), ...
                                     tr("'{}' cannot take mail for {} right now", peer, join(refused)),
                                     tr("try again later"), reply),
                               Delivery::NotSent, refused);
        // TRANSLATORS: the first {} is the server (host:port), the second a list of addresses with the
        // server's replies: 'a@example.com' (550 no such user), ...
        return SubmitError(Error(ErrorKind::Data, tr("'{}' refused every recipient: {}", peer, join(refused)),
                                 tr("check the addresses; nothing was sent"), reply),
                           Delivery::NotSent, refused);
    }
    if (d.data_reply() && d.data_reply()->code != 354) {
        const Reply& r = *d.data_reply();
        if (size_problem(r)) return too_large(peer, r);
        return SubmitError(Error(r.temporary_failure() ? ErrorKind::Temporary : ErrorKind::Data,
                                 tr("'{}' refused to take the message (DATA)", peer),
                                 r.temporary_failure() ? tr("try again later") : "", r.raw),
                           Delivery::NotSent, refused);
    }
    if (d.final_reply() && !d.final_reply()->success()) {
        const Reply& r = *d.final_reply();
        if (size_problem(r)) return too_large(peer, r);
        if (r.temporary_failure())
            return SubmitError(Error(ErrorKind::Temporary, tr("'{}' did not accept the message right now", peer),
                                     tr("try again later"), r.raw),
                               Delivery::NotSent);
        return SubmitError(Error(ErrorKind::Data, tr("'{}' refused the message", peer), "", r.raw), Delivery::NotSent);
    }
    const std::string reply = d.last_reply() ? d.last_reply()->raw : std::string();
    return SubmitError(Error(ErrorKind::Protocol, tr("unexpected reply from '{}'", peer), "", reply),
                       Delivery::NotSent);
}

}  // namespace zmail::smtp
