// Parsers for the data of POP3 replies: STAT, LIST and UIDL listings (RFC 1939) and the
// CAPA capability list (RFC 2449). Pure: no I/O, links without libcurl.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::pop3 {

/// The longest unique-id RFC 1939 allows ("1 to 70 characters in the range 0x21 to 0x7E").
inline constexpr std::size_t max_uid_length = 70;

/// STAT: "+OK nn mm".
struct MaildropStat {
    std::uint32_t count = 0;  ///< number of messages (not counting ones marked deleted)
    std::uint64_t size = 0;   ///< their total size in octets
};

/// One scan listing line of LIST: "n size" (anything after the size is ignored, RFC 1939 7).
struct ListEntry {
    std::uint32_t number = 0;
    std::uint64_t size = 0;
};

/// One unique-id listing line of UIDL: "n uid".
struct UidlEntry {
    std::uint32_t number = 0;
    std::string uid;
};

/// A whole UIDL listing, checked.
struct UidlListing {
    std::vector<UidlEntry> entries;           ///< in the server's order
    std::vector<std::string> duplicate_uids;  ///< uids given to more than one message, each once,
                                              ///< sorted; the fetch command must then refuse
                                              ///< to track deletions by uid
    bool has_duplicates() const { return !duplicate_uids.empty(); }
};

/// What CAPA said (RFC 2449). Keywords are matched without regard to case.
struct Capabilities {
    bool capa_supported = false;  ///< the server answered CAPA with +OK
    bool pipelining = false;      ///< PIPELINING
    bool uidl = false;            ///< UIDL
    bool top = false;             ///< TOP
    bool user = false;            ///< USER
    bool resp_codes = false;      ///< RESP-CODES
    bool auth_resp_code = false;  ///< AUTH-RESP-CODE (RFC 3206)
    bool stls = false;            ///< STLS
    bool utf8 = false;            ///< UTF8 (RFC 6856): messages with UTF-8 headers come as they are
    std::vector<std::string> sasl;  ///< SASL mechanisms, upper case, in the server's order
    /// EXPIRE: days the server keeps retrieved messages; nullopt when not advertised,
    /// -1 for "NEVER". expire_per_user is set for "EXPIRE n USER".
    std::optional<long> expire_days;
    bool expire_per_user = false;
    /// LOGIN-DELAY: minimum seconds between logins; nullopt when not advertised.
    std::optional<long> login_delay_seconds;
    std::string implementation;      ///< IMPLEMENTATION text, or empty
    std::vector<std::string> lines;  ///< every capability line as sent
};

/// Parses a message number: a decimal 1..2^32-1. Throws zmail::Error{Protocol}.
std::uint32_t parse_message_number(std::string_view text);

/// Parses the text after "+OK" of a STAT reply ("2 320", extra words ignored).
/// Throws zmail::Error{Protocol}.
MaildropStat parse_stat(std::string_view text);

/// Parses one LIST line, or the text after "+OK" of "LIST n". Throws zmail::Error{Protocol}.
ListEntry parse_list_line(std::string_view line);

/// Parses one UIDL line, or the text after "+OK" of "UIDL n". The uid must be 1..70 characters
/// 0x21..0x7E; trailing blanks are allowed, anything else after the uid is not.
/// Throws zmail::Error{Protocol}.
UidlEntry parse_uidl_line(std::string_view line);

/// Parses a UIDL listing and finds duplicate uids. A message number listed twice is a
/// protocol error. Throws zmail::Error{Protocol} naming the offending line.
UidlListing parse_uidl_listing(const std::vector<std::string>& lines);

/// Parses a LIST listing. A message number listed twice is a protocol error.
/// Throws zmail::Error{Protocol}.
std::vector<ListEntry> parse_list_listing(const std::vector<std::string>& lines);

/// Parses the lines of a CAPA reply (capa_supported is set to true). Unknown keywords are kept
/// only in `lines`; malformed arguments of known keywords are ignored, never an error.
Capabilities parse_capabilities(const std::vector<std::string>& lines);

}  // namespace zmail::pop3
