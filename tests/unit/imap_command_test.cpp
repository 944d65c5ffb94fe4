// IMAP command encoding: strings, literals (synchronizing and LITERAL+), flags, dates, builders.
#include <gtest/gtest.h>

#include "error.hpp"
#include "imap/command.hpp"
#include "imap/date_time.hpp"

using namespace zmail::imap;
namespace cmd = zmail::imap::command;

TEST(ImapCommand, AstringChoosesAtomQuotedOrLiteral) {
    auto encode = [](std::string_view value, EncodeOptions options = {}) {
        return CommandWriter("A1", options).keyword("SELECT ").astring(value).finish();
    };
    EXPECT_EQ(encode("INBOX").text(), "A1 SELECT INBOX\r\n");
    EXPECT_EQ(encode("[Gmail]/All").text(), "A1 SELECT \"[Gmail]/All\"\r\n");  // brackets: quoted to be safe
    EXPECT_EQ(encode("Entw&APw-rfe").text(), "A1 SELECT Entw&APw-rfe\r\n");
    EXPECT_EQ(encode("Sent Items").text(), "A1 SELECT \"Sent Items\"\r\n");
    EXPECT_EQ(encode("").text(), "A1 SELECT \"\"\r\n");
    EXPECT_EQ(encode("nil").text(), "A1 SELECT \"nil\"\r\n");
    EXPECT_EQ(encode("a\"b\\c").text(), "A1 SELECT \"a\\\"b\\\\c\"\r\n");
    EXPECT_EQ(encode("50%*").text(), "A1 SELECT \"50%*\"\r\n");

    // 8-bit without UTF8=ACCEPT: a synchronizing literal, in two parts.
    auto literal = encode("送信済み");
    ASSERT_EQ(literal.parts.size(), 2u);
    EXPECT_EQ(literal.parts[0].bytes, "A1 SELECT {12}\r\n");
    EXPECT_TRUE(literal.parts[0].wait_for_continuation);
    EXPECT_EQ(literal.parts[1].bytes, "送信済み\r\n");
    EXPECT_FALSE(literal.parts[1].wait_for_continuation);

    // With LITERAL+ it is one part; with UTF8=ACCEPT it is quoted.
    auto plus = encode("送信済み", {.literal_plus = true});
    ASSERT_EQ(plus.parts.size(), 1u);
    EXPECT_EQ(plus.text(), "A1 SELECT {12+}\r\n送信済み\r\n");
    EXPECT_EQ(encode("送信済み", {.utf8 = true}).text(), "A1 SELECT \"送信済み\"\r\n");

    // CR/LF always need a literal; NUL cannot be sent at all.
    EXPECT_EQ(encode("a\r\nb", {.literal_plus = true}).text(), "A1 SELECT {4+}\r\na\r\nb\r\n");
    try {
        encode(std::string_view("a\0b", 3));
        FAIL();
    } catch (const zmail::Error& e) {
        EXPECT_EQ(e.kind, zmail::ErrorKind::Data);
    }
}

TEST(ImapCommand, LiteralMinusOnlyForSmallLiterals) {
    EncodeOptions minus{.literal_minus = true};
    std::string small(4096, '\n');
    std::string big(4097, '\n');
    auto a = CommandWriter("A1", minus).keyword("CREATE ").astring(small).finish();
    EXPECT_EQ(a.parts.size(), 1u);
    EXPECT_EQ(a.parts[0].bytes.substr(0, 17), "A1 CREATE {4096+}");
    auto b = CommandWriter("A1", minus).keyword("CREATE ").astring(big).finish();
    ASSERT_EQ(b.parts.size(), 2u);
    EXPECT_EQ(b.parts[0].bytes, "A1 CREATE {4097}\r\n");
}

TEST(ImapCommand, LongStringsBecomeLiterals) {
    std::string long_name(1500, 'a');
    long_name[0] = ' ';
    auto command = CommandWriter("A1", {.literal_plus = true}).keyword("CREATE ").astring(long_name).finish();
    EXPECT_EQ(command.text(), "A1 CREATE {1500+}\r\n" + long_name + "\r\n");
}

