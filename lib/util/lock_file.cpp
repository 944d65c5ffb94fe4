#include "util/lock_file.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace zmail::util {

LockFile::LockFile(const std::string& path, const std::string& holder, int wait_seconds) : path_(path) {
    make_directories(parent_directory(path));
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw Error(ErrorKind::Storage, tr("cannot create lock file '{}': {}", path, std::strerror(errno)));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int error = errno;
            ::close(fd_);
            throw Error(ErrorKind::Storage, tr("cannot lock '{}': {}", path, std::strerror(error)));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            std::string who;
            read_file(path, who, true);
            while (!who.empty() && (who.back() == '\n' || who.back() == '\r')) who.pop_back();
            ::close(fd_);
            fd_ = -1;
            // TRANSLATORS: {} is what the lock file says of its holder, e.g. "pid 123: zmail sync work"
            throw Error(ErrorKind::Temporary, who.empty() ? tr("another zmail is running")
                                                          : tr("another zmail is running ({})", who),
                        tr("wait for it to finish, or pass --wait SECONDS"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::string line = "pid " + std::to_string(::getpid()) + ": " + holder + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        ssize_t ignored = ::pwrite(fd_, line.data(), line.size(), 0);
        (void)ignored;
    }
}

LockFile::~LockFile() {
    if (fd_ >= 0) {
        if (::ftruncate(fd_, 0) != 0) { /* the holder line is only informative */ }
        ::close(fd_);  // releases the flock
    }
}

}  // namespace zmail::util
