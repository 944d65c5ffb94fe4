// A message someone else wrote (mutt, git send-email, cron) handed to `zmail send` as it is:
// finding its header fields, taking recipients from To/Cc/Bcc, removing Bcc, adding a missing
// Date or Message-ID — without touching anything else. Pure.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/address.hpp"

namespace zmail::mime {

/// One header field as it stands in the message.
struct HeaderField {
    std::string name;       ///< as written ("Subject")
    std::string raw_value;  ///< everything after the colon, folding kept, final line end removed
    std::size_t begin = 0;  ///< offset of the field's first byte in the message
    std::size_t end = 0;    ///< offset just past its last line end (continuation lines included)
};

/// The header block of a message.
struct HeaderBlock {
    std::vector<HeaderField> fields;
    /// Offset of the body: just past the empty line, or the message size when there is none.
    std::size_t body_offset = 0;
    /// True when an empty line ends the header (false: the message is all header).
    bool has_separator = false;

    /// The first field called `name` (any case), or nullptr.
    const HeaderField* find(std::string_view name) const;
    /// How many fields are called `name`.
    std::size_t count(std::string_view name) const;
};

/// Splits off the header block (line ends CRLF or LF). A line that is neither a field
/// ("Name:" with a printable name) nor a continuation ends the header there, as if an
/// empty line had stood before it (the body starts with that line). Never throws.
HeaderBlock parse_header_block(std::string_view message);

/// The message with every line end made CRLF (a bare LF or a bare CR becomes CRLF), as SMTP
/// and IMAP APPEND need it. A message that does not end with a line end gets a final CRLF.
std::string to_crlf(std::string_view message);

/// `message` without a leading "From " line (mbox separator some programs pipe along).
std::string_view without_mbox_separator(std::string_view message);

/// `message` with every field called `name` (any case) removed, continuation lines included.
std::string remove_fields(std::string_view message, std::string_view name);

/// `message` with `fields` ("Name: value" lines, each without line end) inserted before the
/// first header field, with the line end style the message uses.
std::string prepend_fields(std::string_view message, const std::vector<std::string>& fields);

/// The mailboxes of every field called `name` (To, Cc, Bcc, From), decoded, in order.
std::vector<text::Address> addresses_in(const HeaderBlock& header, std::string_view name);

/// What `zmail send` needs from a ready message.
struct ReadyMessage {
    std::string bytes;               ///< the message as it will be kept (Date/Message-ID added; Bcc kept)
    std::string message_id;          ///< "<...>", the existing or the added one
    std::vector<text::Address> from; ///< the From mailboxes
    std::optional<text::Address> sender;  ///< the Sender mailbox, if any
    std::vector<text::Address> to, cc, bcc;
    bool added_date = false, added_message_id = false, added_from = false;
};

/// Reads a ready message: drops a leading mbox "From " line, adds "Date: <date>" and
/// "Message-ID: <message_id>" when missing (both given by the caller, already formatted), and
/// `from_field` ("From: ...", formatted by the caller) when the message has no From field
/// (`from_field` empty: nothing added). Everything else is kept byte for byte.
/// Throws zmail::Error{Data} when the message is empty or has no header fields at all.
ReadyMessage read_ready_message(std::string_view message, std::string_view date, std::string_view message_id,
                                std::string_view from_field);

}  // namespace zmail::mime