TEST(ImapCommand, RenameWithTwoSynchronizingLiterals) {
    auto command = cmd::rename("A7", "草稿\r", "已发送");
    ASSERT_EQ(command.parts.size(), 3u);
    EXPECT_EQ(command.parts[0].bytes, "A7 RENAME {7}\r\n");
    EXPECT_TRUE(command.parts[0].wait_for_continuation);
    EXPECT_EQ(command.parts[1].bytes, "草稿\r {9}\r\n");
    EXPECT_TRUE(command.parts[1].wait_for_continuation);
    EXPECT_EQ(command.parts[2].bytes, "已发送\r\n");
    EXPECT_FALSE(command.parts[2].wait_for_continuation);
}

TEST(ImapCommand, FlagsAreChecked) {
    EXPECT_TRUE(is_valid_flag("\\Seen"));
    EXPECT_TRUE(is_valid_flag("$Forwarded"));
    EXPECT_TRUE(is_valid_flag("NonJunk"));
    for (const char* bad : {"", "\\", "\\*", "two words", "a(b", "x]", "a\"b", "a\\b", "%", "caf\xC3\xA9", "a\r"})
        EXPECT_FALSE(is_valid_flag(bad)) << bad;
    EXPECT_THROW(cmd::uid_store("A1", "1", StoreMode::Add, {"bad flag"}), zmail::Error);
}

TEST(ImapCommand, DateTimeBothWays) {
    auto parsed = parse_date_time("24-Dec-2020 18:00:00 +0100");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->utc, 1608829200);  // 17:00 UTC
    EXPECT_EQ(parsed->offset_minutes, 60);
    EXPECT_EQ(format_date_time(parsed->utc, parsed->offset_minutes), "24-Dec-2020 18:00:00 +0100");
    EXPECT_EQ(format_date_time(0, 0), "01-Jan-1970 00:00:00 +0000");
    EXPECT_EQ(format_date_time(837596665, -420), "17-Jul-1996 02:44:25 -0700");
    EXPECT_EQ(format_date_time(1608829200, 330), "24-Dec-2020 22:30:00 +0530");
    EXPECT_EQ(format_date_time(1608829200, 540), "25-Dec-2020 02:00:00 +0900");
    EXPECT_EQ(parse_date_time(" 7-jul-1996 02:44:25 -0700")->utc, 836732665);
    EXPECT_EQ(parse_date_time("7-Jul-1996 02:44:25 -0700")->utc, 836732665);
    EXPECT_EQ(format_search_date(836732665), "7-Jul-1996");
    for (const char* bad : {"", "24-Dec-2020", "24-Dez-2020 18:00:00 +0100", "30-Feb-2020 18:00:00 +0100",
                            "24-Dec-2020 24:00:00 +0100", "24-Dec-2020 18:00:00 0100", "24-Dec-2020 18:00:00 +0160",
                            "24-Dec-2020 18:00:00 +0100 ", "124-Dec-2020 18:00:00 +0100"})
        EXPECT_FALSE(parse_date_time(bad)) << bad;
    EXPECT_TRUE(parse_date_time("29-Feb-2024 00:00:00 +0000"));
    EXPECT_FALSE(parse_date_time("29-Feb-2023 00:00:00 +0000"));
    // Round trip over a range of times and zones.
    for (std::time_t t = -86400 * 400; t < 4102444800; t += 86400 * 37 + 3607) {
        for (int zone : {-720, -420, 0, 60, 330, 540, 840}) {
            auto back = parse_date_time(format_date_time(t, zone));
            ASSERT_TRUE(back);
            ASSERT_EQ(back->utc, t);
            ASSERT_EQ(back->offset_minutes, zone);
        }
    }
}

TEST(ImapCommand, SimpleCommands) {
    EXPECT_EQ(cmd::capability("A1").text(), "A1 CAPABILITY\r\n");
    EXPECT_EQ(cmd::noop("A2").text(), "A2 NOOP\r\n");
    EXPECT_EQ(cmd::logout("A3").text(), "A3 LOGOUT\r\n");
    EXPECT_EQ(cmd::expunge("A4").text(), "A4 EXPUNGE\r\n");
    EXPECT_EQ(cmd::close("A5").text(), "A5 CLOSE\r\n");
    EXPECT_EQ(cmd::unselect("A6").text(), "A6 UNSELECT\r\n");
    EXPECT_EQ(cmd::idle("A7").text(), "A7 IDLE\r\n");
    EXPECT_EQ(cmd::idle_done(), "DONE\r\n");
    EXPECT_EQ(cmd::enable("A8", {"CONDSTORE", "QRESYNC", "UTF8=ACCEPT"}).text(),
              "A8 ENABLE CONDSTORE QRESYNC UTF8=ACCEPT\r\n");
    EXPECT_EQ(cmd::id("A9", {{"name", "zmail"}, {"version", "0.1.0"}}).text(),
              "A9 ID (\"name\" \"zmail\" \"version\" \"0.1.0\")\r\n");
    EXPECT_EQ(cmd::id("A10", {}).text(), "A10 ID NIL\r\n");
    EXPECT_THROW(CommandWriter("A+1", {}), zmail::Error);
    EXPECT_THROW(CommandWriter("", {}), zmail::Error);
}

