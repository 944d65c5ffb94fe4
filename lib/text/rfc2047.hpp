// RFC 2047 encoded words in header fields ("=?UTF-8?B?6YCB5L+h5riI44G/?="), decoded the
// way real mail needs, and encoded the way strict readers accept; plus header folding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zmail::text {

/// Decode a header field value (the part after "Name:") into UTF-8 for display or parsing.
/// - B and Q encoded words, in any case, with an RFC 2231 language suffix ("UTF-8*ja").
/// - Whitespace between two adjacent encoded words is dropped.
/// - Adjacent encoded words in the same charset are joined as bytes before conversion, so a
///   character split across words (as Outlook does) comes out whole.
/// - Encoded words are also recognised inside quoted strings and next to other text, as
///   the MUAs that send them expect.
/// - Words that do not parse are kept as they are.
/// - Raw 8-bit text outside encoded words: kept when it is UTF-8, else decoded from
///   `fallback_charset` (e.g. "GB18030" for mail from Chinese MUAs); when that is empty,
///   each bad sequence becomes U+FFFD.
/// Folding is undone (CRLF before a blank removed); any other CR, LF or NUL in the result,
/// raw or decoded, becomes a space, so the result is one line of valid UTF-8. Never throws.
std::string decode_header(std::string_view value, std::string_view fallback_charset = {});

/// Undo header folding: remove each line break (CRLF or LF) that is followed by a blank,
/// and a line break at the very end. Other characters are kept as they are.
std::string unfold_header(std::string_view value);

/// Encode unstructured text (Subject, etc.) for a header field whose name is `name_length`
/// characters long, and fold it: the result is the value to write after "Name: ", with
/// "\r\n " (CRLF and the original blank) where it was folded, lines at most 78 characters
/// where the text allows. Words that are plain printable ASCII stay readable; runs of
/// words with non-ASCII or control characters, or that look like encoded words, become B
/// encoded words of at most 75 characters, split only between characters. `charset` is
/// "UTF-8" or, e.g., "ISO-2022-JP" (each word a complete sequence that returns to ASCII);
/// when the text cannot be written in `charset`, UTF-8 is used instead.
/// Throws zmail::Error{Data} when `text` is not valid UTF-8.
std::string encode_unstructured(std::size_t name_length, std::string_view text,
                                std::string_view charset = "UTF-8");

/// Encode a display name as an RFC 5322 phrase, on one line (fold with fold_header):
/// returned unchanged when it is atoms separated by single spaces; as a quoted string
/// (with \" and \\ escapes) when it is other printable ASCII ("Tanaka, Taro", "J. Smith");
/// otherwise as B encoded words of at most 75 characters separated by spaces. Blanks at
/// both ends are dropped; "" gives "". Throws zmail::Error{Data} when not valid UTF-8.
std::string encode_phrase(std::string_view display_name, std::string_view charset = "UTF-8");

/// Always encode `text` as B encoded words (each at most 75 characters, split between
/// characters) separated by single spaces, in `charset` or else UTF-8. "" gives "".
/// Throws zmail::Error{Data} when `text` is not valid UTF-8.
std::string encode_words(std::string_view text, std::string_view charset = "UTF-8");

/// Fold an unfolded header value at blanks so that lines stay within 78 characters where
/// possible, given that "Name: " takes `name_length` + 2 columns on the first line.
/// Returns the value with "\r\n" inserted before the chosen blanks.
std::string fold_header(std::size_t name_length, std::string_view value);

}  // namespace zmail::text
