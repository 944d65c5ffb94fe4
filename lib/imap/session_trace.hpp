// Protocol trace for the IMAP session: the bytes each side sends, cut into lines at CRLF and at
// literals, with message content summarised ("<2345 bytes of message data>"). Internal to lib/imap.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace zmail::imap {

/// Turns the server's bytes, fed in chunks of any size, into "S: ..." trace lines. It follows
/// literal announcements so that message content is never printed: a literal after a body item
/// (BODY[...], BINARY[...], RFC822...) becomes "S: <n bytes of message data>", other literals up to
/// 200 printable bytes are shown as the start of the next line, longer ones are summarised. Lines
/// longer than 1000 bytes are shortened. Never throws from the emitter's point of view: it only
/// calls `emit`.
class ResponseTracer {
public:
    explicit ResponseTracer(std::function<void(std::string_view line)> emit) : emit_(std::move(emit)) {}
    void feed(std::string_view bytes);

private:
    void end_line();
    void append(std::string_view piece);

    std::function<void(std::string_view)> emit_;
    std::string line_;          // the shown part of the current line
    std::string tail_;          // its last bytes, for the literal announcement
    std::uint64_t line_size_ = 0;
    std::uint64_t literal_left_ = 0;
    std::uint64_t literal_size_ = 0;
    bool literal_inline_ = false;
    std::string literal_text_;
};

/// "C: ..." lines for bytes the client sends (credentials redacted, as a last defence).
void trace_client_bytes(std::string_view bytes, const std::function<void(std::string_view line)>& emit);

/// True when the text before a literal announcement ends with a message-content item name
/// ("... BODY[] ", "... BODY[TEXT]<0> ", "... RFC822 ").
bool ends_with_body_item(std::string_view before_literal);

}  // namespace zmail::imap
