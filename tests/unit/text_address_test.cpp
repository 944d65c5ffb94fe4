// Address lists, address validation and Punycode (lib/text/address, punycode).
#include <gtest/gtest.h>

#include "error.hpp"
#include "text/address.hpp"
#include "text/punycode.hpp"
#include "text/utf8.hpp"

namespace zmail::text {
namespace {

}  // namespace

void PrintTo(const Address& a, std::ostream* os) {
    *os << "{name='" << a.display_name << "' address='" << a.address << "' group='" << a.group << "'}";
}

namespace {

Address mailbox(std::string name, std::string address, std::string group = {}) {
    return {std::move(name), std::move(address), std::move(group)};
}

// --- parsing -----------------------------------------------------------------------------

TEST(TextAddressParse, CommonForms) {
    EXPECT_EQ(parse_address_list("taro@example.jp"), std::vector{mailbox("", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("<taro@example.jp>"), std::vector{mailbox("", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("Taro Yamada <taro@example.jp>"),
              std::vector{mailbox("Taro Yamada", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("\"Yamada, Taro\" <taro@example.jp>, hanako@example.jp"),
              (std::vector{mailbox("Yamada, Taro", "taro@example.jp"), mailbox("", "hanako@example.jp")}));
    EXPECT_EQ(parse_address_list("John Q. Public <JQB@bar.com>"), std::vector{mailbox("John Q. Public", "JQB@bar.com")});
    EXPECT_EQ(parse_address_list("\"Joe \\\"Q\\\" Public\" <joe@example.com>"),
              std::vector{mailbox("Joe \"Q\" Public", "joe@example.com")});
}

TEST(TextAddressParse, EncodedDisplayNamesFromRealMuas) {
    // Thunderbird (ISO-2022-JP), Gmail (UTF-8 B), Outlook (UTF-8 in quotes), Foxmail (gb18030 in quotes).
    EXPECT_EQ(parse_address_list("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <yamada@example.jp>"),
              std::vector{mailbox("山田太郎", "yamada@example.jp")});
    EXPECT_EQ(parse_address_list("=?UTF-8?B?5p2O5Zub?= <12345678@qq.com>"), std::vector{mailbox("李四", "12345678@qq.com")});
    EXPECT_EQ(parse_address_list("\"=?utf-8?B?5bGx55SwIOWkqumDjg==?=\" <taro@example.jp>"),
              std::vector{mailbox("山田 太郎", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("\"=?gb18030?B?1cXI/Q==?=\" <zhangsan@foxmail.com>"),
              std::vector{mailbox("张三", "zhangsan@foxmail.com")});
    EXPECT_EQ(parse_address_list("=?UTF-8?Q?Jos=C3=A9_P=2E_Garc=C3=ADa?= <jose@example.es>"),
              std::vector{mailbox("José P. García", "jose@example.es")});
    // Two words of one name, and a name made of a word and plain text.
    EXPECT_EQ(parse_address_list("=?UTF-8?B?5bGx55Sw?= =?UTF-8?B?5aSq6YOO?= <taro@example.jp>"),
              std::vector{mailbox("山田太郎", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("=?UTF-8?B?5bGx55Sw?= (Sales) <taro@example.jp>"),
              std::vector{mailbox("山田", "taro@example.jp")});
}

TEST(TextAddressParse, RawEightBitNames) {
    EXPECT_EQ(parse_address_list("山田 太郎 <taro@example.jp>"), std::vector{mailbox("山田 太郎", "taro@example.jp")});
    const std::string gbk_name = "\xCD\xF5\xD0\xA1\xC3\xF7 <wang@163.com>";  // 王小明 in GBK
    EXPECT_EQ(parse_address_list(gbk_name, "GB18030"), std::vector{mailbox("王小明", "wang@163.com")});
    const auto lossy = parse_address_list(gbk_name);
    ASSERT_EQ(lossy.size(), 1u);
    EXPECT_TRUE(is_valid_utf8(lossy[0].display_name));
    EXPECT_EQ(lossy[0].address, "wang@163.com");
}

TEST(TextAddressParse, CommentsAndOldStyle) {
    EXPECT_EQ(parse_address_list("taro@example.jp (Taro Yamada)"), std::vector{mailbox("Taro Yamada", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("taro@example.jp (=?UTF-8?B?5bGx55Sw?=)"), std::vector{mailbox("山田", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>"),
              std::vector{mailbox("Pete", "pete@silly.test")});
    EXPECT_EQ(parse_address_list("<@route1,@route2:user@example.com>"), std::vector{mailbox("", "user@example.com")});
    EXPECT_EQ(parse_address_list("\"john doe\"@example.com"), std::vector{mailbox("", "\"john doe\"@example.com")});
    EXPECT_EQ(parse_address_list("user@[192.168.0.1]"), std::vector{mailbox("", "user@[192.168.0.1]")});
}

TEST(TextAddressParse, Groups) {
    EXPECT_TRUE(parse_address_list("undisclosed-recipients:;").empty());
    EXPECT_TRUE(parse_address_list("Undisclosed recipients: ;").empty());
    EXPECT_EQ(parse_address_list("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, after@x.test"),
              (std::vector{mailbox("Ed Jones", "c@a.test", "A Group"), mailbox("", "joe@where.test", "A Group"),
                           mailbox("John", "jdoe@one.test", "A Group"), mailbox("", "after@x.test")}));
    EXPECT_EQ(parse_address_list("=?UTF-8?B?5byA5Y+R6YOo?=: dev1@example.cn;"),
              std::vector{mailbox("", "dev1@example.cn", "开发部")});
}

TEST(TextAddressParse, BrokenInput) {
    EXPECT_EQ(parse_address_list("Taro <taro@example.jp"), std::vector{mailbox("Taro", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("Taro Yamada taro@example.jp"), std::vector{mailbox("Taro Yamada", "taro@example.jp")});
    EXPECT_EQ(parse_address_list(",, a@x.test ,,, b@y.test,"), (std::vector{mailbox("", "a@x.test"), mailbox("", "b@y.test")}));
    EXPECT_EQ(parse_address_list("\"Taro <taro@example.jp>"), std::vector{mailbox("Taro", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("Taro (Sales <taro@example.jp>"), std::vector{mailbox("Taro Sales", "taro@example.jp")});
    EXPECT_EQ(parse_address_list("a@x.test,\r\n b@y.test"), (std::vector{mailbox("", "a@x.test"), mailbox("", "b@y.test")}));
    EXPECT_TRUE(parse_address_list("").empty());
    EXPECT_TRUE(parse_address_list("   ").empty());
    EXPECT_EQ(parse_address("Taro <taro@example.jp>, other@x.test")->address, "taro@example.jp");
    EXPECT_FALSE(parse_address(" , "));
}

// --- validation and formatting -----------------------------------------------------------

void expect_invalid(std::string_view address, std::string_view why) {
    try {
        validate_address(address);
        ADD_FAILURE() << "accepted " << printable(address);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
}

TEST(TextAddressValidate, AcceptsRealAddresses) {
    for (const char* good : {"taro@example.jp", "first.last+tag@mail.example.co.jp", "12345678@qq.com",
                             "\"john doe\"@example.com", "user@[192.168.0.1]", "用户@例子.广告", "user@ドメイン名例.jp",
                             "o'brien@example.ie", "x@localhost"}) {
        EXPECT_NO_THROW(validate_address(good)) << good;
    }
}

TEST(TextAddressValidate, RefusesHeaderInjection) {
    expect_invalid("a@b.test\r\nBcc: victim@c.test", "contains a line break");
    expect_invalid("a@b.test\nX: y", "contains a line break");
    expect_invalid(std::string("a@b.test\0x", 10), "contains a NUL byte");
    expect_invalid("a@b\x01.test", "control character");
    try {
        validate_address("a@b.test\r\nBcc: v@c.test");
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "invalid address 'a@b.test\\r\\nBcc: v@c.test': contains a line break");
    }
}

TEST(TextAddressValidate, RefusesMalformedAddresses) {
    expect_invalid("", "empty");
    expect_invalid("no-at-sign", "missing '@'");
    expect_invalid("@example.com", "empty local part");
    expect_invalid("user@", "empty domain");
    expect_invalid("a b@example.com", "invalid local part");
    expect_invalid("a..b@example.com", "invalid local part");
    expect_invalid(".a@example.com", "invalid local part");
    expect_invalid("<a@example.com>", "invalid local part");
    expect_invalid("a@exa mple.com", "invalid domain");
    expect_invalid("a@example..com", "invalid domain");
    expect_invalid("a@b@c.com", "invalid local part");
    expect_invalid("a@[1.2.3.4", "invalid domain literal");
    expect_invalid("a@ex\xFF.com", "not valid UTF-8");
}

TEST(TextAddressFormat, PhrasesAndAddresses) {
    EXPECT_EQ(format_address(mailbox("", "taro@example.jp")), "taro@example.jp");
    EXPECT_EQ(format_address(mailbox("Taro Yamada", "taro@example.jp")), "Taro Yamada <taro@example.jp>");
    EXPECT_EQ(format_address(mailbox("Yamada, Taro", "taro@example.jp")), "\"Yamada, Taro\" <taro@example.jp>");
    EXPECT_EQ(format_address(mailbox("山田太郎", "taro@example.jp")), "=?UTF-8?B?5bGx55Sw5aSq6YOO?= <taro@example.jp>");
    EXPECT_EQ(format_address(mailbox("山田太郎", "taro@example.jp"), "ISO-2022-JP"),
              "=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>");
    EXPECT_EQ(format_address_list({mailbox("王小明", "wang@163.com"), mailbox("", "b@x.test")}),
              "=?UTF-8?B?546L5bCP5piO?= <wang@163.com>, b@x.test");
    // A display name with a line break is encoded, never written raw.
    const std::string sneaky = format_address(mailbox("Eve\r\nBcc: v@x.test", "eve@x.test"));
    EXPECT_EQ(sneaky.find('\r'), std::string::npos);
    EXPECT_EQ(parse_address(sneaky)->display_name, "Eve Bcc: v@x.test");
    EXPECT_THROW(format_address(mailbox("Eve", "eve@x.test\r\nBcc: v@x.test")), Error);
}

TEST(TextAddressFormat, RoundTripThroughParse) {
    const std::vector<Address> list = {mailbox("山田 太郎", "taro@example.jp"), mailbox("Yamada, \"Taro\"", "t2@example.jp"),
                                       mailbox("张三", "zhangsan@foxmail.com"), mailbox("", "plain@example.com"),
                                       mailbox("😀 Emoji Name", "e@example.com")};
    EXPECT_EQ(parse_address_list(format_address_list(list)), list);
}

// --- IDN -------------------------------------------------------------------------------

TEST(TextPunycode, Rfc3492Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},
        {"3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"},
        {"安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
        {"ひとつ屋根の下2", "2-u9tlzr9756bt3uc0v"},
        {"PorquénopuedensimplementehablarenEspañol", "PorqunopuedensimplementehablarenEspaol-fmd56a"},
        {"例え", "r8jz45g"},
        {"テスト", "zckzah"},
        {"bücher", "bcher-kva"},
    };
    for (const auto& [unicode, encoded] : vectors) {
        EXPECT_EQ(punycode_encode(unicode).value_or("?"), encoded) << unicode;
        EXPECT_EQ(punycode_decode(encoded).value_or("?"), unicode) << encoded;
    }
    EXPECT_FALSE(punycode_decode("99999999999999"));  // overflow
    EXPECT_FALSE(punycode_decode("a-!"));
    EXPECT_FALSE(punycode_decode("z"));  // incomplete
    EXPECT_FALSE(punycode_encode("\xFF"));
}

TEST(TextPunycode, DomainsForSmtp) {
    EXPECT_EQ(domain_to_ascii("example.jp"), "example.jp");
    EXPECT_EQ(domain_to_ascii("Example.JP"), "Example.JP");  // ASCII domains are left alone
    EXPECT_EQ(domain_to_ascii("例え.テスト"), "xn--r8jz45g.xn--zckzah");
    EXPECT_EQ(domain_to_ascii("日本語.jp"), "xn--wgv71a119e.jp");
    EXPECT_EQ(domain_to_ascii("例え。テスト"), "xn--r8jz45g.xn--zckzah");  // ideographic full stop
    EXPECT_EQ(domain_to_ascii("ＢÜcher．ｄｅ"), "xn--bcher-kva.de");         // full-width, upper case
    EXPECT_EQ(domain_to_ascii("münchen.de."), "xn--mnchen-3ya.de.");
    EXPECT_THROW(domain_to_ascii("例え..テスト"), Error);
    EXPECT_THROW(domain_to_ascii("例え テスト.jp"), Error);
    EXPECT_THROW(domain_to_ascii("例え\r\n.jp"), Error);
    EXPECT_THROW(domain_to_ascii(std::string(30, 'a') + "例" + std::string(40, 'b') + ".jp"), Error);
}

TEST(TextPunycode, AddressesForSmtp) {
    EXPECT_EQ(address_to_ascii("user@例え.テスト"), "user@xn--r8jz45g.xn--zckzah");
    EXPECT_EQ(address_to_ascii("taro@example.jp"), "taro@example.jp");
    EXPECT_EQ(address_to_ascii("用户@例子.广告"), "用户@xn--fsqu00a.xn--4rr70v");
    EXPECT_TRUE(needs_smtputf8("用户@example.com"));
    EXPECT_FALSE(needs_smtputf8("user@例え.テスト"));
    EXPECT_THROW(address_to_ascii("user@例え.jp\r\nRCPT TO:<x@y>"), Error);
}

}  // namespace
}  // namespace zmail::text
