#include "imap/session_naming.hpp"

#include "error.hpp"
#include "i18n.hpp"
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
        throw Error(ErrorKind::Usage, tr("invalid folder name '{}': {}", name, levels.why),
                    tr("write levels as 'Parent/Child'; see FOLDER NAMES in zmail-sync(1) for the escapes"));
    auto mailbox = server_from_levels(*levels.value, naming);
    if (!mailbox)
        // TRANSLATORS: the 1st {} is a folder, the 2nd a server ("server 'imap.example.com'"), the 3rd why
        throw Error(ErrorKind::Unavailable, tr("folder '{}' cannot exist on {}: {}", name, server, mailbox.why),
                    // TRANSLATORS: {} is the server's naming rule ("this server uses '.' between levels")
                    tr("{}; rename the folder, or leave it out with sync.exclude", naming_rule(naming)));
    return *mailbox.value;
}

std::string naming_rule(const ServerNaming& naming) {
    const std::string& prefix = naming.personal_prefix;
    const std::string delimiter(1, naming.delimiter);
    if (prefix.empty() && naming.delimiter == '\0') return tr("this server has no folder levels");
    if (prefix.empty()) return tr("this server uses '{}' between levels", delimiter);
    if (naming.delimiter == '\0') return tr("this server keeps folders below '{}' and has no folder levels", prefix);
    return tr("this server keeps folders below '{}' and uses '{}' between levels", prefix, delimiter);
}

CommandError folder_refusal(const CommandError& refused, std::string what, const ServerNaming& naming,
                            const std::string& mailbox) {
    CommandError error = command_error(refused.result, std::move(what));
    if (error.hint.empty())
        // TRANSLATORS: the 1st {} is the server's naming rule ("this server uses '.' between levels"), the 2nd a folder
        error.hint = tr("{}; zmail asked for '{}'", naming_rule(naming), mailbox);
    return error;
}

}  // namespace zmail::imap