TEST(ImapCommand, MailboxCommands) {
    EXPECT_EQ(cmd::list("A1", "", "*").text(), "A1 LIST \"\" \"*\"\r\n");
    ListOptions options;
    options.return_special_use = true;
    options.return_status = {StatusItem::Messages, StatusItem::Unseen, StatusItem::Size};
    EXPECT_EQ(cmd::list("A2", "", "*", options).text(),
              "A2 LIST \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN SIZE))\r\n");
    ListOptions subscribed;
    subscribed.selection = {"SUBSCRIBED"};
    EXPECT_EQ(cmd::list("A3", "", "%", subscribed).text(), "A3 LIST (SUBSCRIBED) \"\" \"%\"\r\n");
    EXPECT_EQ(cmd::lsub("A4", "", "*").text(), "A4 LSUB \"\" \"*\"\r\n");
    EXPECT_EQ(cmd::status("A5", "&kAFP4W4IMH8-", {StatusItem::Messages, StatusItem::UidNext, StatusItem::UidValidity,
                                                  StatusItem::HighestModseq})
                  .text(),
              "A5 STATUS &kAFP4W4IMH8- (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)\r\n");
    EXPECT_EQ(cmd::create("A6", "Archive/2024").text(), "A6 CREATE Archive/2024\r\n");
    EXPECT_EQ(cmd::create("A7", "Sent", {"\\Sent"}).text(), "A7 CREATE Sent (USE (\\Sent))\r\n");
    EXPECT_EQ(cmd::delete_mailbox("A8", "Old Stuff").text(), "A8 DELETE \"Old Stuff\"\r\n");
    EXPECT_EQ(cmd::rename("A9", "a", "b").text(), "A9 RENAME a b\r\n");
    EXPECT_EQ(cmd::subscribe("A10", "INBOX").text(), "A10 SUBSCRIBE INBOX\r\n");
    EXPECT_EQ(cmd::unsubscribe("A11", "INBOX").text(), "A11 UNSUBSCRIBE INBOX\r\n");
}

TEST(ImapCommand, SelectVariants) {
    EXPECT_EQ(cmd::select("A1", "INBOX").text(), "A1 SELECT INBOX\r\n");
    SelectOptions examine;
    examine.read_only = true;
    EXPECT_EQ(cmd::select("A2", "INBOX", examine).text(), "A2 EXAMINE INBOX\r\n");
    SelectOptions condstore;
    condstore.condstore = true;
    EXPECT_EQ(cmd::select("A3", "INBOX", condstore).text(), "A3 SELECT INBOX (CONDSTORE)\r\n");
    SelectOptions qresync;
    qresync.qresync = Qresync{67890007, 20050715194045000ull, "41,43:211,214:541"};
    EXPECT_EQ(cmd::select("A4", "INBOX", qresync).text(),
              "A4 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n");
    qresync.qresync->known_uids.clear();
    EXPECT_EQ(cmd::select("A5", "INBOX", qresync).text(), "A5 SELECT INBOX (QRESYNC (67890007 20050715194045000))\r\n");
}

