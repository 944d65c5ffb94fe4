// What the server said while libcurl connected and logged in: the greeting, the capability
// lines, the reply to the login. Fed from libcurl's debug callback; pure, no libcurl.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/server.hpp"

namespace zmail::net {

/// Records the server's side of the login dialogue, line by line (lines without line ending).
class LoginTranscript {
public:
    explicit LoginTranscript(Protocol protocol) : protocol_(protocol) {}

    /// A command line the client sent (libcurl's CURLINFO_HEADER_OUT).
    void client(std::string_view line);
    /// A line the server sent (CURLINFO_HEADER_IN).
    void server(std::string_view line);
    /// An informational line from libcurl (CURLINFO_TEXT).
    void text(std::string_view line);

    /// The server's first line ("* OK [CAPABILITY ...] Dovecot ready.", "+OK ...", "220 ...").
    const std::string& greeting() const { return greeting_; }
    /// The lines of the last CAPABILITY / CAPA / EHLO reply, final status line included; for IMAP,
    /// the capabilities the server announced with its reply to the login, when it did.
    const std::vector<std::string>& capabilities() const { return capabilities_; }
    /// True when capabilities() is the one line an IMAP server announced them with during the
    /// login (untagged or in its reply), which then need not be asked for again.
    bool capabilities_after_login() const { return capabilities_after_login_; }
    /// The server's final reply to the last login command (AUTHENTICATE, AUTH, LOGIN, USER, PASS),
    /// e.g. "A004 NO [AUTHENTICATIONFAILED] Authentication failed." or "535 5.7.8 ...".
    const std::string& login_reply() const { return login_reply_; }
    /// The payload of the server's last SASL challenge during the login ("+ eyJ..." in IMAP and
    /// POP3, "334 eyJ..." in SMTP): an OAuth2 server's error JSON in base64. Empty when none.
    const std::string& sasl_challenge() const { return sasl_challenge_; }
    /// True once the client sent a login command.
    bool login_attempted() const { return login_attempted_; }
    /// The last line the server sent.
    const std::string& last_server_line() const { return last_server_line_; }
    /// The last informational line from libcurl ("No known authentication mechanisms supported!").
    const std::string& last_text() const { return last_text_; }
    /// The environment variable naming the proxy libcurl connects through ("all_proxy",
    /// "imaps_proxy", ...), from its "Uses proxy env variable" note; empty without a proxy
    /// (none set, or no_proxy lists the host).
    const std::string& proxy() const { return proxy_; }
    /// True when the last capability reply lists `name` as a word (case-insensitive), e.g.
    /// "STARTTLS", "LOGINDISABLED", "AUTH=PLAIN" (IMAP), "AUTH" (SMTP EHLO), "SASL" (POP3 CAPA).
    bool has_capability(std::string_view name) const;

private:
    bool final_line(std::string_view line) const;

    enum class Collecting { nothing, capabilities, login };
    Protocol protocol_;
    Collecting collecting_ = Collecting::nothing;
    std::string greeting_;
    std::vector<std::string> capabilities_;
    std::string login_reply_;
    std::string sasl_challenge_;
    bool login_attempted_ = false;
    bool capabilities_after_login_ = false;
    std::string last_server_line_;
    std::string last_text_;
    std::string proxy_;
};

}  // namespace zmail::net
