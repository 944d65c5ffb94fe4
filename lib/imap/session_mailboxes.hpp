// The mailbox commands of an IMAP session: LIST (with SPECIAL-USE and LIST-STATUS, or STATUS per
// mailbox as a fallback), LSUB, STATUS, SELECT/EXAMINE, UNSELECT, CREATE, DELETE, RENAME, SUBSCRIBE.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/session.hpp"

namespace zmail::imap {

/// The STATUS items of a mailbox. Items the server did not send stay empty.
struct MailboxStatus {
    std::optional<std::uint32_t> messages, recent, uid_next, uid_validity, unseen;
    std::optional<std::uint64_t> size, highest_modseq;
};

/// One mailbox of a LIST or LSUB answer.
struct MailboxEntry {
    std::string name;                 ///< UTF-8 (decoded from modified UTF-7 unless UTF8=ACCEPT)
    std::string raw_name;             ///< exactly as the server sent it
    std::optional<char> delimiter;    ///< hierarchy delimiter; nullopt for a flat namespace
    std::vector<std::string> attributes;  ///< "\HasNoChildren", "\Sent", "\Noselect", ... as sent
    std::string special_use;          ///< "\Sent", "\Drafts", "\Trash", "\Junk", "\Archive", "\All",
                                      ///< "\Flagged", or empty
    bool selectable = true;           ///< false with \Noselect or \NonExistent
    std::optional<MailboxStatus> status;  ///< when asked for and the server answered
    bool has_attribute(std::string_view attribute) const;  ///< case-insensitive
};

/// What Mailboxes::list() asks for.
struct ListRequest {
    std::string reference;            ///< LIST reference, usually empty
    std::string pattern = "*";        ///< UTF-8; '*' and '%' are wildcards
    /// STATUS items per selectable mailbox: LIST-STATUS when offered, else one STATUS per mailbox
    /// (pipelined; a mailbox whose STATUS is refused just has no status). Empty: none.
    std::vector<StatusItem> status;
};

/// SELECT/EXAMINE parameters.
struct OpenOptions {
    bool read_only = false;  ///< EXAMINE instead of SELECT
    /// "(CONDSTORE)": ask for HIGHESTMODSEQ; ignored when the server lacks CONDSTORE.
    bool condstore = false;
    /// "(QRESYNC (...))": what the caller knew; used only when QRESYNC was enabled (see
    /// SessionOptions::enable_qresync), otherwise ignored.
    std::optional<Qresync> qresync;
    /// QRESYNC: messages whose flags changed since qresync->modseq, as the server reports them
    /// during SELECT. Without a callback they are dropped (the caller then lists flags itself).
    std::function<void(const MessageFlags&)> on_changed;
    /// Called once the SELECT is sent and before its answer is read: a command sent from here
    /// follows it on the wire (pipelined) and runs in the folder if the SELECT succeeds.
    std::function<void()> after_send;
};

/// The mailbox commands of `session`, which it borrows (it must outlive this). Holds no state of
/// its own: the selection and the names seen in LIST live in the session, so any number of these
/// may be made, e.g. `Mailboxes(session).select("INBOX")`. Errors as for Session.
class Mailboxes {
public:
    explicit Mailboxes(Session& session) : session_(session) {}

    /// LIST with RETURN (SPECIAL-USE) when offered (with LIST-EXTENDED) and STATUS as asked.
    std::vector<MailboxEntry> list(const ListRequest& request = {});
    /// NAMESPACE when the server offers it (RFC 2342), else nullopt. The prefixes stay as sent.
    std::optional<NamespaceData> namespaces();
    /// LSUB (subscribed mailboxes).
    std::vector<MailboxEntry> lsub(std::string_view pattern = "*");
    /// STATUS of one mailbox (HIGHESTMODSEQ is dropped when the server lacks CONDSTORE).
    MailboxStatus status(std::string_view mailbox, const std::vector<StatusItem>& items);
    /// SELECT (or EXAMINE with options.read_only). Clears the session's updates(). A failure leaves
    /// no mailbox selected. A missing folder: CommandError "cannot select folder 'X': no such folder"
    /// with result.missing_mailbox().
    SelectedMailbox select(std::string_view mailbox, const OpenOptions& options = {});
    /// EXAMINE: select() read-only (options.read_only is ignored).
    SelectedMailbox examine(std::string_view mailbox, const OpenOptions& options = {});
    /// UNSELECT when offered, else nothing is sent (CLOSE would expunge); forgets the selection.
    void unselect();
    /// CREATE, with "(USE (...))" when `special_use` is given and CREATE-SPECIAL-USE is offered.
    void create(std::string_view mailbox, const std::vector<std::string>& special_use = {});
    /// DELETE.
    void remove(std::string_view mailbox);
    void rename(std::string_view from, std::string_view to);
    void subscribe(std::string_view mailbox);
    void unsubscribe(std::string_view mailbox);

private:
    std::vector<StatusItem> usable_status_items(const std::vector<StatusItem>& items) const;
    std::vector<MailboxEntry> list_command(bool lsub, const ListRequest& request);
    SelectedMailbox open(std::string_view mailbox, const OpenOptions& options, bool read_only);
    void status_fallback(std::vector<MailboxEntry>& entries, const std::vector<StatusItem>& items);
    void remember_raw_names(const std::vector<MailboxEntry>& entries);

    Session& session_;
};

}  // namespace zmail::imap
