// zmail send: compose and send, or send a ready message as sendmail does; --queue, --flush
// (lib/send does the work, lib/mime writes the message).
#include "context.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"
#include "send/prepare.hpp"
#include "send/send.hpp"

#include <cstdio>
#include <ctime>
#include <memory>
#include <unistd.h>

namespace zmail::cli {

namespace {

using nlohmann::json;

struct SendCommandOptions {
    send::ComposeInput compose;
    std::vector<std::string> recipients;  // positional (sendmail style)
    std::optional<std::string> body;
    bool read_recipients = false;         // -t
    bool ignore_dots = false;             // -i (always so: stdin is read to its end)
    std::vector<std::string> sendmail_options;  // -o, -B, -N, -R, -V: accepted, ignored
    bool queue = false, flush = false, resend_uncertain = false, drop_uncertain = false, dry_run = false;
    bool save_sent = false, no_save_sent = false;
};

/// True when any option that composes a message was given.
bool composing(const SendCommandOptions& o, const CLI::App& app) {
    for (const char* name : {"--to", "--cc", "--bcc", "--subject", "--body", "--body-file", "--attach", "--from",
                             "--reply-to", "--in-reply-to", "--header", "--charset"})
        if (app.count(name) > 0) return true;
    return o.body.has_value();
}

json refused_json(const std::vector<send::RefusedRecipient>& refused) {
    json list = json::array();
    for (const auto& r : refused)
        list.push_back({{"address", r.address}, {"code", r.code}, {"temporary", r.temporary}, {"reply", r.reply}});
    return list;
}

json sent_copy_json(const send::SentCopyResult& c) {
    return {{"outcome", send::sent_copy_outcome_name(c.outcome)},
            {"made", c.outcome == send::SentCopyResult::Outcome::Made},
            {"folder", c.folder},
            {"reason", c.reason},
            {"error", error_json(c.error)}};
}

json report_json(const send::SendReport& r, const std::vector<std::string>& warnings) {
    return {{"account", r.account},
            {"message_id", r.message_id},
            {"sent", r.sent},
            {"accepted", r.accepted},
            {"refused", refused_json(r.refused)},
            {"queued", r.queued},
            {"queue_id", r.queue_id},
            {"queued_recipients", r.queued_recipients},
            {"uncertain", r.uncertain},
            {"sent_copy", sent_copy_json(r.sent_copy)},
            {"error", error_json(r.error)},
            {"warnings", warnings},
            {"exit_code", r.exit_code()}};
}

/// Notes for -v after a message went out: where it went, what became of its Sent copy.
void print_sent(Printer& out, const send::SendReport& r) {
    using Outcome = send::SentCopyResult::Outcome;
    out.note(tr("sent {} to {}", r.message_id, text::join(r.accepted, ", ")));
    if (r.sent_copy.outcome == Outcome::Made) out.note(tr("copy saved in '{}'", r.sent_copy.folder));
    if (r.sent_copy.outcome == Outcome::AlreadyThere) out.note(tr("'{}' already had it", r.sent_copy.folder));
    // TRANSLATORS: {} is why: an option (--no-save-sent) or the account's send.save_sent setting
    if (r.sent_copy.outcome == Outcome::NotWanted) out.note(tr("no Sent copy: {}", r.sent_copy.reason));
}

void print_report(Printer& out, const send::SendReport& r) {
    for (const auto& refused : r.refused)
        out.warning(refused.temporary ? tr("'{}' was refused for now (server: {})", refused.address, refused.reply)
                                      : tr("'{}' was refused (server: {})", refused.address, refused.reply));
    if (r.sent && !r.refused.empty() && !r.accepted.empty())
        out.note(tr("the message went to {} only; it will not be sent to them again", text::join(r.accepted, ", ")));
    if (r.uncertain) {
        out.error(*r.error);
        out.note(tr("kept in the queue as uncertain ({}): 'zmail send --flush' will not resend it; "
                    "use --flush --resend-uncertain once you know it did not arrive",
                    r.queue_id));
        return;
    }
    if (r.queued && !r.sent) {
        // TRANSLATORS: the Message-ID, then why it could not be sent now
        out.note(tr("queued {} ({}); 'zmail send --flush' sends it", r.message_id, r.error ? r.error->what() : ""));
    } else if (r.queued) {
        out.note(tr("queued {} for {}; 'zmail send --flush' sends it", r.message_id,
                    text::join(r.queued_recipients, ", ")));
    }
    if (r.sent_copy.outcome == send::SentCopyResult::Outcome::Failed && r.sent_copy.error) {
        const Error& e = *r.sent_copy.error;
        out.warning(e.server_reply.empty()
                        ? tr("the message was sent, but its copy in '{}' could not be saved: {}", r.sent_copy.folder,
                             e.what())
                        : tr("the message was sent, but its copy in '{}' could not be saved: {} (server: {})",
                             r.sent_copy.folder, e.what(), e.server_reply));
    }
    if (out.verbose() > 0 && r.sent) print_sent(out, r);
}

json flush_json(const send::FlushReport& r) {
    json messages = json::array();
    for (const auto& m : r.messages)
        messages.push_back({{"id", m.id},
                            {"message_id", m.message_id},
                            {"state", m.dropped ? "dropped" : send::queue_state_name(m.state)},
                            {"sent", m.state == send::QueueState::Sent},
                            {"sent_now", m.sent_now},
                            {"accepted", m.accepted},
                            {"refused", refused_json(m.refused)},
                            {"error", error_json(m.error)},
                            {"sent_copy", sent_copy_json(m.sent_copy)}});
    return {{"account", r.account}, {"messages", messages},   {"sent", r.sent()},
            {"remaining", r.remaining()}, {"uncertain", r.uncertain()}, {"failed", r.failed()},
            {"connections", r.connections}, {"stopped", error_json(r.stopped)}, {"exit_code", r.exit_code()}};
}

void print_flush(Printer& out, const send::FlushReport& r) {
    for (const auto& m : r.messages) {
        const std::string label = m.message_id.empty() ? m.id : m.message_id;
        if (m.dropped) out.note(label + ": " + tr("taken as sent and removed from the queue (--drop-uncertain)"));
        else if (m.state == send::QueueState::Sending)
            // TRANSLATORS: {} is a Message-ID (or a queue entry's id)
            out.warning(tr("{} may already have been sent (no answer after the whole message went out); "
                           "it is kept, not resent: check with the recipients, then use --flush "
                           "--resend-uncertain or --flush --drop-uncertain",
                           label));
        if (m.state == send::QueueState::Failed && m.error)
            out.error(Error(m.error->kind, label + ": " + m.error->what(), tr("it stays in the queue as failed"),
                            m.error->server_reply));
        for (const auto& refused : m.refused)
            if (m.sent_now)
                out.warning(label + ": " + tr("'{}' was refused (server: {})", refused.address, refused.reply));
        if (m.sent_copy.outcome == send::SentCopyResult::Outcome::Failed && m.sent_copy.error)
            out.warning(tr("{} was sent, but its Sent copy failed: {}", label, m.sent_copy.error->what()));
    }
    if (r.stopped) {
        if (send::queueable(*r.stopped))  // offline for now: the queue waits; cron with -q stays quiet
            out.note(r.account + ": " + tr("{}; the queue is kept for the next flush", r.stopped->what()));
        else
            out.error(*r.stopped);
    }
    if (out.quiet()) return;
    if (r.sent() > 0 || r.remaining() > 0 || out.verbose() > 0) {
        std::string counts = tr("{} sent, {} left in the queue", r.sent(), r.remaining());
        if (r.uncertain()) counts += ", " + tr("{} uncertain", r.uncertain());
        if (r.failed()) counts += ", " + tr("{} failed", r.failed());
        out.note(r.account + ": " + counts);
    }
}

Outcome flush_one(Context& ctx, const profile::Account& account, const SendCommandOptions& o) {
    Printer& out = ctx.out();
    send::FlushOptions options;
    options.resend_uncertain = o.resend_uncertain;
    options.drop_uncertain = o.drop_uncertain;
    if (out.verbose() >= 2) options.trace = [&out](std::string_view line) { out.trace(line); };
    options.warning = [&out](std::string_view line) { out.warning(line); };
    auto report = std::make_shared<send::FlushReport>(send::flush_queue(ctx.profile(), account, options));
    Outcome outcome;
    outcome.exit_code = report->exit_code();
    outcome.data = flush_json(*report);
    outcome.diagnostics = [report](Printer& p) { print_flush(p, *report); };
    return outcome;
}

int run_flush(Context& ctx, const SendCommandOptions& o) {
    if (!ctx.options().account.empty()) ctx.set_accounts({ctx.account_name()});
    else ctx.set_accounts(send::accounts_with_queue(ctx.profile()));
    if (ctx.accounts().empty() && ctx.out().json()) ctx.out().json_value(json::array());
    return run_for_accounts(
        ctx, [&o](Context& c, const profile::Account* account) { return flush_one(c, *account, o); }, Service::smtp);
}

/// --dry-run: the message on stdout, the envelope on stderr; with --json all of it as data.
Outcome dry_run(const send::Prepared& p) {
    Outcome outcome;
    auto wire = std::make_shared<std::string>(send::wire_form(p.message.message));
    const send::Outgoing& m = p.message;
    outcome.data = {{"account", p.account.name}, {"dry_run", true}, {"message_id", m.message_id},
                    {"mail_from", m.envelope.mail_from}, {"recipients", m.envelope.recipients},
                    {"message", *wire}, {"warnings", m.warnings}};
    outcome.text = [wire](Printer& out) { out.raw(*wire); };
    outcome.diagnostics = [p](Printer& out) {
        if (out.json()) return;
        out.note(tr("account: {}\nenvelope from: {}\nenvelope to: {}", p.account.name, p.message.envelope.mail_from,
                    text::join(p.message.envelope.recipients, ", ")));
        for (const auto& w : p.message.warnings) out.warning(w);
    };
    return outcome;
}

send::Request submission(Context& ctx, const SendCommandOptions& o, bool compose_mode) {
    send::Request s;
    s.compose = compose_mode;
    s.compose_input = o.compose;
    s.compose_input.body = o.body;
    s.ready.recipients_from_headers = o.read_recipients;
    s.ready.recipients = o.recipients;
    s.ready.envelope_from = o.compose.envelope_from;
    s.ready.from_name = o.compose.from_name;
    s.account = ctx.options().account;
    return s;
}

Outcome run_send(Context& ctx, const SendCommandOptions& o, bool compose_mode) {
    Printer& out = ctx.out();
    const send::Request s = submission(ctx, o, compose_mode);
    if (send::reads_text_from_input(s) && ::isatty(STDIN_FILENO) && !out.quiet())
        out.note(tr("type the text, then Ctrl-D on a line of its own"));
    const send::Prepared prepared = send::prepare(ctx.profile(), s, stdin);
    if (o.dry_run) return dry_run(prepared);
    require_service(prepared.account, Service::smtp);
    if (!out.json())
        for (const auto& w : prepared.message.warnings) out.warning(w);

    send::SendOptions options;
    options.queue = o.queue;
    if (o.save_sent) options.save_sent = true;
    if (o.no_save_sent) options.save_sent = false;
    if (out.verbose() >= 2) options.trace = [&out](std::string_view line) { out.trace(line); };
    options.warning = [&out](std::string_view line) { out.warning(line); };
    auto report = std::make_shared<send::SendReport>(send::send_now(ctx.profile(), prepared.account,
                                                                    prepared.message, options));
    Outcome outcome;
    outcome.exit_code = report->exit_code();
    outcome.data = report_json(*report, prepared.message.warnings);
    outcome.diagnostics = [report](Printer& p) {
        if (!p.json()) print_report(p, *report);
    };
    return outcome;
}

}  // namespace

Runner define_send(CLI::App& app) {
    auto o = std::make_shared<SendCommandOptions>();
    auto& c = o->compose;
    app.add_option("recipient", o->recipients, tr("recipients of a ready message on standard input (sendmail style)"))
        ->type_name("ADDRESS");
    app.add_option("--to", c.to, tr("recipient (repeatable; 'Name <addr>, addr2' lists work)"))->type_name("ADDRESS");
    app.add_option("--cc", c.cc, tr("copy recipient (repeatable)"))->type_name("ADDRESS");
    app.add_option("--bcc", c.bcc, tr("blind copy recipient: gets the message, appears in no header (repeatable)"))
        ->type_name("ADDRESS");
    app.add_option("--subject", c.subject, tr("the subject (UTF-8; encoded as needed)"))->type_name("TEXT");
    app.add_option("--body", o->body, tr("the text (default: standard input)"))->type_name("TEXT");
    app.add_option("--body-file", c.body_file, tr("read the text from FILE ('-': standard input)"))->type_name("FILE");
    app.add_option("--attach", c.attachments, tr("attach FILE (repeatable; media type from /etc/mime.types)"))
        ->type_name("FILE");
    app.add_option("--from", c.from, tr("From address: the account's address or an alias (default: the account's)"))
        ->type_name("ADDRESS");
    app.add_option("--reply-to", c.reply_to, tr("Reply-To address (repeatable)"))->type_name("ADDRESS");
    app.add_option("--in-reply-to", c.in_reply_to, tr("Message-ID this answers (sets In-Reply-To and References)"))
        ->type_name("MESSAGE-ID");
    app.add_option("--header", c.headers, tr("extra header field 'Name: value' (repeatable)"))
        ->type_name("'NAME: VALUE'");
    app.add_option("--charset", c.charset, tr("utf-8 (default) or iso-2022-jp for subject, names and text"))
        ->check(CLI::IsMember({"utf-8", "UTF-8", "iso-2022-jp", "ISO-2022-JP"}));
    app.add_flag("-t,--read-recipients", o->read_recipients,
                 tr("sendmail mode: recipients from the message's To, Cc and Bcc (Bcc is removed)"));
    app.add_option("-f,--envelope-from", c.envelope_from,
                   tr("envelope sender (must be the account's address or alias)"))
        ->type_name("ADDRESS");
    app.add_option("-F,--full-name", c.from_name, tr("display name for the From zmail writes"))->type_name("NAME");
    app.add_flag("-i", o->ignore_dots, tr("sendmail compatibility: a line with only '.' does not end the message "
                                          "(always so)"));
    app.add_option("-o,-B,-N,-R,-V", o->sendmail_options,
                   tr("sendmail compatibility: -oi, -oem, -B8BITMIME, -N, -R, -V are accepted and ignored"))
        ->allow_extra_args(false);
    app.add_flag("--queue", o->queue, tr("on a temporary failure keep the message in the account's queue, exit 0"));
    app.add_flag("--flush", o->flush, tr("send everything queued, oldest first, over one connection"));
    app.add_flag("--resend-uncertain", o->resend_uncertain,
                 tr("with --flush: also resend messages that may have gone out already"));
    app.add_flag("--drop-uncertain", o->drop_uncertain,
                 tr("with --flush: take messages that may have gone out as sent (you saw them arrive)"));
    app.add_flag("--dry-run", o->dry_run,
                 tr("print the message that would be sent (envelope on stderr); send nothing"));
    auto* save = app.add_flag("--save-sent", o->save_sent, tr("save a copy in the Sent folder this time"));
    auto* no_save = app.add_flag("--no-save-sent", o->no_save_sent, tr("do not save a copy this time"));
    save->excludes(no_save);

    return [o, &app](Context& ctx, const profile::Account*) -> Outcome {
        const bool compose_mode = composing(*o, app);
        if ((o->resend_uncertain || o->drop_uncertain) && !o->flush)
            throw Error(ErrorKind::Usage, tr("--resend-uncertain and --drop-uncertain need --flush"));
        if (o->resend_uncertain && o->drop_uncertain)
            throw Error(ErrorKind::Usage, tr("give --resend-uncertain or --drop-uncertain, not both"));
        if (o->flush) {
            if (compose_mode || o->read_recipients || !o->recipients.empty() || o->dry_run || o->queue)
                throw Error(ErrorKind::Usage, tr("--flush sends the queue; it takes no message, recipients, "
                                                 "--dry-run or --queue"));
            Outcome flushed;
            flushed.exit_code = run_flush(ctx, *o);
            return flushed;
        }
        if (compose_mode && (o->read_recipients || !o->recipients.empty()))
            throw Error(ErrorKind::Usage, tr("give either --to/--cc/--bcc (zmail composes the message) or -t and "
                                             "recipient arguments (a ready message on standard input), not both"));
        if (!compose_mode && !o->read_recipients && o->recipients.empty())
            throw Error(ErrorKind::Usage, tr("nothing to send"),
                        tr("compose with --to ADDRESS [--subject ...], or pipe a ready message with -t or recipients"));
        return run_send(ctx, *o, compose_mode);
    };
}

}  // namespace zmail::cli
