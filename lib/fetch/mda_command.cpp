#include "fetch/mda_command.hpp"

#include "mime/ready_message.hpp"

namespace zmail::fetch {

namespace {

bool usable(const std::string& address) {
    if (address.empty()) return false;
    for (unsigned char c : address)
        if (c <= ' ' || c == 0x7f) return false;
    return true;
}

}  // namespace

std::string envelope_sender(std::string_view message) {
    const mime::HeaderBlock header = mime::parse_header_block(message);  // never throws
    for (const char* field : {"Return-Path", "From"}) {
        if (!header.find(field)) continue;
        std::vector<text::Address> found;
        try {
            found = mime::addresses_in(header, field);
        } catch (const std::exception&) {
        }
        if (!found.empty() && usable(found.front().address)) return found.front().address;
        if (std::string_view(field) == "Return-Path") return "MAILER-DAEMON";  // <>: a bounce
    }
    return "MAILER-DAEMON";
}

std::string shell_quote(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string mda_command(std::string_view command, std::string_view sender, std::string_view recipient) {
    std::string out;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] == '%' && i + 1 < command.size()) {
            const char next = command[i + 1];
            if (next == 'F' || next == 'T' || next == '%') {
                out += next == 'F' ? shell_quote(sender) : next == 'T' ? shell_quote(recipient) : std::string("%");
                ++i;
                continue;
            }
        }
        out += command[i];
    }
    return out;
}

}  // namespace zmail::fetch
