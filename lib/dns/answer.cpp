#include "dns/answer.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <algorithm>

namespace zmail::dns {

namespace {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_length = 255;  // RFC 1035 2.3.4, in wire octets
constexpr std::size_t max_label_length = 63;

[[noreturn]] void malformed(const std::string& what) {
    throw Error(ErrorKind::Protocol, tr("malformed DNS reply: {}", what),
                tr("the DNS server sent something that is not a DNS reply; try another resolver"));
}

std::uint16_t read16(std::string_view message, std::size_t& offset) {
    if (message.size() < 2 || offset > message.size() - 2) malformed(tr("a field runs past the end"));
    const auto high = static_cast<unsigned char>(message[offset]);
    const auto low = static_cast<unsigned char>(message[offset + 1]);
    offset += 2;
    return static_cast<std::uint16_t>(high << 8 | low);
}

void skip(std::string_view message, std::size_t& offset, std::size_t count) {
    if (offset > message.size() || count > message.size() - offset)
        malformed(tr("a record runs past the end"));
    offset += count;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Letters, digits, '-' and '_' (SRV owner names): what a host name in a mail set-up can hold.
/// Anything else (a '.', a space, a control character inside a label) never reaches a profile.
bool host_name_octet(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

struct ResourceRecord {
    std::uint16_t type = 0;
    std::size_t data_offset = 0, data_length = 0;
};

ResourceRecord read_record(std::string_view message, std::size_t& offset) {
    read_name(message, offset);
    ResourceRecord record;
    record.type = read16(message, offset);
    read16(message, offset);  // class
    read16(message, offset);  // TTL, high half
    read16(message, offset);  // TTL, low half
    record.data_length = read16(message, offset);
    record.data_offset = offset;
    skip(message, offset, record.data_length);
    return record;
}

MxRecord read_mx(std::string_view message, const ResourceRecord& record) {
    std::size_t offset = record.data_offset;
    MxRecord mx;
    mx.preference = read16(message, offset);
    mx.exchange = read_name(message, offset);
    if (offset != record.data_offset + record.data_length) malformed(tr("MX data of the wrong length"));
    return mx;
}

SrvRecord read_srv(std::string_view message, const ResourceRecord& record) {
    std::size_t offset = record.data_offset;
    SrvRecord srv;
    srv.priority = read16(message, offset);
    srv.weight = read16(message, offset);
    srv.port = read16(message, offset);
    srv.target = read_name(message, offset);
    if (offset != record.data_offset + record.data_length) malformed(tr("SRV data of the wrong length"));
    return srv;
}

}  // namespace

std::string read_name(std::string_view message, std::size_t& offset) {
    std::string name;
    std::size_t at = offset, wire_length = 0;
    bool jumped = false;
    // every pointer must go back to an earlier octet than the last one: no loops, bounded work
    std::size_t lowest_target = at;
    for (;;) {
        if (at >= message.size()) malformed(tr("a name runs past the end"));
        const auto length = static_cast<unsigned char>(message[at]);
        if ((length & 0xc0) == 0xc0) {
            if (at + 1 >= message.size()) malformed(tr("a name runs past the end"));
            const std::size_t target = (length & 0x3fu) << 8 | static_cast<unsigned char>(message[at + 1]);
            if (target >= lowest_target) malformed(tr("a name pointer that does not point back (a loop)"));
            if (!jumped) offset = at + 2;
            jumped = true;
            lowest_target = at = target;
            continue;
        }
        if ((length & 0xc0) != 0) malformed(tr("a label of an unknown type"));
        wire_length += length + 1;
        if (wire_length > max_name_length) malformed(tr("a name longer than 255 octets"));
        if (length == 0) break;
        if (length > max_label_length) malformed(tr("a label longer than 63 octets"));
        if (at + 1 + length > message.size()) malformed(tr("a name runs past the end"));
        if (!name.empty()) name += '.';
        for (std::size_t i = 0; i < length; ++i) {
            const char c = lower(message[at + 1 + i]);
            if (!host_name_octet(c)) malformed(tr("a name with a character no host name has"));
            name += c;
        }
        at += 1 + length;
    }
    if (!jumped) offset = at + 1;
    return name;
}

Answer parse_answer(std::string_view reply) {
    if (reply.size() < header_size) malformed(tr("shorter than a header"));
    std::size_t offset = 2;  // the ID: res_nquery checked it
    const std::uint16_t flags = read16(reply, offset);
    if (!(flags & 0x8000)) malformed(tr("a query, not a reply"));
    Answer answer;
    answer.truncated = (flags & 0x0200) != 0;
    answer.rcode = flags & 0x000f;
    const std::uint16_t questions = read16(reply, offset);
    const std::uint16_t answers = read16(reply, offset);
    offset = header_size;  // authority and additional records are not needed
    for (std::uint16_t i = 0; i < questions; ++i) {
        read_name(reply, offset);
        skip(reply, offset, 4);  // type and class
    }
    for (std::uint16_t i = 0; i < answers; ++i) {
        const ResourceRecord record = read_record(reply, offset);
        if (record.type == type_mx) answer.mx.push_back(read_mx(reply, record));
        else if (record.type == type_srv) answer.srv.push_back(read_srv(reply, record));
    }
    return answer;
}

void sort_mx(std::vector<MxRecord>& records) {
    std::stable_sort(records.begin(), records.end(),
                     [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
}

void sort_srv(std::vector<SrvRecord>& records) {
    std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
        return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
    });
}

}  // namespace zmail::dns
