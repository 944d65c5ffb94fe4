// Encoding IMAP commands (RFC 3501 with LITERAL+/LITERAL-, UIDPLUS, CONDSTORE/QRESYNC, SPECIAL-USE,
// LIST-STATUS, ID, ENABLE, IDLE, MOVE, ESEARCH). Pure: builds bytes, never sends them. The session
// chooses the tags and sends the parts in order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "imap/date_time.hpp"

namespace zmail::imap {

/// Server capabilities that change how strings are written.
struct EncodeOptions {
    bool literal_plus = false;   ///< LITERAL+: every literal may be non-synchronizing, "{n+}"
    bool literal_minus = false;  ///< LITERAL-: non-synchronizing only up to 4096 bytes
    bool utf8 = false;           ///< UTF8=ACCEPT is enabled: 8-bit strings may be quoted
};

/// One piece of a command: write `bytes`, then, if `wait_for_continuation`, wait for the server's
/// "+" before writing the next part (a synchronizing literal was announced at its end). Instead of
/// "+" the server may answer with the tagged NO/BAD: then the command is over and the rest is not sent.
struct CommandPart {
    std::string bytes;
    bool wait_for_continuation = false;
};

/// A command ready to send. Only one command that waits for a continuation may be in flight.
struct Command {
    std::string tag;
    std::vector<CommandPart> parts;
    /// APPEND only: the last part announces a literal of this many bytes; after it (and after the
    /// "+" if that part waits) the session writes exactly this many message bytes, then "\r\n".
    std::optional<std::uint64_t> message_size;

    /// All parts joined (for tests and for a protocol log; strings in literals included as sent).
    std::string text() const;
};

/// Writes one command from its words. Throws zmail::Error{Data} for strings that cannot be sent
/// (a NUL byte) and invalid flags, and Error{Internal} for invalid keywords, items or sets, which are
/// the caller's bug.
class CommandWriter {
public:
    /// Starts "<tag> "; the tag must be 1*ATOM-CHAR without '+'.
    CommandWriter(std::string tag, EncodeOptions options);

    /// Protocol words written as given ("UID FETCH"); letters, digits and ".-_[]<>()\\$ :,*+=" only.
    CommandWriter& keyword(std::string_view text);
    CommandWriter& space();
    /// An astring: atom when safe, else quoted, else a literal (CR/LF, 8-bit without utf8, long).
    CommandWriter& astring(std::string_view value);
    /// A string that is never sent as an atom (quoted or literal).
    CommandWriter& string(std::string_view value);
    CommandWriter& number(std::uint64_t value);
    /// "(\Seen $Forwarded)"; each flag checked with is_valid_flag().
    CommandWriter& flag_list(const std::vector<std::string>& flags);
    /// A sequence set checked with is_valid_sequence_set().
    CommandWriter& sequence_set(std::string_view set);
    /// Ends the command with CRLF.
    Command finish();
    /// Ends the command with an APPEND literal announcement for `size` message bytes.
    Command finish_with_message(std::uint64_t size);

private:
    void literal_announcement(std::uint64_t size);

