// From the command line to a message ready to go: sendmail mode (-t, recipients as
// arguments, -f, -F), the From rule (the account's address or an alias, else "relay denied"
// before any connection), account choice by From, header injection in options.
#include <gtest/gtest.h>

#include <string>

#include "error.hpp"
#include "mime/ready_message.hpp"
#include "profile_test_support.hpp"
#include "send/outgoing.hpp"

using zmail::Error;
using zmail::ErrorKind;
using zmail::profile::testing::TempDir;
using zmail::profile::testing::write_text;
namespace sending = zmail::send;
namespace profile = zmail::profile;

namespace {

profile::Account account() {
    profile::Account a;
    a.name = "work";
    a.address = "taro@example.jp";
    a.display_name = "山田 太郎";
    a.aliases = {"sales@example.jp", "info@例え.jp"};
    return a;
}

ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind;
    }
    return ErrorKind::Internal;
}

std::string what_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

constexpr std::time_t now = 1700000000;

}  // namespace

TEST(SendOutgoing, SendmailModeTakesRecipientsFromHeadersAndDropsBccFromTheWire) {
    sending::ReadyInput in;
    in.message = "From: taro@example.jp\nTo: a@example.net, B <b@example.net>\nCc: c@example.net\n"
                 "Bcc: hidden@example.net, A@EXAMPLE.NET\nSubject: s\n\nbody\n";
    in.recipients_from_headers = true;
    in.recipients = {"extra@example.net"};
    const auto out = sending::ready_outgoing(account(), in, now);
    EXPECT_EQ(out.envelope.mail_from, "taro@example.jp");
    EXPECT_EQ(out.envelope.recipients, (std::vector<std::string>{"a@example.net", "b@example.net", "c@example.net",
                                                                 "hidden@example.net", "extra@example.net"}));
    EXPECT_NE(out.message.find("Bcc: hidden@example.net"), std::string::npos);  // kept for the Sent copy
    const std::string wire = sending::wire_form(out.message);
    EXPECT_EQ(wire.find("hidden"), std::string::npos);
    EXPECT_TRUE(wire.starts_with("Date: ")) << wire;
    EXPECT_NE(wire.find("\r\nMessage-ID: <"), std::string::npos);
    EXPECT_NE(wire.find("@example.jp>\r\nFrom: taro@example.jp\r\n"), std::string::npos);
    EXPECT_TRUE(wire.ends_with("\r\n\r\nbody\r\n"));
}

TEST(SendOutgoing, SendmailModeWithArgumentsOnly) {
    sending::ReadyInput in;
    in.message = "From: Sales <sales@example.jp>\nSubject: s\nMessage-ID: <given@example.jp>\n"
                 "Date: Mon, 1 Jan 2024 00:00:00 +0000\n\n.\n..\n";
    in.recipients = {"x@example.net"};
    in.envelope_from = "taro@example.jp";
    const auto out = sending::ready_outgoing(account(), in, now);
    EXPECT_EQ(out.message_id, "<given@example.jp>");
    EXPECT_EQ(out.envelope.mail_from, "taro@example.jp");
    EXPECT_EQ(out.envelope.recipients, std::vector<std::string>{"x@example.net"});
    EXPECT_EQ(out.message, "From: Sales <sales@example.jp>\r\nSubject: s\r\nMessage-ID: <given@example.jp>\r\n"
                           "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n.\r\n..\r\n");
}

TEST(SendOutgoing, NoRecipientsIsAUsageError) {
    sending::ReadyInput in;
    in.message = "From: taro@example.jp\nSubject: s\n\nx\n";
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Usage);
    in.recipients_from_headers = true;
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Usage);
}

TEST(SendOutgoing, ForeignFromIsRefusedAsRelayDenied) {
    sending::ReadyInput in;
    in.message = "From: ceo@bigcorp.example\nTo: x@example.net\n\nx\n";
    in.recipients_from_headers = true;
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Data);
    EXPECT_NE(what_of([&] { sending::ready_outgoing(account(), in, now); }).find("relay denied"), std::string::npos);
    in.message = "From: taro@example.jp\nTo: x@example.net\n\nx\n";
    in.envelope_from = "ceo@bigcorp.example";
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Data);
    in.envelope_from.clear();
    in.message = "From: taro@example.jp\nSender: ceo@bigcorp.example\nTo: x@example.net\n\nx\n";
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Data);
}

TEST(SendOutgoing, AliasesAndIdnFormsAreTheAccounts) {
    const auto a = account();
    EXPECT_TRUE(sending::account_may_send_as(a, "TARO@example.jp"));
    EXPECT_TRUE(sending::account_may_send_as(a, "sales@EXAMPLE.JP"));
    EXPECT_TRUE(sending::account_may_send_as(a, "info@xn--r8jz45g.jp"));
    EXPECT_FALSE(sending::account_may_send_as(a, "hanako@example.jp"));
}

