#include "oauth2/redirect.hpp"

#include "oauth2/url.hpp"

namespace zmail::oauth2 {

bool redirect_request_complete(std::string_view received) {
    return received.find("\r\n\r\n") != std::string_view::npos || received.find("\n\n") != std::string_view::npos;
}

std::optional<RedirectRequest> parse_redirect_request(std::string_view received) {
    std::string_view line = received.substr(0, received.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find(' ');
    if (first == std::string_view::npos || first == 0) return std::nullopt;
    const std::size_t second = line.find(' ', first + 1);
    if (second == std::string_view::npos || second == first + 1) return std::nullopt;
    std::string_view version = line.substr(second + 1);
    if (!version.starts_with("HTTP/1.")) return std::nullopt;
    RedirectRequest request;
    request.method = std::string(line.substr(0, first));
    for (char c : request.method)
        if (c < 'A' || c > 'Z') return std::nullopt;
    std::string_view target = line.substr(first + 1, second - first - 1);
    if (!target.starts_with("/")) return std::nullopt;
    const std::size_t q = target.find('?');
    request.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) {
        std::string_view query = target.substr(q + 1);
        query = query.substr(0, query.find('#'));
        request.query = parse_query(query);
    }
    return request;
}

RedirectResult read_redirect(const RedirectRequest& request, std::string_view expected_state) {
    RedirectResult result;
    auto field = [&](const char* name) {
        auto it = request.query.find(name);
        return it == request.query.end() ? std::string() : it->second;
    };
    const std::string state = field("state");
    unsigned difference = state.size() != expected_state.size() || expected_state.empty();
    for (std::size_t i = 0; i < expected_state.size(); ++i)
        difference |= static_cast<unsigned char>(expected_state[i]) ^
                      static_cast<unsigned char>(i < state.size() ? state[i] : 0);
    result.state_matches = difference == 0;
    result.code = field("code");
    result.error = field("error");
    result.description = field("error_description");
    if (!result.error.empty()) result.code.clear();
    return result;
}

}  // namespace zmail::oauth2
