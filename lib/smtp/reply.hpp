// SMTP replies (RFC 5321 4.2), enhanced status codes (RFC 3463, RFC 2034) and the EHLO
// capability list. Pure: no I/O, links without libcurl. Send feeds it the lines libcurl's
// header callback delivers, one reply line per call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::smtp {

/// The longest reply line accepted (RFC 5321 says 512; real servers send longer text).
inline constexpr std::size_t max_reply_line_length = 64 * 1024;
/// The most bytes one (multi-line) reply may have in all.
inline constexpr std::size_t max_reply_length = 1024 * 1024;

/// What the first digit of a reply code says.
enum class ReplyClass {
    Success,       ///< 2yz
    Intermediate,  ///< 3yz (354 after DATA, 334 during AUTH)
    Temporary,     ///< 4yz: try again later; the message is not lost, just not sent yet
    Permanent,     ///< 5yz: do not retry unchanged
};

/// Classifies a reply code 200..599. Throws zmail::Error{Protocol} for anything else.
ReplyClass classify(int code);

/// An enhanced status code "class.subject.detail" such as 5.7.8.
struct EnhancedStatus {
    int klass = 0;    ///< 2, 4 or 5
    int subject = 0;  ///< 0..999
    int detail = 0;   ///< 0..999
    std::string text() const;  ///< "5.7.8"
    bool operator==(const EnhancedStatus&) const = default;
};

/// Parses an enhanced status code at the start of `text` (followed by a blank or the end).
/// Returns nullopt when there is none.
std::optional<EnhancedStatus> parse_enhanced_status(std::string_view text);

/// One complete reply, single- or multi-line.
struct Reply {
    int code = 0;                           ///< 200..599
    std::optional<EnhancedStatus> enhanced; ///< from the first line that has one
    /// The text of each line after "NNN-"/"NNN ", with an enhanced status code of the reply's
    /// class removed from its start. For EHLO, lines[0] is the greeting and the rest keywords.
    std::vector<std::string> lines;
    std::string raw;                        ///< the lines as sent, without CRLF, joined by '\n'
                                            ///< (for Error::server_reply)

    ReplyClass reply_class() const { return classify(code); }
    bool success() const { return code >= 200 && code < 300; }
    bool temporary_failure() const { return code >= 400 && code < 500; }
    bool permanent_failure() const { return code >= 500 && code < 600; }
    /// The lines' text joined by single spaces.
    std::string text() const;
};

/// Assembles replies from lines fed one at a time (with or without CRLF).
/// add_line() throws zmail::Error{Protocol} for a line that is not "NNN", "NNN text" or
/// "NNN-text" with NNN in 200..599, for a continuation line with a different code, and for
/// over-long lines or replies; the parser is then reset and ready for the next reply.
class ReplyParser {
public:
    /// Adds one line; returns the reply when this line completes it.
    std::optional<Reply> add_line(std::string_view line);
    /// A multi-line reply has started and not yet ended.
    bool in_progress() const { return in_progress_; }
    /// Forgets a partial reply.
    void reset();

private:
    bool in_progress_ = false;
    Reply current_;
};

/// Parses text holding exactly one reply (lines separated by CRLF or LF).
/// Throws zmail::Error{Protocol} when it is malformed, incomplete, or followed by more lines.
Reply parse_reply(std::string_view text);

/// Parses text holding any number of complete replies. Throws zmail::Error{Protocol}.
std::vector<Reply> parse_replies(std::string_view text);

/// What an EHLO reply advertised (RFC 5321 4.1.1.1 and the extensions' RFCs).
struct EhloCapabilities {
    std::string greeting;             ///< lines[0]: the server's domain and greeting
    bool size = false;                ///< SIZE (RFC 1870)
    std::optional<std::uint64_t> size_limit;  ///< SIZE n; 0 means "no fixed limit"
    bool eight_bit_mime = false;      ///< 8BITMIME
    bool smtputf8 = false;            ///< SMTPUTF8
    bool pipelining = false;          ///< PIPELINING
    bool starttls = false;            ///< STARTTLS
    bool dsn = false;                 ///< DSN
    bool chunking = false;            ///< CHUNKING
    bool binary_mime = false;         ///< BINARYMIME
    bool enhanced_status_codes = false;  ///< ENHANCEDSTATUSCODES
    std::vector<std::string> auth;    ///< AUTH mechanisms, upper case, no duplicates
                                      ///< (also from the old "AUTH=..." form)
    std::vector<std::string> keywords;  ///< every keyword line as sent (lines[1..])

    /// Whether `keyword` (any case) was advertised.
    bool has(std::string_view keyword) const;
};

/// Reads the capabilities from an EHLO reply. A reply that is not 2yz advertises nothing.
EhloCapabilities parse_ehlo(const Reply& reply);

}  // namespace zmail::smtp
