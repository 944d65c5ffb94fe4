// Parsed IMAP server responses (RFC 3501 with UIDPLUS, CONDSTORE/QRESYNC, SPECIAL-USE, LIST-STATUS,
// ID, ENABLE, ESEARCH, RFC 5530 response codes): plain structs, produced by ResponseReader.
// Mailbox names stay exactly as the server sent them (modified UTF-7, or UTF-8 after UTF8=ACCEPT).
#pragma once

#include "text/ascii.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "imap/uid_set.hpp"

namespace zmail::imap {

/// The status word of a status response.
enum class Status { Ok, No, Bad, Bye, Preauth };

/// The response code between brackets ("[TRYCREATE]"); names per RFC 3501, 4315, 7162, 5530.
enum class CodeKind {
    None,  ///< the response had no code
    Alert, Parse, PermanentFlags, ReadOnly, ReadWrite, TryCreate, UidNext, UidValidity, Unseen,
    HighestModseq, NoModseq, Modified, AppendUid, CopyUid, UidNotSticky, Closed, Capability, BadCharset,
    AlreadyExists, Nonexistent, ServerBug, ClientBug, InUse, Limit, OverQuota, Cannot, NoPerm,
    Unavailable, AuthenticationFailed, AuthorizationFailed, Expired, PrivacyRequired, ContactAdmin,
    ExpungeIssued, Corruption, MailboxId, Other,  ///< Other: an unknown code, see ResponseCode::name / arguments
};

/// A response code with its arguments. Only the members that belong to `kind` are set.
struct ResponseCode {
    CodeKind kind = CodeKind::None;
    std::string name;       ///< the code name upper-cased, e.g. "UIDVALIDITY" (also for Other)
    std::string arguments;  ///< the raw text after the name up to ']' ("" when none)
    /// UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ; APPENDUID and COPYUID: the destination UIDVALIDITY.
    std::uint64_t number = 0;
    /// PERMANENTFLAGS flags, CAPABILITY atoms, BADCHARSET charsets; MAILBOXID (RFC 8474): its one objectid.
    std::vector<std::string> atoms;
    /// MODIFIED: the UIDs (or numbers) not stored; APPENDUID: the new UIDs; COPYUID: the source UIDs.
    SequenceSet set;
    /// COPYUID: the destination UIDs, in the order of `set`.
    SequenceSet destination;
};

/// A status response: tagged ("A004 OK [READ-WRITE] SELECT completed") or untagged
/// ("* OK [UIDVALIDITY 3857529045] UIDs valid", "* BYE ...").
struct StatusResponse {
    std::string tag;  ///< empty for untagged responses
    Status status = Status::Ok;
    ResponseCode code;  ///< code.kind == None when there was none
    std::string text;   ///< the human-readable text after the code (may be empty)
    std::string line;   ///< the whole line without CRLF, for Error::server_reply
};

/// "+ text": the server waits for a literal, an IDLE "DONE" or an authentication answer.
struct ContinuationRequest {
    std::string text;
};

/// "* CAPABILITY IMAP4rev1 IDLE ..." (atoms as sent; compare case-insensitively).
struct CapabilityData {
    std::vector<std::string> capabilities;
};

/// "* LIST (\HasNoChildren \Sent) "/" Sent" and LSUB. Extended data (CHILDINFO, OLDNAME) is skipped.
struct ListData {
    bool lsub = false;
    std::vector<std::string> flags;  ///< "\Noselect", "\Sent", ... as sent
    std::optional<char> delimiter;   ///< nullopt for NIL (flat namespace)
    std::string mailbox;             ///< raw name, not decoded from modified UTF-7
    /// True when `flags` holds `flag` (case-insensitive, e.g. "\\Sent").
    bool has_flag(std::string_view flag) const;
};

/// "* STATUS name (MESSAGES 3 UNSEEN 1 ...)". Items the server did not send stay empty.
struct MailboxStatusData {
    std::string mailbox;  ///< raw name, not decoded
    std::optional<std::uint32_t> messages, recent, uid_next, uid_validity, unseen;
    std::optional<std::uint64_t> size, highest_modseq;
};

/// "* 23 EXISTS".
struct ExistsData { std::uint32_t count = 0; };
/// "* 5 RECENT".
struct RecentData { std::uint32_t count = 0; };
/// "* 3 EXPUNGE": message sequence number 3 is gone; later numbers shift down by one.
struct ExpungeData { std::uint32_t sequence = 0; };

/// The ENVELOPE fields zmail uses (addresses are skipped). NIL gives nullopt.
struct Envelope {
    std::optional<std::string> date, subject, in_reply_to, message_id;
};

/// A message data item such as BODY[], BODY[HEADER.FIELDS (MESSAGE-ID)]<0>, BINARY[1] or RFC822.
struct BodySection {
    std::string name;       ///< the item name as sent, brackets and <origin> included ("BODY[]")
    bool nil = false;       ///< the server sent NIL
    bool streamed = false;  ///< the bytes went to the BodySink; `data` is empty
    std::uint64_t size = 0; ///< number of bytes (streamed or in `data`)
    std::string data;       ///< the bytes, when not streamed
};

/// "* 12 FETCH (UID 42 FLAGS (\Seen) ...)". Items the server did not send stay empty; unknown items
/// (X-GM-LABELS, BODYSTRUCTURE, EMAILID, ...) are skipped.
struct FetchData {
    std::uint32_t sequence = 0;
    std::optional<std::uint32_t> uid;
    std::optional<std::vector<std::string>> flags;  ///< present when FLAGS was sent, even if empty
    std::optional<std::uint64_t> rfc822_size;
    std::optional<std::time_t> internal_date;       ///< UTC
    std::optional<int> internal_date_offset;        ///< the zone of INTERNALDATE in minutes east
    std::optional<std::uint64_t> modseq;
    std::optional<Envelope> envelope;
    std::vector<BodySection> sections;
    /// The section named `name` (case-insensitive), or nullptr.
    const BodySection* section(std::string_view name) const;
};

/// "* VANISHED (EARLIER) 1:5,9" (QRESYNC): these UIDs are gone.
struct VanishedData {
    bool earlier = false;
    SequenceSet uids;
};

/// "* SEARCH 2 84 882 (MODSEQ 917162500)".
struct SearchData {
    std::vector<std::uint32_t> numbers;
    std::optional<std::uint64_t> modseq;
};

/// "* ESEARCH (TAG "A282") UID MIN 2 COUNT 3 ALL 2,10:11" (RFC 4731).
struct ExtendedSearchData {
    std::string tag;  ///< the correlating tag, empty when absent
    bool uid = false;
    std::optional<std::uint32_t> min, max, count;
    std::optional<SequenceSet> all;
    std::optional<std::uint64_t> modseq;
};

/// "* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)".
struct FlagsData {
    std::vector<std::string> flags;
};

/// "* ID ("name" "Dovecot")" or "* ID NIL". Fields whose value is NIL are kept with nullopt.
struct IdData {
    std::vector<std::pair<std::string, std::optional<std::string>>> fields;
};

/// "* ENABLED CONDSTORE QRESYNC".
struct EnabledData {
    std::vector<std::string> capabilities;
};

/// One namespace of a NAMESPACE response: its prefix ("INBOX." on Courier) and delimiter.
struct NamespaceEntry {
    std::string prefix;              ///< as the server sent it (modified UTF-7 or UTF-8)
    std::optional<char> delimiter;   ///< nullopt for NIL (a flat namespace)
};

/// "* NAMESPACE (("" "/")) NIL (("Shared/" "/"))" (RFC 2342): the personal, other users' and
/// shared namespaces; an empty list for NIL. Extensions are checked for syntax and skipped.
struct NamespaceData {
    std::vector<NamespaceEntry> personal, other_users, shared;
};

/// Any other untagged response ("* QUOTA ..."), checked for syntax and skipped.
struct OtherData {
    std::string name;  ///< upper-cased first word after "*" (after the number, if there was one)
};

using ResponseData = std::variant<StatusResponse, ContinuationRequest, CapabilityData, ListData,
                                  MailboxStatusData, ExistsData, RecentData, ExpungeData, FetchData,
                                  VanishedData, SearchData, ExtendedSearchData, FlagsData, IdData,
                                  EnabledData, NamespaceData, OtherData>;

/// One complete server response.
struct Response {
    ResponseData data;

    /// The tagged status response, or nullptr when this is untagged or a continuation.
    const StatusResponse* tagged() const;
    /// Any status response (tagged or untagged), or nullptr.
    const StatusResponse* status() const { return std::get_if<StatusResponse>(&data); }
    bool is_continuation() const { return std::holds_alternative<ContinuationRequest>(data); }
    template <class T> const T* get() const { return std::get_if<T>(&data); }
};

/// Parses a response code's name and raw arguments into `code` (kind and typed members).
/// Throws zmail::Error{Protocol} when a known code has malformed arguments ("[UIDNEXT x]").
ResponseCode parse_response_code(std::string_view name, std::string_view arguments);

/// "OK", "NO", "BAD", "BYE", "PREAUTH".
const char* status_name(Status status);

/// ASCII case-insensitive comparison (atoms, flags, capabilities): the one in lib/text.
using text::equals_ignore_case;

}  // namespace zmail::imap
