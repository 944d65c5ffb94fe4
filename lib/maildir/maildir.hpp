// Maildir folders: listing, flags in file names, safe folder paths.
#pragma once

#include "imap/folder_name.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace zmail::maildir {

/// Converts CRLF to LF while streaming (Maildir holds messages with Unix line ends). A CR at the
/// end of one chunk is held until the next chunk shows whether LF follows; a lone CR is kept.
class LineEndConverter {
public:
    /// Appends the converted form of `chunk` to `out`.
    void convert(std::string_view chunk, std::string& out);
    /// Appends what is still held (a final lone CR) to `out`.
    void finish(std::string& out);

private:
    bool pending_cr_ = false;
};

/// One message file of a folder.
struct Entry {
    std::string subdir;    ///< "new" or "cur"
    std::string filename;  ///< the whole file name
    std::string unique;    ///< the part before ':' (the stable identity of the message)
    std::string flags;     ///< Maildir info flags after ":2,", sorted ("FRS"); empty in new/
    std::string path() const { return subdir + "/" + filename; }
};

/// The Maildir info flags of a file name ("…:2,FS" -> "FS"), sorted and de-duplicated.
std::string flags_of(std::string_view filename);
/// Sorted, de-duplicated ASCII flags (Maildir wants them in ASCII order).
std::string normalize_flags(std::string_view flags);

/// A new name that no other process on any host will pick: "<sec>.M<usec>P<pid>Q<n>.<host>".
std::string unique_name();

/// A Maildir folder (a directory holding cur/, new/ and tmp/).
/// Errors are Error{Storage} (Temporary for a full disk) with the caller's `hints`.
/// The name prefix in tmp/ of a message a sync set aside (see store::MaildirStore::set_aside).
inline constexpr const char* set_aside_prefix = "zmail-moving.";

class Folder {
public:
    explicit Folder(std::string path, StorageHints hints = {}) : path_(std::move(path)), hints_(std::move(hints)) {}
    const std::string& path() const { return path_; }
    bool exists() const;
    /// Creates the folder and its cur/, new/, tmp/ (mode 0700). Throws Error{Storage}.
    void create() const;
    /// Every message in new/ and cur/ (not tmp/), each once: a message a mail reader renamed
    /// during the listing is one entry (the name that exists, else the cur/ one); a copy whose
    /// names both exist is two. Throws Error{Storage}.
    std::vector<Entry> list() const;
    /// Renames `entry` into cur/ with `flags`; returns the new entry. Throws Error{Storage}.
    Entry set_flags(const Entry& entry, std::string_view flags) const;
    /// Deletes a message file (durably). Missing files are not an error.
    void remove(const Entry& entry) const;
    /// Removes tmp/ files older than 36 hours (left by killed deliveries). Whoever selects a
    /// folder for writing calls it (fetch's target, the sync store); errors are ignored.
    /// Removes files in tmp/ older than 36 hours, and messages set aside by a sync (their name
    /// starts with set_aside_prefix) whatever their age.
    void clean_tmp() const;
    const StorageHints& hints() const { return hints_; }

    /// What list() does with what it read (for tests: a listing that raced a mail reader).
    std::vector<Entry> one_name_per_message(std::vector<Entry> entries) const;

private:
    std::string path_;
    StorageHints hints_;
};


/// The directory of a folder below `root`. `folder` is the folder's name as zmail shows it (the
/// fs form of the folder-name codec, imap/folder_name.hpp: UTF-8, '/' between levels, escapes
/// such as %2E for a leading '.'); layout "fs" gives root/A/B, "maildir++" gives root/.A.B (and
/// INBOX is root itself). No folder name can lead outside `root`. Throws Error{Protocol} for a
/// name the codec does not accept.
std::string folder_path(const std::string& root, std::string_view folder, std::string_view layout);

/// The codec's layout for sync.layout ("fs" or "maildir++").
imap::Layout maildir_layout(std::string_view layout);

}  // namespace zmail::maildir
