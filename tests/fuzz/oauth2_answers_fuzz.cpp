// Fuzzes what an authorization server and a browser send zmail: token and device answers (JSON),
// the redirect request on the loopback listener, a SASL error challenge. Nothing may throw, and
// a grant always carries an access token.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oauth2/grant.hpp"
#include "oauth2/redirect.hpp"
#include "oauth2/url.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(bytes), size);
    const long status = size > 0 && bytes[0] % 2 ? 200 : 400;
    auto answer = zmail::oauth2::parse_token_answer(status, input);
    check(answer.grant.has_value() != answer.error.has_value());
    if (answer.grant) check(!answer.grant->access_token.empty() && answer.grant->expires_in >= 0);
    zmail::oauth2::GrantError error;
    if (auto device = zmail::oauth2::parse_device_answer(status, input, error))
        check(!device->device_code.empty() && device->interval >= 1 && device->expires_in > 0);
    if (auto request = zmail::oauth2::parse_redirect_request(input)) {
        check(request->path.starts_with("/"));
        auto result = zmail::oauth2::read_redirect(*request, "expected-state");
        if (result.state_matches) check(request->query.at("state") == "expected-state");
        if (!result.error.empty()) check(result.code.empty());
    }
    zmail::oauth2::describe_sasl_challenge(input);
    auto query = zmail::oauth2::parse_query(input);
    (void)zmail::oauth2::form_encode({{"x", std::string(input)}});
    (void)query;
    return 0;
}
