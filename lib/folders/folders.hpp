// `zmail folders`: list, create, rename, delete, subscribe and unsubscribe IMAP folders.
// Names are those of `zmail sync`: UTF-8, '/' between levels, the personal prefix taken off.
#pragma once

#include "imap/session.hpp"
#include "imap/session_naming.hpp"
#include "profile/account.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zmail::folders {

/// One folder as `zmail folders list` shows it.
struct Folder {
    std::string name;         ///< UTF-8, '/' between levels
    std::string raw_name;     ///< as the server sent it (modified UTF-7)
    std::string special_use;  ///< "\\Sent", ... or empty
    bool selectable = true;
    bool subscribed = false;
    bool synced = false;      ///< selected by the account's sync.folders / sync.exclude
    std::optional<std::uint32_t> messages, unseen;
    std::optional<std::uint64_t> size;
};

struct ListOptions {
    bool counts = false;         ///< ask for MESSAGES, UNSEEN and SIZE
    bool subscribed_only = false;
};

/// The account's server and how it names folders (asked once: NAMESPACE, else LIST "" "").
/// Folder names are those `zmail sync` uses: the folder-name codec's form, the personal
/// prefix ("INBOX.") taken off, '/' between levels whatever the server's delimiter.
struct Names {
    explicit Names(imap::Session& session);
    /// The server's name (UTF-8) for a folder name; throws Error{Usage} or Error{Unavailable}
    /// with the rule (see imap::mailbox_for()).
    std::string mailbox(std::string_view name) const;

    imap::Session& session;
    imap::ServerNaming naming;
};

/// The account's folders, sorted with INBOX first; folders outside the personal namespace
/// (other users', shared) are not listed. Throws the session's errors.
std::vector<Folder> list(Names& names, const profile::Account& account, const ListOptions& options);

/// Each throws imap::CommandError with the server's words on a refusal ("cannot create folder 'x':
/// it already exists") and the server's naming rule as hint, Error{Usage} for a bad name. A
/// created folder is subscribed; a renamed one keeps its subscription; a deleted one loses it.
void create(Names& names, const std::string& name);
void rename(Names& names, const std::string& from, const std::string& to);
void remove(Names& names, const std::string& name);
void subscribe(Names& names, const std::string& name, bool on);

/// The number of messages in a folder (STATUS MESSAGES), for the delete confirmation.
std::optional<std::uint32_t> message_count(Names& names, const std::string& name);

}  // namespace zmail::folders
