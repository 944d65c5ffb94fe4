// POP3 STAT, LIST, UIDL and CAPA parsing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "pop3/listing.hpp"

using zmail::Error;
using zmail::ErrorKind;
namespace pop3 = zmail::pop3;

namespace {

void expect_protocol_error(void (*parse)(const std::string&), const std::string& input) {
    SCOPED_TRACE(input);
    try {
        parse(input);
        ADD_FAILURE() << "accepted: " << input;
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
    }
}

}  // namespace

TEST(Pop3Listing, ParsesStat) {
    auto stat = pop3::parse_stat("2 320");
    EXPECT_EQ(stat.count, 2u);
    EXPECT_EQ(stat.size, 320u);
    EXPECT_EQ(pop3::parse_stat("0 0").count, 0u);
    EXPECT_EQ(pop3::parse_stat("3 18446744073709551615 extra").size, 18446744073709551615ull);
    for (const char* bad : {"", "2", "two 320", "2 -1", "4294967296 1", "2 3x"}) {
        expect_protocol_error([](const std::string& s) { pop3::parse_stat(s); }, bad);
    }
}

TEST(Pop3Listing, ParsesListLines) {
    auto entry = pop3::parse_list_line("1 1205");
    EXPECT_EQ(entry.number, 1u);
    EXPECT_EQ(entry.size, 1205u);
    EXPECT_EQ(pop3::parse_list_line("7 99 some server comment").size, 99u);
    for (const char* bad : {"", "1", "0 12", "x 12", "1 12x", "-1 12", "1 -12"}) {
        expect_protocol_error([](const std::string& s) { pop3::parse_list_line(s); }, bad);
    }
}

TEST(Pop3Listing, ParsesUidlLines) {
    auto entry = pop3::parse_uidl_line("1 000000017d8e4a1b");
    EXPECT_EQ(entry.number, 1u);
    EXPECT_EQ(entry.uid, "000000017d8e4a1b");
    // Gmail-style uid, and all the printable range.
    EXPECT_EQ(pop3::parse_uidl_line("12 GmailId17d8e4a1b2c3d4e5").uid, "GmailId17d8e4a1b2c3d4e5");
    EXPECT_EQ(pop3::parse_uidl_line("3 !~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}").uid, "!~\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}");
    EXPECT_EQ(pop3::parse_uidl_line("4 trailing-blanks  ").uid, "trailing-blanks");
    EXPECT_EQ(pop3::parse_uidl_line("5 " + std::string(70, 'u')).uid.size(), 70u);
}

TEST(Pop3Listing, RejectsMalformedUidlLines) {
    const std::vector<std::string> bad = {
        "",
        "1",
        "1 ",
        "0 zero",
        "one uid",
        "1 uid extra",
        "1 " + std::string(71, 'u'),
        "1 uid\x7f",
        "1 caf\xc3\xa9",
        std::string("1 a\0b", 5),
        "1 uid\r",
        "99999999999 uid",
    };
    for (const std::string& line : bad) {
        expect_protocol_error([](const std::string& s) { pop3::parse_uidl_line(s); }, line);
    }
}

TEST(Pop3Listing, FindsDuplicateUids) {
    auto listing = pop3::parse_uidl_listing({"1 aaa", "2 bbb", "3 aaa", "4 ccc", "5 bbb", "6 aaa", "7 AAA"});
    EXPECT_EQ(listing.entries.size(), 7u);
    EXPECT_TRUE(listing.has_duplicates());
    EXPECT_EQ(listing.duplicate_uids, (std::vector<std::string>{"aaa", "bbb"}));

    auto clean = pop3::parse_uidl_listing({"1 aaa", "2 AAA"});  // uids are case-sensitive
    EXPECT_FALSE(clean.has_duplicates());
    EXPECT_TRUE(pop3::parse_uidl_listing({}).entries.empty());
}

TEST(Pop3Listing, RejectsAMessageListedTwice) {
    try {
        pop3::parse_uidl_listing({"1 aaa", "2 bbb", "1 ccc"});
        FAIL();
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_STREQ(error.what(), "message 1 listed twice in UIDL listing");
        EXPECT_EQ(error.server_reply, "1 ccc");
    }
    EXPECT_THROW(pop3::parse_list_listing({"1 10", "1 20"}), Error);
    EXPECT_EQ(pop3::parse_list_listing({"1 10", "2 20"}).size(), 2u);
}

TEST(Pop3Listing, ParsesDovecotCapa) {
    // Dovecot 2.3 after login.
    auto caps = pop3::parse_capabilities({"CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "USER",
                                          "SASL PLAIN LOGIN"});
    EXPECT_TRUE(caps.capa_supported);
    EXPECT_TRUE(caps.top);
    EXPECT_TRUE(caps.uidl);
    EXPECT_TRUE(caps.resp_codes);
    EXPECT_TRUE(caps.pipelining);
    EXPECT_TRUE(caps.auth_resp_code);
    EXPECT_TRUE(caps.user);
    EXPECT_FALSE(caps.stls);
    EXPECT_EQ(caps.sasl, (std::vector<std::string>{"PLAIN", "LOGIN"}));
    EXPECT_FALSE(caps.expire_days);
    EXPECT_FALSE(caps.login_delay_seconds);
    EXPECT_EQ(caps.lines.size(), 8u);
}

TEST(Pop3Listing, ParsesGmailStyleCapa) {
    auto caps = pop3::parse_capabilities({"USER", "RESP-CODES", "EXPIRE 0", "LOGIN-DELAY 300", "TOP", "UIDL",
                                          "X-GOOGLE-RICO", "SASL PLAIN XOAUTH2 OAUTHBEARER"});
    EXPECT_FALSE(caps.pipelining);
    EXPECT_EQ(caps.expire_days, 0);
    EXPECT_FALSE(caps.expire_per_user);
    EXPECT_EQ(caps.login_delay_seconds, 300);
    EXPECT_EQ(caps.sasl, (std::vector<std::string>{"PLAIN", "XOAUTH2", "OAUTHBEARER"}));
}

TEST(Pop3Listing, ParsesOtherCapaForms) {
    auto caps = pop3::parse_capabilities({"expire never", "implementation  Qpopper 4.1 ", "pipelining", "stls",
                                          "sasl cram-md5", "LOGIN-DELAY soon"});
    EXPECT_EQ(caps.expire_days, -1);
    EXPECT_EQ(caps.implementation, "Qpopper 4.1");
    EXPECT_TRUE(caps.pipelining);
    EXPECT_TRUE(caps.stls);
    EXPECT_EQ(caps.sasl, (std::vector<std::string>{"CRAM-MD5"}));
    EXPECT_FALSE(caps.login_delay_seconds);  // malformed argument: ignored

    auto per_user = pop3::parse_capabilities({"EXPIRE 30 USER"});
    EXPECT_EQ(per_user.expire_days, 30);
    EXPECT_TRUE(per_user.expire_per_user);
}
