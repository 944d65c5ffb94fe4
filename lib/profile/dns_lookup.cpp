#include "profile/dns_lookup.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <cstdlib>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>

namespace zmail::profile {

namespace {

constexpr int timeout_seconds = 2;
constexpr int tries = 2;

/// A private resolver state (res_ninit), closed on every path.
class ResolverState {
public:
    ResolverState() {
        if (::res_ninit(&state_) != 0)
            throw Error(ErrorKind::Network, tr("cannot set up the DNS resolver"),
                        tr("check /etc/resolv.conf"));
        open_ = true;
        state_.retrans = timeout_seconds;
        state_.retry = tries;
        const char* server = std::getenv("ZMAIL_DNS_SERVER");
        if (server && *server) use_server(parse_dns_server(server));
    }
    ~ResolverState() {
        if (open_) ::res_nclose(&state_);
    }
    ResolverState(const ResolverState&) = delete;
    ResolverState& operator=(const ResolverState&) = delete;
    res_state get() { return &state_; }

private:
    void use_server(const DnsServerAddress& server) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(server.port));
        ::inet_pton(AF_INET, server.address.c_str(), &address.sin_addr);
        state_.nsaddr_list[0] = address;
        state_.nscount = 1;
    }
    struct __res_state state_ {};
    bool open_ = false;
};

/// The reply to a query for `name` of `type`; an empty Answer for NXDOMAIN and "no such records".
dns::Answer query(const std::string& name, int type) {
    ResolverState resolver;
    std::string reply(65536, '\0');
    const int length = ::res_nquery(resolver.get(), name.c_str(), ns_c_in, type,
                                    reinterpret_cast<unsigned char*>(reply.data()), static_cast<int>(reply.size()));
    if (length < 0) {
        const int failure = resolver.get()->res_h_errno;
        if (failure == HOST_NOT_FOUND || failure == NO_DATA) return {};
        throw Error(ErrorKind::Network,
                    failure == TRY_AGAIN ? tr("cannot look up '{}' in DNS: no answer in time, or the server failed", name)
                                         : tr("cannot look up '{}' in DNS: the server refused the query", name),
                    tr("check the network and /etc/resolv.conf, or give --preset"));
    }
    reply.resize(static_cast<std::size_t>(std::min<int>(length, static_cast<int>(reply.size()))));
    return dns::parse_answer(reply);
}

}  // namespace

DnsServerAddress parse_dns_server(const std::string& text) {
    DnsServerAddress server;
    server.address = text.substr(0, text.find(':'));
    in_addr ignored{};
    bool ok = ::inet_pton(AF_INET, server.address.c_str(), &ignored) == 1;
    if (ok && text.find(':') != std::string::npos) {
        const std::string port = text.substr(text.find(':') + 1);
        ok = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
        if (ok) server.port = std::atoi(port.c_str());
        ok = ok && server.port > 0 && server.port < 65536;
    }
    if (!ok)
        throw Error(ErrorKind::Usage, tr("invalid ZMAIL_DNS_SERVER '{}'", text),
                    tr("give an IPv4 address and an optional port, e.g. 127.0.0.1:5353, or unset it"));
    return server;
}

std::vector<dns::MxRecord> SystemDns::mx(const std::string& domain) const {
    std::vector<dns::MxRecord> records = query(domain, ns_t_mx).mx;
    dns::sort_mx(records);
    return records;
}

std::vector<dns::SrvRecord> SystemDns::srv(const std::string& name) const {
    std::vector<dns::SrvRecord> records;
    for (auto& record : query(name, ns_t_srv).srv)
        if (!record.target.empty() && record.port > 0) records.push_back(std::move(record));
    dns::sort_srv(records);
    return records;
}

}  // namespace zmail::profile
