#include "oauth2/session_pkce.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/base64.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <string>
#include <vector>

namespace zmail::oauth2 {

std::string base64url(std::string_view bytes) {
    std::string out = text::base64_encode(bytes);
    for (char& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

std::string random_url_safe(std::size_t bytes) {
    std::vector<unsigned char> buffer(bytes);
    if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1)
        throw Error(ErrorKind::Internal, tr("cannot get random bytes from OpenSSL"));
    return base64url(std::string_view(reinterpret_cast<const char*>(buffer.data()), buffer.size()));
}

std::string code_challenge(std::string_view verifier) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(verifier.data(), verifier.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw Error(ErrorKind::Internal, tr("cannot compute SHA-256 with OpenSSL"));
    return base64url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace zmail::oauth2
