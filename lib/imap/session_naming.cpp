#include "imap/session_naming.hpp"

#include "error.hpp"
#include "imap/session_mailboxes.hpp"

#include <optional>

namespace zmail::imap {

ServerNaming ask_naming(Session& session) {
    ServerNaming naming;
    naming.utf8 = true;  // the session encodes and decodes names; the codec sees them as UTF-8
    Mailboxes mailboxes(session);
    std::optional<char> delimiter;
    if (auto spaces = mailboxes.namespaces(); spaces && !spaces->personal.empty()) {
        const NamespaceEntry& personal = spaces->personal.front();
        naming.personal_prefix = session.decode_mailbox(personal.prefix);
        delimiter = personal.delimiter;
    } else {
        ListRequest request;
        request.pattern = "";
        for (const auto& entry : mailboxes.list(request))
            if (entry.delimiter) delimiter = entry.delimiter;
    }
    naming.delimiter = delimiter.value_or('/');
    return naming;
}

std::string mailbox_for(std::string_view name, const ServerNaming& naming, const std::string& server) {
    const auto levels = levels_from_path(name, Layout::fs);
    if (!levels)
        throw Error(ErrorKind::Usage, "invalid folder name '" + std::string(name) + "': " + levels.why,
                    "write levels as 'Parent/Child'; see FOLDER NAMES in zmail-sync(1) for the escapes");
    auto mailbox = server_from_levels(*levels.value, naming);
    if (!mailbox)
        throw Error(ErrorKind::Unavailable,
                    "folder '" + std::string(name) + "' cannot exist on " + server + ": " + mailbox.why,
                    naming_rule(naming) + "; rename the folder, or leave it out with sync.exclude");
    return *mailbox.value;
}

std::string naming_rule(const ServerNaming& naming) {
    std::string rule = "this server ";
    if (!naming.personal_prefix.empty()) rule += "keeps folders below '" + naming.personal_prefix + "' and ";
    if (naming.delimiter == '\0') return rule + "has no folder levels";
    return rule + "uses '" + std::string(1, naming.delimiter) + "' between levels";
}

CommandError folder_refusal(const CommandError& refused, std::string what, const ServerNaming& naming,
                            const std::string& mailbox) {
    CommandError error = command_error(refused.result, std::move(what));
    if (error.hint.empty()) error.hint = naming_rule(naming) + "; zmail asked for '" + mailbox + "'";
    return error;
}

}  // namespace zmail::imap
