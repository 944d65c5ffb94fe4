// Inputs the text_header_fuzz target found (tests/data/text/header_fuzz_*.bin): each is run
// through the same checks as the fuzzer, so a fixed bug stays fixed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "text/address.hpp"
#include "text/base64.hpp"
#include "text/charset.hpp"
#include "text/quoted_printable.hpp"
#include "text/rfc2047.hpp"
#include "text/rfc2231.hpp"

namespace zmail::text {
namespace {

std::filesystem::path data_dir() {
    const char* dir = std::getenv("ZMAIL_TEST_DATA");
    return std::filesystem::path(dir ? dir : ZMAIL_SOURCE_DIR "/tests/data") / "text";
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void check_like_the_fuzzer(const std::string& input, const std::string& name) {
    SCOPED_TRACE(name);
    for (std::string_view fallback : {std::string_view(), std::string_view("GB18030")}) {
        const std::string decoded = decode_header(input, fallback);
        EXPECT_TRUE(is_valid_utf8(decoded));
        EXPECT_EQ(decoded.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos);
    }
    for (const Address& address : parse_address_list(input, "GB18030")) {
        EXPECT_TRUE(is_valid_utf8(address.display_name) && is_valid_utf8(address.address) &&
                    is_valid_utf8(address.group));
    }
    const ParameterizedValue parameters = parse_parameterized(input);
    EXPECT_TRUE(is_valid_utf8(parameters.value));
    for (const Parameter& parameter : parameters.parameters) {
        EXPECT_TRUE(is_valid_utf8(parameter.name) && is_valid_utf8(parameter.value));
    }
    (void)base64_decode(input);
    if (!input.empty()) {
        for (const char* charset : {"ISO-2022-JP", "GB18030", "Shift_JIS", "EUC-JP", "Big5", "UTF-16", "UTF-7"}) {
            EXPECT_TRUE(is_valid_utf8(to_utf8(std::string_view(input).substr(1), charset))) << charset;
        }
    }
    if (is_valid_utf8(input) && input.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos) {
        for (std::string_view charset : {"UTF-8", "ISO-2022-JP"}) {
            EXPECT_EQ(decode_header(encode_unstructured(7, input, charset)), input) << charset;
        }
        EXPECT_EQ(parse_parameterized("attachment; " + encode_parameter("filename", input)).find("filename"), input);
    }
}

TEST(TextFuzzRegressions, HeaderInputs) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(data_dir())) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with("header_fuzz_")) continue;
        ++count;
        check_like_the_fuzzer(read_file(entry.path()), name);
    }
    EXPECT_GT(count, 0);
}

TEST(TextFuzzRegressions, Iso2022JpRefusesShiftCharacters) {
    // Found by the fuzzer: text holding ESC $ ( C became ISO-2022-JP bytes that a reader
    // takes as a switch to KS C 5601. Such text must go out as UTF-8.
    EXPECT_FALSE(from_utf8("a\x1b$(Cb", "ISO-2022-JP"));
    EXPECT_FALSE(from_utf8("a\x0e" "b", "ISO-2022-JP"));
    const std::string text = "会議\x1b$(C,x";
    const std::string encoded = encode_unstructured(7, text, "ISO-2022-JP");
    EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
    EXPECT_EQ(decode_header(encoded), text);
    // One-way mappings are refused too: CP932 reads 0x8160 back as U+FF5E, not U+301C.
    EXPECT_FALSE(from_utf8("〜", "Shift_JIS"));
    EXPECT_TRUE(from_utf8("〜", "ISO-2022-JP"));
}

TEST(TextFuzzRegressions, NamelessParameterDoesNotHang) {
    // "=x" (a value without a name) once made the parameter reader loop for ever.
    EXPECT_EQ(parse_parameterized("attachment; =x; filename=a.pdf").find("filename").value_or(""), "a.pdf");
    EXPECT_TRUE(parse_parameterized("a;=").parameters.empty());
}

}  // namespace
}  // namespace zmail::text
