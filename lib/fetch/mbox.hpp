// The mbox format as zmail writes it (mboxrd) and locking an mbox against other writers.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace zmail::fetch {

/// Turns a message as the POP3 server sent it (CRLF line ends) into its mboxrd form, streaming:
/// CRLF becomes LF (a lone CR stays), and every line that matches ">*From " gets one more '>'
/// in front. finish() ends the message with a line end if it lacks one, plus the blank line
/// that separates it from the next message. Holds at most a few bytes between chunks.
class MboxrdEncoder {
public:
    /// Appends the encoded form of `chunk` to `out`.
    void encode(std::string_view chunk, std::string& out);
    /// Appends what is still held, the missing line end and the blank separator line.
    void finish(std::string& out);

private:
    void put(char c, std::string& out);
    void flush_held(std::string& out, bool quote);

    enum class State { LineStart, Prefix, Middle } state_ = State::LineStart;
    std::string held_;           ///< the start of the line while it may still be ">*From "
    bool pending_cr_ = false;    ///< a CR that may be the start of CRLF
    bool wrote_anything_ = false;
    bool last_was_newline_ = false;
};

/// The separator line that starts a message: "From MAILER-DAEMON Sat Nov 22 20:34:00 2025\n"
/// (asctime layout, local time).
std::string mbox_from_line(std::time_t when);

/// An exclusive lock on an mbox file for appending: a dot-lock file "PATH.lock" (created with
/// O_EXCL; one older than 5 minutes is taken as stale and removed) and an fcntl write lock on
/// the whole file, which is created (0600) when missing. Held for the object's lifetime.
class MboxLock {
public:
    /// Waits up to `wait_seconds` (0: not at all) for both locks. Throws Error{Temporary} naming
    /// the file (and the dot-lock's holder when it says) when they stay taken, Error{Storage}
    /// when the file cannot be opened or created. A directory where no dot-lock can be created
    /// (EACCES, EROFS) is used with the fcntl lock alone.
    MboxLock(std::string path, int wait_seconds);
    ~MboxLock();
    MboxLock(const MboxLock&) = delete;
    MboxLock& operator=(const MboxLock&) = delete;

    /// The mbox file, open for reading and writing (O_CLOEXEC, not O_APPEND).
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::string dot_lock_;
    int fd_ = -1;
    bool have_dot_lock_ = false;
};

}  // namespace zmail::fetch
