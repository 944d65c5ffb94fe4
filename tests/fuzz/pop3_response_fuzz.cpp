// Fuzzes the POP3 reply reader: arbitrary bytes in arbitrary chunkings. The reader must agree
// with a simple whole-buffer reference on where the reply ends, on the status line, and on the
// dot-unstuffed data, and must throw nothing but zmail::Error.
//
// Input: byte 0 picks the reply shape, bytes 1-4 the chunk sizes (cycled), the rest is the wire.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "pop3/response.hpp"

namespace {

using zmail::pop3::ReplyShape;

void check(bool condition) {
    if (!condition) std::abort();
}

struct Reference {
    bool error = false;             ///< the reader must throw
    bool maybe_error = false;       ///< a listing line is near the limit: either outcome is fine
    bool done = false;
    std::size_t consumed = 0;
    std::optional<zmail::pop3::StatusLine> status;
    std::string data;               ///< unstuffed data (Data shape), all complete lines
    std::string partial;            ///< the unstuffed partial last line when not done
    bool partial_is_dot_cr = false; ///< the partial last line is ".\r" (the reader holds the CR)
    std::vector<std::string> lines; ///< listing lines (Lines shape)
};

/// Reads the whole wire at once, the obvious way.
Reference reference(std::string_view wire, ReplyShape shape) {
    Reference ref;
    std::size_t newline = wire.find('\n');
    std::size_t status_length = newline == std::string_view::npos ? wire.size() : newline + 1;
    if (status_length > zmail::pop3::max_line_length) {
        ref.error = true;
        return ref;
    }
    if (newline == std::string_view::npos) return ref;
    try {
        ref.status = zmail::pop3::parse_status_line(wire.substr(0, newline + 1));
    } catch (const zmail::Error&) {
        ref.error = true;
        return ref;
    }
    std::size_t pos = newline + 1;
    if (shape == ReplyShape::SingleLine || !ref.status->ok) {
        ref.done = true;
        ref.consumed = pos;
        return ref;
    }
    while (true) {
        std::size_t crlf = wire.find("\r\n", pos);
        std::string_view line = wire.substr(pos, crlf == std::string_view::npos ? std::string_view::npos : crlf - pos);
        if (line.size() + 2 >= zmail::pop3::max_line_length) ref.maybe_error = true;
        if (crlf == std::string_view::npos) {
            ref.partial_is_dot_cr = line == ".\r";
            ref.partial = std::string(line.starts_with('.') ? line.substr(1) : line);
            return ref;
        }
        if (line == ".") {
            ref.done = true;
            ref.consumed = crlf + 2;
            return ref;
        }
        std::string_view unstuffed = line.starts_with('.') ? line.substr(1) : line;
        ref.data.append(unstuffed);
        ref.data.append("\r\n");
        ref.lines.emplace_back(unstuffed);
        pos = crlf + 2;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 5) return 0;
    const ReplyShape shapes[] = {ReplyShape::SingleLine, ReplyShape::Data, ReplyShape::Lines};
    const ReplyShape shape = shapes[bytes[0] % 3];
    std::size_t chunk_sizes[4];
    for (int i = 0; i < 4; ++i) chunk_sizes[i] = bytes[1 + i] % 32 + 1;
    const std::string_view wire(reinterpret_cast<const char*>(bytes) + 5, size - 5);

    const Reference ref = reference(wire, shape);

    zmail::pop3::ReplyReader reader;
    reader.start(shape);
    std::string data;
    bool sink_set = false;
    std::size_t offset = 0;
    std::size_t consumed = 0;
    std::size_t chunk_index = 0;
    bool threw = false;
    try {
        while (!reader.done() && offset < wire.size()) {
            std::string_view chunk = wire.substr(offset, chunk_sizes[chunk_index++ % 4]);
            while (!chunk.empty() && !reader.done()) {
                std::size_t n = reader.feed(chunk);
                check(n <= chunk.size());
                chunk.remove_prefix(n);
                offset += n;
                consumed += n;
                if (!sink_set && reader.has_status()) {
                    sink_set = true;
                    reader.set_sink([&data](std::string_view piece) {
                        check(!piece.empty());
                        data.append(piece);
                    });
                }
            }
        }
    } catch (const zmail::Error& error) {
        check(error.kind == zmail::ErrorKind::Protocol);
        threw = true;
    }

    if (ref.error) {
        check(threw);
        return 0;
    }
    if (threw) {
        check(ref.maybe_error);
        return 0;
    }
    check(reader.done() == ref.done);
    if (reader.has_status()) {
        check(ref.status.has_value());
        check(reader.status().ok == ref.status->ok);
        check(reader.status().line == ref.status->line);
        check(reader.status().text == ref.status->text);
        check(reader.status().code == ref.status->code);
    } else {
        check(!ref.status.has_value());
    }
    if (ref.done) {
        check(consumed == ref.consumed);
        check(reader.feed("+OK\r\n") == 0);
    } else {
        check(consumed == wire.size());
    }
    if (shape == ReplyShape::Data) {
        check(reader.data_bytes() == data.size());
        if (ref.done) {
            check(data == ref.data);
        } else {
            std::string expected = ref.data + ref.partial;
            if (ref.partial_is_dot_cr) expected.pop_back();
            check(data == expected);
        }
    }
    if (shape == ReplyShape::Lines && ref.done) check(reader.lines() == ref.lines);
    return 0;
}
