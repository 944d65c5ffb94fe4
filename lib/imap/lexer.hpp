// The token level of IMAP responses, shared by ResponseReader (framing) and the response parser.
// Internal to lib/imap: the session uses ResponseReader and the structs in response.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::imap {

enum class TokenKind : std::uint8_t {
    Atom,        ///< NIL, numbers, flags, "BODY[HEADER.FIELDS (A B)]<0>" (brackets kept in one atom)
    Quoted,      ///< the raw text between the quotes, escapes not yet removed
    Literal,     ///< literal bytes kept in memory
    Streamed,    ///< a body value handed to the BodySink; `offset` indexes RawResponse::streamed_sizes
    OpenParen,
    CloseParen,
};

/// One token; `offset`/`length` locate its text in RawResponse::text.
struct Token {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    TokenKind kind = TokenKind::Atom;
};

/// The tokens of one (non-status) response as framed so far. `text` holds the lines (without CRLF)
/// and the bytes of in-memory literals; streamed literals are not in it.
struct RawResponse {
    std::string text;
    std::vector<Token> tokens;
    std::vector<std::uint64_t> streamed_sizes;

    std::string_view view(const Token& token) const { return std::string_view(text).substr(token.offset, token.length); }
    void clear() {
        text.clear();
        tokens.clear();
        streamed_sizes.clear();
    }
};

/// A "{n}", "{n+}" or "~{n}" at the end of a line: `size` bytes of literal data follow the CRLF.
struct LiteralAnnouncement {
    std::uint64_t size = 0;
};

/// Appends `line` (one line without its CRLF) to `response.text` and its tokens to `response.tokens`.
/// Returns the literal announced at the end of the line, if any. Throws zmail::Error{Protocol} for
/// an unterminated quoted string or section, a control character, or "{" that is not a literal
/// announcement at the end of the line. The announcement itself produces no token.
std::optional<LiteralAnnouncement> lex_line(std::string_view line, RawResponse& response);

/// Removes the backslash escapes of a quoted string's raw text ("a\\\"b" -> "a\"b").
std::string unquote(std::string_view raw);

/// ASCII upper-case copy.
std::string to_upper(std::string_view text);

/// `text` shortened to at most `max` bytes for Error::server_reply.
std::string shorten_for_reply(std::string_view text, std::size_t max = 300);

}  // namespace zmail::imap
