// libFuzzer target: IMAP modified UTF-7. Properties:
// - mutf7_decode either throws Error{Protocol} or returns valid UTF-8 that mutf7_encode turns
//   back into exactly the input (decode accepts only the canonical form);
// - mutf7_decode_or_raw returns the input unchanged whenever decode fails;
// - for valid UTF-8 input without NUL, decode(encode(x)) == x.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "error.hpp"
#include "text/mutf7.hpp"
#include "text/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace zmail::text;
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    try {
        const std::string decoded = mutf7_decode(input);
        if (!is_valid_utf8(decoded)) std::abort();
        if (mutf7_encode(decoded) != input) std::abort();
        if (mutf7_decode_or_raw(input) != decoded) std::abort();
    } catch (const zmail::Error& e) {
        if (e.kind != zmail::ErrorKind::Protocol) std::abort();
        if (mutf7_decode_or_raw(input) != input) std::abort();
    }

    if (is_valid_utf8(input) && input.find('\0') == std::string_view::npos) {
        const std::string encoded = mutf7_encode(input);
        for (char c : encoded) {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) std::abort();
        }
        if (mutf7_decode(encoded) != input) std::abort();
    }
    return 0;
}
