#include "mime/ready_message.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "mime/header_values.hpp"
#include "text/ascii.hpp"

namespace zmail::mime {

namespace {

/// The line starting at `pos`: its content end and the offset after its line end.
struct Line {
    std::size_t content_end;
    std::size_t next;
};

Line line_at(std::string_view text, std::size_t pos) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {text.size(), text.size()};
    std::size_t content_end = nl;
    if (content_end > pos && text[content_end - 1] == '\r') --content_end;
    return {content_end, nl + 1};
}

/// The length of the field name when `line` starts a field ("Name:"), else 0.
std::size_t field_name_length(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return 0;
    for (std::size_t i = 0; i < colon; ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c <= 32 || c >= 127) {
            // "Name :" (blanks before the colon) is obsolete syntax but still a field
            bool blanks_only = true;
            for (std::size_t j = i; j < colon; ++j) blanks_only = blanks_only && (line[j] == ' ' || line[j] == '\t');
            return blanks_only && i > 0 ? i : 0;
        }
    }
    return colon;
}

bool is_continuation(std::string_view line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

}  // namespace

const HeaderField* HeaderBlock::find(std::string_view name) const {
    for (const auto& f : fields)
        if (text::equals_ignore_case(f.name, name)) return &f;
    return nullptr;
}

std::size_t HeaderBlock::count(std::string_view name) const {
    std::size_t n = 0;
    for (const auto& f : fields) n += text::equals_ignore_case(f.name, name) ? 1 : 0;
    return n;
}

HeaderBlock parse_header_block(std::string_view message) {
    HeaderBlock block;
    std::size_t pos = 0;
    std::size_t last_content_end = 0;  // where the previous line's text ended (its line end follows)
    while (pos < message.size()) {
        const Line line = line_at(message, pos);
        const std::string_view content = message.substr(pos, line.content_end - pos);
        if (content.empty()) {
            block.has_separator = true;
            block.body_offset = line.next;
            return block;
        }
        if (is_continuation(content) && !block.fields.empty()) {
            HeaderField& field = block.fields.back();
            field.raw_value += message.substr(last_content_end, line.content_end - last_content_end);
            field.end = line.next;
            last_content_end = line.content_end;
            pos = line.next;
            continue;
        }
        const std::size_t name_length = field_name_length(content);
        if (name_length == 0) break;  // the body starts here, without an empty line
        HeaderField field;
        field.name = std::string(content.substr(0, name_length));
        const std::size_t colon = content.find(':');
        field.raw_value = std::string(content.substr(colon + 1));
        field.begin = pos;
        field.end = line.next;
        last_content_end = line.content_end;
        block.fields.push_back(std::move(field));
        pos = line.next;
    }
    block.body_offset = pos;
    return block;
}

std::string to_crlf(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 40 + 2);
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
    return out;
}

std::string_view without_mbox_separator(std::string_view message) {
    if (!message.starts_with("From ")) return message;
    const std::size_t nl = message.find('\n');
    return nl == std::string_view::npos ? std::string_view() : message.substr(nl + 1);
}

std::string remove_fields(std::string_view message, std::string_view name) {
    const HeaderBlock block = parse_header_block(message);
    std::string out;
    out.reserve(message.size());
    std::size_t copied = 0;
    for (const auto& field : block.fields) {
        if (!text::equals_ignore_case(field.name, name)) continue;
        out.append(message.substr(copied, field.begin - copied));
        copied = field.end;
    }
    out.append(message.substr(copied));
    return out;
}

std::string prepend_fields(std::string_view message, const std::vector<std::string>& fields) {
    const std::size_t nl = message.find('\n');
    const bool crlf = nl == std::string_view::npos || (nl > 0 && message[nl - 1] == '\r');
    const char* line_end = crlf ? "\r\n" : "\n";
    std::string out;
    out.reserve(message.size() + 128);
    for (const auto& f : fields) {
        out += f;
        out += line_end;
    }
    out.append(message);
    return out;
}

std::vector<text::Address> addresses_in(const HeaderBlock& header, std::string_view name) {
    std::vector<text::Address> out;
    for (const auto& field : header.fields) {
        if (!text::equals_ignore_case(field.name, name)) continue;
        for (auto& a : text::parse_address_list(field.raw_value)) out.push_back(std::move(a));
    }
    return out;
}

namespace {

std::string trimmed(std::string_view value) {
    const std::size_t begin = value.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    const std::size_t end = value.find_last_not_of(" \t\r\n");
    return std::string(value.substr(begin, end - begin + 1));
}

/// The value of the first field called `name` that is not blank; empty when there is none.
std::string first_value(const HeaderBlock& header, std::string_view name) {
    for (const HeaderField& field : header.fields) {
        if (!text::equals_ignore_case(field.name, name)) continue;
        std::string value = trimmed(field.raw_value);
        if (!value.empty()) return value;
    }
    return {};
}

/// The first Message-ID's "<...>" (or its whole value when it has no angle brackets).
std::string first_message_id(const HeaderBlock& header) {
    const std::string value = first_value(header, "Message-ID");
    const std::size_t open = value.find('<');
    const std::size_t close = value.find('>', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) return value.substr(open, close - open + 1);
    return value;
}

}  // namespace

ReadyMessage read_ready_message(std::string_view message, std::string_view date, std::string_view message_id,
                                std::string_view from_field) {
    message = without_mbox_separator(message);
    HeaderBlock header = parse_header_block(message);
    if (message.find_first_not_of("\r\n \t") == std::string_view::npos)
        throw Error(ErrorKind::Data, tr("the message on standard input is empty"));
    if (header.fields.empty())
        throw Error(ErrorKind::Data, tr("the message on standard input has no header fields"),
                    tr("a message starts with fields such as 'From:', 'To:' and 'Subject:', then an empty line"));
    ReadyMessage ready;
    std::vector<std::string> added;
    // A Date or Message-ID field with nothing in it counts as missing: it is replaced, since a
    // second field of either would make the message invalid.
    std::string cleaned;
    auto drop_blank = [&](std::string_view name) {
        cleaned = remove_fields(cleaned.empty() ? message : std::string_view(cleaned), name);
    };
    const std::string existing_date = first_value(header, "Date");
    if (existing_date.empty()) {
        if (header.find("Date")) drop_blank("Date");
        added.push_back("Date: " + std::string(date));
        ready.added_date = true;
    }
    ready.message_id = first_message_id(header);
    if (ready.message_id.empty()) {
        if (header.find("Message-ID")) drop_blank("Message-ID");
        added.push_back("Message-ID: " + std::string(message_id));
        ready.message_id = std::string(message_id);
        ready.added_message_id = true;
    }
    if (!cleaned.empty()) message = cleaned;
    if (!header.find("From") && !from_field.empty()) {
        added.push_back(std::string(from_field));
        ready.added_from = true;
    }
    ready.bytes = added.empty() ? std::string(message) : prepend_fields(message, added);
    header = parse_header_block(ready.bytes);
    ready.from = addresses_in(header, "From");
    const auto sender = addresses_in(header, "Sender");
    if (!sender.empty()) ready.sender = sender.front();
    ready.to = addresses_in(header, "To");
    ready.cc = addresses_in(header, "Cc");
    ready.bcc = addresses_in(header, "Bcc");
    return ready;
}

}  // namespace zmail::mime
