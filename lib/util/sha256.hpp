// SHA-256 from OpenSSL's libcrypto (EVP), for comparing what was written with what was meant.
#pragma once

#include <string>
#include <string_view>

namespace zmail::util {

/// An incremental SHA-256. Throws Error{Internal} when OpenSSL fails.
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
    void* context_;  // EVP_MD_CTX, kept out of this header so its users need no OpenSSL headers
};

}  // namespace zmail::util
