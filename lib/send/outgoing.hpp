// From what the user gave `zmail send` to a message ready to go: the account that sends it,
// the message (composed, or handed over ready as sendmail gets it), its envelope, and the
// provider rule that the From address must be the account's own.
#pragma once

#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/media_types.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"
#include "smtp/session.hpp"
#include "text/address.hpp"

namespace zmail::send {

/// A message ready to go.
struct Outgoing {
    std::string message;        ///< CRLF line ends; the Bcc field still in it (kept for the Sent copy)
    std::string message_id;     ///< "<...>"
    smtp::Envelope envelope;          ///< ASCII domains; recipients without duplicates
    std::time_t date = 0;       ///< the Date it carries (now, when zmail added it)
    int date_offset_minutes = 0;
    std::vector<std::string> warnings;
};

/// The message as it goes to the server: `message` without its Bcc fields.
std::string wire_form(std::string_view message);

/// What `zmail send` composes from (options as given; lists may be comma-separated).
struct ComposeInput {
    std::vector<std::string> to, cc, bcc, reply_to;
    std::string from;                     ///< --from: "addr" or "Name <addr>"; empty: the account's
    std::string from_name;                ///< -F: the display name; empty: from --from or the account
    std::string subject;
    std::optional<std::string> body;      ///< --body
    std::string body_file;                ///< --body-file ("-": standard input)
    std::optional<std::string> stdin_text;///< the text read from standard input, when it is the body
    std::vector<std::string> attachments; ///< file paths
    std::string in_reply_to;
    std::vector<std::string> headers;     ///< "Name: value"
    std::string charset = "utf-8";        ///< utf-8 or iso-2022-jp
    std::string envelope_from;            ///< -f
    std::string mime_types_path = mime::system_mime_types_path;
};

/// A message handed over ready (sendmail mode).
struct ReadyInput {
    std::string message;                  ///< as read from standard input
    bool recipients_from_headers = false; ///< -t: To, Cc and Bcc
    std::vector<std::string> recipients;  ///< addresses given as arguments
    std::string envelope_from;            ///< -f
    std::string from_name;                ///< -F: display name for a From zmail has to write
};

/// The address to pick the account by: -f, else --from (compose) or the message's From (ready).
/// Empty when there is none. `ready` is the message for sendmail mode (else nullptr).
std::string sender_hint(const ComposeInput* compose, const ReadyInput* ready);

/// The account to send with: `explicit_name` (-a) when given; else the first account whose
/// address or alias is `from_address`; else the default account. Throws Error{Config} when
/// there is none.
std::string choose_account(const profile::Profile& profile, const std::string& explicit_name,
                           const std::string& from_address);

/// True when `address` is the account's address or one of its aliases (any case; Unicode and
/// Punycode domains compare equal).
bool account_may_send_as(const profile::Account& account, std::string_view address);

/// Where a sender address comes from: the From field, the Sender field or -f.
enum class SenderRole { from, sender, envelope };

/// Throws Error{Data} unless account_may_send_as: "'x' is not an address of account 'a'",
/// explaining that the server would answer "relay denied"; the message names `role` ("the From
/// address", "the envelope sender (-f) address", "the Sender address").
void check_sender(const profile::Account& account, std::string_view address, SenderRole role);

/// Composes the message (see mime::compose): reads --body-file and the attachments, picks the
/// media types, adds Date and a Message-ID on the account's domain, and checks the senders.
/// Throws Error{Usage} (injection, bad addresses, no recipients, unreadable files: Data),
/// Error{Data} (From not the account's).
Outgoing compose_outgoing(const profile::Account& account, const ComposeInput& input, std::time_t now);

/// Takes a ready message: adds Date and Message-ID when missing (and From when there is none,
/// or replaces a From without a domain such as cron's "root (Cron Daemon)" by the account's
/// address); recipients from the headers (-t) and the arguments; checks the senders. Nothing
/// else in the message changes except that line ends become CRLF.
/// Throws Error{Usage} (no recipients, an address without a domain), Error{Data} (no header,
/// From not the account's).
Outgoing ready_outgoing(const profile::Account& account, const ReadyInput& input, std::time_t now);

/// Reads a whole stream (standard input). Throws Error{Storage} on a read error, its message
/// `failure` (a text marked with N_, translated here) with "{}" for the system's reason.
std::string read_stream(std::FILE* stream, const char* failure);

/// Splits an option value holding one or more addresses ("A <a@x>, b@y") after refusing line
/// breaks (header injection) and control characters. Throws Error{Usage} naming `option`.
std::vector<text::Address> parse_address_option(std::string_view option, std::string_view value);

}  // namespace zmail::send
