#include "error.hpp"

#include <cerrno>
#include <cstring>

#include "i18n.hpp"

namespace zmail {

void throw_storage_error(std::string_view operation, const std::string& path, int error, const StorageHints& hints) {
    const bool full = error == ENOSPC || error == EDQUOT;
    std::string hint = full ? hints.disk_full : hints.other;
    if (hint.empty() && full) {
        hint = tr("free some disk space and run the command again");
    } else if (hint.empty() && (error == EACCES || error == EPERM || error == EROFS)) {
        const auto slash = path.find_last_of('/');
        const std::string directory = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        hint = tr("check the permissions of '{}'", directory);
    }
    // the callers mark `operation` with N_ ("write", "create directory", ...)
    const std::string english(operation);
    const std::string translated = translate(english.c_str());
    throw Error(full ? ErrorKind::Temporary : ErrorKind::Storage,
                // TRANSLATORS: the first {} is an operation such as "write" or "create directory", the
                // second a file name, the third the system's reason
                tr("cannot {} '{}': {}", translated, path, std::strerror(error)), hint);
}

int exit_code(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage: return exit_codes::usage;
    case ErrorKind::Data: return exit_codes::data;
    case ErrorKind::Unavailable:
    case ErrorKind::Network:
    case ErrorKind::Tls:
    case ErrorKind::Protocol: return exit_codes::unavailable;
    case ErrorKind::Storage: return exit_codes::cantcreat;
    case ErrorKind::Temporary: return exit_codes::tempfail;
    case ErrorKind::Auth:
    case ErrorKind::Permission: return exit_codes::noperm;
    case ErrorKind::Config: return exit_codes::config;
    case ErrorKind::Internal: return exit_codes::software;
    }
    return exit_codes::software;
}

const char* kind_name(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Data: return "data";
    case ErrorKind::Unavailable: return "unavailable";
    case ErrorKind::Network: return "network";
    case ErrorKind::Tls: return "tls";
    case ErrorKind::Protocol: return "protocol";
    case ErrorKind::Storage: return "storage";
    case ErrorKind::Temporary: return "temporary";
    case ErrorKind::Auth: return "auth";
    case ErrorKind::Permission: return "permission";
    case ErrorKind::Config: return "config";
    case ErrorKind::Internal: return "internal";
    }
    return "internal";
}

}  // namespace zmail
