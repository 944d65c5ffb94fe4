// How one server names its folders, asked of the server (NAMESPACE, else LIST "" ""), and the
// folder names users write (the form sync shows: "送信済み/2024") turned into the server's.
// `zmail sync` and `zmail folders` both go through here, so they show and accept the same names.
#pragma once

#include "imap/folder_name.hpp"
#include "imap/session.hpp"

#include <string>
#include <string_view>

namespace zmail::imap {

/// The personal namespace's prefix and delimiter from NAMESPACE when the server offers it, else
/// the delimiter from LIST "" "". Names are UTF-8 (the session encodes them on the wire).
ServerNaming ask_naming(Session& session);

/// The server's name (UTF-8) of the folder users call `name`. Throws Error{Usage} for a name
/// that is not in the codec's form (with the form it should have), Error{Unavailable} for one
/// the server cannot hold, naming its rule. `server` names the server in messages.
std::string mailbox_for(std::string_view name, const ServerNaming& naming, const std::string& server);

/// The server's naming rule in words, for hints: "this server keeps folders below 'INBOX.' and
/// uses '.' between levels".
std::string naming_rule(const ServerNaming& naming);

/// A refused CREATE, RENAME or DELETE of `mailbox` as an error: our `what`, the server's words,
/// and when the server gives no hint of its own, the naming rule and the name zmail sent.
CommandError folder_refusal(const CommandError& refused, std::string what, const ServerNaming& naming,
                            const std::string& mailbox);

}  // namespace zmail::imap
