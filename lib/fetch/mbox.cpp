#include "fetch/mbox.hpp"

#include "error.hpp"
#include "fetch/spool.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace zmail::fetch {

namespace {

constexpr std::string_view from_word = "From ";
constexpr int stale_dot_lock_seconds = 5 * 60;

/// The pid a dot-lock file holds when its whole content is a pid ("4242\n", as zmail writes
/// it); empty otherwise (other programs write nothing, or something else).
std::string dot_lock_holder(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    char buffer[32] = {};
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    std::string pid;
    for (ssize_t k = 0; k < n && buffer[k] >= '0' && buffer[k] <= '9'; ++k) pid += buffer[k];
    const bool whole = n > 0 && static_cast<std::size_t>(n) == pid.size() + 1 && buffer[n - 1] == '\n';
    if (!whole || pid.empty() || pid.size() > 9 || pid == "0") return {};
    return pid;
}

/// Whether `pid` (digits) names a process that no longer exists.
bool gone(const std::string& pid) {
    return !pid.empty() && ::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH;
}

/// Creates the dot-lock `lock` holding our pid: written into "LOCK.zmail.PID" first and then
/// linked to the lock's name, so the lock never exists without the pid that makes a killed
/// holder's lock recognisable as stale (and link() is atomic on NFS too). Where the file
/// system has no hard links, the lock is created directly. Returns 0, or the errno of the
/// failure (EEXIST: someone holds the lock).
int create_dot_lock(const std::string& lock) {
    const std::string pid = std::to_string(::getpid());
    const std::string content = pid + "\n";
    const std::string mine = lock + ".zmail." + pid;
    int fd = ::open(mine.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {  // left by an earlier process with our pid
        ::unlink(mine.c_str());
        fd = ::open(mine.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    }
    if (fd < 0) return errno;
    const ssize_t written = ::write(fd, content.data(), content.size());
    int error = written == static_cast<ssize_t>(content.size()) ? 0 : written < 0 ? errno : ENOSPC;
    if (error == 0 && ::link(mine.c_str(), lock.c_str()) != 0) {
        error = errno;
        struct stat st {};
        if (error != EEXIST && ::fstat(fd, &st) == 0 && st.st_nlink == 2) error = 0;  // NFS: linked after all
    }
    ::close(fd);
    ::unlink(mine.c_str());
    if (error == EPERM || error == ENOSYS || error == EOPNOTSUPP) {
        // no hard links here: create the lock itself, then write the pid
        fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) return errno;
        const ssize_t ignored = ::write(fd, content.data(), content.size());  // the lock is ours either way
        (void)ignored;
        ::close(fd);
        error = 0;
    }
    return error;
}

/// Removes the "LOCK.zmail.PID" files runs killed inside create_dot_lock left: those of
/// processes that are gone, and old enough that a process on another host cannot own them.
void remove_leftover_lock_files(const std::string& lock) {
    const std::size_t slash = lock.rfind('/');
    const std::string directory = slash == std::string::npos ? "." : lock.substr(0, slash == 0 ? 1 : slash);
    const std::string prefix = lock.substr(slash == std::string::npos ? 0 : slash + 1) + ".zmail.";
    DIR* dir = ::opendir(directory.c_str());
    if (!dir) return;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name.rfind(prefix, 0) != 0) continue;
        const std::string other = name.substr(prefix.size());
        if (other.empty() || other.size() > 9 || other.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string path = directory + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && st.st_mtime + stale_dot_lock_seconds < std::time(nullptr) && gone(other))
            ::unlink(path.c_str());
    }
    ::closedir(dir);
}

}  // namespace

void MboxrdEncoder::flush_held(std::string& out, bool quote) {
    if (quote) out += '>';
    out += held_;
    held_.clear();
}

void MboxrdEncoder::put(char c, std::string& out) {
    wrote_anything_ = true;
    switch (state_) {
    case State::LineStart:
        if (c == '>' || c == 'F') {
            held_ = c;
            state_ = State::Prefix;
            return;
        }
        out += c;
        state_ = c == '\n' ? State::LineStart : State::Middle;
        last_was_newline_ = c == '\n';
        return;
    case State::Prefix: {
        const std::size_t quotes = held_.find_first_not_of('>');
        if (quotes == std::string::npos && c == '>') {
            held_ += c;
            return;
        }
        std::string_view rest = std::string_view(held_).substr(quotes == std::string::npos ? held_.size() : quotes);
        if (rest.size() < from_word.size() && from_word[rest.size()] == c) {
            held_ += c;
            if (rest.size() + 1 == from_word.size()) {
                flush_held(out, true);
                state_ = State::Middle;
                last_was_newline_ = false;
            }
            return;
        }
        flush_held(out, false);
        out += c;
        state_ = c == '\n' ? State::LineStart : State::Middle;
        last_was_newline_ = c == '\n';
        return;
    }
    case State::Middle:
        out += c;
        if (c == '\n') state_ = State::LineStart;
        last_was_newline_ = c == '\n';
        return;
    }
}

