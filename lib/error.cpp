#include "error.hpp"

namespace zmail {

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
