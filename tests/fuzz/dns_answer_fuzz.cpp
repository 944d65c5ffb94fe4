// Fuzzes the DNS reply parser with arbitrary bytes, as a DNS server (or anyone on the path)
// could send them. Only zmail::Error{Protocol} may be thrown, names keep the RFC 1035 limits,
// and sorting keeps every record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dns/answer.hpp"
#include "error.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_name(const std::string& name) {
    check(name.size() <= 255);
    check(name.empty() || (name.front() != '.' && name.back() != '.'));
    for (char c : name) check(c < 'A' || c > 'Z');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(bytes), size);
    try {
        zmail::dns::Answer answer = zmail::dns::parse_answer(input);
        check(answer.rcode >= 0 && answer.rcode <= 15);
        // every record takes at least 11 octets of the reply
        check((answer.mx.size() + answer.srv.size()) * 11 <= size);
        for (const auto& mx : answer.mx) {
            check(mx.preference >= 0 && mx.preference <= 0xffff);
            check_name(mx.exchange);
        }
        for (const auto& srv : answer.srv) {
            check(srv.port >= 0 && srv.port <= 0xffff && srv.priority >= 0 && srv.weight >= 0);
            check_name(srv.target);
        }
        const std::size_t mx_count = answer.mx.size(), srv_count = answer.srv.size();
        zmail::dns::sort_mx(answer.mx);
        zmail::dns::sort_srv(answer.srv);
        check(answer.mx.size() == mx_count && answer.srv.size() == srv_count);
        for (std::size_t i = 1; i < answer.mx.size(); ++i) check(answer.mx[i - 1].preference <= answer.mx[i].preference);
        for (std::size_t i = 1; i < answer.srv.size(); ++i) check(answer.srv[i - 1].priority <= answer.srv[i].priority);
    } catch (const zmail::Error& error) {
        check(error.kind == zmail::ErrorKind::Protocol);
    }
    // a name anywhere in the input: bounded, no loop
    for (std::size_t start = 0; start < size && start < 64; ++start) {
        std::size_t offset = start;
        try {
            check_name(zmail::dns::read_name(input, offset));
            check(offset > start && offset <= size);
        } catch (const zmail::Error& error) {
            check(error.kind == zmail::ErrorKind::Protocol);
        }
    }
    return 0;
}
