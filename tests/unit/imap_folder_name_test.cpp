// The folder-name codec: examples for every escape and every server layout, and the round trip
// both ways as a property over many generated names.
#include "imap/folder_name.hpp"

#include <gtest/gtest.h>
#include <random>

using namespace zmail::imap;

namespace {

const ServerNaming slash{'/', "", false};
const ServerNaming dot{'.', "", false};
const ServerNaming courier{'.', "INBOX.", false};
const ServerNaming utf8_slash{'/', "", true};

Levels from_server(std::string_view raw, const ServerNaming& naming) {
    auto m = levels_from_server(raw, naming);
    EXPECT_TRUE(m) << raw << ": " << m.why;
    return m.value.value_or(Levels{});
}

std::string to_server(const Levels& levels, const ServerNaming& naming) {
    auto m = server_from_levels(levels, naming);
    EXPECT_TRUE(m) << m.why;
    return m.value.value_or("");
}

}  // namespace

TEST(FolderName, ServerNamesDecodeAndSplitOnTheDelimiter) {
    EXPECT_EQ(from_server("&kAFP4W4IMH8-/2024", slash), (Levels{"送信済み", "2024"}));
    EXPECT_EQ(from_server("Lists.archive", dot), (Levels{"Lists", "archive"}));
    EXPECT_EQ(from_server("2023/receipts", dot), (Levels{"2023/receipts"}));  // '/' inside a level
    EXPECT_EQ(from_server("a.b", slash), (Levels{"a.b"}));
    EXPECT_EQ(from_server("Family &- Friends", slash), (Levels{"Family & Friends"}));
    EXPECT_EQ(from_server("送信済み/子", utf8_slash), (Levels{"送信済み", "子"}));
}

TEST(FolderName, InboxIsInboxInAnyCase) {
    EXPECT_EQ(from_server("inbox", slash), (Levels{"INBOX"}));
    EXPECT_EQ(from_server("Inbox/Lists", slash), (Levels{"INBOX", "Lists"}));
    EXPECT_EQ(to_server({"inbox"}, slash), "INBOX");
    EXPECT_EQ(path_from_levels({"inbox", "x"}, Layout::fs), "INBOX/x");
    EXPECT_FALSE(levels_from_path("inbox", Layout::fs));  // only INBOX itself names INBOX on disk
    EXPECT_FALSE(levels_from_path("Inbox/x", Layout::fs));
}

TEST(FolderName, ThePersonalPrefixIsTakenOffAndPutBack) {
    EXPECT_EQ(from_server("INBOX", courier), (Levels{"INBOX"}));
    EXPECT_EQ(from_server("INBOX.Sent", courier), (Levels{"Sent"}));
    EXPECT_EQ(from_server("INBOX.&MMYwuTDI-.&W1Aw1TCpMOswwA-", courier), (Levels{"テスト", "子フォルダ"}));
    EXPECT_EQ(to_server({"テスト", "子フォルダ"}, courier), "INBOX.&MMYwuTDI-.&W1Aw1TCpMOswwA-");
    EXPECT_EQ(to_server({"Sent"}, courier), "INBOX.Sent");
    EXPECT_EQ(to_server({"INBOX"}, courier), "INBOX");
    // a folder named INBOX below INBOX stays apart from INBOX itself
    EXPECT_EQ(from_server("INBOX.INBOX", courier), (Levels{"INBOX", "INBOX"}));
    EXPECT_EQ(to_server({"INBOX", "INBOX"}, courier), "INBOX.INBOX");
    EXPECT_EQ(from_server("INBOX.INBOX.x", courier), (Levels{"INBOX", "INBOX", "x"}));
    // below the prefix only the name INBOX itself is case-insensitive (found by the fuzz target)
    EXPECT_EQ(from_server("INBOX.iNBOX.x", courier), (Levels{"INBOX", "iNBOX", "x"}));
    EXPECT_EQ(to_server({"INBOX", "iNBOX", "x"}, courier), "INBOX.iNBOX.x");
    // INBOX/Sent locally would be the top-level Sent there: refused, with the rule
    auto refused = server_from_levels({"INBOX", "Sent"}, courier);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.why.find("below INBOX"), std::string::npos) << refused.why;
    // names outside the personal namespace are not the account's folders
    EXPECT_FALSE(levels_from_server("shared.team", courier));
    EXPECT_FALSE(levels_from_server("INBOXfoo", courier));
}

