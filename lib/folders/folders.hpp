// `zmail folders`: list, create, rename, delete, subscribe and unsubscribe IMAP folders.
// Names are UTF-8 with '/' between levels, whatever the server's own separator and encoding.
#pragma once

#include "imap/session.hpp"
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

/// The server's folders, sorted with INBOX first. Throws the session's errors.
std::vector<Folder> list(imap::Session& session, const profile::Account& account, const ListOptions& options);

/// The server's hierarchy separator (from LIST "" ""), '/' when it has none.
char separator(imap::Session& session);

/// A UTF-8 name with '/' levels in the server's form ('/' replaced by the separator). Throws
/// Error{Usage} for an empty name or level, or a level holding the server's separator.
std::string server_name(std::string_view name, char separator);

/// A server name in zmail's form (separator replaced by '/').
std::string user_name(std::string_view name, char separator);

/// Each throws imap::CommandError with the server's words on a refusal ("cannot create folder 'x':
/// it already exists"), and Error{Usage} for a bad name.
void create(imap::Session& session, const std::string& name);
void rename(imap::Session& session, const std::string& from, const std::string& to);
void remove(imap::Session& session, const std::string& name);
void subscribe(imap::Session& session, const std::string& name, bool on);

/// The number of messages in a folder (STATUS MESSAGES), for the delete confirmation.
std::optional<std::uint32_t> message_count(imap::Session& session, const std::string& name);

}  // namespace zmail::folders
