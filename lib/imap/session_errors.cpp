// Turning tagged NO/BAD answers into zmail errors whose kind drives the exit code.
#include <utility>

#include "imap/session.hpp"

namespace zmail::imap {
namespace {

struct Reason {
    ErrorKind kind;
    const char* words;  // appended to our message after ": "
    const char* hint;
};

bool contains_ignore_case(std::string_view text, std::string_view word) {
    if (word.size() > text.size()) return false;
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i)
        if (equals_ignore_case(text.substr(i, word.size()), word)) return true;
    return false;
}

Reason reason_for(const CommandResult& result) {
    if (result.missing_mailbox()) return {ErrorKind::Protocol, "no such folder", ""};
    switch (result.code.kind) {
    case CodeKind::AlreadyExists: return {ErrorKind::Protocol, "it already exists", ""};
    case CodeKind::OverQuota:
        return {ErrorKind::Temporary, "the mailbox is over quota",
                "delete or archive some messages on the server, then try again"};
    case CodeKind::InUse:
        return {ErrorKind::Temporary, "the folder is in use",
                "another client holds it; try again in a few minutes"};
    case CodeKind::Unavailable:
        return {ErrorKind::Temporary, "the server is temporarily unavailable", "try again later"};
    case CodeKind::ExpungeIssued:
        return {ErrorKind::Temporary, "messages were deleted meanwhile", "try again"};
    case CodeKind::AuthenticationFailed:
    case CodeKind::AuthorizationFailed:
    case CodeKind::Expired: return {ErrorKind::Auth, "not authorized", ""};
    case CodeKind::PrivacyRequired: return {ErrorKind::Tls, "the server requires an encrypted connection", ""};
    case CodeKind::NoPerm: return {ErrorKind::Protocol, "permission denied", ""};
    case CodeKind::Limit: return {ErrorKind::Protocol, "a server limit was reached", ""};
    case CodeKind::Cannot: return {ErrorKind::Protocol, "the server cannot do this", ""};
    case CodeKind::ServerBug:
        return {ErrorKind::Unavailable, "the server failed", "try again later; if it persists, tell the provider"};
    case CodeKind::Corruption:
        return {ErrorKind::Unavailable, "the server reports corrupted data", "tell the provider"};
    case CodeKind::ContactAdmin:
        return {ErrorKind::Protocol, "refused by the server", "contact the server's administrator"};
    default: break;
    }
    if (result.status == Status::Bad) return {ErrorKind::Protocol, "the server rejected the command", ""};
    return {ErrorKind::Protocol, "refused by the server", ""};
}

}  // namespace

bool CommandResult::missing_mailbox() const {
    if (status != Status::No) return false;
    if (code.kind == CodeKind::TryCreate || code.kind == CodeKind::Nonexistent) return true;
    if (code.kind != CodeKind::None) return false;
    for (std::string_view words : {"doesn't exist", "does not exist", "no such mailbox", "no such folder",
                                   "unknown mailbox", "mailbox not found", "folder not found"})
        if (contains_ignore_case(text, words)) return true;
    return false;
}

bool Capabilities::has(std::string_view name) const {
    for (const auto& atom : atoms_)
        if (equals_ignore_case(atom, name)) return true;
    return false;
}

bool MailboxUpdates::empty() const {
    return !exists && !recent && expunged.empty() && vanished.empty() && flag_changes.empty() && !flags &&
           !overflow && alerts.empty();
}

CommandError command_error(const CommandResult& result, std::string what) {
    const Reason reason = reason_for(result);
    return CommandError(Error(reason.kind, std::move(what) + ": " + reason.words, reason.hint, result.line), result);
}

}  // namespace zmail::imap