TEST(SendOutgoing, CronFromWithoutDomainBecomesTheAccounts) {
    sending::ReadyInput in;
    in.message = "From: root (Cron Daemon)\nTo: taro@example.jp\nSubject: Cron <root@host> job\n\noutput\n";
    in.recipients_from_headers = true;
    in.from_name = "CronDaemon";  // cron runs sendmail -FCronDaemon -i -B8BITMIME -oem
    const auto out = sending::ready_outgoing(account(), in, now);
    EXPECT_NE(out.message.find("From: Cron Daemon <taro@example.jp>\r\n"), std::string::npos) << out.message;
    EXPECT_EQ(out.message.find("root (Cron Daemon)"), std::string::npos);
    EXPECT_EQ(out.warnings.size(), 1u);
    in.message = "To: root\n\nx\n";  // a recipient without a domain cannot be sent anywhere
    EXPECT_EQ(kind_of([&] { sending::ready_outgoing(account(), in, now); }), ErrorKind::Usage);
}

TEST(SendOutgoing, MissingFromIsAddedWithTheFullName) {
    sending::ReadyInput in;
    in.message = "To: x@example.net\n\nx\n";
    in.recipients_from_headers = true;
    in.from_name = "Build Robot";
    const auto out = sending::ready_outgoing(account(), in, now);
    EXPECT_NE(out.message.find("From: Build Robot <taro@example.jp>\r\n"), std::string::npos);
}

TEST(SendOutgoing, ComposeChecksFromAndCollectsRecipients) {
    TempDir tmp;
    write_text(tmp.file("body.txt"), "本文です\n");
    write_text(tmp.file("見積書.pdf"), std::string("%PDF-1.4\n\0\xff", 11));
    sending::ComposeInput in;
    in.to = {"a@example.net, 鈴木 <suzuki@example.net>"};
    in.cc = {"a@example.net"};
    in.bcc = {"hidden@example.net"};
    in.subject = "件名";
    in.body_file = tmp.file("body.txt");
    in.attachments = {tmp.file("見積書.pdf")};
    const auto out = sending::compose_outgoing(account(), in, now);
    EXPECT_EQ(out.envelope.mail_from, "taro@example.jp");
    EXPECT_EQ(out.envelope.recipients,
              (std::vector<std::string>{"a@example.net", "suzuki@example.net", "hidden@example.net"}));
    EXPECT_TRUE(out.message_id.ends_with("@example.jp>"));
    EXPECT_NE(out.message.find("Content-Type: application/pdf;"), std::string::npos);
    EXPECT_NE(out.message.find("From: =?UTF-8?B?"), std::string::npos);  // the account's display name
    in.from = "ceo@bigcorp.example";
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Data);
    in.from = "Sales Team <sales@example.jp>";
    EXPECT_NE(sending::compose_outgoing(account(), in, now).message.find("From: Sales Team <sales@example.jp>"),
              std::string::npos);
}

TEST(SendOutgoing, InjectionInOptionsIsRefused) {
    sending::ComposeInput in;
    in.to = {"a@example.net\r\nBcc: victim@example.net"};
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Usage);
    in.to = {"a@example.net"};
    in.subject = "hello\nBcc: victim@example.net";
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Usage);
    in.subject = "ok";
    in.headers = {"X-A: 1\r\nBcc: victim@example.net"};
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Usage);
    in.headers = {"no colon"};
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Usage);
    in.headers.clear();
    in.from_name = "Evil\nBcc: x@y";
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Usage);
}

TEST(SendOutgoing, UnreadableFilesAreDataErrors) {
    sending::ComposeInput in;
    in.to = {"a@example.net"};
    in.attachments = {"/nonexistent/file.pdf"};
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Data);
    in.attachments.clear();
    in.body_file = "/nonexistent/body.txt";
    EXPECT_EQ(kind_of([&] { sending::compose_outgoing(account(), in, now); }), ErrorKind::Data);
}

TEST(SendOutgoing, ChoosesTheAccountByFrom) {
    TempDir tmp;
    write_text(tmp.file("config.json"), R"({"version": 1, "default": "home", "accounts": {
        "home": {"preset": "gmail", "address": "me@gmail.com"},
        "work": {"preset": "zoho-org", "address": "taro@example.jp", "aliases": ["sales@example.jp"]}}})");
    const auto p = profile::Profile::load(tmp.file("config.json"));
    EXPECT_EQ(sending::choose_account(p, "", "sales@example.jp"), "work");
    EXPECT_EQ(sending::choose_account(p, "", "TARO@example.jp"), "work");
    EXPECT_EQ(sending::choose_account(p, "", "stranger@example.net"), "home");
    EXPECT_EQ(sending::choose_account(p, "", ""), "home");
    EXPECT_EQ(sending::choose_account(p, "home", "sales@example.jp"), "home");
    EXPECT_EQ(kind_of([&] { sending::choose_account(p, "nope", ""); }), ErrorKind::Config);
    sending::ReadyInput ready;
    ready.message = "From: Sales <sales@example.jp>\nTo: x@y.example\n\nx\n";
    EXPECT_EQ(sending::sender_hint(nullptr, &ready), "sales@example.jp");
    ready.envelope_from = "taro@example.jp";
    EXPECT_EQ(sending::sender_hint(nullptr, &ready), "taro@example.jp");
}
