#include "net/deflate_stream.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <zlib.h>

namespace zmail::net {

struct DeflateStream::Zlib {
    z_stream deflate{};
    z_stream inflate{};
    bool deflate_ready = false, inflate_ready = false;
    ~Zlib() {
        if (deflate_ready) deflateEnd(&deflate);
        if (inflate_ready) inflateEnd(&inflate);
    }
};

DeflateStream::DeflateStream(Stream& inner) : inner_(inner), z_(std::make_unique<Zlib>()), in_(64 * 1024) {
    // -15: raw deflate with a 32 KiB window, as RFC 4978 section 4 asks
    if (deflateInit2(&z_->deflate, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error(ErrorKind::Internal, tr("cannot set up zlib's deflate"));
    z_->deflate_ready = true;
    if (inflateInit2(&z_->inflate, -15) != Z_OK) throw Error(ErrorKind::Internal, tr("cannot set up zlib's inflate"));
    z_->inflate_ready = true;
}

DeflateStream::~DeflateStream() = default;

void DeflateStream::write(std::string_view bytes) {
    z_stream& z = z_->deflate;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char chunk[16 * 1024];
    do {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof chunk;
        const int rc = deflate(&z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR) throw Error(ErrorKind::Internal, tr("zlib's deflate failed"));
        out.append(chunk, sizeof chunk - z.avail_out);
    } while (z.avail_out == 0);
    plain_out_ += bytes.size();
    wire_out_ += out.size();
    inner_.write(out);
}

std::size_t DeflateStream::read_some(char* buffer, std::size_t size) {
    if (size == 0) return 0;
    if (ended_) throw Error(ErrorKind::Network, tr("connection to '{}' closed", peer()));
    z_stream& z = z_->inflate;
    for (;;) {
        if (in_begin_ < in_end_ || pending_) {
            z.next_in = reinterpret_cast<Bytef*>(in_.data() + in_begin_);
            z.avail_in = static_cast<uInt>(in_end_ - in_begin_);
            z.next_out = reinterpret_cast<Bytef*>(buffer);
            z.avail_out = static_cast<uInt>(size);
            const int rc = inflate(&z, Z_SYNC_FLUSH);
            in_begin_ = in_end_ - z.avail_in;
            const std::size_t produced = size - z.avail_out;
            pending_ = z.avail_out == 0;  // zlib may hold more output than fitted
            if (rc == Z_STREAM_END) {
                // the server finishes the stream as it closes the connection (after LOGOUT's BYE)
                ended_ = true;
                if (produced > 0) {
                    plain_in_ += produced;
                    return produced;
                }
                throw Error(ErrorKind::Network, tr("connection to '{}' closed", peer()));
            }
            if (rc != Z_OK && rc != Z_BUF_ERROR)
                throw Error(ErrorKind::Protocol, tr("bad compressed data from '{}'", peer()),
                            tr("try again; set imap.compress never if it keeps happening"));
            if (produced > 0) {
                plain_in_ += produced;
                return produced;
            }
        }
        // everything buffered is consumed (or held inside zlib): read more
        if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
        if (in_end_ == in_.size()) {
            in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(in_begin_));
            in_end_ -= in_begin_;
            in_begin_ = 0;
            if (in_end_ == in_.size()) in_.resize(in_.size() * 2);
        }
        const std::size_t got = inner_.read_some(in_.data() + in_end_, in_.size() - in_end_);
        wire_in_ += got;
        in_end_ += got;
    }
}

}  // namespace zmail::net
