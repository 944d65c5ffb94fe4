// Helpers shared by the profile_*_test.cpp files: a temp directory per test, small file
// helpers, an environment guard and a way to catch one zmail::Error.
#pragma once

#include "../support/errors.hpp"
#include "../support/files.hpp"
#include "error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace zmail::profile::testing {

using zmail::testing::TempDir;

/// Writes `content` to `path` and sets its mode exactly (the umask does not apply).
inline void write_text(const std::string& path, const std::string& content, mode_t mode = 0600) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << content;
        if (!out) throw std::runtime_error("cannot write " + path);
    }
    if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("cannot chmod " + path);
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The permission bits of `path` (0 when it does not exist).
inline mode_t file_mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

/// The names in a directory, sorted.
inline std::vector<std::string> directory_entries(const std::string& path) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path)) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    return names;
}

/// Sets (or with nullopt unsets) an environment variable for the guard's lifetime.
class ScopedEnv {
public:
    ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        if (value) ::setenv(name_.c_str(), value->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

using zmail::testing::error_of;

/// A minimal valid config holding one account `name` with the given JSON members.
inline std::string config_with_account(const std::string& name, const std::string& members) {
    return R"({"version": 1, "accounts": {")" + name + R"(": {)" + members + "}}}\n";
}

}  // namespace zmail::profile::testing
