// Removing credentials from protocol traces. Pure: no I/O, no libcurl.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zmail::net {

/// What replaces a credential in a trace line.
inline constexpr std::string_view redacted_placeholder = "<redacted>";

/// Redacts the credentials in IMAP, POP3 and SMTP lines as they pass by, in order.
///
/// Client lines: the arguments of LOGIN, USER, PASS and APOP, the initial response of
/// AUTHENTICATE/AUTH (the mechanism name stays), and every client line while an
/// authentication exchange is open (the SASL responses, IMAP LOGIN literals). The exchange
/// opens with AUTHENTICATE, AUTH or LOGIN and ends with the server's first line that is neither
/// a continuation ("+ ...", "334 ...") nor untagged ("* ..."). "Bearer <token>" is hidden in
/// every line, from either side.
///
/// Lines are passed without their line ending. One Redactor per connection; not thread-safe.
class Redactor {
public:
    /// A line the client sent; returns it with credentials replaced.
    std::string client_line(std::string_view line);
    /// A line the server sent; returns it (bearer tokens hidden) and tracks the exchange.
    std::string server_line(std::string_view line);
    /// True between an AUTHENTICATE/AUTH/LOGIN command and the server's final reply.
    bool authenticating() const { return authenticating_; }

private:
    bool authenticating_ = false;
};

/// Stateless part of client_line: redacts one client command. Sets *starts_authentication
/// when the command opens an authentication exchange (AUTHENTICATE, AUTH, LOGIN).
std::string redact_client_command(std::string_view line, bool* starts_authentication = nullptr);

/// Replaces "Bearer <token>" (any case) by "Bearer <redacted>".
std::string redact_bearer_tokens(std::string_view line);

/// Replaces every occurrence of each non-empty string in `secrets` by the placeholder. A last
/// line of defence for text the protocol rules cannot see (e.g. libcurl's informational lines).
std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace zmail::net
