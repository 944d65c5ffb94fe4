// What an OAuth2 authorization server answers (RFC 6749 5.1/5.2, RFC 8628 3.2/3.5) and what a
// mail server's SASL error challenge says (RFC 7628 3.2.2). Pure: the bytes in, a value out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zmail::oauth2 {

/// A successful token response.
struct Grant {
    std::string access_token;
    std::string token_type;     ///< "Bearer"
    std::int64_t expires_in = 0;  ///< seconds; 0 when the server did not say
    std::string refresh_token;  ///< empty: none sent (keep the old one)
    std::string scope;          ///< empty: as requested
};

/// An error response: `error` is the RFC 6749 code (invalid_grant, authorization_pending, ...).
struct GrantError {
    std::string error;
    std::string description;  ///< error_description, may be empty
};

/// The answer to a token request: a Grant or a GrantError.
struct TokenAnswer {
    std::optional<Grant> grant;
    std::optional<GrantError> error;
};

/// Parses a token endpoint's answer. HTTP status 200 with an access_token is a Grant; a JSON
/// body with "error" is a GrantError whatever the status; anything else is a GrantError with
/// error "invalid_response" and a description naming the status. Never throws.
TokenAnswer parse_token_answer(long http_status, std::string_view body);

/// The device authorization response (RFC 8628 3.2).
struct DeviceCode {
    std::string device_code, user_code, verification_uri, verification_uri_complete;
    std::int64_t expires_in = 0;
    std::int64_t interval = 5;  ///< seconds between polls; 5 when the server does not say
};

/// Parses a device authorization answer; nullopt with `error` filled when it is not one.
std::optional<DeviceCode> parse_device_answer(long http_status, std::string_view body, GrantError& error);

/// The words of a SASL OAUTHBEARER/XOAUTH2 error challenge: the base64 JSON
/// {"status":"invalid_token","scope":"...","openid-configuration":"..."} as
/// "status invalid_token, scope ...". Empty when `base64` is not such a challenge.
std::string describe_sasl_challenge(std::string_view base64);

}  // namespace zmail::oauth2
