// zmail send against the fixture's Dovecot submission service and its SMTP receiver: what
// arrives (checked by Python's email package under the strict policy), Bcc, header injection,
// the From rule before any connection, the Sent copy policies, partial acceptance, the queue.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixture.hpp"
#include "../support/files.hpp"

namespace zmail {
namespace {

using nlohmann::json;
using test::CommandResult;
using test::server_env;
namespace fs = std::filesystem;
using zmail::testing::write_file;

std::string source_dir() { return ZMAIL_SOURCE_DIR; }

/// A free TCP port on 127.0.0.1 that nothing listens on.
int closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t length = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// One fixture user with a private zmail profile (ZMAIL_CONFIG, state, presets.json).
struct Sender {
    std::string user, address, dir, config;
    std::map<std::string, std::string> env;

    /// `preset`: "custom" or "zoho-like" (a user preset with files_sent_mail, like Zoho's).
    explicit Sender(const std::string& preset = "custom", json extra = json::object(), int smtp_port = 0) {
        const auto& e = server_env();
        user = test::create_user();
        address = test::address_of(user);
        dir = test::make_scratch_dir("send");
        config = dir + "/config.json";
        json presets = {{"presets",
                         {{"zoho-like",
                           {{"description", "a provider that files mail sent over SMTP into Sent itself"},
                            {"smtp", {{"host", e.host}, {"port", e.port("submissions")}, {"security", "tls"}}},
                            {"imap", {{"host", e.host}, {"port", e.port("imaps")}, {"security", "tls"}}},
                            {"files_sent_mail", true},
                            {"folders", {{"sent", "Sent"}}}}}}}};
        write_file(dir + "/presets.json", presets.dump(2));
        json account = {{"preset", preset},
                        {"address", address},
                        {"name", "送信 太郎"},
                        {"user", user},
                        {"ca_file", e.ca_file},
                        {"password", {{"env", "ZMAIL_TEST_PASSWORD"}}},
                        {"state_dir", dir + "/state"}};
        if (preset == "custom") {
            account["smtp"] = {{"host", e.host}, {"port", e.port("submission")}, {"security", "starttls"}};
            account["imap"] = {{"host", e.host}, {"port", e.port("imaps")}, {"security", "tls"}};
        }
        if (smtp_port) account["smtp"] = {{"host", e.host}, {"port", smtp_port}, {"security", "starttls"}};
        account.update(extra, true);
        json doc = {{"version", 1}, {"default", "main"}, {"accounts", {{"main", account}}}};
        write_file(config, doc.dump(2));
        ::chmod(config.c_str(), 0600);
        env = {{"ZMAIL_CONFIG", config},
               {"XDG_STATE_HOME", dir + "/xdg-state"},
               {"ZMAIL_TEST_PASSWORD", test::password_for(user)}};
    }

    CommandResult run(std::vector<std::string> args, const std::string& input = {}) const {
        return test::run_zmail(args, env, input);
    }

    /// `zmail --json send ARGS`; the parsed result (null when stdout is not JSON).
    json send(std::vector<std::string> args, CommandResult* raw = nullptr, const std::string& input = {}) const {
        args.insert(args.begin(), {"--json", "send"});
        CommandResult r = run(args, input);
        if (raw) *raw = r;
        try {
            return json::parse(r.out);
        } catch (const json::exception&) {
            ADD_FAILURE() << "not JSON (exit " << r.exit_code << "): " << r.out << r.err;
            return nullptr;
        }
    }

    std::string queue_dir() const { return dir + "/state/queue"; }

