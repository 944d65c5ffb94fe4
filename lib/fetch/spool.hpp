// Private to lib/fetch: an anonymous temporary file that holds one message until it is delivered,
// and the targets' constructors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fetch/delivery.hpp"

namespace zmail::fetch {

/// A temporary file in a private directory, written through a buffer. Its bytes are read back
/// with read_at(). Unlinked as soon as it is created, or, when `named`, on destruction (a killed
/// run leaves it for recovery to read; see rename()). Not durable: nothing relies on it surviving
/// a crash of the machine.
class SpoolFile {
public:
    /// Throws Error{Storage} (Temporary when the disk is full).
    explicit SpoolFile(const std::string& directory, bool named = false);
    ~SpoolFile();
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;

    /// Appends bytes (buffered). Throws like the constructor.
    void append(std::string_view bytes);
    /// Writes the buffer out. Throws like the constructor.
    void flush();
    /// Reads up to `size` bytes at `offset` (after flush()). Returns the count, 0 at the end.
    std::size_t read_at(std::uint64_t offset, char* buffer, std::size_t size) const;
    std::uint64_t size() const { return size_; }
    int fd() const { return fd_; }
    /// A named file takes a new name in the same directory. Throws Error{Storage}.
    void rename(const std::string& path);

private:
    std::string directory_;
    std::string path_;  ///< a named file's name; empty when unlinked
    std::string buffer_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

/// The hints of fetch's storage errors (see throw_storage_error()): a failed delivery never
/// removes the message from the server. In the user's language, built on the first call.
const StorageHints& storage_hints();

std::unique_ptr<Target> make_maildir_target(std::string folder);
std::unique_ptr<Target> make_mbox_target(std::string path, std::string spool_dir, int lock_wait_seconds);
std::unique_ptr<Target> make_mda_target(std::string command, std::string account, std::string recipient,
                                        std::string spool_dir);

/// See pending_was_delivered(); `path` is the file's final path in new/.
bool maildir_pending_was_delivered(const std::string& path);
/// See pending_was_delivered(); `detail` is "OFFSET LENGTH SHA256 PATH".
bool mbox_pending_was_delivered(const std::string& detail, bool repair, int lock_wait_seconds,
                                const std::string& spool_dir);
/// The name of an mbox message's spool copy while its append is pending.
std::string mbox_spool_name(const std::string& spool_dir, std::uint64_t offset, const std::string& digest);

}  // namespace zmail::fetch
