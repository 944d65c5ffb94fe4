#include "text/iconv_handle.hpp"

#include <cerrno>
#include <utility>

#include "text/utf8.hpp"

namespace zmail::text {

namespace {
const iconv_t invalid_descriptor = reinterpret_cast<iconv_t>(-1);
constexpr std::size_t chunk_size = 4096;
}  // namespace

IconvHandle::IconvHandle(const char* to, const char* from) : descriptor_(iconv_open(to, from)) {}

IconvHandle::~IconvHandle() {
    if (valid()) iconv_close(descriptor_);
}

IconvHandle::IconvHandle(IconvHandle&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, invalid_descriptor)) {}

void IconvHandle::reset() {
    if (valid()) iconv(descriptor_, nullptr, nullptr, nullptr, nullptr);
}

std::size_t IconvHandle::convert_prefix(std::string_view input, std::string& out) {
    if (!valid()) return 0;
    char* in = const_cast<char*>(input.data());
    std::size_t in_left = input.size();
    char chunk[chunk_size];
    while (in_left > 0) {
        char* out_ptr = chunk;
        std::size_t out_left = sizeof chunk;
        errno = 0;
        const std::size_t result = iconv(descriptor_, &in, &in_left, &out_ptr, &out_left);
        out.append(chunk, static_cast<std::size_t>(out_ptr - chunk));
        if (result != static_cast<std::size_t>(-1)) continue;
        if (errno == E2BIG) continue;
        break;  // EILSEQ, EINVAL or anything unexpected: stop here
    }
    return input.size() - in_left;
}

void IconvHandle::flush(std::string& out) {
    if (!valid()) return;
    char chunk[chunk_size];
    for (;;) {
        char* out_ptr = chunk;
        std::size_t out_left = sizeof chunk;
        errno = 0;
        const std::size_t result = iconv(descriptor_, nullptr, nullptr, &out_ptr, &out_left);
        out.append(chunk, static_cast<std::size_t>(out_ptr - chunk));
        if (result == static_cast<std::size_t>(-1) && errno == E2BIG) continue;
        return;
    }
}

bool IconvHandle::convert_strict(std::string_view input, std::string& out) {
    if (!valid()) return false;
    reset();
    if (convert_prefix(input, out) != input.size()) return false;
    flush(out);
    return true;
}

bool IconvHandle::convert_lossy(std::string_view input, std::string& out) {
    if (!valid()) return false;
    reset();
    bool exact = true;
    std::size_t pos = 0;
    while (pos < input.size()) {
        pos += convert_prefix(input.substr(pos), out);
        if (pos >= input.size()) break;
        exact = false;
        append_utf8(out, replacement_character);
        ++pos;  // skip the byte that starts the bad sequence and resynchronise after it
    }
    flush(out);
    return exact;
}

}  // namespace zmail::text
