// DNS replies: MX and SRV answers as a server sends them, name compression, and every way a
// reply can be malformed (each an Error{Protocol}, never a read past the end or a loop).
#include "dns/answer.hpp"
#include "error.hpp"

#include <gtest/gtest.h>

namespace zmail::dns {
namespace {

/// A DNS message built byte by byte, as a server would send it.
struct Message {
    std::string bytes;
    Message& u16(unsigned value) {
        bytes += static_cast<char>(value >> 8 & 0xff);
        bytes += static_cast<char>(value & 0xff);
        return *this;
    }
    Message& u32(unsigned value) { return u16(value >> 16).u16(value & 0xffff); }
    Message& name(const std::string& dotted) {
        std::size_t start = 0;
        while (start < dotted.size()) {
            std::size_t end = dotted.find('.', start);
            if (end == std::string::npos) end = dotted.size();
            bytes += static_cast<char>(end - start);
            bytes += dotted.substr(start, end - start);
            start = end + 1;
        }
        bytes += '\0';
        return *this;
    }
    Message& pointer(unsigned offset) { return u16(0xc000 | offset); }
    Message& raw(const std::string& data) {
        bytes += data;
        return *this;
    }
    /// A reply header: id 0x1234, QR and RD and RA set, `rcode`, the counts.
    static Message reply(unsigned questions, unsigned answers, unsigned rcode = 0, bool truncated = false) {
        Message m;
        m.u16(0x1234).u16(0x8180 | rcode | (truncated ? 0x0200 : 0)).u16(questions).u16(answers).u16(0).u16(0);
        return m;
    }
};

/// The RDATA of an MX record with an uncompressed name.
std::string mx_data(unsigned preference, const std::string& host) { return Message().u16(preference).name(host).bytes; }

std::string srv_data(unsigned priority, unsigned weight, unsigned port, const std::string& host) {
    return Message().u16(priority).u16(weight).u16(port).name(host).bytes;
}

Message& record(Message& m, const std::string& owner, unsigned type, const std::string& data) {
    return m.name(owner).u16(type).u16(1).u32(300).u16(static_cast<unsigned>(data.size())).raw(data);
}

ErrorKind kind_of(const std::string& reply) {
    try {
        parse_answer(reply);
    } catch (const Error& e) {
        return e.kind;
    }
    return ErrorKind::Internal;
}

TEST(DnsAnswer, MxRecordsOfAZohoJapanOrganisation) {
    Message m = Message::reply(1, 2);
    m.name("example.co.jp").u16(type_mx).u16(1);
    record(m, "example.co.jp", type_mx, mx_data(20, "MX2.Zoho.JP"));
    record(m, "example.co.jp", type_mx, mx_data(10, "mx.zoho.jp"));
    Answer a = parse_answer(m.bytes);
    EXPECT_EQ(a.rcode, rcode_no_error);
    EXPECT_FALSE(a.truncated);
    ASSERT_EQ(a.mx.size(), 2u);
    EXPECT_EQ(a.mx[0].exchange, "mx2.zoho.jp");  // lower case, reply order
    sort_mx(a.mx);
    EXPECT_EQ(a.mx[0].preference, 10);
    EXPECT_EQ(a.mx[0].exchange, "mx.zoho.jp");
    EXPECT_TRUE(a.srv.empty());
}

TEST(DnsAnswer, CompressedNamesPointBackToTheQuestion) {
    // the question name at offset 12; the answer's owner is a pointer to it, and the exchange
    // "mail" + a pointer to "example.org"
    Message m = Message::reply(1, 1);
    m.name("example.org").u16(type_mx).u16(1);
    const std::string data = Message().u16(5).raw(std::string("\x04mail", 5)).pointer(12).bytes;
    m.pointer(12).u16(type_mx).u16(1).u32(60).u16(static_cast<unsigned>(data.size())).raw(data);
    Answer a = parse_answer(m.bytes);
    ASSERT_EQ(a.mx.size(), 1u);
    EXPECT_EQ(a.mx[0].exchange, "mail.example.org");
}

TEST(DnsAnswer, SrvRecordsSortedByPriorityThenWeight) {
    Message m = Message::reply(1, 3);
    m.name("_imaps._tcp.example.org").u16(type_srv).u16(1);
    record(m, "_imaps._tcp.example.org", type_srv, srv_data(10, 0, 993, "backup.example.org"));
    record(m, "_imaps._tcp.example.org", type_srv, srv_data(0, 1, 993, "light.example.org"));
    record(m, "_imaps._tcp.example.org", type_srv, srv_data(0, 50, 1993, "imap.example.org"));
    Answer a = parse_answer(m.bytes);
    ASSERT_EQ(a.srv.size(), 3u);
    sort_srv(a.srv);
    EXPECT_EQ(a.srv[0].target, "imap.example.org");
    EXPECT_EQ(a.srv[0].port, 1993);
    EXPECT_EQ(a.srv[1].target, "light.example.org");
    EXPECT_EQ(a.srv[2].target, "backup.example.org");
}

TEST(DnsAnswer, RootTargetMeansNoSuchService) {
    Message m = Message::reply(0, 1);
    record(m, "_pop3s._tcp.example.org", type_srv, srv_data(0, 0, 0, ""));
    Answer a = parse_answer(m.bytes);
    ASSERT_EQ(a.srv.size(), 1u);
    EXPECT_EQ(a.srv[0].target, "");
}

TEST(DnsAnswer, OtherRecordTypesAreSkipped) {
    Message m = Message::reply(0, 2);
    record(m, "example.org", 5, Message().name("alias.example.net").bytes);  // CNAME
    record(m, "alias.example.net", type_mx, mx_data(0, "mx.example.net"));
    Answer a = parse_answer(m.bytes);
    ASSERT_EQ(a.mx.size(), 1u);
    EXPECT_EQ(a.mx[0].exchange, "mx.example.net");
}

TEST(DnsAnswer, NxdomainAndTruncation) {
    Answer a = parse_answer(Message::reply(0, 0, rcode_name_error, true).bytes);
    EXPECT_EQ(a.rcode, rcode_name_error);
    EXPECT_TRUE(a.truncated);
    EXPECT_TRUE(a.mx.empty());
}

TEST(DnsAnswer, MalformedRepliesAreProtocolErrors) {
    EXPECT_EQ(kind_of(""), ErrorKind::Protocol);
    EXPECT_EQ(kind_of(std::string(11, '\0')), ErrorKind::Protocol);
    // a query, not a reply
    EXPECT_EQ(kind_of(Message().u16(1).u16(0x0100).u16(0).u16(0).u16(0).u16(0).bytes), ErrorKind::Protocol);
    // one answer announced, none there
    EXPECT_EQ(kind_of(Message::reply(0, 1).bytes), ErrorKind::Protocol);
    // RDATA length past the end
    Message past = Message::reply(0, 1);
    past.name("a.example").u16(type_mx).u16(1).u32(1).u16(400).raw(mx_data(0, "b.example"));
    EXPECT_EQ(kind_of(past.bytes), ErrorKind::Protocol);
    // MX data longer than its name
    Message longer = Message::reply(0, 1);
    record(longer, "a.example", type_mx, mx_data(0, "b.example") + "xx");
    EXPECT_EQ(kind_of(longer.bytes), ErrorKind::Protocol);
    // a label of the reserved types 01 and 10
    Message reserved = Message::reply(0, 1);
    reserved.raw("\x41");
    EXPECT_EQ(kind_of(reserved.bytes), ErrorKind::Protocol);
}

TEST(DnsAnswer, CompressionLoopsAreRefused) {
    // a pointer to itself
    Message self = Message::reply(1, 0);
    self.pointer(12).u16(type_mx).u16(1);
    EXPECT_EQ(kind_of(self.bytes), ErrorKind::Protocol);
    // two pointers to each other: at 12 "a" + a pointer to 16, at 16 "b" + a pointer to 12
    Message pair = Message::reply(1, 0);
    pair.raw(std::string("\x01" "a", 2)).pointer(16).raw(std::string("\x01" "b", 2)).pointer(12);
    EXPECT_EQ(kind_of(pair.bytes), ErrorKind::Protocol);
    // a pointer forward, past the end
    Message forward = Message::reply(1, 0);
    forward.pointer(0x3fff);
    EXPECT_EQ(kind_of(forward.bytes), ErrorKind::Protocol);
}

TEST(DnsAnswer, NamesHoldOnlyHostNameCharacters) {
    for (const std::string& label : {std::string("a.b"), std::string("a b"), std::string("a\nb"), std::string("a\0b", 3)}) {
        Message m = Message::reply(0, 1);
        record(m, "example.org", type_mx, Message().u16(0).raw(std::string(1, static_cast<char>(label.size())) + label)
                                              .raw(std::string(1, '\0')).bytes);
        EXPECT_EQ(kind_of(m.bytes), ErrorKind::Protocol) << label;
    }
    Message srv = Message::reply(0, 1);
    record(srv, "_imaps._tcp.Example-1.org", type_srv, srv_data(0, 0, 993, "IMAP-1.example.org"));
    EXPECT_EQ(parse_answer(srv.bytes).srv.at(0).target, "imap-1.example.org");
}

TEST(DnsAnswer, NameLimits) {
    // a label of 64 octets
    Message label = Message::reply(1, 0);
    label.raw(std::string(1, 64) + std::string(64, 'a')).raw(std::string(1, '\0')).u16(type_mx).u16(1);
    EXPECT_EQ(kind_of(label.bytes), ErrorKind::Protocol);
    // 5 labels of 63 octets: 320 octets, over 255
    std::string long_name;
    for (int i = 0; i < 5; ++i) long_name += (i ? "." : "") + std::string(63, 'x');
    Message name = Message::reply(1, 0);
    name.name(long_name).u16(type_mx).u16(1);
    EXPECT_EQ(kind_of(name.bytes), ErrorKind::Protocol);
    // 3 labels of 63: 196 octets, fine
    std::string fine = std::string(63, 'x') + "." + std::string(63, 'y') + "." + std::string(63, 'z');
    Message ok = Message::reply(1, 0);
    ok.name(fine).u16(type_mx).u16(1);
    EXPECT_NO_THROW(parse_answer(ok.bytes));
    std::size_t offset = 12;
    EXPECT_EQ(read_name(ok.bytes, offset), fine);
    EXPECT_EQ(offset, 12 + fine.size() + 2);
}

}  // namespace
}  // namespace zmail::dns
