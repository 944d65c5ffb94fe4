// The far side of sync: an IMAP account as a store::Store, over an imap::Session.
//
// Folder names: the server's names in UTF-8 (the session decodes modified UTF-7) with the server's
// hierarchy delimiter shown as '/'. A server name that holds a '/' inside one level (possible when
// the delimiter is another character) cannot be shown that way and is left out of list_folders().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "imap/session.hpp"
#include "imap/folder_name.hpp"
#include "imap/session_mailboxes.hpp"
#include "imap/session_messages.hpp"
#include "store/store.hpp"

namespace zmail::store {

/// Flag bits -> IMAP system flags ("\\Seen", ...), in a fixed order.
std::vector<std::string> imap_flags(Flags flags);
/// IMAP flags -> bits (case-insensitive; keywords and other flags are ignored).
Flags flags_from_imap(const std::vector<std::string>& flags);

/// An IMAP account as a store. Borrows `session` (logged in; must outlive the store). Errors are
/// those of imap::Session (CommandError for NO/BAD, Network for a cut connection).
class ImapStore : public Store {
public:
    /// `server` names the server in messages ("imap.example.com").
    ImapStore(imap::Session& session, std::string server);

    std::string describe() const override;
    Capabilities capabilities() const override;
    bool usable() const override { return !session_.broken(); }
    std::vector<FolderInfo> list_folders() override;
    void create_folder(const std::string& name) override;
    void delete_folder(const std::string& name) override;
    void rename_folder(const std::string& from, const std::string& to) override;
    FolderStatus select(const std::string& name) override;
    void expect_full_listing() override { full_listing_next_ = true; }
    void expect_changes_since(std::uint64_t modseq, std::uint32_t highest_uid) override {
        changes_next_ = ChangesAsked{modseq, highest_uid};
    }
    void while_selecting(std::function<void()> work) override { meanwhile_next_ = std::move(work); }
    Listing list_messages(std::uint64_t changed_since) override;
    std::vector<MessageIdentity> identities(const std::vector<std::uint32_t>& uids) override;
    std::vector<MessageIdentity> identities_from(std::uint32_t min_uid) override;
    void fetch(const std::vector<std::uint32_t>& uids, const BodyReceiver& receiver) override;
    std::unique_ptr<AppendWriter> begin_append(std::uint64_t size, Flags flags, std::time_t date) override;
    void commit_appends() override {}
    void set_flags(const std::vector<std::uint32_t>& uids, Flags add, Flags remove) override;
    void remove(const std::vector<std::uint32_t>& uids, bool expunge) override;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> move_messages(const std::vector<std::uint32_t>& uids,
                                                                       const std::string& to) override;
    void copy_messages(const std::vector<std::uint32_t>& uids, const std::string& to) override;

    /// The server's name of a folder (UTF-8, for the session to encode): the folder-name codec
    /// with the server's delimiter and personal prefix ("A/B" -> "INBOX.A.B" on Courier). Throws
    /// Error{Unavailable} with the rule when the server cannot hold the name.
    std::string server_name(const std::string& name);

private:
    friend class ImapAppendWriter;
    /// How the server names folders: delimiter (LIST "" ""), personal prefix (NAMESPACE).
    const imap::ServerNaming& naming();
    void subscribe_quietly(const std::string& mailbox, bool on);
    std::vector<MessageIdentity> fetch_identities(const std::string& uid_set, std::uint32_t min_uid);

    imap::Session& session_;
    imap::Mailboxes mailboxes_;
    imap::Messages messages_;
    std::string server_;
    std::optional<imap::ServerNaming> naming_;
    std::string selected_;  // server name of the selected folder
    std::uint32_t uid_validity_ = 0;
    struct ChangesAsked {
        std::uint64_t modseq;
        std::uint32_t highest_uid;
    };
    bool full_listing_next_ = false;
    std::optional<ChangesAsked> changes_next_;
    std::function<void()> meanwhile_next_;
    std::optional<Listing> prefetched_;  // the selected folder's listing, asked with its SELECT
    std::uint64_t prefetched_since_ = 0;  // ... of the changes since this mod-sequence (partial)
};

}  // namespace zmail::store
