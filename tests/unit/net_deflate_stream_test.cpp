// COMPRESS=DEFLATE's stream over an in-memory peer: what one side deflates the other inflates byte
// for byte, whatever the chunking; damaged input is a Protocol error; the end of the peer's
// stream is the end of the connection.
#include "error.hpp"
#include "net/deflate_stream.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

namespace zmail::net {
namespace {

/// A peer in memory: what the stream writes is kept; reads come from `incoming`, `chunk` at a time.
class MemoryStream : public Stream {
public:
    std::string written, incoming;
    std::size_t position = 0, chunk = 1 << 20;
    void write(std::string_view bytes) override { written.append(bytes); }
    std::size_t read_some(char* buffer, std::size_t size) override {
        if (position >= incoming.size()) throw Error(ErrorKind::Network, "closed");
        const std::size_t n = std::min({size, chunk, incoming.size() - position});
        std::copy_n(incoming.data() + position, n, buffer);
        position += n;
        return n;
    }
    std::string peer() const override { return "memory"; }
};

/// Raw deflate of `pieces`, each flushed (as a server does), optionally finished.
std::string deflate_raw(const std::vector<std::string>& pieces, bool finish) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    std::string out;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(pieces[i].data()));
        z.avail_in = static_cast<uInt>(pieces[i].size());
        const int flush = finish && i + 1 == pieces.size() ? Z_FINISH : Z_SYNC_FLUSH;
        char buffer[4096];
        do {
            z.next_out = reinterpret_cast<Bytef*>(buffer);
            z.avail_out = sizeof buffer;
            deflate(&z, flush);
            out.append(buffer, sizeof buffer - z.avail_out);
        } while (z.avail_out == 0);
    }
    deflateEnd(&z);
    return out;
}

std::string inflate_raw(const std::string& bytes) {
    z_stream z{};
    inflateInit2(&z, -15);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char buffer[4096];
    do {
        z.next_out = reinterpret_cast<Bytef*>(buffer);
        z.avail_out = sizeof buffer;
        inflate(&z, Z_SYNC_FLUSH);
        out.append(buffer, sizeof buffer - z.avail_out);
    } while (z.avail_out == 0 || z.avail_in > 0);
    inflateEnd(&z);
    return out;
}

std::string read_all(DeflateStream& stream, std::size_t want, std::size_t buffer_size) {
    std::string out;
    std::vector<char> buffer(buffer_size);
    while (out.size() < want) out.append(buffer.data(), stream.read_some(buffer.data(), buffer.size()));
    return out;
}

TEST(DeflateStream, WhatIsWrittenArrivesFlushedCommandByCommand) {
    MemoryStream peer;
    DeflateStream stream(peer);
    stream.write("A001 SELECT INBOX\r\n");
    EXPECT_EQ(inflate_raw(peer.written), "A001 SELECT INBOX\r\n");  // whole, without more input
    stream.write("A002 UID FETCH 1:* (FLAGS)\r\n");
    EXPECT_EQ(inflate_raw(peer.written), "A001 SELECT INBOX\r\nA002 UID FETCH 1:* (FLAGS)\r\n");
    EXPECT_EQ(stream.plain_out(), 47u);
    EXPECT_EQ(stream.wire_out(), peer.written.size());
}

TEST(DeflateStream, ReadsEveryByteWhateverTheChunking) {
    std::mt19937 random(7);
    std::vector<std::string> pieces;
    std::string all;
    for (int i = 0; i < 50; ++i) {
        std::string piece = "* " + std::to_string(i) + " FETCH (BODY[] {400}\r\n";
        for (int j = 0; j < 400; ++j) piece += static_cast<char>(random() % 7 == 0 ? random() % 256 : 'a' + j % 26);
        pieces.push_back(piece);
        all += piece;
    }
    const std::string wire = deflate_raw(pieces, false);
    for (std::size_t chunk : {std::size_t(1), std::size_t(7), std::size_t(4096), wire.size()}) {
        for (std::size_t buffer : {std::size_t(1), std::size_t(100), std::size_t(65536)}) {
            MemoryStream peer;
            peer.incoming = wire;
            peer.chunk = chunk;
            DeflateStream stream(peer);
            EXPECT_EQ(read_all(stream, all.size(), buffer), all) << chunk << " " << buffer;
            EXPECT_LE(stream.wire_in(), wire.size());  // the last flush marker may still wait
        }
    }
}

TEST(DeflateStream, DamagedDataIsAProtocolErrorAndTheEndClosesTheConnection) {
    MemoryStream garbage;
    garbage.incoming = std::string("\xff\xff\xff\xff not deflate at all", 24);
    DeflateStream bad(garbage);
    char buffer[64];
    try {
        bad.read_some(buffer, sizeof buffer);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Protocol) << e.what();
    }
    MemoryStream finished;
    finished.incoming = deflate_raw({"* BYE bye\r\nA9 OK done\r\n"}, true);
    DeflateStream last(finished);
    EXPECT_EQ(read_all(last, 23, 64), "* BYE bye\r\nA9 OK done\r\n");
    try {
        last.read_some(buffer, sizeof buffer);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Network) << e.what();
    }
}

}  // namespace
}  // namespace zmail::net
