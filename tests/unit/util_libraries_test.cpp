// Libraries loaded on first use: the loader's errors, SHA-256 from libcrypto, and libcurl.
#include <gtest/gtest.h>

#include "error.hpp"
#include "net/curl_library.hpp"
#include "util/sha256.hpp"
#include "util/shared_library.hpp"
#include "version.hpp"

namespace zmail {
namespace {

TEST(SharedLibrary, MissingLibraryNamesItAndThePackage) {
    try {
        util::SharedLibrary library("libzmail-no-such-library.so.9", "zmail-no-such-package");
        FAIL() << "loaded a library that does not exist";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Unavailable);
        EXPECT_NE(std::string(error.what()).find("cannot load libzmail-no-such-library.so.9"), std::string::npos);
        EXPECT_NE(error.hint.find("apt-get install zmail-no-such-package"), std::string::npos) << error.hint;
    }
}

TEST(SharedLibrary, MissingFunctionIsNamed) {
    util::SharedLibrary library("libcrypto.so.3", "libssl3");
    EXPECT_NE(library.address("EVP_sha256"), nullptr);
    try {
        library.address("zmail_no_such_function");
        FAIL() << "found a function that does not exist";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Unavailable);
        EXPECT_NE(std::string(error.what()).find("zmail_no_such_function"), std::string::npos);
    }
}

TEST(Sha256, KnownDigests) {
    util::Sha256 empty;
    EXPECT_EQ(empty.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    util::Sha256 pieces;
    pieces.update("a");
    pieces.update("");
    pieces.update("bc");
    EXPECT_EQ(pieces.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CurlLibrary, LoadsOnceAndNamesItsVersion) {
    const net::CurlLibrary& first = net::curl_library();
    EXPECT_EQ(&first, &net::curl_library());
    EXPECT_NE(std::string(first.version()).find("libcurl/"), std::string::npos);
    EXPECT_NE(version_text().find("libcurl/"), std::string::npos) << version_text();
}

}  // namespace
}  // namespace zmail
