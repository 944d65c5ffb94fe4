// `zmail send`'s first half: read what standard input holds, pick the account by the sender,
// and build the message (composed, or ready as sendmail takes it).
#pragma once

#include "profile/account.hpp"
#include "profile/profile.hpp"
#include "send/outgoing.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace zmail::send {

/// What the command line asks to send.
struct Request {
    bool compose = true;           ///< compose from `compose`; else a ready message on `input`
    ComposeInput compose_input;
    ReadyInput ready;              ///< recipients and envelope; its message is read from `input`
    std::string account;           ///< -a; empty: chosen by the sender address, else the default
};

/// The account and the message it sends.
struct Prepared {
    profile::Account account;
    Outgoing message;
};

/// Reads `input` where the request needs it (the text of a composed message without --body,
/// or the whole ready message), chooses the account and builds the message. Throws Error{Usage,
/// Data} for a bad address or message, Error{Config} when no account fits.
Prepared prepare(const profile::Profile& profile, Request request, std::FILE* input);

/// True when composing reads its text from standard input.
bool reads_text_from_input(const Request& request);

/// The accounts that have messages in their queue, in profile order.
std::vector<std::string> accounts_with_queue(const profile::Profile& profile);

}  // namespace zmail::send
