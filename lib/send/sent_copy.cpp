#include "send/sent_copy.hpp"

#include <algorithm>
#include <cstring>

#include "imap/session_mailboxes.hpp"
#include "imap/session_messages.hpp"
#include "net/account_options.hpp"
#include "net/connection.hpp"

namespace zmail::send {

const char* sent_copy_outcome_name(SentCopyResult::Outcome outcome) {
    switch (outcome) {
    case SentCopyResult::Outcome::NotWanted: return "not-wanted";
    case SentCopyResult::Outcome::Made: return "made";
    case SentCopyResult::Outcome::AlreadyThere: return "already-there";
    case SentCopyResult::Outcome::Failed: return "failed";
    }
    return "failed";
}

bool sent_copy_wanted(const profile::Account& account, std::optional<bool> override, std::string& reason) {
    if (override) {
        reason = *override ? "--save-sent" : "--no-save-sent";
        return *override;
    }
    reason = account.send.save_sent_reason;
    return account.send.save_sent == "always";
}

struct SentFolder::State {
    const profile::Profile& profile;
    const profile::Account& account;
    std::string explicit_folder;
    net::LineSink trace;
    std::unique_ptr<net::Connection> connection;
    std::unique_ptr<imap::Session> session;
    std::string folder;             // chosen on first use
    std::optional<Error> broken;    // a connection error: later saves fail with it
    bool selected = false;

    State(const profile::Profile& p, const profile::Account& a, std::string f, net::LineSink t)
        : profile(p), account(a), explicit_folder(std::move(f)), trace(std::move(t)) {}

    void open() {
        if (session) return;
        net::ServerOptions options = net::account_server_options(profile, account, net::Protocol::imap);
        options.trace = trace;
        connection = std::make_unique<net::Connection>(std::move(options));
        imap::SessionOptions session_options;
        session_options.send_id = account.imap_id;
        // the connection traces every line it carries; the session's own trace would repeat them
        session = std::make_unique<imap::Session>(*connection, session_options);
        session->start();
        folder = choose_folder();
    }

    std::string choose_folder() {
        if (!explicit_folder.empty()) return explicit_folder;
        for (const auto& entry : imap::Mailboxes(*session).list()) {
            if (entry.selectable && (entry.special_use == "\\Sent" || entry.has_attribute("\\Sent")))
                return entry.name;
        }
        if (!account.send.sent_folder.empty()) return account.send.sent_folder;
        if (!account.preset.sent_folder.empty()) return account.preset.sent_folder;
        return "Sent";
    }

    /// EXAMINE the folder once; creates it when it does not exist.
    void select_folder() {
        if (selected) return;
        try {
            imap::Mailboxes(*session).examine(folder);
        } catch (const imap::CommandError& e) {
            if (!e.result.has_code(imap::CodeKind::Nonexistent) && !e.result.has_code(imap::CodeKind::TryCreate))
                throw;
            imap::Mailboxes(*session).create(folder);
            imap::Mailboxes(*session).examine(folder);
        }
        selected = true;
    }
};

SentFolder::SentFolder(const profile::Profile& profile, const profile::Account& account, std::string explicit_folder,
                       net::LineSink trace)
    : state_(std::make_unique<State>(profile, account, std::move(explicit_folder), std::move(trace))) {}

SentFolder::~SentFolder() {
    if (state_ && state_->session) {
        try {
            state_->session->logout();
        } catch (...) {
            // the copies are done; a failed LOGOUT changes nothing
        }
    }
}

SentCopyResult SentFolder::save(const std::string& message, const std::string& message_id, std::time_t date,
                                int offset_minutes) {
    SentCopyResult result;
    State& s = *state_;
    if (s.broken) {
        result.outcome = SentCopyResult::Outcome::Failed;
        result.folder = s.folder;
        result.error = *s.broken;
        return result;
    }
    try {
        s.open();
        result.folder = s.folder;
        s.select_folder();
        if (!message_id.empty() && !imap::Messages(*s.session).uid_search_message_id(message_id).empty()) {
            result.outcome = SentCopyResult::Outcome::AlreadyThere;
            return result;
        }
        std::size_t offset = 0;
        imap::AppendSource source;
        source.size = message.size();
        source.read = [&](char* buffer, std::size_t capacity) {
            const std::size_t n = std::min(capacity, message.size() - offset);
            std::memcpy(buffer, message.data() + offset, n);
            offset += n;
            return n;
        };
        imap::Messages(*s.session).append(s.folder, source, {"\\Seen"}, imap::DateTime{date, offset_minutes});
        result.outcome = SentCopyResult::Outcome::Made;
    } catch (const imap::CommandError& e) {
        result.outcome = SentCopyResult::Outcome::Failed;
        result.folder = s.folder;
        result.error = static_cast<const Error&>(e);
    } catch (const Error& e) {
        result.outcome = SentCopyResult::Outcome::Failed;
        result.folder = s.folder;
        result.error = e;
        if (!s.session || s.session->broken()) s.broken = e;
    }
    return result;
}

}  // namespace zmail::send
