#include "store/store.hpp"

#include "i18n.hpp"
#include "text/ascii.hpp"

#include <array>

namespace zmail::store {

namespace {

constexpr std::array<std::string_view, 4> identity_fields{"message-id", "date", "from", "subject"};

// The value of one field with folding removed and white space runs collapsed to one space.
std::string normalized_value(std::string_view raw) {
    std::string out;
    bool space = false;
    for (char c : raw) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

}  // namespace

std::uint64_t header_hash(std::string_view header) {
    std::array<std::string, identity_fields.size()> values;
    std::array<bool, identity_fields.size()> found{};
    size_t pos = 0;
    while (pos < header.size()) {
        // one logical line: up to a line end not followed by a space or tab
        size_t end = pos;
        while (true) {
            size_t nl = header.find('\n', end);
            if (nl == std::string_view::npos) {
                end = header.size();
                break;
            }
            end = nl + 1;
            if (end >= header.size() || (header[end] != ' ' && header[end] != '\t')) break;
        }
        std::string_view line = header.substr(pos, end - pos);
        pos = end;
        if (line == "\n" || line == "\r\n") break;  // the blank line ends the header
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        for (size_t i = 0; i < identity_fields.size(); ++i) {
            if (found[i] || !text::equals_ignore_case(name, identity_fields[i])) continue;
            found[i] = true;
            values[i] = normalized_value(line.substr(colon + 1));
        }
    }
    // FNV-1a over the values, each followed by a separator byte that cannot occur in them
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&](unsigned char c) {
        hash ^= c;
        hash *= 1099511628211ull;
    };
    for (size_t i = 0; i < values.size(); ++i) {
        mix(found[i] ? 1 : 0);
        for (unsigned char c : values[i]) mix(c);
        mix('\n');
    }
    return hash;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> Store::move_messages(const std::vector<std::uint32_t>&,
                                                                          const std::string&) {
    // TRANSLATORS: {} is a store ("server 'imap.example.com'", "Maildir '~/Mail'")
    throw Error(ErrorKind::Internal, tr("{} cannot move messages between folders", describe()));
}

void Store::copy_messages(const std::vector<std::uint32_t>&, const std::string&) {
    // TRANSLATORS: {} is a store ("server 'imap.example.com'", "Maildir '~/Mail'")
    throw Error(ErrorKind::Internal, tr("{} cannot copy messages between folders", describe()));
}

std::vector<std::pair<std::uint32_t, std::string>> Store::set_aside(const std::vector<std::uint32_t>&) { return {}; }

}  // namespace zmail::store
