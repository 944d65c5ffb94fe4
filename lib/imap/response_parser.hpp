// Turning framed responses into the structs of response.hpp. Internal to lib/imap: ResponseReader
// calls these once a response is complete.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "imap/lexer.hpp"
#include "imap/response.hpp"

namespace zmail::imap {

/// Classifies the first line of a response (without CRLF). Returns the response when the line is a
/// whole response by itself: a continuation request "+ ...", an untagged status "* OK|NO|BAD|BYE|PREAUTH
/// ...", or a tagged status "tag OK|NO|BAD ...". Returns nullopt for "* ..." responses made of tokens
/// (they may span literals). Throws zmail::Error{Protocol} when the line is none of these.
std::optional<Response> parse_status_line(std::string_view line);

/// Parses a complete token response ("* ..." that is not a status). Throws zmail::Error{Protocol}
/// naming what was expected.
Response parse_token_response(const RawResponse& raw);

/// Reads tokens of one response from left to right; every failure throws zmail::Error{Protocol}
/// "unexpected server response: expected X in <what>". `what` and the `expected` texts given as
/// const char* are English, marked with N_() when words (protocol tokens are not), and translated
/// only when an error is thrown.
class TokenCursor {
public:
    TokenCursor(const RawResponse& raw, const char* what) : raw_(raw), what_(what) {}

    bool at_end() const { return index_ >= raw_.tokens.size(); }
    const Token* peek() const { return at_end() ? nullptr : &raw_.tokens[index_]; }
    bool peek_is(TokenKind kind) const { return !at_end() && raw_.tokens[index_].kind == kind; }
    /// True when the next token is an atom equal to `word` (case-insensitive); does not consume.
    bool peek_atom(std::string_view word) const;
    /// Consumes the next token when it is the atom `word` (case-insensitive).
    bool accept_atom(std::string_view word);
    /// Consumes the next token when it is the given paren.
    bool accept(TokenKind paren);

    void expect(TokenKind paren);
    std::string_view atom();
    std::uint32_t number32();
    std::uint64_t number64();
    /// NIL -> nullopt; quoted or in-memory literal -> its bytes.
    std::optional<std::string> nstring();
    /// Atom, quoted or in-memory literal -> its bytes.
    std::string astring();
    /// A parenthesized list of atoms ("(\Seen $Forwarded)").
    std::vector<std::string> atom_list();
    /// Skips one value: an atom, string, literal, streamed body or a whole parenthesized list.
    void skip_value();
    /// Fails unless all tokens were consumed.
    void expect_end();

    const Token& next_token(const char* expected);
    const RawResponse& raw() const { return raw_; }
    /// Names the response in error messages from now on ("FETCH" for "in FETCH response").
    void set_response_name(std::string name) { response_name_ = std::move(name); }
    [[noreturn]] void fail(const char* expected) const;
    /// fail() with `expected` already in the user's language.
    [[noreturn]] void fail_expecting(const std::string& expected) const;

private:
    const RawResponse& raw_;
    const char* what_;
    std::string response_name_;
    std::size_t index_ = 0;
};

/// Parses the parenthesized message data of "* n FETCH (...)"; the cursor stands on the '('.
FetchData parse_fetch(TokenCursor& cursor, std::uint32_t sequence);

/// True for the FETCH item names whose value is message content: BODY[...], BINARY[...], RFC822,
/// RFC822.HEADER, RFC822.TEXT (with or without <origin>).
bool is_body_item(std::string_view name);

}  // namespace zmail::imap
