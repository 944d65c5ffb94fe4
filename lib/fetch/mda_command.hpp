// The MDA command line of one message: %F and %T replaced (as fetchmail and mpop do) by the
// envelope sender and recipient, each quoted for /bin/sh. Pure.
#pragma once

#include <string>
#include <string_view>

namespace zmail::fetch {

/// The envelope sender of a message, from its header (LF or CRLF line ends; the body, if given,
/// is not read): the Return-Path address, else the From address, else "MAILER-DAEMON" (also for
/// an empty Return-Path, "<>", and for an address with control characters or blanks).
std::string envelope_sender(std::string_view message);

/// `value` as one /bin/sh word: in single quotes, a ' inside written as '\''.
std::string shell_quote(std::string_view value);

/// `command` with %F replaced by the quoted sender, %T by the quoted recipient and %% by %; any
/// other % stays as it is.
std::string mda_command(std::string_view command, std::string_view sender, std::string_view recipient);

}  // namespace zmail::fetch
