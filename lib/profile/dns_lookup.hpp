// MX and SRV lookups through the system resolver (glibc's res_nquery on a private res_state):
// the only DNS I/O of zmail. The replies are parsed by lib/dns (pure, fuzzed).
#pragma once

#include "dns/answer.hpp"

#include <string>
#include <vector>

namespace zmail::profile {

/// Where autodetection gets MX and SRV records: the system resolver, or a fake in the tests.
class DnsSource {
public:
    virtual ~DnsSource() = default;
    /// MX records of `domain`, by preference; empty when the name or the records do not exist.
    /// Throws Error{Network} when the lookup fails (no answer in time, a server failure) and
    /// Error{Protocol} for a malformed reply.
    virtual std::vector<dns::MxRecord> mx(const std::string& domain) const = 0;
    /// SRV records of `name` ("_imaps._tcp.example.org") by priority and weight, without the
    /// "." targets that say the service is not offered. Throws like mx().
    virtual std::vector<dns::SrvRecord> srv(const std::string& name) const = 0;
};

/// The system resolver: /etc/resolv.conf, or the one server $ZMAIL_DNS_SERVER names
/// ("127.0.0.1:5353"; IPv4 only; the port defaults to 53). Short timeouts: 2 seconds, 2 tries.
class SystemDns : public DnsSource {
public:
    std::vector<dns::MxRecord> mx(const std::string& domain) const override;
    std::vector<dns::SrvRecord> srv(const std::string& name) const override;
};

/// Parses $ZMAIL_DNS_SERVER's "ADDRESS[:PORT]" into an IPv4 address and port. Throws
/// Error{Usage} naming the variable for anything else. Pure, for tests.
struct DnsServerAddress {
    std::string address;
    int port = 53;
};
DnsServerAddress parse_dns_server(const std::string& text);

}  // namespace zmail::profile