void MboxrdEncoder::encode(std::string_view chunk, std::string& out) {
    std::size_t i = 0;
    while (i < chunk.size()) {
        if (pending_cr_) {
            pending_cr_ = false;
            if (chunk[i] == '\n') {
                put('\n', out);
                ++i;
                continue;
            }
            put('\r', out);
        }
        if (state_ == State::Middle) {
            // fast path: copy up to the next line end or CR in one go
            std::size_t stop = chunk.find_first_of("\r\n", i);
            std::size_t end = stop == std::string_view::npos ? chunk.size() : stop;
            if (end > i) {
                out.append(chunk.substr(i, end - i));
                wrote_anything_ = true;
                last_was_newline_ = false;
                i = end;
                continue;
            }
        }
        const char c = chunk[i++];
        if (c == '\r') {
            pending_cr_ = true;
            continue;
        }
        put(c, out);
    }
}

void MboxrdEncoder::finish(std::string& out) {
    if (pending_cr_) {
        pending_cr_ = false;
        put('\r', out);
    }
    if (state_ == State::Prefix) {
        flush_held(out, false);
        last_was_newline_ = false;
    }
    if (wrote_anything_ && !last_was_newline_) out += '\n';
    out += '\n';
    state_ = State::LineStart;
    wrote_anything_ = false;
    last_was_newline_ = false;
}

std::string mbox_from_line(std::time_t when) {
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm tm {};
    ::localtime_r(&when, &tm);
    char text[80];
    std::snprintf(text, sizeof text, "From MAILER-DAEMON %s %s %2d %02d:%02d:%02d %d\n", days[tm.tm_wday % 7],
                  months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
    return text;
}

MboxLock::MboxLock(std::string path, int wait_seconds) : path_(std::move(path)), dot_lock_(path_ + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw_storage_error(N_("open mbox"), path_, errno, storage_hints());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::max(0, wait_seconds));
    auto give_up = [&](const std::string& why) {
        if (have_dot_lock_) ::unlink(dot_lock_.c_str());
        have_dot_lock_ = false;
        ::close(fd_);
        fd_ = -1;
        // TRANSLATORS: the mbox file, then why (e.g. "another process holds a lock on it")
        throw Error(ErrorKind::Temporary, tr("cannot lock mbox '{}': {}", path_, why),
                    tr("another program is writing to it; try again later or pass --wait SECONDS"));
    };
    auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(50)); };

    // the dot-lock first (what mail delivery agents check), then the fcntl lock
    remove_leftover_lock_files(dot_lock_);
    for (;;) {
        const int error = create_dot_lock(dot_lock_);
        if (error == 0) {
            have_dot_lock_ = true;
            break;
        }
        if (error == EACCES || error == EROFS || error == EPERM) break;  // no dot-locks possible here
        if (error != EEXIST) {
            ::close(fd_);
            fd_ = -1;
            throw Error(ErrorKind::Storage, tr("cannot create lock file '{}': {}", dot_lock_, std::strerror(error)));
        }
        struct stat st {};
        if (::stat(dot_lock_.c_str(), &st) == 0 && st.st_mtime + stale_dot_lock_seconds < std::time(nullptr)) {
            ::unlink(dot_lock_.c_str());  // stale: its holder died long ago
            continue;
        }
        const std::string holder = dot_lock_holder(dot_lock_);
        if (gone(holder)) {
            ::unlink(dot_lock_.c_str());  // stale: the process that wrote its pid is gone (killed)
            continue;
        }
        if (std::chrono::steady_clock::now() >= deadline)
            give_up(holder.empty() ? tr("'{}' exists", dot_lock_) : tr("'{}' exists (pid {})", dot_lock_, holder));
        pause();
    }
    for (;;) {
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        if (::fcntl(fd_, F_SETLK, &lock) == 0) break;
        const int error = errno;
        if (error != EACCES && error != EAGAIN && error != EINTR) {
            give_up(std::strerror(error));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            struct flock probe {};
            probe.l_type = F_WRLCK;
            probe.l_whence = SEEK_SET;
            if (::fcntl(fd_, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0)
                give_up(tr("another process holds a lock on it (pid {})", probe.l_pid));
            give_up(tr("another process holds a lock on it"));
        }
        pause();
    }
}

MboxLock::~MboxLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the fcntl lock
    if (have_dot_lock_) ::unlink(dot_lock_.c_str());
}

}  // namespace zmail::fetch