TEST(FolderName, RefusedServerNames) {
    EXPECT_FALSE(levels_from_server("a//b", slash));                // empty level
    EXPECT_FALSE(levels_from_server("&AGE-", slash));               // 'a' in base64: not canonical
    EXPECT_FALSE(levels_from_server("caf\xc3\xa9", slash));         // raw UTF-8 without UTF8=ACCEPT
    EXPECT_FALSE(levels_from_server("bad\xff", utf8_slash));        // not UTF-8
    auto m = server_from_levels({"2023.receipts"}, dot);             // the delimiter inside a level
    ASSERT_FALSE(m);
    EXPECT_NE(m.why.find("'.'"), std::string::npos) << m.why;
    EXPECT_FALSE(server_from_levels({"a", "b"}, ServerNaming{'\0', "", false}));
    EXPECT_EQ(to_server({"a.b"}, ServerNaming{'\0', "", false}), "a.b");
}

TEST(FolderName, LevelsThatCannotBeDirectoriesAreEscaped) {
    EXPECT_EQ(escape_level(".old", Layout::fs), "%2Eold");
    EXPECT_EQ(escape_level("..", Layout::fs), "%2E.");
    EXPECT_EQ(escape_level(".", Layout::fs), "%2E");
    EXPECT_EQ(escape_level("a/b", Layout::fs), "a%2Fb");
    EXPECT_EQ(escape_level("50% off", Layout::fs), "50%25 off");
    EXPECT_EQ(escape_level("tab\there", Layout::fs), "tab%09here");
    EXPECT_EQ(escape_level("del\x7f", Layout::fs), "del%7F");
    EXPECT_EQ(escape_level("cur", Layout::fs), "%63ur");
    EXPECT_EQ(escape_level("new", Layout::fs), "%6Eew");
    EXPECT_EQ(escape_level("tmp", Layout::fs), "%74mp");
    EXPECT_EQ(escape_level("current", Layout::fs), "current");
    EXPECT_EQ(escape_level("a.b", Layout::fs), "a.b");
    EXPECT_EQ(escape_level("a.b", Layout::maildir_plus), "a%2Eb");
    EXPECT_EQ(escape_level("送信済み & 下書き", Layout::fs), "送信済み & 下書き");
    EXPECT_EQ(path_from_levels({"Lists", ".archive"}, Layout::fs), "Lists/%2Earchive");
    EXPECT_EQ(path_from_levels({"INBOX"}, Layout::maildir_plus), "");
    EXPECT_EQ(path_from_levels({"Lists", "a.b"}, Layout::maildir_plus), ".Lists.a%2Eb");
    EXPECT_EQ(display_name({"送信済み", "2024"}), "送信済み/2024");
}

TEST(FolderName, OnlyCanonicalLocalNamesAreAccepted) {
    EXPECT_EQ(levels_from_path("Lists/%2Earchive", Layout::fs).value, (Levels{"Lists", ".archive"}));
    EXPECT_EQ(levels_from_path(".Lists.a%2Eb", Layout::maildir_plus).value, (Levels{"Lists", "a.b"}));
    EXPECT_EQ(levels_from_path("", Layout::maildir_plus).value, (Levels{"INBOX"}));
    auto raw_percent = levels_from_path("50% off", Layout::fs);
    ASSERT_FALSE(raw_percent);
    EXPECT_NE(raw_percent.why.find("%25"), std::string::npos) << raw_percent.why;
    auto needless = levels_from_path("%41bc", Layout::fs);  // 'A' needs no escape
    ASSERT_FALSE(needless);
    EXPECT_NE(needless.why.find("'Abc'"), std::string::npos) << needless.why;
    EXPECT_FALSE(levels_from_path("%2eold", Layout::fs));   // lower-case hex
    EXPECT_FALSE(levels_from_path(".old", Layout::fs));
    EXPECT_FALSE(levels_from_path("a/../b", Layout::fs));
    EXPECT_FALSE(levels_from_path("a//b", Layout::fs));
    EXPECT_FALSE(levels_from_path("a/cur", Layout::fs));
    EXPECT_FALSE(levels_from_path("%00", Layout::fs));
    EXPECT_FALSE(levels_from_path("%FF", Layout::fs));      // not UTF-8
    EXPECT_FALSE(levels_from_path("Lists", Layout::maildir_plus));
    EXPECT_FALSE(levels_from_path(".a/b", Layout::maildir_plus));
    EXPECT_FALSE(levels_from_path(".a..b", Layout::maildir_plus));
    EXPECT_FALSE(levels_from_path(".INBOX", Layout::maildir_plus));  // INBOX is the root (found by the fuzz target)
    EXPECT_EQ(levels_from_path(".INBOX.x", Layout::maildir_plus).value, (Levels{"INBOX", "x"}));
}

