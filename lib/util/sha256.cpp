#include "util/sha256.hpp"

#include <openssl/evp.h>

#include "error.hpp"
#include "i18n.hpp"

namespace zmail::util {

namespace {

EVP_MD_CTX* context(void* p) { return static_cast<EVP_MD_CTX*>(p); }

}  // namespace

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_ || EVP_DigestInit_ex(context(context_), EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context(context_));
        throw Error(ErrorKind::Internal, tr("cannot set up SHA-256"));
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(context(context_)); }

void Sha256::update(std::string_view bytes) {
    if (!bytes.empty() && EVP_DigestUpdate(context(context_), bytes.data(), bytes.size()) != 1)
        throw Error(ErrorKind::Internal, tr("SHA-256 failed"));
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context(context_), digest, &length) != 1)
        throw Error(ErrorKind::Internal, tr("SHA-256 failed"));
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

}  // namespace zmail::util
