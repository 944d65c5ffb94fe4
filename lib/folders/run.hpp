// `zmail folders` for one account: opens the account's IMAP session and carries out one action.
#pragma once

#include "folders/folders.hpp"
#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace zmail::folders {

enum class Action { list, create, rename, remove, subscribe, unsubscribe };

struct Request {
    Action action = Action::list;
    std::string name;       ///< the folder (UTF-8, '/' between levels); not for list
    std::string new_name;   ///< rename: the new name
    ListOptions list;
    /// remove: asked with the folder's message count (when the server tells it) before deleting;
    /// empty means no question. Returning false stops with Error{Usage}, nothing deleted.
    std::function<bool(std::optional<std::uint32_t> messages)> confirm_remove;
    net::LineSink trace;    ///< protocol trace (-v -v); may be empty
    net::LineSink warning;  ///< may be empty
};

/// Connects to `account`'s IMAP server and carries out `request`; for list, the folders. Throws
/// the errors of the connection and of the action (with the server's words on a refusal).
std::vector<Folder> run(const profile::Profile& profile, const profile::Account& account, const Request& request);

}  // namespace zmail::folders
