#include "oauth2/grant.hpp"

#include "i18n.hpp"
#include "text/base64.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace zmail::oauth2 {

namespace {

using nlohmann::json;

std::string text_of(const json& doc, const char* key) {
    auto it = doc.find(key);
    if (it == doc.end()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
    return {};
}

std::int64_t number_of(const json& doc, const char* key, std::int64_t fallback) {
    auto it = doc.find(key);
    if (it == doc.end()) return fallback;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_string()) {  // some servers send "3600"
        const std::string s = it->get<std::string>();
        if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return fallback;
        return std::stoll(s);
    }
    return fallback;
}

std::optional<json> parse_object(std::string_view body) {
    json doc = json::parse(body.begin(), body.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
    return doc;
}

/// The body is never quoted: a provider answering in another form could be sending tokens.
/// `description` is the whole description, e.g. "HTTP status 400, not a JSON answer".
GrantError invalid(std::string description) { return {"invalid_response", std::move(description)}; }

/// Seconds from a server, bounded so that adding them to a clock cannot overflow.
std::int64_t bounded(std::int64_t seconds, std::int64_t low, std::int64_t high) {
    return std::clamp(seconds, low, high);
}

}  // namespace

TokenAnswer parse_token_answer(long http_status, std::string_view body) {
    TokenAnswer answer;
    auto doc = parse_object(body);
    if (doc && doc->contains("error")) {
        answer.error = GrantError{text_of(*doc, "error"), text_of(*doc, "error_description")};
        if (answer.error->error.empty()) answer.error->error = "invalid_response";
        return answer;
    }
    if (!doc || http_status != 200 || text_of(*doc, "access_token").empty()) {
        answer.error = invalid(doc ? tr("HTTP status {}, no access_token in the answer", http_status)
                                   : tr("HTTP status {}, not a JSON token answer", http_status));
        return answer;
    }
    Grant g;
    g.access_token = text_of(*doc, "access_token");
    g.token_type = text_of(*doc, "token_type");
    g.expires_in = bounded(number_of(*doc, "expires_in", 0), 0, 10LL * 366 * 24 * 3600);
    g.refresh_token = text_of(*doc, "refresh_token");
    g.scope = text_of(*doc, "scope");
    answer.grant = std::move(g);
    return answer;
}

std::optional<DeviceCode> parse_device_answer(long http_status, std::string_view body, GrantError& error) {
    auto doc = parse_object(body);
    if (doc && doc->contains("error")) {
        error = {text_of(*doc, "error"), text_of(*doc, "error_description")};
        return std::nullopt;
    }
    DeviceCode d;
    if (doc) {
        d.device_code = text_of(*doc, "device_code");
        d.user_code = text_of(*doc, "user_code");
        d.verification_uri = text_of(*doc, "verification_uri");
        if (d.verification_uri.empty()) d.verification_uri = text_of(*doc, "verification_url");  // Google
        d.verification_uri_complete = text_of(*doc, "verification_uri_complete");
        d.expires_in = bounded(number_of(*doc, "expires_in", 0), 0, 24 * 3600);
        d.interval = bounded(number_of(*doc, "interval", 5), 1, 300);
    }
    if (!doc || http_status != 200 || d.device_code.empty() || d.user_code.empty() || d.verification_uri.empty() ||
        d.expires_in <= 0) {
        error = invalid(doc ? tr("HTTP status {}, not a device authorization answer", http_status)
                            : tr("HTTP status {}, not a JSON answer", http_status));
        return std::nullopt;
    }
    return d;
}

std::string describe_sasl_challenge(std::string_view base64) {
    while (!base64.empty() && (base64.back() == ' ' || base64.back() == '\r')) base64.remove_suffix(1);
    if (base64.empty()) return {};
    std::string decoded;
    try {
        decoded = text::base64_decode(base64);
    } catch (...) {
        return {};
    }
    auto doc = parse_object(decoded);
    if (!doc) return {};
    std::string out;
    for (const char* key : {"status", "scope", "schemes"}) {
        std::string value = text_of(*doc, key);
        for (char& c : value)
            if (static_cast<unsigned char>(c) < 0x20) c = ' ';
        if (value.empty()) continue;
        if (!out.empty()) out += ", ";
        out += std::string(key) + " " + value.substr(0, 200);
    }
    return out;
}

}  // namespace zmail::oauth2
