// The one folder-name codec: a server's mailbox name (modified UTF-7 or UTF-8, its hierarchy
// delimiter, its personal namespace prefix) to a folder's path below the Maildir root and back,
// for both layouts. Pure: no I/O.
//
// In between is the folder's *levels*: the UTF-8 names of its hierarchy levels, ["INBOX"] for
// INBOX. Both directions are bijections on the names they accept:
//   server name  <-> levels   the levels are the server's own (decoded, the personal prefix
//                             "INBOX." taken off; top-level INBOX in any case is ["INBOX"])
//   levels       <-> path     every level is escaped where a directory name cannot hold it:
//                             '%' -> %25, '/' -> %2F, control characters -> %XX, a leading '.'
//                             -> %2E, a level that is Maildir's cur, new or tmp -> its first
//                             letter as %XX (%63ur), and in the maildir++ layout '.' -> %2E;
//                             a level not in Unicode NFC has every non-ASCII byte escaped
//                             too (a decomposed directory name, as macOS writes, is refused
//                             with the NFC name it should have)
// A local name is accepted only in that canonical form (so "50% off" on disk is refused with the
// form it should have, "50%25 off"), and only when the server can hold its levels: a level
// holding the server's delimiter cannot be created there.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::imap {

/// How one server names its mailboxes (from LIST "" "" and NAMESPACE).
struct ServerNaming {
    char delimiter = '/';         ///< hierarchy delimiter; '\0' for a flat server
    std::string personal_prefix;  ///< NAMESPACE's personal prefix as sent ("INBOX." on Courier), or ""
    bool utf8 = false;            ///< UTF8=ACCEPT enabled: names are UTF-8, not modified UTF-7
};

/// The two ways a Maildir tree lays out folders (sync.layout).
enum class Layout {
    fs,            ///< root/A/B; INBOX is root/INBOX
    maildir_plus,  ///< root/.A.B; INBOX is root itself
};

/// Levels of a folder: UTF-8, none empty, no NUL. INBOX is {"INBOX"}; a first level that is INBOX
/// in any case is written "INBOX" (the server treats it so).
using Levels = std::vector<std::string>;

/// The result of a mapping: the value, or why the name is not accepted.
template <typename T>
struct Mapped {
    std::optional<T> value;
    std::string why;  ///< set when !value: "it is outside the personal namespace 'INBOX.'", ...
    explicit operator bool() const { return value.has_value(); }
};

/// A server name (as sent) to its levels. Refused: a name that is not canonical modified UTF-7
/// (or not UTF-8 with `utf8`), that lies outside the personal namespace, that has an empty level.
Mapped<Levels> levels_from_server(std::string_view raw, const ServerNaming& naming);

/// Levels to the server's name (as sent). Refused: a level holding the server's delimiter (or
/// more than one level on a flat server); on a server with a personal prefix, {"INBOX", X} where
/// X is not INBOX again (that is the top-level folder X there).
Mapped<std::string> server_from_levels(const Levels& levels, const ServerNaming& naming);

/// Levels to the folder's path relative to the Maildir root ("" for INBOX in maildir++; '/'
/// between directories in fs). Never refuses: every level has a safe form. A first level that is
/// INBOX in any case becomes "INBOX".
std::string path_from_levels(const Levels& levels, Layout layout);

/// A path relative to the Maildir root (as path_from_levels() makes them) to its levels. Refused:
/// what path_from_levels() cannot have made (a malformed or needless %XX, a raw '%', a leading
/// '.', cur/new/tmp, an empty level, bytes that are not UTF-8, a top-level "inbox" other than
/// INBOX itself).
Mapped<Levels> levels_from_path(std::string_view path, Layout layout);

/// One level in its escaped form (a directory name in fs; a part of one in maildir++).
std::string escape_level(std::string_view level, Layout layout);
/// The inverse of escape_level(), refusing any form escape_level() does not make.
Mapped<std::string> unescape_level(std::string_view escaped, Layout layout);

/// The name shown to users and accepted on the command line: the fs path ("送信済み/2024").
std::string display_name(const Levels& levels);

}  // namespace zmail::imap