// A name in NFC is written as it is; a decomposed one (as macOS file systems hand out) is kept
// exactly, escaped, on the way from the server, and refused with its NFC name from the disk.
TEST(FolderName, NamesNotInNfcAreEscapedOrRefusedWithTheirNfcName) {
    const std::string composed = "\xe3\x81\x8c";                          // が
    const std::string decomposed = "\xe3\x81\x8b\xe3\x82\x99";          // か + U+3099
    EXPECT_EQ(path_from_levels({composed + "き"}, Layout::fs), composed + "き");
    const std::string escaped = path_from_levels({decomposed}, Layout::fs);
    EXPECT_EQ(escaped, "%E3%81%8B%E3%82%99");
    EXPECT_EQ(levels_from_path(escaped, Layout::fs).value, (Levels{decomposed}));
    auto refused = levels_from_path("x/" + decomposed, Layout::fs);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.why.find("NFC"), std::string::npos) << refused.why;
    EXPECT_NE(refused.why.find("'" + composed + "'"), std::string::npos) << refused.why;
    // the server's name is the server's: both forms exist there as two folders, and stay two
    EXPECT_NE(path_from_levels({composed}, Layout::fs), path_from_levels({decomposed}, Layout::fs));
}

namespace {

/// Random levels from pieces that stress every rule.
Levels random_levels(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {
        "a", "Z", ".", "..", "/", "%", "%2E", "&", "&-", " ", "\t", "\x7f", "cur", "new", "tmp", "INBOX", "inbox",
        "送信済み", "已发送", "客户", "가", "é", "😀", "\xe3\x81\x8b\xe3\x82\x99" /* か + combining dakuten */, "-", ",",
        "+", "~", "\\", "\"", "'", "*"};
    Levels levels(1 + rng() % 4);
    for (auto& level : levels) {
        const std::size_t n = 1 + rng() % 4;
        for (std::size_t i = 0; i < n; ++i) level += pieces[rng() % pieces.size()];
    }
    return levels;
}

Levels normalized(Levels levels) {
    if (!levels.empty() && (levels.front() == "INBOX" || levels.front() == "inbox")) levels.front() = "INBOX";
    return levels;
}

/// What levels_from_server() gives back for levels written to `server`.
Levels as_read_from(const Levels& levels, const ServerNaming& server) {
    if (server.personal_prefix.empty() || levels.size() < 2 || normalized(levels).front() != "INBOX")
        return normalized(levels);
    Levels read = levels;
    read.front() = "INBOX";  // {"INBOX", namesake, ...}: the namesake keeps its case
    return read;
}

}  // namespace

TEST(FolderName, EveryAcceptedServerNameRoundTrips) {
    std::mt19937 rng(20261204);
    const std::vector<ServerNaming> servers = {slash, dot, courier, utf8_slash, {'.', "INBOX.", true}};
    std::size_t accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        const Levels levels = random_levels(rng);
        for (const auto& server : servers) {
            auto raw = server_from_levels(levels, server);
            if (!raw) continue;
            ++accepted;
            auto back = levels_from_server(*raw.value, server);
            ASSERT_TRUE(back) << *raw.value << ": " << back.why;
            ASSERT_EQ(*back.value, as_read_from(levels, server)) << *raw.value;
            auto again = server_from_levels(*back.value, server);
            ASSERT_TRUE(again);
            ASSERT_EQ(*again.value, *raw.value);
        }
    }
    EXPECT_GT(accepted, 20000u);
}

TEST(FolderName, EveryFolderHasOneLocalPathThatComesBack) {
    std::mt19937 rng(4);
    for (int i = 0; i < 20000; ++i) {
        const Levels levels = normalized(random_levels(rng));
        for (Layout layout : {Layout::fs, Layout::maildir_plus}) {
            const std::string path = path_from_levels(levels, layout);
            auto back = levels_from_path(path, layout);
            ASSERT_TRUE(back) << path << ": " << back.why;
            ASSERT_EQ(*back.value, levels) << path;
            // what lands on disk stays below the root and off Maildir's own names
            if (layout == Layout::maildir_plus) {
                ASSERT_EQ(path.find('/'), std::string::npos) << path;
            }
            if (layout == Layout::fs) {
                std::size_t start = 0;
                while (start <= path.size()) {
                    const std::size_t end = std::min(path.find('/', start), path.size());
                    const std::string dir = path.substr(start, end - start);
                    ASSERT_FALSE(dir.empty() || dir[0] == '.' || dir == "cur" || dir == "new" || dir == "tmp") << path;
                    start = end + 1;
                }
            }
        }
    }
}

TEST(FolderName, EveryAcceptedLocalNameIsCanonical) {
    std::mt19937 rng(7);
    const std::string alphabet = "%%%2EFf0a/.xcurINBOXinbox\t";
    std::size_t accepted = 0;
    for (int i = 0; i < 50000; ++i) {
        std::string path;
        const std::size_t n = 1 + rng() % 12;
        for (std::size_t k = 0; k < n; ++k) path += alphabet[rng() % alphabet.size()];
        for (Layout layout : {Layout::fs, Layout::maildir_plus}) {
            auto levels = levels_from_path(path, layout);
            if (!levels) continue;
            ++accepted;
            ASSERT_EQ(path_from_levels(*levels.value, layout), path);
        }
    }
    EXPECT_GT(accepted, 100u);
}
