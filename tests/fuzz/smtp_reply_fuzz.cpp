// Fuzzes the SMTP reply parser and EHLO parsing with arbitrary lines, fed one at a time as
// libcurl's header callback would. Only zmail::Error{Protocol} may be thrown, and every reply
// that comes out must be well formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "smtp/reply.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

void check_reply(const zmail::smtp::Reply& reply) {
    check(reply.code >= 200 && reply.code <= 599);
    check(!reply.lines.empty());
    std::size_t newlines = 0;
    for (char c : reply.raw) newlines += c == '\n';
    check(newlines + 1 == reply.lines.size());
    check(reply.raw.size() <= zmail::smtp::max_reply_length);
    if (reply.enhanced) {
        check(reply.enhanced->klass == reply.code / 100);
        check(reply.enhanced->subject >= 0 && reply.enhanced->subject <= 999);
        check(reply.enhanced->detail >= 0 && reply.enhanced->detail <= 999);
        auto again = zmail::smtp::parse_enhanced_status(reply.enhanced->text());
        check(again && *again == *reply.enhanced);
    }
    (void)reply.reply_class();
    (void)reply.text();
    auto caps = zmail::smtp::parse_ehlo(reply);
    if (reply.success()) check(caps.keywords.size() + 1 == reply.lines.size());
    for (const std::string& mechanism : caps.auth) check(!mechanism.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(bytes), size);

    // One line at a time, recovering after each error.
    zmail::smtp::ReplyParser parser;
    std::vector<zmail::smtp::Reply> replies;
    bool any_error = false;
    std::string_view rest = input;
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end == std::string_view::npos ? rest.size() : end + 1);
        rest.remove_prefix(line.size());
        try {
            if (auto reply = parser.add_line(line)) {
                check_reply(*reply);
                replies.push_back(std::move(*reply));
            }
        } catch (const zmail::Error& error) {
            check(error.kind == zmail::ErrorKind::Protocol);
            check(!parser.in_progress());
            any_error = true;
        }
    }

    // The whole-text parser agrees when nothing was wrong.
    try {
        auto all = zmail::smtp::parse_replies(input);
        check(!any_error && !parser.in_progress());
        check(all.size() == replies.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            check(all[i].code == replies[i].code && all[i].raw == replies[i].raw && all[i].lines == replies[i].lines);
        }
    } catch (const zmail::Error& error) {
        check(error.kind == zmail::ErrorKind::Protocol);
        check(any_error || parser.in_progress());
    }
    return 0;
}
