// Fuzzes the reading of a ready message (`zmail send -t`, sendmail mode): whatever bytes a mail
// program pipes in, the header parser stays inside the message, line ends come out CRLF, Bcc
// is removable, and read_ready_message throws nothing but zmail::Error{Data} and never changes
// the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "error.hpp"
#include "mime/ready_message.hpp"

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool has_bare_line_end(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return true;
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(bytes), size);

    const zmail::mime::HeaderBlock header = zmail::mime::parse_header_block(input);
    check(header.body_offset <= input.size());
    std::size_t previous_end = 0;
    for (const zmail::mime::HeaderField& field : header.fields) {
        check(field.begin >= previous_end && field.begin < field.end && field.end <= header.body_offset);
        check(!field.name.empty());
        check(input.substr(field.begin, field.name.size()) == field.name);
        previous_end = field.end;
    }

    const std::string crlf = zmail::mime::to_crlf(input);
    check(!has_bare_line_end(crlf));
    check(zmail::mime::to_crlf(crlf) == crlf);

    const std::string without_bcc = zmail::mime::remove_fields(input, "Bcc");
    check(zmail::mime::parse_header_block(without_bcc).count("bcc") == 0);
    check(without_bcc.size() <= input.size());

    try {
        const zmail::mime::ReadyMessage message = zmail::mime::read_ready_message(
            input, "Mon, 23 Nov 2026 09:00:00 +0900", "<fuzz@example.test>", "From: fuzz <fuzz@example.test>");
        const std::string_view kept = zmail::mime::without_mbox_separator(input);
        const zmail::mime::HeaderBlock before = zmail::mime::parse_header_block(kept);
        const zmail::mime::HeaderBlock after = zmail::mime::parse_header_block(message.bytes);
        // the body is byte for byte what was given
        check(std::string_view(message.bytes).substr(after.body_offset) == kept.substr(before.body_offset));
        check(!message.message_id.empty());
        if (message.added_message_id) check(message.message_id == "<fuzz@example.test>");
        check(after.count("message-id") >= 1 && after.count("date") >= 1);
    } catch (const zmail::Error& error) {
        check(error.kind == zmail::ErrorKind::Data);
    }
    return 0;
}
