// The IMAP store names folders through the folder-name codec, with the server's delimiter and
// personal namespace (a scripted Courier-like server: "INBOX." prefix, '.' delimiter). These are
// the "Every server" issue's loss and duplicate paths at the store: a level starting with '.', a
// '/' inside a level, folders below INBOX., and a local name holding the server's delimiter.
#include "store/imap_store.hpp"

#include "imap_test_support.hpp"

#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::imap::testing;

namespace {

void expect_courier_naming(ScriptedStream& stream) {
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NAMESPACE\r\n", "* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\"))\r\n"
                                      "Z2 OK NAMESPACE completed\r\n");
}

}  // namespace

TEST(ImapStoreNaming, FoldersBelowThePrefixAreTopLevelAndOddLevelsAreEscaped) {
    ScriptedStream stream;
    expect_courier_naming(stream);
    stream.expect("Z3 LIST \"\" \"*\"\r\n",
                  "* LIST (\\HasChildren) \".\" INBOX\r\n"
                  "* LIST (\\HasNoChildren) \".\" INBOX.Sent\r\n"
                  "* LIST (\\HasNoChildren) \".\" INBOX.2023/receipts\r\n"  // '/' inside a level
                  "* LIST (\\HasNoChildren) \".\" INBOX.&MMYwuTDI-\r\n"
                  "* LIST (\\HasNoChildren) \".\" #shared.team\r\n"         // not the account's
                  "Z3 OK LIST completed\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    std::vector<std::string> names;
    for (const auto& f : store.list_folders()) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "Sent", "2023%2Freceipts", "テスト"}));
    // and back: created below INBOX., with the server's delimiter
    EXPECT_EQ(store.server_name("テスト/子フォルダ"), "INBOX.テスト.子フォルダ");
    EXPECT_EQ(store.server_name("2023%2Freceipts"), "INBOX.2023/receipts");
    EXPECT_EQ(store.server_name("INBOX"), "INBOX");
    // a local folder holding the server's delimiter cannot exist there: said, not split in two
    const Error e = error_of([&] { store.server_name("2023.receipts"); });
    EXPECT_EQ(e.kind, ErrorKind::Unavailable);
    EXPECT_NE(std::string(e.what()).find("'.'"), std::string::npos) << e.what();
    // INBOX/Sent here would be the top-level Sent there
    EXPECT_NE(std::string(error_of([&] { store.server_name("INBOX/Sent"); }).what()).find("below INBOX"),
              std::string::npos);
}

TEST(ImapStoreNaming, LevelsStartingWithADotGetAFolderOfTheirOwn) {
    // a '/' server without a prefix (Cyrus with altnamespace and unixhierarchysep)
    ScriptedStream stream;
    expect_start(stream, plain_capabilities);
    stream.expect("Z2 NAMESPACE\r\n", "* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) NIL\r\n"
                                      "Z2 OK NAMESPACE completed\r\n");
    stream.expect("Z3 LIST \"\" \"*\"\r\n",
                  "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                  "* LIST (\\HasNoChildren) \"/\" .old\r\n"
                  "* LIST (\\HasChildren) \"/\" Lists\r\n"
                  "* LIST (\\HasNoChildren) \"/\" Lists/.archive\r\n"
                  "* LIST (\\HasNoChildren) \"/\" a.b\r\n"
                  "Z3 OK LIST completed\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    std::vector<std::string> names;
    for (const auto& f : store.list_folders()) names.push_back(f.name);
    // before the codec these were ".old" and "Lists/.archive": created locally as dot-directories
    // that the local listing skips, so every run saw them deleted here
    EXPECT_EQ(names, (std::vector<std::string>{"INBOX", "%2Eold", "Lists", "Lists/%2Earchive", "a.b"}));
    EXPECT_EQ(store.server_name("%2Eold"), ".old");
    EXPECT_EQ(store.server_name("Lists/%2Earchive"), "Lists/.archive");
    EXPECT_EQ(store.server_name("a.b"), "a.b");
}

TEST(ImapStoreNaming, WithoutNamespaceTheDelimiterComesFromList) {
    ScriptedStream stream;
    expect_start(stream, "IMAP4rev1");
    stream.expect("Z2 LIST \"\" \"\"\r\n", "* LIST (\\Noselect) \".\" \"\"\r\nZ2 OK LIST completed\r\n");
    imap::Session session(stream);
    store::ImapStore store(session, "imap.example.test");
    EXPECT_EQ(store.server_name("A/B"), "A.B");
}
