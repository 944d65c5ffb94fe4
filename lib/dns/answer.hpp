// DNS replies (RFC 1035) as bytes in, records out: the header, the question skipped, the answer
// section's MX (RFC 1035) and SRV (RFC 2782) records, names with compression. No sockets: the
// bytes come from the network, so this is unit-tested and fuzzed (tests/fuzz/dns_answer_fuzz.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::dns {

/// The record types zmail asks for.
inline constexpr std::uint16_t type_mx = 15;
inline constexpr std::uint16_t type_srv = 33;

/// The response codes (RCODE) that matter to a caller.
inline constexpr int rcode_no_error = 0;
inline constexpr int rcode_server_failure = 2;
inline constexpr int rcode_name_error = 3;  ///< NXDOMAIN

struct MxRecord {
    int preference = 0;
    std::string exchange;  ///< lower case, without the trailing dot
};

struct SrvRecord {
    int priority = 0, weight = 0, port = 0;
    std::string target;  ///< lower case, without the trailing dot; "" for "." (no such service)
};

/// What a reply says. Records of other types (CNAME, A, ...) are skipped; records are in the
/// reply's order (see sort_mx, sort_srv).
struct Answer {
    int rcode = 0;
    bool truncated = false;
    std::vector<MxRecord> mx;
    std::vector<SrvRecord> srv;
};

/// Parses a whole DNS reply. Throws Error{Protocol} "malformed DNS reply: ..." for a reply that
/// is not one: too short, a count that runs past the end, a name with a compression loop, a
/// pointer past the end, a label or name over the RFC 1035 limits, a label with a character no
/// host name has, RDATA of the wrong size.
Answer parse_answer(std::string_view reply);

/// Reads the (possibly compressed) name at `offset` of `message`; `offset` moves past the name
/// as it appears there. Lower case, labels joined by '.', no trailing dot; "" for the root.
/// Labels may hold letters, digits, '-' and '_' only (host names and SRV owner names).
/// Throws Error{Protocol} like parse_answer().
std::string read_name(std::string_view message, std::size_t& offset);

/// MX records by preference (lowest first), ties in reply order.
void sort_mx(std::vector<MxRecord>& records);

/// SRV records by priority (lowest first), then weight (highest first), ties in reply order.
void sort_srv(std::vector<SrvRecord>& records);

}  // namespace zmail::dns
