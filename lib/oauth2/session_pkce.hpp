// Proof Key for Code Exchange (RFC 7636) and the random values of a login.
#pragma once

#include <string>
#include <string_view>

namespace zmail::oauth2 {

/// `bytes` random bytes from OpenSSL's RAND_bytes, base64url without padding (43 characters for
/// 32 bytes: a code_verifier or a state).
std::string random_url_safe(std::size_t bytes);

/// The S256 code_challenge of a code_verifier: base64url(SHA-256(verifier)), no padding.
std::string code_challenge(std::string_view verifier);

/// base64url without padding (RFC 4648 section 5).
std::string base64url(std::string_view bytes);

}  // namespace zmail::oauth2
