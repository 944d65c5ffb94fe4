#include "util/atomic_file.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::util {

namespace {

std::string system_error_text(int error) { return std::strerror(error); }

}  // namespace

void write_all(int fd, std::string_view bytes, std::string_view operation, const std::string& path,
               const StorageHints& hints) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_storage_error(operation, path, errno, hints);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string parent_directory(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string expand_home(std::string_view path) {
    if (path == "~" || path.starts_with("~/")) {
        const char* home = std::getenv("HOME");
        return std::string(home ? home : "") + std::string(path.substr(1));
    }
    return std::string(path);
}

void make_directories(const std::string& path, mode_t mode) {
    if (path.empty()) return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return;
        throw Error(ErrorKind::Storage, tr("cannot create directory '{}': a file is in the way", path));
    }
    std::string parent = parent_directory(path);
    if (parent != path && parent != "." && parent != "/") make_directories(parent, mode);
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_storage_error(N_("create directory"), path, errno);
}

void fsync_directory(const std::string& directory, const StorageHints& hints) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_storage_error(N_("open directory"), directory, errno, hints);
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // EINVAL: a file system that cannot sync directories (it has nothing to make durable)
    if (rc != 0 && error != EINVAL) throw_storage_error(N_("sync directory"), directory, error, hints);
}

void fsync_parent_directory(const std::string& path, const StorageHints& hints) {
    fsync_directory(parent_directory(path), hints);
}

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
    make_directories(parent_directory(path));
    std::string temp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw_storage_error(N_("create"), temp, errno);
    try {
        ::fchmod(fd, mode);  // the umask must not widen or narrow what we asked for
        write_all(fd, content, N_("write"), temp);
        if (::fsync(fd) != 0) throw_storage_error(N_("sync"), temp, errno);
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        throw;
    }
    if (::close(fd) != 0) {
        int error = errno;
        ::unlink(temp.c_str());
        throw_storage_error(N_("write"), temp, error);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::unlink(temp.c_str());
        throw_storage_error(N_("replace"), path, error);
    }
    fsync_parent_directory(path);
}

bool read_file(const std::string& path, std::string& out, bool missing_ok) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        if (error == ENOENT && missing_ok) return false;
        if (error == EACCES || error == EPERM)
            throw Error(ErrorKind::Permission, tr("cannot read '{}': {}", path, system_error_text(error)),
                        tr("check the file's owner and mode (ls -l '{}')", path));
        throw Error(ErrorKind::Storage, tr("cannot read '{}': {}", path, system_error_text(error)));
    }
    out.clear();
    char buffer[65536];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            int error = errno;
            ::close(fd);
            if (error == EISDIR)
                throw Error(ErrorKind::Storage, tr("cannot read '{}': it is a directory", path));
            throw Error(ErrorKind::Storage, tr("cannot read '{}': {}", path, system_error_text(error)));
        }
        if (n == 0) break;
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return true;
}

}  // namespace zmail::util
