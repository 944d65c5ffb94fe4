#include "imap/mailbox_name.hpp"

#include "imap/response.hpp"
#include "text/mutf7.hpp"

namespace zmail::imap {

bool is_inbox(std::string_view name) { return equals_ignore_case(name, "INBOX"); }

bool same_mailbox(std::string_view a, std::string_view b) { return a == b || (is_inbox(a) && is_inbox(b)); }

std::string encode_mailbox_name(std::string_view utf8, bool utf8_accepted) {
    if (is_inbox(utf8)) return "INBOX";
    if (utf8_accepted) {
        // Still refuse bytes that are not UTF-8 (the server would reject them anyway).
        (void)text::mutf7_encode(utf8);
        return std::string(utf8);
    }
    return text::mutf7_encode(utf8);
}

std::string decode_mailbox_name(std::string_view raw, bool utf8_accepted) {
    if (utf8_accepted) return std::string(raw);
    return text::mutf7_decode_or_raw(raw);
}

}  // namespace zmail::imap