    /// How many messages in `mailbox` have this Message-ID (doveadm search).
    int count_in(const std::string& mailbox, const std::string& message_id) const {
        const std::string out =
            test::run_doveadm({"search", "-u", user, "mailbox", mailbox, "HEADER", "Message-ID", message_id});
        int n = 0;
        for (char c : out) n += c == '\n';
        return n;
    }
};

/// The messages the receiver kept whose Message-ID is `message_id`.
std::vector<test::ReceivedMessage> received_with(const std::string& message_id) {
    std::vector<test::ReceivedMessage> out;
    for (auto& m : test::received_messages())
        if (m.content.find("Message-ID: " + message_id + "\r\n") != std::string::npos) out.push_back(std::move(m));
    return out;
}

std::size_t received_count() { return test::received_messages().size(); }

/// What Python's email package (policy=strict) reads in a message.
json parse_strictly(const std::string& content) {
    const std::string path = test::make_scratch_dir("parse") + "/message.eml";
    write_file(path, content);
    const auto r = test::run_command(
        {"/usr/bin/python3", source_dir() + "/tests/integration/support/parse_message.py", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json();
}

std::string hex(const std::string& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

/// Only the defects Python reports for the RFC 2047 name= form asked for old Outlook.
void expect_only_name_parameter_defects(const json& parsed) {
    for (const auto& d : parsed["defects"]) {
        const std::string text = d.get<std::string>();
        EXPECT_TRUE(text == "encoded word inside quoted string" ||
                    text == "missing trailing whitespace after encoded-word")
            << text;
    }
}

const std::string japanese_subject = "【確認】来週の打ち合わせ資料（第３回）と議事録の送付について";
const std::string japanese_body = "山田様\n\nいつもお世話になっております。\n資料を添付いたします。\n.\n"
                                  "From the team\n長い行" + std::string(60, 'x') + "です。\n";

std::string binary_content() {
    std::string data;
    for (int i = 0; i < 5000; ++i) data += static_cast<char>((i * 131) ^ (i >> 3));
    return data;
}

TEST(Send, ComposedJapaneseMessageArrivesIntact) {
    Sender s;
    const std::string attachment = s.dir + "/２０２４年度_見積書_最終版.pdf";
    write_file(attachment, binary_content());
    const json r = s.send({"--to", "鈴木 一郎 <ichiro@example.net>", "--cc", "hanako@example.net", "--subject",
                           japanese_subject, "--body", japanese_body, "--attach", attachment, "--reply-to",
                           s.address, "--header", "X-Project: 新規案件", "--in-reply-to", "<prev@example.net>"});
    ASSERT_EQ(r["exit_code"], 0) << r.dump(2);
    ASSERT_TRUE(r["sent"].get<bool>());
    const auto got = received_with(r["message_id"]);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].mail_from, s.address);
    EXPECT_EQ(got[0].rcpt_tos, (std::vector<std::string>{"ichiro@example.net", "hanako@example.net"}));

    const json m = parse_strictly(got[0].content);
    EXPECT_EQ(m["headers"]["subject"], japanese_subject);
    EXPECT_EQ(m["from"][0]["name"], "送信 太郎");
    EXPECT_EQ(m["from"][0]["address"], s.address);
    EXPECT_EQ(m["to"][0]["name"], "鈴木 一郎");
    EXPECT_EQ(m["cc"][0]["address"], "hanako@example.net");
    EXPECT_EQ(m["reply_to"][0]["address"], s.address);
    EXPECT_EQ(m["headers"]["x-project"], "新規案件");
    EXPECT_EQ(m["headers"]["in-reply-to"], "<prev@example.net>");
    EXPECT_EQ(m["headers"]["references"], "<prev@example.net>");
    EXPECT_EQ(m["headers"]["message-id"], r["message_id"]);
    EXPECT_NE(m["headers"]["date"].get<std::string>().find(","), std::string::npos);
    EXPECT_TRUE(m["raw_headers"]["subject"].get<std::string>().starts_with("=?UTF-8?B?"));
    EXPECT_EQ(m["content_type"], "multipart/mixed");
    EXPECT_EQ(m["text"]["charset"], "utf-8");
    EXPECT_EQ(m["text"]["transfer_encoding"], "quoted-printable");
    std::string crlf_body;
    for (char c : japanese_body) crlf_body += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(m["text"]["bytes_hex"], hex(crlf_body));
    ASSERT_EQ(m["attachments"].size(), 1u);
    EXPECT_EQ(m["attachments"][0]["filename"], "２０２４年度_見積書_最終版.pdf");
    EXPECT_EQ(m["attachments"][0]["name_param"], "２０２４年度_見積書_最終版.pdf");
    EXPECT_EQ(m["attachments"][0]["content_type"], "application/pdf");
    EXPECT_EQ(m["attachments"][0]["transfer_encoding"], "base64");
    EXPECT_EQ(m["attachments"][0]["bytes_hex"], hex(binary_content()));
    expect_only_name_parameter_defects(m);
    // the raw header: every encoded word at most 75 characters, every line within 998
    std::size_t pos = 0;
    const std::string& content = got[0].content;
    while ((pos = content.find("=?", pos)) != std::string::npos) {
        const std::size_t end = content.find("?=", content.find('?', content.find('?', pos + 2) + 1) + 1);
        ASSERT_NE(end, std::string::npos);
        EXPECT_LE(end + 2 - pos, 75u) << content.substr(pos, end + 2 - pos);
        pos = end + 2;
    }
}

TEST(Send, Iso2022JpSubjectNameBodyAndAttachmentName) {
    Sender s;
    const std::string attachment = s.dir + "/議事録.txt";
    write_file(attachment, "議事録の本文\n");
    const json r = s.send({"--charset", "iso-2022-jp", "--to", "鈴木 一郎 <ichiro@example.net>", "--subject",
                           japanese_subject, "--body", japanese_body, "--attach", attachment});
    ASSERT_EQ(r["exit_code"], 0) << r.dump(2);
    const auto got = received_with(r["message_id"]);
    ASSERT_EQ(got.size(), 1u);
    const json m = parse_strictly(got[0].content);
    EXPECT_EQ(m["headers"]["subject"], japanese_subject);
    EXPECT_TRUE(m["raw_headers"]["subject"].get<std::string>().starts_with("=?ISO-2022-JP?B?"));
    EXPECT_TRUE(m["raw_headers"]["from"].get<std::string>().starts_with("=?ISO-2022-JP?B?"));
    EXPECT_EQ(m["from"][0]["name"], "送信 太郎");
    EXPECT_EQ(m["to"][0]["name"], "鈴木 一郎");
    EXPECT_EQ(m["text"]["charset"], "iso-2022-jp");
    EXPECT_EQ(m["text"]["transfer_encoding"], "7bit");
    std::string crlf_body;
    for (char c : japanese_body) crlf_body += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(m["text"]["text"], crlf_body);
    ASSERT_EQ(m["attachments"].size(), 1u);
    EXPECT_EQ(m["attachments"][0]["filename"], "議事録.txt");
    EXPECT_EQ(m["attachments"][0]["bytes_hex"], hex("議事録の本文\n"));
    for (unsigned char c : got[0].content) ASSERT_LT(c, 0x80) << "ISO-2022-JP mail must be 7-bit";
}

TEST(Send, BccRecipientsGetItAndAppearInNoHeader) {
    Sender s;
    const json r = s.send({"--to", "visible@example.net", "--bcc", "hidden-one@example.net", "--bcc",
                           "Secret <hidden-two@example.net>", "--subject", "bcc test", "--body", "x"});
    ASSERT_EQ(r["exit_code"], 0) << r.dump(2);
    const auto got = received_with(r["message_id"]);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rcpt_tos, (std::vector<std::string>{"visible@example.net", "hidden-one@example.net",
                                                         "hidden-two@example.net"}));
    EXPECT_EQ(got[0].content.find("hidden"), std::string::npos);
    EXPECT_FALSE(parse_strictly(got[0].content)["has_bcc"].get<bool>());

    // sendmail mode: -t takes Bcc from the header and removes it
    const std::string ready = "From: " + s.address + "\nTo: visible@example.net\nBcc: hidden-three@example.net,\n"
                              " hidden-four@example.net\nSubject: t mode\n\nbody\n";
    CommandResult raw;
    const json t = s.send({"-t", "-i"}, &raw, ready);
    ASSERT_EQ(raw.exit_code, 0) << raw.err;
    const auto got_t = received_with(t["message_id"]);
    ASSERT_EQ(got_t.size(), 1u);
    EXPECT_EQ(got_t[0].rcpt_tos, (std::vector<std::string>{"visible@example.net", "hidden-three@example.net",
                                                           "hidden-four@example.net"}));
    EXPECT_EQ(got_t[0].content.find("hidden"), std::string::npos);
    EXPECT_EQ(got_t[0].content.find("Bcc"), std::string::npos);
}

TEST(Send, InjectedHeadersAreRefused) {
    Sender s;
    const std::size_t before = received_count();
    const std::vector<std::vector<std::string>> attempts = {
        {"--to", "a@example.net", "--subject", "hello\r\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net", "--subject", "hello\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net\r\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net", "--cc", "b@example.net\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net", "--header", "X-Tag: 1\r\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net", "--from", s.address + "\r\nBcc: victim@example.net", "--body", "x"},
        {"--to", "a@example.net", "--in-reply-to", "<a@b>\r\nBcc: victim@example.net", "--body", "x"},
    };
    for (const auto& args : attempts) {
        std::vector<std::string> argv = {"send"};
        argv.insert(argv.end(), args.begin(), args.end());
        const auto r = s.run(argv);
        EXPECT_EQ(r.exit_code, 64) << args[1] << " " << r.err;
        EXPECT_NE(r.err.find("line break"), std::string::npos) << r.err;
    }
    EXPECT_EQ(received_count(), before);
}

TEST(Send, ForeignFromIsRefusedWithoutConnecting) {
    const int port = closed_port();
    Sender s("custom", json::object(), port);
    const std::size_t before = received_count();
    auto r = s.run({"send", "--from", "boss@example.org", "--to", "a@example.net", "--body", "x"});
    EXPECT_EQ(r.exit_code, 65) << r.err;
    EXPECT_NE(r.err.find("relay denied"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("connect"), std::string::npos) << r.err;
    r = s.run({"send", "-t"}, "From: boss@example.org\nTo: a@example.net\n\nx\n");
    EXPECT_EQ(r.exit_code, 65) << r.err;
    r = s.run({"send", "-f", "boss@example.org", "a@example.net"}, "From: " + s.address + "\n\nx\n");
    EXPECT_EQ(r.exit_code, 65) << r.err;
    // the same account with its own From does try the closed port: the refusal above came first
    r = s.run({"send", "--to", "a@example.net", "--body", "x"});
    EXPECT_EQ(r.exit_code, 75) << r.err;
    EXPECT_NE(r.err.find("connection refused"), std::string::npos) << r.err;
    EXPECT_EQ(received_count(), before);
}

TEST(Send, TheServerRefusingTheSenderIsExplained) {
    // zmail knows an alias the provider does not: the server answers 553 relay denied
    Sender s("custom", {{"aliases", {"unknown-alias@example.test"}}});
    const auto r = s.run({"send", "--from", "unknown-alias@example.test", "--to", "a@example.net", "--body", "x"});
    EXPECT_EQ(r.exit_code, 65) << r.err;
    EXPECT_NE(r.err.find("relay denied"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("553"), std::string::npos) << r.err;
    // once the provider knows it, sending as the alias works
    write_file(server_env().aliases_dir + "/" + s.user, "unknown-alias@example.test\n");
    const json ok = s.send({"--from", "unknown-alias@example.test", "--to", "a@example.net", "--body", "x"});
    EXPECT_EQ(ok["exit_code"], 0) << ok.dump(2);
    EXPECT_EQ(received_with(ok["message_id"]).at(0).mail_from, "unknown-alias@example.test");
}

TEST(Send, WrongPasswordNamesApplicationPasswords) {
    Sender s;
    auto env = s.env;
    env["ZMAIL_TEST_PASSWORD"] = "wrong";
    const auto r = test::run_zmail({"send", "--to", "a@example.net", "--body", "x"}, env);
    EXPECT_EQ(r.exit_code, 77) << r.err;
    EXPECT_NE(r.err.find("application-specific password"), std::string::npos) << r.err;
}

TEST(Send, PartialAcceptanceSendsOnceAndNamesTheRefused) {
    Sender s;
    CommandResult raw;
    const json r = s.send({"--queue", "--to", "ok@example.net", "--to", "reject-me@example.net", "--to",
                           "tempfail-me@example.net", "--subject", "partial", "--body", "x"},
                          &raw);
    EXPECT_EQ(raw.exit_code, 65) << raw.err;
    EXPECT_TRUE(r["sent"].get<bool>());
    EXPECT_EQ(r["accepted"], json({"ok@example.net"}));
    ASSERT_EQ(r["refused"].size(), 2u);
    EXPECT_EQ(r["refused"][0]["address"], "reject-me@example.net");
    EXPECT_EQ(r["refused"][0]["code"], 550);
    EXPECT_TRUE(r["refused"][1]["temporary"].get<bool>());
    EXPECT_EQ(r["queued_recipients"], json({"tempfail-me@example.net"}));  // only those who did not get it
    const auto got = received_with(r["message_id"]);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rcpt_tos, (std::vector<std::string>{"ok@example.net"}));
    // the flush tries the temporarily refused one again, and only that one
    const auto flush = s.run({"--json", "send", "--flush"});
    EXPECT_EQ(flush.exit_code, 75) << flush.err;  // still refused for now: kept
    EXPECT_EQ(received_with(r["message_id"]).size(), 1u);
}

TEST(Send, AutoOnAZohoLikePresetMakesNoSentCopy) {
    Sender s("zoho-like");
    const json r = s.send({"--to", "a@example.net", "--subject", "auto", "--body", "x"});
    ASSERT_EQ(r["exit_code"], 0) << r.dump(2);
    EXPECT_EQ(r["sent_copy"]["outcome"], "not-wanted");
    EXPECT_NE(r["sent_copy"]["reason"].get<std::string>().find("files mail sent over SMTP"), std::string::npos);
    EXPECT_EQ(s.count_in("Sent", r["message_id"]), 0);
    EXPECT_EQ(received_with(r["message_id"]).size(), 1u);
    // --save-sent overrides once
    const json once = s.send({"--save-sent", "--to", "a@example.net", "--subject", "once", "--body", "x"});
    EXPECT_EQ(once["sent_copy"]["outcome"], "made") << once.dump(2);
    EXPECT_EQ(s.count_in("Sent", once["message_id"]), 1);
}

TEST(Send, AlwaysMakesExactlyOneCopyEvenWhenSentTwice) {
    Sender s("custom", {{"send", {{"save_sent", "always"}}}});
    const std::string id = "<twice." + s.user + "@example.test>";
    const std::string message = "From: " + s.address + "\nTo: a@example.net\nBcc: b@example.net\nSubject: twice\n"
                                "Message-ID: " + id + "\n\nthe same message\n";
    for (int i = 0; i < 2; ++i) {
        CommandResult raw;
        const json r = s.send({"-t"}, &raw, message);
        ASSERT_EQ(raw.exit_code, 0) << raw.err;
        EXPECT_EQ(r["message_id"], id);
        EXPECT_EQ(r["sent_copy"]["outcome"], i == 0 ? "made" : "already-there") << r.dump(2);
        EXPECT_EQ(r["sent_copy"]["folder"], "Sent");
    }
    EXPECT_EQ(received_with(id).size(), 2u);  // sent twice, as asked
    EXPECT_EQ(s.count_in("Sent", id), 1);     // but one copy
    const std::string flags = test::run_doveadm(
        {"fetch", "-u", s.user, "flags", "mailbox", "Sent", "HEADER", "Message-ID", id});
    EXPECT_NE(flags.find("\\Seen"), std::string::npos) << flags;
    const std::string copy = test::run_doveadm(
        {"fetch", "-u", s.user, "text", "mailbox", "Sent", "HEADER", "Message-ID", id});
    EXPECT_NE(copy.find("Bcc: b@example.net"), std::string::npos);  // the sender's copy keeps who got a Bcc
    // --no-save-sent overrides once
    const json none = s.send({"--no-save-sent", "--to", "a@example.net", "--body", "x"});
    EXPECT_EQ(none["sent_copy"]["outcome"], "not-wanted");
    EXPECT_EQ(s.count_in("Sent", none["message_id"]), 0);
}

TEST(Send, SendmailModeAsMuttAndGitCallIt) {
    Sender s;
    // neomutt: sendmail -oem -oi -B8BITMIME -- recipients, LF line ends, a lone '.' in the body
    const std::string body = "line one\n.\n..two dots\nFrom here on\nend\n";
    const std::string mutt = "From: " + s.address + "\nTo: a@example.net\nSubject: mutt\nMIME-Version: 1.0\n"
                             "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body;
    auto r = s.run({"send", "-oem", "-oi", "-B8BITMIME", "--", "a@example.net", "b@example.net"}, mutt);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.empty());  // like sendmail: silent on success
    const auto all = test::received_messages();
    ASSERT_FALSE(all.empty());
    const auto& got = all.back();
    EXPECT_EQ(got.rcpt_tos, (std::vector<std::string>{"a@example.net", "b@example.net"}));
    std::string crlf_body;
    for (char c : body) crlf_body += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_TRUE(got.content.ends_with("\r\n\r\n" + crlf_body)) << got.content;
    EXPECT_NE(got.content.find("\r\nMessage-ID: <"), std::string::npos);
    EXPECT_NE(got.content.find("\r\nDate: "), std::string::npos);
    // git send-email: sendmail -i -f FROM recipients
    const std::string patch = "From: 送信 太郎 <" + s.address + ">\nTo: list@example.net\nSubject: [PATCH] fix\n"
                              "Message-ID: <patch." + s.user + "@example.test>\n"
                              "Date: Mon, 1 Jan 2024 00:00:00 +0000\n\n"
                              "diff --git a/x b/x\n";
    r = s.run({"send", "-i", "-f", s.address, "list@example.net"}, patch);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto git = received_with("<patch." + s.user + "@example.test>");
    ASSERT_EQ(git.size(), 1u);
    std::string crlf_patch;
    for (char c : patch) crlf_patch += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_TRUE(git[0].content.ends_with(crlf_patch)) << "nothing else changed";
}

TEST(Send, DryRunConnectsToNothing) {
    Sender s("custom", json::object(), closed_port());
    const auto r = s.run({"send", "--dry-run", "--to", "a@example.net", "--bcc", "h@example.net", "--subject",
                          "dry", "--body", "x"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Subject: dry\r\n"), std::string::npos);
    EXPECT_EQ(r.out.find("h@example.net"), std::string::npos);
    EXPECT_NE(r.err.find("h@example.net"), std::string::npos);  // the envelope, on stderr
}

TEST(Send, QueueThenFlushOverOneConnectionOldestFirst) {
    const int port = closed_port();
    Sender s("custom", json::object(), port);
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) {
        CommandResult raw;
        const json r = s.send({"--queue", "--to", "a@example.net", "--subject", "queued " + std::to_string(i),
                               "--body", "x"},
                              &raw);
        ASSERT_EQ(raw.exit_code, 0) << raw.err;
        EXPECT_TRUE(r["queued"].get<bool>());
        EXPECT_FALSE(r["sent"].get<bool>());
        ids.push_back(r["message_id"]);
    }
    // without --queue a temporary failure is 75
    EXPECT_EQ(s.run({"send", "--to", "a@example.net", "--body", "x"}).exit_code, 75);
    // the server is back
    json doc = json::parse(std::ifstream(s.config));
    doc["accounts"]["main"]["smtp"]["port"] = server_env().port("submission");
    write_file(s.config, doc.dump(2));
    const auto r = s.run({"--json", "send", "--flush"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json flush = json::parse(r.out);
    ASSERT_EQ(flush.size(), 1u);
    EXPECT_EQ(flush[0]["connections"], 1);
    EXPECT_EQ(flush[0]["sent"], 5);
    EXPECT_EQ(flush[0]["remaining"], 0);
    std::vector<std::string> order;
    for (const auto& m : test::received_messages())
        for (const auto& id : ids)
            if (m.content.find("Message-ID: " + id + "\r\n") != std::string::npos) order.push_back(id);
    EXPECT_EQ(order, ids);
    EXPECT_TRUE(fs::is_empty(s.queue_dir()) ||
                (std::distance(fs::directory_iterator(s.queue_dir()), fs::directory_iterator()) == 1 &&
                 fs::exists(s.queue_dir() + "/.lock")));
    // nothing left: a second flush sends nothing
    const auto again = s.run({"--json", "send", "--flush"});
    EXPECT_EQ(again.exit_code, 0);
    for (const auto& id : ids) EXPECT_EQ(received_with(id).size(), 1u);
}

}  // namespace
}  // namespace zmail
