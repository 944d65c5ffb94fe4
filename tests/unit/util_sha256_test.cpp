// SHA-256 from libcrypto, and the version text naming the libcurl zmail is linked with.
#include <gtest/gtest.h>

#include "util/sha256.hpp"
#include "version.hpp"

namespace zmail {
namespace {

TEST(Sha256, KnownDigests) {
    util::Sha256 empty;
    EXPECT_EQ(empty.hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    util::Sha256 pieces;
    pieces.update("a");
    pieces.update("");
    pieces.update("bc");
    EXPECT_EQ(pieces.hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Version, NamesLibcurl) {
    EXPECT_NE(version_text().find("zmail "), std::string::npos) << version_text();
    EXPECT_NE(version_text().find("libcurl/"), std::string::npos) << version_text();
}

}  // namespace
}  // namespace zmail
