// "host[:port]" as given to `zmail settings add --imap/--pop/--smtp`, into an account's server
// settings; the security follows from a well-known port.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace zmail::profile {

struct ServerSpec {
    nlohmann::json server;  ///< {"host": ..., "port": ..., "security": ...} for the account JSON
    std::string note;       ///< set when the security could not be told from the port
};

/// Parses `spec` for `protocol` ("imap", "pop", "smtp"): 993/995/465 are implicit TLS,
/// 143/110/587/25 STARTTLS; another port keeps the preset's security and says so in `note`.
/// Throws Error{Usage} for a missing host or a bad port.
ServerSpec parse_server_spec(const std::string& protocol, const std::string& spec);

}  // namespace zmail::profile