    Command command_;
    EncodeOptions options_;
};

/// True for "\Seen", "\Answered", "$Forwarded", "NonJunk": an optional '\' then 1*ATOM-CHAR.
bool is_valid_flag(std::string_view flag);

/// The quoted form of `value` ("a\"b" with '"' and '\' escaped); does not check quotability.
std::string quote(std::string_view value);

/// STATUS items (RFC 3501, 7162, 8438).
enum class StatusItem { Messages, Recent, UidNext, UidValidity, Unseen, Size, HighestModseq };

/// LIST options: "LIST (selection) ref pattern RETURN (SPECIAL-USE STATUS (...))".
struct ListOptions {
    std::vector<std::string> selection;     ///< e.g. {"SUBSCRIBED"} (LIST-EXTENDED); empty: none
    bool return_special_use = false;        ///< RETURN (SPECIAL-USE), needs SPECIAL-USE
    std::vector<StatusItem> return_status;  ///< RETURN (STATUS (...)), needs LIST-STATUS
};

/// QRESYNC parameters of SELECT (RFC 7162 3.2.5).
struct Qresync {
    std::uint32_t uid_validity = 0;
    std::uint64_t modseq = 0;
    std::string known_uids;  ///< a UID set, or empty
};

struct SelectOptions {
    bool read_only = false;          ///< EXAMINE instead of SELECT
    bool condstore = false;          ///< "(CONDSTORE)"
    std::optional<Qresync> qresync;  ///< "(QRESYNC (...))"; needs ENABLE QRESYNC first
};

/// UID FETCH modifiers (RFC 7162).
struct FetchModifiers {
    std::optional<std::uint64_t> changed_since;  ///< "(CHANGEDSINCE n)"
    bool vanished = false;                       ///< add VANISHED (needs QRESYNC and changed_since)
};

enum class StoreMode { Add, Remove, Replace };  ///< +FLAGS, -FLAGS, FLAGS

/// One word of a SEARCH: a keyword written as is ("HEADER", "UNSEEN", "1:5") or a string argument.
struct SearchTerm {
    bool is_string = false;
    std::string text;
    static SearchTerm keyword(std::string text) { return {false, std::move(text)}; }
    static SearchTerm string(std::string text) { return {true, std::move(text)}; }
};

/// The command builders, in their own namespace so that select(), close() and friends never hide
/// the POSIX functions of the same name. `tag` is chosen by the session; mailbox names are given as
/// sent (modified UTF-7 or, with EncodeOptions::utf8, UTF-8). Each returns the whole command, CRLF
/// included. Errors as for CommandWriter.
namespace command {

Command capability(const std::string& tag);
Command noop(const std::string& tag);
Command namespace_(const std::string& tag);  ///< NAMESPACE (RFC 2342)
Command logout(const std::string& tag);
Command compress_deflate(const std::string& tag);  ///< COMPRESS DEFLATE (RFC 4978)
/// NOTIFY SET (RFC 5465): new, expunged and flag-changed messages in the selected mailbox and in
/// every personal one, with STATUS for the others as they change.
Command notify_set(const std::string& tag);
/// "ID ("name" "zmail" ...)" or "ID NIL" for no fields.
Command id(const std::string& tag, const std::vector<std::pair<std::string, std::string>>& fields,
           const EncodeOptions& options = {});
Command enable(const std::string& tag, const std::vector<std::string>& capabilities);
Command list(const std::string& tag, std::string_view reference, std::string_view pattern,
             const ListOptions& list_options = {}, const EncodeOptions& options = {});
Command lsub(const std::string& tag, std::string_view reference, std::string_view pattern,
             const EncodeOptions& options = {});
Command status(const std::string& tag, std::string_view mailbox, const std::vector<StatusItem>& items,
               const EncodeOptions& options = {});
/// SELECT or EXAMINE.
Command select(const std::string& tag, std::string_view mailbox, const SelectOptions& select_options = {},
               const EncodeOptions& options = {});
/// CREATE, with "(USE (\Sent))" when `special_use` is not empty (CREATE-SPECIAL-USE).
Command create(const std::string& tag, std::string_view mailbox, const std::vector<std::string>& special_use = {},
               const EncodeOptions& options = {});
Command delete_mailbox(const std::string& tag, std::string_view mailbox, const EncodeOptions& options = {});
Command rename(const std::string& tag, std::string_view from, std::string_view to, const EncodeOptions& options = {});
Command subscribe(const std::string& tag, std::string_view mailbox, const EncodeOptions& options = {});
Command unsubscribe(const std::string& tag, std::string_view mailbox, const EncodeOptions& options = {});
/// "UID FETCH <set> (<items>) [(CHANGEDSINCE n [VANISHED])]"; items such as "UID", "FLAGS",
/// "BODY.PEEK[]", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]".
Command uid_fetch(const std::string& tag, std::string_view set, const std::vector<std::string>& items,
                  const FetchModifiers& modifiers = {});
/// "UID STORE <set> [(UNCHANGEDSINCE n)] +FLAGS.SILENT (...)".
Command uid_store(const std::string& tag, std::string_view set, StoreMode mode, const std::vector<std::string>& flags,
                  bool silent = true, std::optional<std::uint64_t> unchanged_since = std::nullopt);
Command uid_expunge(const std::string& tag, std::string_view set);
/// "UID MOVE <set> <mailbox>" (RFC 6851), or "UID COPY <set> <mailbox>" when not `move`.
Command uid_move(const std::string& tag, std::string_view set, std::string_view mailbox,
                 const EncodeOptions& options = {}, bool move = true);
Command expunge(const std::string& tag);
Command close(const std::string& tag);
Command unselect(const std::string& tag);
/// "APPEND <mailbox> [(flags)] ["date-time"] {size}"; see Command::message_size. `date` is written in
/// its own zone offset.
Command append(const std::string& tag, std::string_view mailbox, const std::vector<std::string>& flags,
               const std::optional<DateTime>& date, std::uint64_t size, const EncodeOptions& options = {});
/// "UID SEARCH [RETURN (...)] [CHARSET UTF-8] <terms>"; CHARSET UTF-8 is added when a string term has
/// 8-bit bytes. `return_options` (ESEARCH) e.g. {"ALL"} or {"MIN", "MAX", "COUNT"}.
Command uid_search(const std::string& tag, const std::vector<SearchTerm>& terms,
                   const std::vector<std::string>& return_options = {}, const EncodeOptions& options = {});
/// "UID SEARCH HEADER Message-ID <id>".
Command uid_search_message_id(const std::string& tag, std::string_view message_id, const EncodeOptions& options = {});
Command idle(const std::string& tag);
/// The line that ends IDLE (no tag): "DONE\r\n".
std::string idle_done();

}  // namespace command
}  // namespace zmail::imap
