#include "util/sha256.hpp"

#include <openssl/evp.h>

#include "error.hpp"
#include "util/shared_library.hpp"

namespace zmail::util {

namespace {

struct Crypto {
    EVP_MD_CTX* (*context_new)();
    void (*context_free)(EVP_MD_CTX*);
    const EVP_MD* (*sha256)();
    int (*init)(EVP_MD_CTX*, const EVP_MD*, ENGINE*);
    int (*update)(EVP_MD_CTX*, const void*, size_t);
    int (*final)(EVP_MD_CTX*, unsigned char*, unsigned int*);
};

const Crypto& crypto() {
    static const Crypto loaded = [] {
        static const SharedLibrary library("libcrypto.so.3", "libssl3");
        Crypto c{};
        library.resolve(c.context_new, "EVP_MD_CTX_new");
        library.resolve(c.context_free, "EVP_MD_CTX_free");
        library.resolve(c.sha256, "EVP_sha256");
        library.resolve(c.init, "EVP_DigestInit_ex");
        library.resolve(c.update, "EVP_DigestUpdate");
        library.resolve(c.final, "EVP_DigestFinal_ex");
        return c;
    }();
    return loaded;
}

EVP_MD_CTX* context(void* p) { return static_cast<EVP_MD_CTX*>(p); }

}  // namespace

Sha256::Sha256() : context_(crypto().context_new()) {
    if (!context_ || crypto().init(context(context_), crypto().sha256(), nullptr) != 1) {
        if (context_) crypto().context_free(context(context_));
        throw Error(ErrorKind::Internal, "cannot set up SHA-256");
    }
}

Sha256::~Sha256() { crypto().context_free(context(context_)); }

void Sha256::update(std::string_view bytes) {
    if (!bytes.empty() && crypto().update(context(context_), bytes.data(), bytes.size()) != 1)
        throw Error(ErrorKind::Internal, "SHA-256 failed");
}

std::string Sha256::hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (crypto().final(context(context_), digest, &length) != 1) throw Error(ErrorKind::Internal, "SHA-256 failed");
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += digits[digest[i] >> 4];
        out += digits[digest[i] & 15];
    }
    return out;
}

}  // namespace zmail::util
