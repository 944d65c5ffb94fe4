// IMAP COMPRESS=DEFLATE (RFC 4978): a Stream that deflates what it writes and inflates what it
// reads over another Stream, with zlib's raw deflate (no zlib or gzip header). Each write() is
// flushed (Z_SYNC_FLUSH) so a command reaches the server whole; the server does the same.
#pragma once

#include "net/stream.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace zmail::net {

class DeflateStream final : public Stream {
public:
    /// Wraps `inner` (borrowed: it must outlive this stream). Throws Error{Internal} when zlib
    /// cannot be set up.
    explicit DeflateStream(Stream& inner);
    ~DeflateStream() override;
    DeflateStream(const DeflateStream&) = delete;
    DeflateStream& operator=(const DeflateStream&) = delete;

    void write(std::string_view bytes) override;
    /// Inflates the peer's bytes; throws Error{Protocol} for data that is not a deflate stream,
    /// Error{Network} once the peer has finished its stream (it closes the connection), and what
    /// `inner` throws.
    std::size_t read_some(char* buffer, std::size_t size) override;
    std::string peer() const override { return inner_.peer(); }

    /// Bytes given to write() and returned by read_some(), and what crossed `inner` for them.
    std::uint64_t plain_out() const { return plain_out_; }
    std::uint64_t plain_in() const { return plain_in_; }
    std::uint64_t wire_out() const { return wire_out_; }
    std::uint64_t wire_in() const { return wire_in_; }

private:
    struct Zlib;
    Stream& inner_;
    std::unique_ptr<Zlib> z_;
    std::vector<char> in_;        // compressed bytes read from inner_, not yet inflated
    std::size_t in_begin_ = 0, in_end_ = 0;
    bool pending_ = false;
    bool ended_ = false;          // the peer finished its deflate stream: nothing more comes        // the last inflate filled the caller's buffer: call it again first
    std::uint64_t plain_out_ = 0, plain_in_ = 0, wire_out_ = 0, wire_in_ = 0;
};

}  // namespace zmail::net
