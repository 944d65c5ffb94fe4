// Turning tagged NO/BAD answers into zmail errors whose kind drives the exit code.
#include <utility>

#include "i18n.hpp"
#include "imap/session.hpp"

namespace zmail::imap {
namespace {

struct Reason {
    ErrorKind kind;
    const char* words;  // appended to our message after ": "; marked with N_, translated at use
    const char* hint;
};

bool contains_ignore_case(std::string_view text, std::string_view word) {
    if (word.size() > text.size()) return false;
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i)
        if (equals_ignore_case(text.substr(i, word.size()), word)) return true;
    return false;
}

Reason reason_for(const CommandResult& result) {
    if (result.missing_mailbox()) return {ErrorKind::Protocol, N_("no such folder"), ""};
    switch (result.code.kind) {
    case CodeKind::AlreadyExists: return {ErrorKind::Protocol, N_("it already exists"), ""};
    case CodeKind::OverQuota:
        return {ErrorKind::Temporary, N_("the mailbox is over quota"),
                N_("delete or archive some messages on the server, then try again")};
    case CodeKind::InUse:
        return {ErrorKind::Temporary, N_("the folder is in use"),
                N_("another client holds it; try again in a few minutes")};
    case CodeKind::Unavailable:
        return {ErrorKind::Temporary, N_("the server is temporarily unavailable"), N_("try again later")};
    case CodeKind::ExpungeIssued:
        return {ErrorKind::Temporary, N_("messages were deleted meanwhile"), N_("try again")};
    case CodeKind::AuthenticationFailed:
    case CodeKind::AuthorizationFailed:
    case CodeKind::Expired: return {ErrorKind::Auth, N_("not authorized"), ""};
    case CodeKind::PrivacyRequired: return {ErrorKind::Tls, N_("the server requires an encrypted connection"), ""};
    case CodeKind::NoPerm: return {ErrorKind::Protocol, N_("permission denied"), ""};
    case CodeKind::Limit: return {ErrorKind::Protocol, N_("a server limit was reached"), ""};
    case CodeKind::Cannot: return {ErrorKind::Protocol, N_("the server cannot do this"), ""};
    case CodeKind::ServerBug:
        return {ErrorKind::Unavailable, N_("the server failed"),
                N_("try again later; if it persists, tell the provider")};
    case CodeKind::Corruption:
        return {ErrorKind::Unavailable, N_("the server reports corrupted data"), N_("tell the provider")};
    case CodeKind::ContactAdmin:
        return {ErrorKind::Protocol, N_("refused by the server"), N_("contact the server's administrator")};
    default: break;
    }
    if (result.status == Status::Bad) return {ErrorKind::Protocol, N_("the server rejected the command"), ""};
    return {ErrorKind::Protocol, N_("refused by the server"), ""};
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
    std::string message = std::move(what) + ": " + translate(reason.words);
    return CommandError(Error(reason.kind, std::move(message), translate(reason.hint), result.line), result);
}

}  // namespace zmail::imap
