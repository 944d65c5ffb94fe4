// Fuzzes COMPRESS=DEFLATE's inflating side with arbitrary server bytes, in arbitrary chunks: only
// zmail::Error (Protocol for bad data, Network at the end) may come out, never a crash or a hang.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "error.hpp"
#include "net/deflate_stream.hpp"

namespace {

class Replay : public zmail::net::Stream {
public:
    Replay(const std::uint8_t* bytes, std::size_t size) : bytes_(bytes), size_(size) {}
    void write(std::string_view) override {}
    std::size_t read_some(char* buffer, std::size_t size) override {
        if (position_ >= size_) throw zmail::Error(zmail::ErrorKind::Network, "end of input");
        const std::size_t chunk = 1 + bytes_[position_] % 61;
        const std::size_t n = std::min({size, chunk, size_ - position_});
        std::copy_n(bytes_ + position_, n, buffer);
        position_ += n;
        return n;
    }
    std::string peer() const override { return "fuzz"; }

private:
    const std::uint8_t* bytes_;
    std::size_t size_, position_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    Replay peer(bytes, size);
    zmail::net::DeflateStream stream(peer);
    char buffer[97];
    std::size_t total = 0;
    try {
        for (;;) {
            const std::size_t n = stream.read_some(buffer, sizeof buffer);
            if (n == 0 || n > sizeof buffer) std::abort();
            total += n;
            if (total > 64 * 1024 * 1024) break;  // a zip bomb is the caller's limit (ReaderLimits)
        }
    } catch (const zmail::Error& e) {
        if (e.kind != zmail::ErrorKind::Protocol && e.kind != zmail::ErrorKind::Network) std::abort();
    }
    return 0;
}
