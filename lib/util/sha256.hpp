// SHA-256 from OpenSSL's libcrypto, loaded on first use (most runs never need it; see
// net/curl_library.hpp for why zmail does not load its libraries at start).
#pragma once

#include <string>
#include <string_view>

namespace zmail::util {

/// An incremental SHA-256. Throws Error{Unavailable} when libcrypto cannot be loaded,
/// Error{Internal} when OpenSSL fails.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view bytes);
    /// The digest in lower-case hex; the object is finished afterwards.
    std::string hex();

private:
    void* context_;  // EVP_MD_CTX
};

}  // namespace zmail::util
