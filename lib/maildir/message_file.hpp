// The one way zmail puts a message into a Maildir folder: write it in tmp/, fsync it, link it
// into new/ or cur/ (link() never replaces a file, so a name clash cannot overwrite mail), then
// fsync that directory. Fetch and the sync store each add only their naming rule.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "maildir/maildir.hpp"

namespace zmail::maildir {

/// A message being written into tmp/ of a folder. Nothing is visible in new/ or cur/ until
/// link(); destroying it before link() succeeded removes the temporary file, so a failed or
/// abandoned delivery leaves nothing behind (a killed process leaves a tmp/ file that
/// Folder::clean_tmp() removes later). Errors are Error{Storage} (Temporary for a full disk)
/// carrying the caller's hints. Not thread-safe; sync_together() is the one parallel operation.
class MessageFile {
public:
    /// Creates "<folder>/tmp/<unique_name()>". With `convert_line_ends`, CRLF is stored as LF.
    MessageFile(std::string folder, StorageHints hints, bool convert_line_ends = true);
    ~MessageFile();
    MessageFile(const MessageFile&) = delete;
    MessageFile& operator=(const MessageFile&) = delete;
    /// The moved-from object owns no file any more.
    MessageFile(MessageFile&& other) noexcept;
    MessageFile& operator=(MessageFile&&) = delete;

    /// Appends message bytes (buffered).
    void write(std::string_view bytes);
    /// The whole message is written: writes what is buffered and starts the write-back so a
    /// later sync() is quick. `date` > 0 becomes the file's modification time (best effort).
    void finish(std::time_t date = 0);
    /// Makes the bytes durable (fsync) and closes the file; finishes first if needed.
    void sync();
    /// The entry link() gives the file: "<unique><name_suffix>" in new/, or in cur/ with
    /// ":2,<flags>" when `flags` is not empty or `to_cur` is set.
    Entry entry(std::string_view name_suffix, std::string_view flags, bool to_cur) const;
    /// Links the file into the folder as `entry` and removes it from tmp/; syncs first if needed.
    /// Does not sync the directory: the caller syncs new/ or cur/ once for a whole batch.
    void link(const Entry& entry);
    /// entry(), link() and a sync of the entry's directory: one message delivered durably.
    Entry deliver(std::string_view name_suffix, std::string_view flags, bool to_cur);

    bool linked() const { return linked_; }
    /// Bytes in the file so far (after line-end conversion).
    std::uint64_t size() const { return size_; }
    const std::string& unique() const { return unique_; }
    const std::string& temp_path() const { return temp_path_; }

private:
    void flush();
    std::string folder_, unique_, temp_path_, buffer_;
    StorageHints hints_;
    LineEndConverter converter_;
    std::uint64_t size_ = 0;
    int fd_ = -1;
    bool convert_ = true, finished_ = false, synced_ = false, linked_ = false;
};

/// Syncs `files` and runs `also` (a state file's sync) at the same time, on up to 16 threads:
/// fsync() calls issued together are committed together by journaling file systems, which is
/// what makes a batch of deliveries cheap. Rethrows the first error once all have finished.
void sync_together(const std::vector<MessageFile*>& files, const std::function<void()>& also = {});

}  // namespace zmail::maildir
