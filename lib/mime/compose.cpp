#include "mime/compose.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "mime/header_values.hpp"
#include "text/ascii.hpp"
#include "text/base64.hpp"
#include "text/charset.hpp"
#include "text/punycode.hpp"
#include "text/quoted_printable.hpp"
#include "text/rfc2047.hpp"
#include "text/rfc2231.hpp"
#include "text/utf8.hpp"

namespace zmail::mime {

namespace {

constexpr std::size_t max_line_length = 998;

bool is_iso2022jp(std::string_view charset) { return text::ascii_lower(charset) == "iso-2022-jp"; }

/// Splits text into lines at CRLF, LF or CR; a final line end gives no extra empty line.
std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\r' && text[i] != '\n') continue;
        lines.push_back(text.substr(start, i - start));
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        start = i + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

/// True when `lines` can go as 7bit: ASCII, no control characters but TAB, short lines.
bool fits_7bit(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        if (line.size() > max_line_length) return false;
        for (char c : line) {
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x80 || u == 0 || (u < 0x20 && c != '\t' && c != '\x1b') || u == 0x7f) return false;
        }
    }
    return true;
}

std::string join_crlf(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        out += line;
        out += "\r\n";
    }
    return out;
}

/// "Name: value" folded, with CRLF.
std::string field(std::string_view name, std::string_view value) {
    return std::string(name) + ": " + std::string(value) + "\r\n";
}

std::string address_field(std::string_view name, const std::vector<text::Address>& addresses,
                          std::string_view charset) {
    std::vector<text::Address> ready;
    for (const auto& a : addresses) {
        // TRANSLATORS: {} is a header field name (From, To, Cc, Bcc, Reply-To)
        check_header_value(tr("the {} display name", name), a.display_name);
        ready.push_back({a.display_name, ascii_address(a.address), ""});
    }
    const std::string value = text::format_address_list(ready, charset);
    return field(name, text::fold_header(name.size(), value));
}

/// Folds a quoted RFC 2047 parameter at the blanks between its encoded words.
std::string fold_encoded_words(std::string value) {
    std::string out;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t gap = value.find("?= =?", pos);
        if (gap == std::string::npos) break;
        out.append(value, pos, gap + 2 - pos);
        out += "\r\n";
        pos = gap + 2;  // keep the blank: it starts the continuation line
    }
    out.append(value, pos);
    return out;
}

std::string attachment_part(const Attachment& a) {
    check_header_value(tr("the attachment name"), a.filename);
    if (a.filename.empty()) throw Error(ErrorKind::Usage, tr("an attachment has no file name"));
    const std::string type = a.media_type.empty() ? "application/octet-stream" : a.media_type;
    for (char c : type)
        if (static_cast<unsigned char>(c) <= 32 || static_cast<unsigned char>(c) >= 127 || c == ';' || c == '"')
            throw Error(ErrorKind::Usage, tr("invalid media type '{}'", text::printable(type)));
    std::string part;
    part += "Content-Type: " + type + ";\r\n " +
            fold_encoded_words(text::encode_parameter_rfc2047("name", a.filename)) + "\r\n";
    part += "Content-Disposition: attachment;\r\n " + text::encode_parameter("filename", a.filename) + "\r\n";
    part += "Content-Transfer-Encoding: base64\r\n\r\n";
    part += text::base64_encode(a.content, 76);
    return part;
}

std::string text_part_headers(const EncodedText& body) {
    return "Content-Type: text/plain; charset=" + body.charset + "\r\nContent-Transfer-Encoding: " +
           body.transfer_encoding + "\r\n";
}

void check_extra_field(const std::string& name, const std::string& value) {
    check_header_value("--header '" + name + "'", name);
    check_field_name(name);
    if (is_reserved_field(name))
        throw Error(ErrorKind::Usage, tr("--header cannot set '{}'", name),
                    tr("zmail writes that field itself; use the option for it (--to, --subject, --reply-to, ...)"));
    check_header_value(tr("the value of --header '{}'", name), value);
}

}  // namespace

std::string ascii_address(std::string_view address) {
    text::validate_address(address);
    if (text::needs_smtputf8(address))
        throw Error(ErrorKind::Data, tr("cannot send to or from '{}': its local part is not ASCII", address),
                    tr("such addresses need SMTPUTF8, which zmail does not use yet"));
    return text::address_to_ascii(address);
}

bool is_reserved_field(std::string_view name) {
    const std::string n = text::ascii_lower(name);
    static const char* const reserved[] = {"date",     "from",        "sender",     "to",           "cc",
                                           "bcc",      "reply-to",    "subject",    "message-id",   "in-reply-to",
                                           "references", "mime-version"};
    for (const char* r : reserved)
        if (n == r) return true;
    return n.starts_with("content-") || n.starts_with("resent-");
}

namespace {

/// The lines as they are when they fit in 7 bits, else quoted-printable.
void set_content(EncodedText& out, const std::vector<std::string>& lines) {
    const bool plain = fits_7bit(lines);
    out.transfer_encoding = plain ? "7bit" : "quoted-printable";
    out.content = plain ? join_crlf(lines) : text::quoted_printable_encode(join_crlf(lines));
}

}  // namespace

