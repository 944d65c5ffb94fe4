// Helpers every kind of test uses: a temporary directory and whole-file reads and writes.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::testing {

/// A fresh directory, removed with everything in it on destruction (permissions a test took
/// away are given back first). On /dev/shm when it is writable: the code under test syncs a lot,
/// which costs nothing on tmpfs; else under $TMPDIR or /tmp.
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string parent = base && *base ? base : "/tmp";
        if (std::filesystem::is_directory("/dev/shm") && ::access("/dev/shm", W_OK) == 0) parent = "/dev/shm";
        std::string pattern = parent + "/zmail-test.XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
        path_ = buffer.data();
    }
    ~TempDir() {
        std::error_code ignored;
        for (auto it = std::filesystem::recursive_directory_iterator(
                 path_, std::filesystem::directory_options::skip_permission_denied, ignored);
             it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
            if (it->is_directory(ignored))
                std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                             std::filesystem::perm_options::add, ignored);
        }
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// The whole file, bytes as they are; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// Replaces the file with `content`, creating missing parent directories.
inline void write_file(const std::filesystem::path& path, std::string_view content) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

/// LF line endings made CRLF (network form); CRLF already there stays as it is.
inline std::string to_crlf(std::string_view lf) {
    std::string out;
    char last = 0;
    for (char c : lf) {
        if (c == '\n' && last != '\r') out += '\r';
        out += c;
        last = c;
    }
    return out;
}

/// CRLF line endings made LF (Maildir form).
inline std::string to_lf(std::string_view crlf) {
    std::string out;
    for (std::size_t i = 0; i < crlf.size(); ++i)
        if (!(crlf[i] == '\r' && i + 1 < crlf.size() && crlf[i + 1] == '\n')) out += crlf[i];
    return out;
}

}  // namespace zmail::testing
