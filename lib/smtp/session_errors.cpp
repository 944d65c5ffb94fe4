// Turning a failed submission (after the login) into words: which step failed, what the
// server said, and whether the message may have gone out.
#include "smtp/session.hpp"

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

SubmitError too_large(const std::string& where, const Reply& r) {
    return SubmitError(Error(ErrorKind::Data, "the message is too large for " + where,
                             "send the attachments another way (a link), or in several messages", r.raw),
                       Delivery::NotSent);
}

/// The stream failed `when`: timeouts are Temporary, the rest Network.
SubmitError lost(std::string_view peer, const Error& io, const std::string& when, Delivery delivery,
                 const Dialogue& d) {
    const std::string reply = !io.server_reply.empty() ? io.server_reply
                              : d.last_reply()        ? d.last_reply()->raw
                                                      : d.malformed_line();
    if (io.kind == ErrorKind::Temporary)
        return SubmitError(Error(ErrorKind::Temporary, "'" + std::string(peer) + "' did not answer in time " + when,
                                 "the server or the network may be slow; try again later", reply),
                           delivery);
    if (io.kind == ErrorKind::Protocol)
        return SubmitError(Error(ErrorKind::Protocol, std::string(io.what()) + " " + when, io.hint, reply), delivery);
    return SubmitError(Error(ErrorKind::Network,
                             "connection to '" + std::string(peer) + "' was lost " + when + ": " + io.what(),
                             "try again later", reply),
                       delivery);
}

/// MAIL FROM refused.
SubmitError sender_refused(const std::string& where, std::string_view sender, const Reply& r) {
    if (r.temporary_failure())
        return SubmitError(Error(ErrorKind::Temporary,
                                 where + " cannot take mail from '" + std::string(sender) + "' right now",
                                 "try again later", r.raw),
                           Delivery::NotSent);
    if (size_problem(r)) return too_large(where, r);
    if (authentication_required(r))
        return SubmitError(Error(ErrorKind::Auth, where + " wants a login before it takes mail",
                                 "check the account's smtp settings (security tls or starttls)", r.raw),
                           Delivery::NotSent);
    return SubmitError(
        Error(ErrorKind::Data, where + " refused the sender '" + std::string(sender) + "': relay denied",
              "the From address must be the account's address or an alias the provider lets you send as; add "
              "aliases with 'zmail settings set ACCOUNT aliases ...'",
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
    const std::string where = "'" + std::string(peer) + "'";
    // The envelope first: with pipelining, the commands after a refused MAIL FROM fail too.
    if (d.mail_reply() && !d.mail_reply()->success()) return sender_refused(where, sender, *d.mail_reply());
    if (io) {  // cut: what was answered so far does not tell the rest
        switch (d.phase()) {
        case Phase::Connecting:
        case Phase::Authenticating: return lost(peer, *io, "before the message was sent", Delivery::NotSent, d);
        case Phase::Envelope:
        case Phase::Data: return lost(peer, *io, "before the message was sent", Delivery::NotSent, d);
        case Phase::Body: return lost(peer, *io, "while sending the message", Delivery::NotSent, d);
        case Phase::EndOfData: {
            SubmitError e = lost(peer, *io, "after the whole message was sent", Delivery::Uncertain, d);
            e.hint = "the server may or may not have accepted it: check with a recipient or the Sent folder "
                     "before sending it again";
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
                                     where + " cannot take mail for " + join(refused) + " right now",
                                     "try again later", reply),
                               Delivery::NotSent, refused);
        return SubmitError(Error(ErrorKind::Data, where + " refused every recipient: " + join(refused),
                                 "check the addresses; nothing was sent", reply),
                           Delivery::NotSent, refused);
    }
    if (d.data_reply() && d.data_reply()->code != 354) {
        const Reply& r = *d.data_reply();
        if (size_problem(r)) return too_large(where, r);
        return SubmitError(Error(r.temporary_failure() ? ErrorKind::Temporary : ErrorKind::Data,
                                 where + " refused to take the message (DATA)",
                                 r.temporary_failure() ? "try again later" : "", r.raw),
                           Delivery::NotSent, refused);
    }
    if (d.final_reply() && !d.final_reply()->success()) {
        const Reply& r = *d.final_reply();
        if (size_problem(r)) return too_large(where, r);
        if (r.temporary_failure())
            return SubmitError(Error(ErrorKind::Temporary, where + " did not accept the message right now",
                                     "try again later", r.raw),
                               Delivery::NotSent);
        return SubmitError(Error(ErrorKind::Data, where + " refused the message", "", r.raw), Delivery::NotSent);
    }
    const std::string reply = d.last_reply() ? d.last_reply()->raw : std::string();
    return SubmitError(Error(ErrorKind::Protocol, "unexpected reply from " + where, "", reply), Delivery::NotSent);
}

}  // namespace zmail::smtp
