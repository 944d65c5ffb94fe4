// Maildir folders: durable delivery, listing, flags in file names, safe folder paths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

/// A message being written into tmp/. Nothing is visible in new/ or cur/ until commit().
/// The destructor removes the temporary file unless commit() succeeded.
class Delivery {
public:
    Delivery(std::string folder, bool convert_line_ends);
    ~Delivery();
    Delivery(const Delivery&) = delete;
    Delivery& operator=(const Delivery&) = delete;
    Delivery(Delivery&&) noexcept;

    /// Appends message bytes. Throws Error{Storage} (Temporary for a full disk).
    void write(std::string_view bytes);
    /// Writes what is buffered, fsyncs and closes the temporary file. After this the bytes are
    /// on disk; commit() only names them. Throws like write().
    void sync();
    /// Moves the file into new/ (flags empty and `to_cur` false) or cur/ with ":2,<flags>", the
    /// file name being "<unique><name_suffix>[:2,flags]", then fsyncs that directory. Calls sync()
    /// first if needed. Returns the final Entry. Throws Error{Storage}.
    Entry commit(std::string_view name_suffix, std::string_view flags, bool to_cur);
    /// The message size written so far (after line-end conversion).
    std::uint64_t size() const { return size_; }
    const std::string& unique() const { return unique_; }
    const std::string& temp_path() const { return temp_path_; }

private:
    void flush();
    std::string folder_, unique_, temp_path_, buffer_;
    int fd_ = -1;
    bool convert_ = false, committed_ = false, synced_ = false;
    LineEndConverter converter_;
    std::uint64_t size_ = 0;
};

/// A Maildir folder (a directory holding cur/, new/ and tmp/).
class Folder {
public:
    explicit Folder(std::string path) : path_(std::move(path)) {}
    const std::string& path() const { return path_; }
    bool exists() const;
    /// Creates the folder and its cur/, new/, tmp/ (mode 0700). Throws Error{Storage}.
    void create() const;
    /// Starts writing a message. Throws Error{Storage} when tmp/ cannot be written.
    Delivery deliver(bool convert_line_ends = true) const { return Delivery(path_, convert_line_ends); }
    /// Every message in new/ and cur/ (not tmp/). Throws Error{Storage}.
    std::vector<Entry> list() const;
    /// Renames `entry` into cur/ with `flags`; returns the new entry. Throws Error{Storage}.
    Entry set_flags(const Entry& entry, std::string_view flags) const;
    /// Deletes a message file (durably). Missing files are not an error.
    void remove(const Entry& entry) const;
    /// Removes tmp/ files older than 36 hours (left by crashed deliveries).
    void clean_tmp() const;

private:
    std::string path_;
};

/// Checks one folder name component from a server or a user: not empty, not "." or "..", no '/',
/// NUL or control characters. Throws Error{Protocol} naming the folder.
void check_path_component(std::string_view component, std::string_view folder_name);

/// The directory of a folder below `root`. `folder` is UTF-8 with '/' between levels;
/// layout "fs" gives root/A/B, "maildir++" gives root/.A.B (and INBOX is root itself).
/// No folder name can lead outside `root`. Throws Error{Protocol} for an unsafe name.
std::string folder_path(const std::string& root, std::string_view folder, std::string_view layout);

}  // namespace zmail::maildir
