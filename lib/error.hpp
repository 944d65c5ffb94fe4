// The one error type of zmail. Its kind decides the exit code (see exit_code()).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace zmail {

/// What went wrong, as far as policy is concerned. Each kind maps to one sysexits code.
enum class ErrorKind {
    Usage,        ///< bad command line                                  -> 64 EX_USAGE
    Data,         ///< bad input data (a message, a file the user gave)  -> 65 EX_DATAERR
    Unavailable,  ///< a service or feature is not there                 -> 69 EX_UNAVAILABLE
    Network,      ///< cannot resolve, connect, or the connection dropped -> 69 EX_UNAVAILABLE
    Tls,          ///< certificate or TLS handshake problem             -> 69 EX_UNAVAILABLE
    Protocol,     ///< the server said something we cannot accept       -> 69 EX_UNAVAILABLE (76 is not in the table)
    Storage,      ///< cannot create or write local files               -> 73 EX_CANTCREAT
    Temporary,    ///< try again later (lock held, 4xx, timeout)        -> 75 EX_TEMPFAIL
    Auth,         ///< authentication refused                           -> 77 EX_NOPERM
    Permission,   ///< local permission problem (e.g. unsafe file mode) -> 77 EX_NOPERM
    Config,       ///< the profile store or an account is wrong         -> 78 EX_CONFIG
    Internal,     ///< a bug in zmail                                   -> 70 EX_SOFTWARE
};

/// An error: what failed (our words), what to do next (hint), and the server's own words,
/// kept apart so they are never mistaken for ours. Messages never contain secrets.
struct Error : std::runtime_error {
    ErrorKind kind;
    std::string hint;
    std::string server_reply;

    Error(ErrorKind k, std::string message, std::string hint_text = {}, std::string reply = {})
        : std::runtime_error(std::move(message)), kind(k), hint(std::move(hint_text)),
          server_reply(std::move(reply)) {}
};

/// What the caller tells the user to do when a system call on a local file fails. Each caller
/// knows its own context ("nothing was removed from the server" is fetch's, not sync's).
struct StorageHints {
    std::string disk_full;  ///< for ENOSPC and EDQUOT; empty: "free some disk space and run the command again"
    std::string other;      ///< for every other error; empty: a permissions hint for EACCES, EPERM, EROFS
};

/// The one errno-to-Error mapping: throws Error{Temporary} for a full disk (ENOSPC, EDQUOT) and
/// Error{Storage} otherwise, "cannot OPERATION 'PATH': strerror(error)", with the hint of `hints`.
[[noreturn]] void throw_storage_error(std::string_view operation, const std::string& path, int error,
                                      const StorageHints& hints = {});

/// The process exit code for an error kind (sysexits.h values).
int exit_code(ErrorKind kind);

/// A stable lower-case name for the kind, used in --json output ("auth", "network", ...).
const char* kind_name(ErrorKind kind);

namespace exit_codes {
inline constexpr int ok = 0;
inline constexpr int usage = 64;
inline constexpr int data = 65;
inline constexpr int unavailable = 69;
inline constexpr int software = 70;
inline constexpr int cantcreat = 73;
inline constexpr int tempfail = 75;
inline constexpr int noperm = 77;
inline constexpr int config = 78;
}  // namespace exit_codes

}  // namespace zmail
