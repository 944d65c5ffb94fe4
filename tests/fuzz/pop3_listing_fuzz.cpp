// Fuzzes the POP3 listing parsers (STAT, LIST, UIDL, CAPA) with arbitrary lines. They must
// throw nothing but zmail::Error{Protocol}, and what they accept must satisfy RFC 1939.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "pop3/listing.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

template <typename F>
void expect_only_protocol_errors(F&& f) {
    try {
        f();
    } catch (const zmail::Error& error) {
        check(error.kind == zmail::ErrorKind::Protocol);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(bytes), size);
    std::vector<std::string> lines;
    while (!input.empty()) {
        std::size_t end = input.find('\n');
        lines.emplace_back(input.substr(0, end));
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    }

    expect_only_protocol_errors([&] {
        auto listing = zmail::pop3::parse_uidl_listing(lines);
        check(listing.entries.size() == lines.size());
        std::set<std::string> seen;
        std::set<std::string> duplicates;
        for (const auto& entry : listing.entries) {
            check(entry.number > 0);
            check(!entry.uid.empty() && entry.uid.size() <= zmail::pop3::max_uid_length);
            for (char c : entry.uid) check(c >= 0x21 && c <= 0x7E);
            if (!seen.insert(entry.uid).second) duplicates.insert(entry.uid);
        }
        check(std::vector<std::string>(duplicates.begin(), duplicates.end()) == listing.duplicate_uids);
    });
    expect_only_protocol_errors([&] {
        auto entries = zmail::pop3::parse_list_listing(lines);
        check(entries.size() == lines.size());
        for (const auto& entry : entries) check(entry.number > 0);
    });
    for (const std::string& line : lines) {
        expect_only_protocol_errors([&] { zmail::pop3::parse_stat(line); });
        expect_only_protocol_errors([&] { zmail::pop3::parse_message_number(line); });
    }
    auto caps = zmail::pop3::parse_capabilities(lines);
    check(caps.capa_supported && caps.lines.size() == lines.size());
    for (const std::string& mechanism : caps.sasl) check(!mechanism.empty());
    return 0;
}
