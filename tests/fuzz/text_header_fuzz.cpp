// libFuzzer target: header text decoding on arbitrary bytes. Never crashes, never hangs, and
// always yields valid UTF-8:
// - decode_header (with and without a fallback charset): valid UTF-8 without CR, LF, NUL;
// - parse_address_list: every display name, address and group valid UTF-8;
// - parse_parameterized: value, names and parameter values valid UTF-8;
// - to_utf8 in the charsets mail uses, selected by the first byte, on the rest;
// - for valid UTF-8 without CR/LF/NUL: decode_header(encode_unstructured(x)) == x, the
//   encoded form is ASCII; parse_parameterized finds encode_parameter(x) again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "text/address.hpp"
#include "text/base64.hpp"
#include "text/charset.hpp"
#include "text/quoted_printable.hpp"
#include "text/rfc2047.hpp"
#include "text/rfc2231.hpp"

namespace {

using namespace zmail::text;

void require_utf8(std::string_view text) {
    if (!is_valid_utf8(text)) std::abort();
}

void check_decoders(std::string_view input) {
    for (std::string_view fallback : {std::string_view(), std::string_view("GB18030")}) {
        const std::string decoded = decode_header(input, fallback);
        require_utf8(decoded);
        if (decoded.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) std::abort();
    }
    for (const Address& address : parse_address_list(input, "GB18030")) {
        require_utf8(address.display_name);
        require_utf8(address.address);
        require_utf8(address.group);
    }
    const ParameterizedValue parameters = parse_parameterized(input);
    require_utf8(parameters.value);
    for (const Parameter& parameter : parameters.parameters) {
        require_utf8(parameter.name);
        require_utf8(parameter.value);
    }
    (void)base64_decode(input);
}

void check_charsets(std::string_view input) {
    static const char* const charsets[] = {"ISO-2022-JP", "GB18030", "GBK", "Shift_JIS", "EUC-JP", "Big5",
                                           "EUC-KR", "UTF-8", "US-ASCII", "ISO-8859-1", "KOI8-R",
                                           "windows-1252", "UTF-16", "UTF-7", "x-unknown"};
    if (input.empty()) return;
    const char* charset = charsets[static_cast<unsigned char>(input[0]) % std::size(charsets)];
    require_utf8(to_utf8(input.substr(1), charset));
}

void check_encoders(std::string_view input) {
    if (!is_valid_utf8(input) || input.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return;
    for (std::string_view charset : {"UTF-8", "ISO-2022-JP"}) {
        const std::string encoded = encode_unstructured(7, input, charset);
        for (char c : encoded) {
            if (static_cast<unsigned char>(c) >= 0x80) std::abort();
        }
        if (decode_header(encoded) != input) std::abort();
    }
    const std::string parameter = encode_parameter("filename", input);
    if (parse_parameterized("attachment; " + parameter).find("filename") != std::string(input)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_decoders(input);
    check_charsets(input);
    check_encoders(input);
    return 0;
}
