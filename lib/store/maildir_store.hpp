// The near side of sync: a tree of Maildir folders as a store::Store.
//
// UIDs: every folder has a ".zmail-uidvalidity" file holding its UIDVALIDITY (random, so two
// folders differ) and the next free UID. A message's UID is in its file name, as
// "<unique>,V=<uidvalidity>,U=<uid>[:2,<flags>]", so it survives renames by mail readers. A file
// without that tag (new mail, a draft) or with another folder's tag (moved in by a mail reader)
// gets a fresh UID when the folder is listed: the next-UID value is made durable first, then the
// file is renamed, then the directories are synced. Two files with the same UID (a copy) keep it
// for one of them only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "maildir/maildir.hpp"
#include "maildir/message_file.hpp"
#include "maildir/prefetch.hpp"
#include "store/store.hpp"

namespace zmail::store {

/// Flag bits -> Maildir info letters in ASCII order ("DFRST" subset).
std::string maildir_flags(Flags flags);
/// Maildir info letters -> flag bits; other letters (keywords a-z, P) are ignored.
Flags flags_from_maildir(std::string_view letters);

class MessageReader;

struct MaildirOptions {
    std::string layout = "fs";  ///< "fs" (root/A/B) or "maildir++" (root/.A.B, INBOX is root)
    bool read_only = false;     ///< dry run: never creates, renames or writes anything
};

/// The ",V=<uidvalidity>,U=<uid>" tag of a file's unique part.
struct UidTag {
    std::uint32_t uid_validity = 0;
    std::uint32_t uid = 0;
};
/// The tag at the end of `unique` (the file name before ":2,"), if any.
std::optional<UidTag> parse_uid_tag(std::string_view unique);
/// `unique` without a trailing UID tag, ours or another program's bare ",U=<n>".
std::string strip_uid_tag(std::string_view unique);
/// The tag as written into a file name.
std::string format_uid_tag(UidTag tag);
/// The unique part of `entry`'s name with `tag`, shortened where the whole name would pass
/// NAME_MAX (255 bytes).
std::string tagged_unique(const maildir::Entry& entry, UidTag tag);

/// A Maildir tree as a store. Errors: Error{Storage} (Temporary for a full disk) for files,
/// Error{Protocol} for a folder name that cannot be a directory (see maildir::folder_path).
class MaildirStore : public Store {
public:
    MaildirStore(std::string root, MaildirOptions options = {});
    /// Removes the temporary files of appends that were finished but never committed.
    ~MaildirStore() override;
    MaildirStore(const MaildirStore&) = delete;
    MaildirStore& operator=(const MaildirStore&) = delete;

    std::string describe() const override;
    Capabilities capabilities() const override;
    std::vector<FolderInfo> list_folders() override;
    void create_folder(const std::string& name) override;
    void delete_folder(const std::string& name) override;
    void rename_folder(const std::string& from, const std::string& to) override;
    FolderStatus select(const std::string& name) override;
    Listing list_messages(std::uint64_t changed_since) override;
    std::vector<MessageIdentity> identities(const std::vector<std::uint32_t>& uids) override;
    std::vector<MessageIdentity> identities_from(std::uint32_t min_uid) override;
    void fetch(const std::vector<std::uint32_t>& uids, const BodyReceiver& receiver) override;
    std::unique_ptr<AppendWriter> begin_append(std::uint64_t size, Flags flags, std::time_t date) override;
    void commit_appends() override;
    void set_flags(const std::vector<std::uint32_t>& uids, Flags add, Flags remove) override;
    void remove(const std::vector<std::uint32_t>& uids, bool expunge) override;
    std::vector<std::pair<std::uint32_t, std::string>> set_aside(const std::vector<std::uint32_t>& uids) override;
    /// The UIDs the last list_messages() gave to files that had none of this folder's (new mail,
    /// a file moved in from another folder), also in a read-only store (where they are not kept).
    const std::vector<std::uint32_t>& fresh_uids() const { return fresh_; }

    /// Starts listing these folders on a thread of their own, so the first list_messages() of
    /// each finds its listing made (the sync calls it before logging in to the server). A
    /// listing made ahead may miss what changed since; the second one of a folder is made anew.
    void list_ahead(const std::vector<std::string>& folders);

    /// The directory of a folder (for tests and messages).
    std::string folder_directory(const std::string& name) const;

private:
    friend class MaildirAppendWriter;
    struct Staged {
        maildir::MessageFile file;  ///< written; removed from tmp/ when dropped unlinked
        maildir::Entry entry;
        std::uint32_t uid = 0;
    };

    void require_selected() const;
    void sync_staged();
    /// Allocates `count` fresh UIDs, making the next-UID value durable first; returns the first.
    std::uint32_t allocate_uids(std::uint32_t count);
    void write_uid_file(std::uint32_t next_uid);
    /// The current entry of `uid`, looking again in the directory when the file was renamed
    /// behind our back; nullptr when it is gone.
    const maildir::Entry* find(std::uint32_t uid);
    /// The file of `uid`, open for reading; nullptr when the message is gone.
    std::unique_ptr<MessageReader> open_message(std::uint32_t uid);
    void sync_directories(bool new_dir, bool cur_dir) const;

    std::string root_;
    MaildirOptions options_;
    // the selected folder
    std::string folder_name_, path_;
    bool selected_ = false;
    std::uint32_t uid_validity_ = 0, next_uid_ = 1, reserved_until_ = 1;
    std::unordered_map<std::uint32_t, maildir::Entry> index_;
    std::vector<std::string> listing_skipped_;  // for the next Listing::skipped
    std::vector<Staged> staged_;
    std::unique_ptr<maildir::Prefetch> ahead_;
    /// Staged files written but not synced (each holds a file descriptor until it is).
    std::size_t unsynced_ = 0;
    static constexpr std::size_t max_unsynced = 64;
    std::vector<std::uint32_t> fresh_;
};

}  // namespace zmail::store