EncodedText encode_text_body(std::string_view text, std::string_view charset) {
    if (!text::is_valid_utf8(text))
        throw Error(ErrorKind::Data, tr("the message text is not valid UTF-8"),
                    tr("convert it first, e.g. with iconv -f SHIFT_JIS -t UTF-8"));
    EncodedText out;
    std::vector<std::string> lines;
    if (is_iso2022jp(charset)) {
        bool ok = true;
        for (std::string_view line : split_lines(text)) {
            auto converted = text::from_utf8(line, "ISO-2022-JP");
            if (!converted) {
                ok = false;
                break;
            }
            lines.push_back(std::move(*converted));
        }
        if (ok) {
            out.charset = "ISO-2022-JP";
            set_content(out, lines);
            return out;
        }
        out.fell_back = true;
        lines.clear();
    }
    out.charset = "UTF-8";
    for (std::string_view line : split_lines(text)) lines.emplace_back(line);
    set_content(out, lines);
    if (out.transfer_encoding == "quoted-printable" && !out.content.empty() && !out.content.ends_with("\r\n"))
        out.content += "\r\n";
    return out;
}

Composed compose(const Draft& d) {
    Composed result;
    const std::string charset = is_iso2022jp(d.charset) ? "ISO-2022-JP" : "UTF-8";
    if (!is_iso2022jp(d.charset) && text::ascii_lower(d.charset) != "utf-8")
        throw Error(ErrorKind::Usage, tr("unsupported charset '{}'", text::printable(d.charset)),
                    tr("use utf-8 (the default) or iso-2022-jp"));
    check_header_value(tr("the Subject"), d.subject);
    if (d.to.empty() && d.cc.empty() && d.bcc.empty())
        throw Error(ErrorKind::Usage, tr("no recipients"), tr("give --to, --cc or --bcc"));

    std::string head;
    head += field("Date", d.date);
    head += address_field("From", {d.from}, charset);
    if (!d.to.empty()) head += address_field("To", d.to, charset);
    if (!d.cc.empty()) head += address_field("Cc", d.cc, charset);
    if (!d.bcc.empty()) head += address_field("Bcc", d.bcc, charset);
    if (!d.reply_to.empty()) head += address_field("Reply-To", d.reply_to, charset);
    if (!d.subject.empty()) {
        const std::string subject = text::encode_unstructured(7, d.subject, charset);
        if (is_iso2022jp(charset) && subject.find("=?UTF-8?") != std::string::npos)
            result.warnings.push_back(
                tr("the subject has characters ISO-2022-JP cannot hold: it was encoded in UTF-8"));
        head += field("Subject", subject);
    }
    head += field("Message-ID", d.message_id);
    if (!d.in_reply_to.empty()) {
        const std::string id = normalize_message_id("--in-reply-to", d.in_reply_to);
        head += field("In-Reply-To", id);
        head += field("References", id);
    }
    for (const auto& [name, value] : d.extra_fields) {
        check_extra_field(name, value);
        const bool plain = text::is_ascii(value);
        head += field(name, plain ? text::fold_header(name.size(), value)
                                  : text::encode_unstructured(name.size(), value, charset));
    }
    head += "MIME-Version: 1.0\r\n";

    const bool with_text = !d.body.empty() || d.attachments.empty();
    EncodedText body;
    if (with_text) {
        body = encode_text_body(d.body, charset);
        if (body.fell_back)
            result.warnings.push_back(tr("the text has characters ISO-2022-JP cannot hold: it was sent in UTF-8"));
    }
    if (d.attachments.empty()) {
        result.message = head + text_part_headers(body) + "\r\n" + body.content;
        return result;
    }

    std::vector<std::string> parts;
    if (with_text) parts.push_back(text_part_headers(body) + "\r\n" + body.content);
    for (const auto& a : d.attachments) parts.push_back(attachment_part(a));
    auto clashes = [&](const std::string& boundary) {
        for (const auto& p : parts)
            if (p.find(boundary) != std::string::npos) return true;
        return false;
    };
    std::string boundary = d.boundary;
    if (!boundary.empty() && clashes(boundary))
        throw Error(ErrorKind::Internal, tr("the MIME boundary '{}' occurs in the message", boundary));
    while (boundary.empty() || clashes(boundary)) boundary = "=_zmail_" + random_token();
    std::string message = head + "Content-Type: multipart/mixed;\r\n boundary=\"" + boundary + "\"\r\n\r\n";
    message += "This is a multi-part message in MIME format.\r\n";
    for (const auto& p : parts) {
        message += "\r\n--" + boundary + "\r\n";
        message += p;
        if (!message.ends_with("\r\n")) message += "\r\n";
    }
    message += "\r\n--" + boundary + "--\r\n";
    result.message = std::move(message);
    return result;
}

}  // namespace zmail::mime
