// The incremental IMAP response reader: the session feeds it the server's bytes as they arrive, in
// chunks of any size, and takes complete responses out. Literals ("{n}", "{n+}", "~{n}") are framed by
// their length, so message content never looks like a response. Message content (BODY[...],
// BINARY[...], RFC822...) is streamed to a BodySink chunk by chunk and never held whole.
// Pure: no I/O, links without libcurl.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/lexer.hpp"
#include "imap/response.hpp"

namespace zmail::imap {

/// Announces one streamed message body.
struct BodyStart {
    std::uint32_t sequence = 0;        ///< the message sequence number of the FETCH response
    std::optional<std::uint32_t> uid;  ///< set when UID came before the body in the response
    std::string section;               ///< the item name as sent: "BODY[]", "BINARY[1]", "RFC822"
    std::uint64_t size = 0;            ///< how many bytes body_data() will deliver in total
};

/// Receives message content while it arrives. For each body: body_begin(), then body_data() with
/// consecutive chunks (never empty; none for a 0-byte body), then body_end(). Bodies never overlap.
/// body_end() comes before the FETCH response carrying the body is returned by read()/next(), and that
/// response (its FetchData lists the section with streamed = true, plus UID, FLAGS...) comes before any
/// event of the next body. The UID may come after the body on the wire, so keep the data in a
/// temporary place until the FetchData arrives. If read()/next() throws between body_begin() and the
/// FetchData, the body must be discarded. Exceptions thrown by the sink pass through read()/next().
class BodySink {
public:
    virtual ~BodySink() = default;
    virtual void body_begin(const BodyStart& start) = 0;
    /// `bytes` is valid only during the call; `offset` is the position of its first byte in the body.
    virtual void body_data(std::string_view bytes, std::uint64_t offset) = 0;
    virtual void body_end() = 0;
};

/// Memory bounds for one response; exceeding one is zmail::Error{Protocol}. Each is capped at 1 GiB.
struct ReaderLimits {
    /// Longest line (the part outside literals, CRLF excluded): "server response line too long".
    std::size_t max_line_length = 1024 * 1024;
    /// Literal bytes kept in memory per response (mailbox names, ENVELOPE strings, and bodies when no
    /// sink is set). Streamed bodies do not count.
    std::size_t max_literal_bytes = 1024 * 1024;
    /// All lines plus in-memory literals of one response.
    std::size_t max_response_bytes = 4 * 1024 * 1024;
};

/// Reads responses from a byte stream. Not thread-safe. Typical loop:
///
///     reader.feed(bytes_just_received);
///     while (auto response = reader.next()) { ...handle; stop at the tagged completion... }
///
/// or, without the internal buffer, `while (auto r = reader.read(view)) ...` on the caller's bytes.
///
/// Errors: zmail::Error{Protocol} for malformed responses ("unexpected server response: expected ...",
/// with the offending text, shortened, in server_reply) and exceeded limits ("server response line too
/// long", "server response too large: ..."). After any exception (the reader's or the sink's) the
/// connection is out of step: every later call throws Error{Internal}.
class ResponseReader {
public:
    explicit ResponseReader(ReaderLimits limits = {});

    /// Where message content goes from now on; not owned, must outlive its use; nullptr (the default)
    /// keeps body sections in FetchData::sections[i].data, subject to max_literal_bytes. With a sink,
    /// every non-NIL body value of an untagged FETCH, literal or quoted, is streamed. Change it only
    /// between responses (when in_response() is false).
    void set_body_sink(BodySink* sink) { sink_ = sink; }

    /// Consumes bytes from the front of `input` until one response is complete, and returns it;
    /// `input` then holds the bytes after it (the next responses). Returns nullopt when `input` was
    /// used up without completing a response: partial state is kept for the next call. Never looks
    /// at bytes past the end of the returned response.
    std::optional<Response> read(std::string_view& input);

    /// Appends received bytes to the internal buffer (copying them). Call next() until it returns
    /// nullopt before feeding more, so the buffer stays as small as one read.
    void feed(std::string_view bytes);
    /// The next complete response from the fed bytes, or nullopt when more bytes are needed.
    std::optional<Response> next();

    /// True while a response is partly read (a line, a literal, or lines after a literal). At end of
    /// stream this means the connection was cut in the middle of a response.
    bool in_response() const;
    /// Fed bytes that next() has not consumed yet.
    std::size_t buffered() const { return pending_.size() - pending_position_; }

private:
    std::optional<Response> finish_line();
    void start_literal(std::uint64_t size);
    void consume_literal(std::string_view& input);
    void walk_new_tokens();
    void element_at_depth_one(std::size_t token_index);
    void stream_quoted(Token& token);
    void reset_response();

    ReaderLimits limits_;
    BodySink* sink_ = nullptr;
    bool failed_ = false;

    std::string pending_;  // feed()/next() buffer
    std::size_t pending_position_ = 0;

    std::string line_;             // the current line so far
    bool in_token_response_ = false;
    RawResponse raw_;
    std::uint64_t literal_bytes_ = 0;  // in-memory literal bytes of this response

    bool in_literal_ = false;
    bool literal_streamed_ = false;
    BodySink* literal_sink_ = nullptr;  // the sink of the body being streamed
    std::uint64_t literal_remaining_ = 0;
    std::uint64_t literal_offset_ = 0;

    // Walk over the tokens, to know whether a literal is message content.
    std::size_t walked_ = 0;
    std::size_t depth_ = 0;
    bool in_fetch_ = false;
    std::uint32_t sequence_ = 0;
    std::uint64_t depth_one_index_ = 0;  // elements seen at depth 1 of the FETCH list
    std::size_t name_token_ = 0;         // the last item name at depth 1
    bool body_name_pending_ = false;
    bool uid_name_pending_ = false;
    std::optional<std::uint32_t> uid_;
};

}  // namespace zmail::imap
