// Fuzzes the IMAP response reader: arbitrary bytes in arbitrary chunkings. The first bytes choose the
// limits, whether a body sink is set, and the chunk sizes. Checks that it never crashes, that body
// events are well-formed, and that the outcome does not depend on the chunking (a one-shot run and the
// chunked run must give the same responses, body bytes and error).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "imap/response_reader.hpp"

using namespace zmail::imap;

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

struct CheckingSink : BodySink {
    std::string bodies;  // all bodies, each followed by a marker
    bool open = false;
    std::uint64_t expected = 0;
    std::uint64_t received = 0;

    void body_begin(const BodyStart& start) override {
        check(!open);
        open = true;
        expected = start.size;
        received = 0;
        bodies += "<" + start.section + ">";
    }
    void body_data(std::string_view bytes, std::uint64_t offset) override {
        check(open && !bytes.empty() && offset == received);
        received += bytes.size();
        check(received <= expected);
        bodies.append(bytes);
    }
    void body_end() override {
        check(open && received == expected);
        open = false;
        bodies += "</>";
    }
};

std::string summary(const Response& response) {
    std::string out = std::to_string(response.data.index()) + ":";
    if (const auto* status = response.status()) out += status->line;
    if (const auto* list = response.get<ListData>()) out += list->mailbox;
    if (const auto* fetch = response.get<FetchData>()) {
        out += std::to_string(fetch->sequence) + "/" + std::to_string(fetch->uid.value_or(0));
        for (const auto& section : fetch->sections)
            out += section.name + "=" + std::to_string(section.size) + (section.streamed ? "s" : section.data);
    }
    return out + "\n";
}

struct Outcome {
    std::string responses;
    std::string bodies;
    std::string error;
    bool in_response = false;
};

Outcome run(std::string_view input, const std::vector<std::size_t>& chunk_sizes, ReaderLimits limits,
            bool with_sink, bool use_feed) {
    Outcome outcome;
    CheckingSink sink;
    ResponseReader reader(limits);
    if (with_sink) reader.set_body_sink(&sink);
    std::size_t next_chunk = 0;
    try {
        while (!input.empty()) {
            std::size_t size = chunk_sizes.empty() ? input.size() : chunk_sizes[next_chunk++ % chunk_sizes.size()];
            std::string_view piece = input.substr(0, size);
            input.remove_prefix(piece.size());
            if (use_feed) {
                reader.feed(piece);
                while (auto response = reader.next()) {
                    check(!sink.open);
                    outcome.responses += summary(*response);
                }
                check(reader.buffered() == 0);
            } else {
                while (auto response = reader.read(piece)) {
                    check(!sink.open);
                    outcome.responses += summary(*response);
                }
                check(piece.empty());
            }
        }
        outcome.in_response = reader.in_response();
    } catch (const zmail::Error& e) {
        check(e.kind == zmail::ErrorKind::Protocol);
        outcome.error = e.what();
        // Once failed, the reader refuses further input.
        std::string_view more = "* 1 EXISTS\r\n";
        try {
            reader.read(more);
            check(false);
        } catch (const zmail::Error& again) {
            check(again.kind == zmail::ErrorKind::Internal);
        }
    }
    outcome.bodies = sink.bodies;
    return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t options = data[0];
    const std::size_t chunk_count = data[1] % 8;
    if (size < 2 + chunk_count) return 0;
    std::vector<std::size_t> chunk_sizes;
    for (std::size_t i = 0; i < chunk_count; ++i) chunk_sizes.push_back(std::size_t(data[2 + i] % 64) + 1);
    if (chunk_sizes.empty()) chunk_sizes.push_back(1);
    const std::string_view input(reinterpret_cast<const char*>(data) + 2 + chunk_count, size - 2 - chunk_count);

    ReaderLimits limits;
    if (options & 1) {  // small limits, to reach the limit paths with small inputs
        limits.max_line_length = 64;
        limits.max_literal_bytes = 32;
        limits.max_response_bytes = 256;
    }
    const bool with_sink = options & 2;
    const Outcome whole = run(input, {}, limits, with_sink, false);
    const Outcome chunked = run(input, chunk_sizes, limits, with_sink, options & 4);
    check(whole.responses == chunked.responses);
    check(whole.error == chunked.error);
    check(whole.in_response == chunked.in_response);
    if (whole.error.empty()) check(whole.bodies == chunked.bodies);
    return 0;
}
