// One process at a time per account and job (fetch, sync, send queue).
#pragma once

#include <string>

namespace zmail::util {

/// An exclusive advisory lock (flock) on a file, held for the object's lifetime. The file
/// records who holds it (pid and a description) so a second process can name the holder.
class LockFile {
public:
    /// Takes the lock on `path`, waiting up to `wait_seconds` (0: do not wait). `holder` says
    /// what takes it ("zmail fetch work"). Throws Error{Temporary} naming the holder when the
    /// lock stays taken, Error{Storage} when the file cannot be created.
    LockFile(const std::string& path, const std::string& holder, int wait_seconds);
    ~LockFile();
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;

private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace zmail::util
