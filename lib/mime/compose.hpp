// Composing a new message (RFC 5322 + MIME) from what the user gave `zmail send`: encoded
// words for non-ASCII names and subjects (UTF-8 or ISO-2022-JP), a text body in 7bit or
// quoted-printable, attachments in base64 with RFC 2231 file names, multipart/mixed only when
// there are attachments. Pure: the caller reads files and picks the Date and Message-ID.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/address.hpp"

namespace zmail::mime {

/// One attachment: its bytes, the name the recipient sees and its media type.
struct Attachment {
    std::string filename;    ///< UTF-8, without directories ("報告書.pdf")
    std::string content;     ///< the file's bytes, sent unchanged (base64)
    std::string media_type;  ///< "application/pdf"; empty: application/octet-stream
};

/// Everything a new message is made of. Strings are UTF-8 as the user typed them; compose()
/// checks them (line breaks are header injection) and encodes them.
struct Draft {
    text::Address from;                      ///< display name may be empty
    std::vector<text::Address> to, cc, bcc;  ///< Bcc is written too (see remove_fields)
    std::vector<text::Address> reply_to;
    std::string subject;
    std::string in_reply_to;                 ///< "<id@host>" (see normalize_message_id), or empty;
                                             ///< also written as References
    std::vector<std::pair<std::string, std::string>> extra_fields;  ///< --header Name: value
    std::string body;                        ///< text; line ends CRLF, LF or CR
    std::vector<Attachment> attachments;
    std::string charset = "UTF-8";           ///< "UTF-8" or "ISO-2022-JP" (subject, names, body)
    std::string date;                        ///< the Date value (format_date)
    std::string message_id;                  ///< "<...>" (new_message_id)
    std::string boundary;                    ///< MIME boundary; empty: a random one
};

/// The message and what the user should know about it.
struct Composed {
    std::string message;                ///< CRLF line ends; includes the Bcc field when there is one
    std::vector<std::string> warnings;  ///< e.g. text that ISO-2022-JP cannot hold went as UTF-8
};

/// Builds the message. Fields in this order: Date, From, To, Cc, Bcc, Reply-To, Subject,
/// Message-ID, In-Reply-To, References, the extra fields, MIME-Version, Content-Type,
/// Content-Transfer-Encoding. Throws zmail::Error{Usage} for a line break or control
/// character in any value (header injection), an invalid address, an extra field whose name
/// is reserved (From, To, Subject, Content-Type, ...: see is_reserved_field) or invalid;
/// Error{Data} for an address whose local part is not ASCII (it would need SMTPUTF8).
Composed compose(const Draft& draft);

/// The address with its domain in ASCII, ready for a header or an SMTP command. Throws
/// zmail::Error{Usage} for invalid addresses and Error{Data} for non-ASCII local parts.
std::string ascii_address(std::string_view address);

/// True for fields zmail writes itself and --header must not set (any case): Date, From,
/// Sender, To, Cc, Bcc, Reply-To, Subject, Message-ID, In-Reply-To, References, MIME-Version,
/// Content-*, and Resent-*.
bool is_reserved_field(std::string_view name);

/// How a text body is written: its bytes in `charset` and the transfer encoding.
struct EncodedText {
    std::string charset;            ///< "UTF-8" or "ISO-2022-JP"
    std::string transfer_encoding;  ///< "7bit" or "quoted-printable"
    std::string content;            ///< encoded, CRLF line ends, ending with CRLF
    bool fell_back = false;         ///< ISO-2022-JP was asked for but cannot hold the text
};

/// Encodes a text body: converted to `charset` line by line (each line returns to ASCII), 7bit
/// when every byte is ASCII without control characters other than TAB and every line is at
/// most 998 bytes, otherwise quoted-printable. Throws Error{Data} when `text` is not UTF-8.
EncodedText encode_text_body(std::string_view text, std::string_view charset);

}  // namespace zmail::mime