TEST(ImapCommand, FetchStoreExpungeCopyMove) {
    EXPECT_EQ(cmd::uid_fetch("A1", "1:*", {"UID", "FLAGS", "RFC822.SIZE", "INTERNALDATE"}).text(),
              "A1 UID FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)\r\n");
    FetchModifiers changed;
    changed.changed_since = 12345;
    changed.vanished = true;
    EXPECT_EQ(cmd::uid_fetch("A2", "300:500", {"FLAGS"}, changed).text(),
              "A2 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
    EXPECT_EQ(cmd::uid_fetch("A3", "7", {"BODY.PEEK[]"}).text(), "A3 UID FETCH 7 (BODY.PEEK[])\r\n");
    EXPECT_EQ(cmd::uid_fetch("A4", "1:3", {"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"}).text(),
              "A4 UID FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])\r\n");
    EXPECT_THROW(cmd::uid_fetch("A5", "1:x", {"FLAGS"}), zmail::Error);
    EXPECT_THROW(cmd::uid_fetch("A5", "1", {"FLAGS\r\nA6 LOGOUT"}), zmail::Error);
    FetchModifiers vanished_only;
    vanished_only.vanished = true;
    EXPECT_THROW(cmd::uid_fetch("A5", "1", {"FLAGS"}, vanished_only), zmail::Error);

    EXPECT_EQ(cmd::uid_store("A6", "4,7:9", StoreMode::Add, {"\\Seen"}).text(),
              "A6 UID STORE 4,7:9 +FLAGS.SILENT (\\Seen)\r\n");
    EXPECT_EQ(cmd::uid_store("A7", "4", StoreMode::Remove, {"\\Seen", "$Forwarded"}, false).text(),
              "A7 UID STORE 4 -FLAGS (\\Seen $Forwarded)\r\n");
    EXPECT_EQ(cmd::uid_store("A8", "4", StoreMode::Replace, {}, true, 320162338).text(),
              "A8 UID STORE 4 (UNCHANGEDSINCE 320162338) FLAGS.SILENT ()\r\n");
    EXPECT_EQ(cmd::uid_expunge("A9", "3:5").text(), "A9 UID EXPUNGE 3:5\r\n");
}

TEST(ImapCommand, AppendAnnouncesTheMessageLiteral) {
    auto plus = cmd::append("A1", "Sent", {"\\Seen", "\\Answered"}, DateTime{1608829200, 60}, 5242900,
                            {.literal_plus = true});
    ASSERT_EQ(plus.parts.size(), 1u);
    EXPECT_EQ(plus.text(), "A1 APPEND Sent (\\Seen \\Answered) \"24-Dec-2020 18:00:00 +0100\" {5242900+}\r\n");
    EXPECT_FALSE(plus.parts[0].wait_for_continuation);
    EXPECT_EQ(plus.message_size, 5242900u);

    auto sync = cmd::append("A2", "Drafts", {}, std::nullopt, 310);
    ASSERT_EQ(sync.parts.size(), 1u);
    EXPECT_EQ(sync.text(), "A2 APPEND Drafts {310}\r\n");
    EXPECT_TRUE(sync.parts[0].wait_for_continuation);
    EXPECT_EQ(sync.message_size, 310u);

    // A mailbox needing a literal: first its own continuation, then the message's.
    auto both = cmd::append("A3", "送信済み", {}, std::nullopt, 10);
    ASSERT_EQ(both.parts.size(), 2u);
    EXPECT_EQ(both.parts[0].bytes, "A3 APPEND {12}\r\n");
    EXPECT_EQ(both.parts[1].bytes, "送信済み {10}\r\n");
    EXPECT_TRUE(both.parts[1].wait_for_continuation);
}

TEST(ImapCommand, Search) {
    EXPECT_EQ(cmd::uid_search_message_id("A1", "<fake-1@example.org>").text(),
              "A1 UID SEARCH HEADER Message-ID <fake-1@example.org>\r\n");
    EXPECT_EQ(cmd::uid_search_message_id("A2", "<a b@x>").text(), "A2 UID SEARCH HEADER Message-ID \"<a b@x>\"\r\n");
    EXPECT_EQ(cmd::uid_search("A3", {SearchTerm::keyword("UNSEEN"), SearchTerm::keyword("SINCE"),
                                     SearchTerm::keyword(format_search_date(836732665))},
                              {"ALL"})
                  .text(),
              "A3 UID SEARCH RETURN (ALL) UNSEEN SINCE 7-Jul-1996\r\n");
    auto utf8 = cmd::uid_search("A4", {SearchTerm::keyword("SUBJECT"), SearchTerm::string("会議")},
                                {}, {.literal_plus = true});
    EXPECT_EQ(utf8.text(), "A4 UID SEARCH CHARSET UTF-8 SUBJECT {6+}\r\n会議\r\n");
}
