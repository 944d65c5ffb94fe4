// Parsed IMAP responses from real Dovecot, Gmail and Zoho style server output.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "error.hpp"
#include "imap/response_reader.hpp"

using namespace zmail::imap;

namespace {

// Raw string literals have LF line ends; servers send CRLF.
std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

// Parses bytes exactly as given.
std::vector<Response> parse_bytes(const std::string& bytes) {
    ResponseReader reader;
    reader.feed(bytes);
    std::vector<Response> responses;
    while (auto response = reader.next()) responses.push_back(std::move(*response));
    EXPECT_FALSE(reader.in_response());
    return responses;
}

std::vector<Response> parse_all(std::string_view server_output) { return parse_bytes(crlf(server_output)); }

Response parse_one(std::string_view line) {
    auto responses = parse_all(line);
    EXPECT_EQ(responses.size(), 1u);
    return responses.at(0);
}

}  // namespace

TEST(ImapResponse, DovecotGreetingAndCapability) {
    auto responses = parse_all(R"imap(* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.
* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE
A001 OK Pre-login capabilities listed, post-login capabilities have more.
)imap");
    ASSERT_EQ(responses.size(), 3u);
    const auto* greeting = responses[0].status();
    ASSERT_NE(greeting, nullptr);
    EXPECT_TRUE(greeting->tag.empty());
    EXPECT_EQ(greeting->status, Status::Ok);
    EXPECT_EQ(greeting->code.kind, CodeKind::Capability);
    EXPECT_EQ(greeting->code.atoms.size(), 9u);
    EXPECT_EQ(greeting->code.atoms.back(), "AUTH=PLAIN");
    EXPECT_EQ(greeting->text, "Dovecot (Debian) ready.");
    const auto* caps = responses[1].get<CapabilityData>();
    ASSERT_NE(caps, nullptr);
    EXPECT_EQ(caps->capabilities.front(), "IMAP4rev1");
    EXPECT_EQ(caps->capabilities.back(), "SPECIAL-USE");
    EXPECT_EQ(responses[2].tagged()->tag, "A001");
}

TEST(ImapResponse, DovecotSelectWithCondstore) {
    auto responses = parse_all(R"imap(* FLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded)
* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft $Forwarded \*)] Flags permitted.
* 3 EXISTS
* 0 RECENT
* OK [UNSEEN 2] First unseen.
* OK [UIDVALIDITY 1718000000] UIDs valid
* OK [UIDNEXT 4] Predicted next UID
* OK [HIGHESTMODSEQ 715194045007] Highest
A002 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).
)imap");
    ASSERT_EQ(responses.size(), 9u);
    EXPECT_EQ(responses[0].get<FlagsData>()->flags.back(), "$Forwarded");
    const auto& permanent = responses[1].status()->code;
    EXPECT_EQ(permanent.kind, CodeKind::PermanentFlags);
    EXPECT_EQ(permanent.atoms.back(), "\\*");
    EXPECT_EQ(responses[2].get<ExistsData>()->count, 3u);
    EXPECT_EQ(responses[3].get<RecentData>()->count, 0u);
    EXPECT_EQ(responses[4].status()->code.number, 2u);
    EXPECT_EQ(responses[5].status()->code.kind, CodeKind::UidValidity);
    EXPECT_EQ(responses[5].status()->code.number, 1718000000u);
    EXPECT_EQ(responses[6].status()->code.number, 4u);
    EXPECT_EQ(responses[7].status()->code.kind, CodeKind::HighestModseq);
    EXPECT_EQ(responses[7].status()->code.number, 715194045007u);
    EXPECT_EQ(responses[8].tagged()->code.kind, CodeKind::ReadWrite);
    EXPECT_EQ(responses[8].tagged()->line, "A002 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).");
}

TEST(ImapResponse, DovecotListWithSpecialUseAndStatus) {
    // LIST "" "*" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN SIZE)); the Japanese folder is 送信済み.
    auto responses = parse_all(R"imap(* LIST (\HasNoChildren) "/" INBOX
* STATUS INBOX (MESSAGES 3 UNSEEN 1 SIZE 2048)
* LIST (\HasNoChildren \Sent) "/" Sent
* STATUS Sent (MESSAGES 0 UNSEEN 0 SIZE 0)
* LIST (\HasNoChildren \Drafts) "/" Drafts
* LIST (\HasNoChildren \Trash) "/" Trash
* LIST (\HasNoChildren \Junk) "/" Junk
* LIST (\HasNoChildren \Archive) "/" Archive
* LIST (\HasNoChildren) "/" "&kAFP4W4IMH8-"
* STATUS "&kAFP4W4IMH8-" (MESSAGES 3 UNSEEN 1 SIZE 2048)
* LIST (\HasNoChildren) "/" "Folder With Spaces"
* LIST (\HasChildren) "/" Entw&APw-rfe
* LIST (\HasNoChildren) "/" Entw&APw-rfe/Sub
A003 OK List completed (0.001 + 0.000 secs).
)imap");
    ASSERT_EQ(responses.size(), 14u);
    const auto* inbox = responses[0].get<ListData>();
    ASSERT_NE(inbox, nullptr);
    EXPECT_EQ(inbox->mailbox, "INBOX");
    EXPECT_EQ(inbox->delimiter, '/');
    EXPECT_TRUE(inbox->has_flag("\\hasnochildren"));
    const auto* status = responses[1].get<MailboxStatusData>();
    EXPECT_EQ(status->mailbox, "INBOX");
    EXPECT_EQ(status->messages, 3u);
    EXPECT_EQ(status->unseen, 1u);
    EXPECT_EQ(status->size, 2048u);
    EXPECT_FALSE(status->uid_next);
    EXPECT_TRUE(responses[2].get<ListData>()->has_flag("\\Sent"));
    EXPECT_TRUE(responses[7].get<ListData>()->has_flag("\\Archive"));
    EXPECT_EQ(responses[8].get<ListData>()->mailbox, "&kAFP4W4IMH8-");
    EXPECT_EQ(responses[9].get<MailboxStatusData>()->mailbox, "&kAFP4W4IMH8-");
    EXPECT_EQ(responses[10].get<ListData>()->mailbox, "Folder With Spaces");
    EXPECT_EQ(responses[12].get<ListData>()->mailbox, "Entw&APw-rfe/Sub");
}

TEST(ImapResponse, GmailListAndOddNames) {
    auto responses = parse_all(R"imap(* LIST (\HasNoChildren) "/" "INBOX"
* LIST (\HasChildren \Noselect) "/" "[Gmail]"
* LIST (\All \HasNoChildren) "/" "[Gmail]/All Mail"
* LIST (\Flagged \HasNoChildren) "/" "[Gmail]/Starred"
* LIST (\Noselect) NIL ""
* LIST () "." "Quote \"d\" and back\\slash"
* LIST (\HasNoChildren) "\\" Work\Tasks
* LIST (\Subscribed \NonExistent) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))
* LIST (\Subscribed) "/" "Renamed" ("OLDNAME" ("Old"))
* LSUB () "/" "&g0l6Pw-"
A4 OK Success
)imap");
    ASSERT_EQ(responses.size(), 11u);
    EXPECT_EQ(responses[1].get<ListData>()->mailbox, "[Gmail]");
    EXPECT_TRUE(responses[1].get<ListData>()->has_flag("\\Noselect"));
    EXPECT_EQ(responses[2].get<ListData>()->mailbox, "[Gmail]/All Mail");
    EXPECT_TRUE(responses[2].get<ListData>()->has_flag("\\All"));
    const auto* flat = responses[4].get<ListData>();
    EXPECT_FALSE(flat->delimiter);
    EXPECT_EQ(flat->mailbox, "");
    EXPECT_EQ(responses[5].get<ListData>()->mailbox, "Quote \"d\" and back\\slash");
    EXPECT_EQ(responses[5].get<ListData>()->delimiter, '.');
    EXPECT_EQ(responses[6].get<ListData>()->delimiter, '\\');
    EXPECT_TRUE(responses[7].get<ListData>()->has_flag("\\NonExistent"));
    EXPECT_EQ(responses[7].get<ListData>()->mailbox, "Foo");
    EXPECT_EQ(responses[8].get<ListData>()->mailbox, "Renamed");
    EXPECT_TRUE(responses[9].get<ListData>()->lsub);
}

TEST(ImapResponse, ListNameAsLiteral) {
    const std::string name = "Name with \"quote\" and \xE9\xA1\xB9";  // 8-bit name (UTF8=ACCEPT server)
    auto responses = parse_all("* LIST (\\HasNoChildren) \"/\" {" + std::to_string(name.size()) + "}\n" + name +
                               "\n* STATUS {" + std::to_string(name.size()) + "}\n" + name +
                               " (MESSAGES 1 UIDNEXT 7 UIDVALIDITY 9 HIGHESTMODSEQ 33 RECENT 0)\n");
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(responses[0].get<ListData>()->mailbox, name);
    const auto* status = responses[1].get<MailboxStatusData>();
    EXPECT_EQ(status->mailbox, name);
    EXPECT_EQ(status->uid_next, 7u);
    EXPECT_EQ(status->uid_validity, 9u);
    EXPECT_EQ(status->highest_modseq, 33u);
    EXPECT_EQ(status->recent, 0u);
}

TEST(ImapResponse, DovecotFetchWithBody) {
    const std::string body = std::string(2000, 'x') + "\r\n" + std::string(46, 'y');
    ASSERT_EQ(body.size(), 2048u);
    auto responses = parse_bytes(
        "* 12 FETCH (UID 42 MODSEQ (12345) FLAGS (\\Seen $Forwarded) RFC822.SIZE 2048 "
        "INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" BODY[] {2048}\r\n" + body + ")\r\n");
    ASSERT_EQ(responses.size(), 1u);
    const auto* fetch = responses[0].get<FetchData>();
    ASSERT_NE(fetch, nullptr);
    EXPECT_EQ(fetch->sequence, 12u);
    EXPECT_EQ(fetch->uid, 42u);
    EXPECT_EQ(fetch->modseq, 12345u);
    EXPECT_EQ(*fetch->flags, (std::vector<std::string>{"\\Seen", "$Forwarded"}));
    EXPECT_EQ(fetch->rfc822_size, 2048u);
    EXPECT_EQ(fetch->internal_date, 837596665);  // 1996-07-17 09:44:25 UTC
    EXPECT_EQ(fetch->internal_date_offset, -420);
    ASSERT_EQ(fetch->sections.size(), 1u);
    EXPECT_EQ(fetch->sections[0].size, 2048u);
    EXPECT_EQ(fetch->sections[0].data, body);
    EXPECT_EQ(fetch->sections[0].name, "BODY[]");
}

TEST(ImapResponse, GmailFetchWithExtensions) {
    auto response = parse_one(
        R"imap(* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS (\Important "Muy Importante" \Inbox) UID 1 MODSEQ (4521) FLAGS (\Seen) INTERNALDATE " 7-Jan-2024 23:05:00 +0000" RFC822.SIZE 4521)
)imap");
    const auto* fetch = response.get<FetchData>();
    ASSERT_NE(fetch, nullptr);
    EXPECT_EQ(fetch->uid, 1u);
    EXPECT_EQ(fetch->modseq, 4521u);
    EXPECT_EQ(fetch->internal_date, 1704668700);
    EXPECT_EQ(fetch->rfc822_size, 4521u);
}

TEST(ImapResponse, FetchEnvelopeAndBodystructureSkipped) {
    auto response = parse_one(
        R"imap(* 2 FETCH (UID 7 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92) EMAILID (M6d99ac3275bb4e) THREADID NIL)
)imap");
    const auto* fetch = response.get<FetchData>();
    ASSERT_NE(fetch, nullptr);
    ASSERT_TRUE(fetch->envelope);
    EXPECT_EQ(fetch->envelope->message_id, "<B27397-0100000@cac.washington.edu>");
    EXPECT_EQ(fetch->envelope->subject, "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=");
    EXPECT_FALSE(fetch->envelope->in_reply_to);
    EXPECT_EQ(fetch->uid, 7u);
}

TEST(ImapResponse, VanishedAndExpunge) {
    auto responses = parse_all(R"imap(* VANISHED (EARLIER) 1:5,9
* VANISHED 405,407
* 3 EXPUNGE
* 5 FETCH (UID 14 MODSEQ (65402) FLAGS (\Deleted))
)imap");
    ASSERT_EQ(responses.size(), 4u);
    const auto* earlier = responses[0].get<VanishedData>();
    ASSERT_NE(earlier, nullptr);
    EXPECT_TRUE(earlier->earlier);
    EXPECT_EQ(earlier->uids.numbers(), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 9}));
    EXPECT_FALSE(responses[1].get<VanishedData>()->earlier);
    EXPECT_EQ(responses[1].get<VanishedData>()->uids.to_string(), "405,407");
    EXPECT_EQ(responses[2].get<ExpungeData>()->sequence, 3u);
}

TEST(ImapResponse, SearchAndExtendedSearch) {
    auto responses = parse_all(R"imap(* SEARCH 2 84 882
* SEARCH
* SEARCH 2 5 (MODSEQ 917162500)
* ESEARCH (TAG "A282") UID MIN 2 COUNT 3
* ESEARCH (TAG "A283") UID ALL 2,10:11 MODSEQ 1236
* ESEARCH (TAG "A284") UID
A285 OK SEARCH completed
)imap");
    ASSERT_EQ(responses.size(), 7u);
    EXPECT_EQ(responses[0].get<SearchData>()->numbers, (std::vector<std::uint32_t>{2, 84, 882}));
    EXPECT_TRUE(responses[1].get<SearchData>()->numbers.empty());
    EXPECT_EQ(responses[2].get<SearchData>()->modseq, 917162500u);
    const auto* min_count = responses[3].get<ExtendedSearchData>();
    EXPECT_EQ(min_count->tag, "A282");
    EXPECT_TRUE(min_count->uid);
    EXPECT_EQ(min_count->min, 2u);
    EXPECT_EQ(min_count->count, 3u);
    EXPECT_FALSE(min_count->max);
    const auto* all = responses[4].get<ExtendedSearchData>();
    EXPECT_EQ(all->all->numbers(), (std::vector<std::uint32_t>{2, 10, 11}));
    EXPECT_EQ(all->modseq, 1236u);
    EXPECT_FALSE(responses[5].get<ExtendedSearchData>()->all);
}

TEST(ImapResponse, IdEnabledAndUnknownResponses) {
    auto responses = parse_all(R"imap(* ID ("name" "Dovecot" "version" NIL)
* ID NIL
* ENABLED CONDSTORE QRESYNC
* NAMESPACE (("" "/")) NIL NIL
* QUOTAROOT INBOX ""
* 1 WEIRD (x)
)imap");
    ASSERT_EQ(responses.size(), 6u);
    const auto* id = responses[0].get<IdData>();
    ASSERT_EQ(id->fields.size(), 2u);
    EXPECT_EQ(id->fields[0].first, "name");
    EXPECT_EQ(id->fields[0].second, "Dovecot");
    EXPECT_FALSE(id->fields[1].second);
    EXPECT_TRUE(responses[1].get<IdData>()->fields.empty());
    EXPECT_EQ(responses[2].get<EnabledData>()->capabilities, (std::vector<std::string>{"CONDSTORE", "QRESYNC"}));
    ASSERT_NE(responses[3].get<NamespaceData>(), nullptr);  // NAMESPACE is parsed now (see below)
    EXPECT_EQ(responses[3].get<NamespaceData>()->personal.size(), 1u);
    EXPECT_EQ(responses[4].get<OtherData>()->name, "QUOTAROOT");
    EXPECT_EQ(responses[5].get<OtherData>()->name, "WEIRD");
}

TEST(ImapResponse, NamespacesOfDovecotCourierAndCyrus) {
    auto responses = parse_all(R"imap(* NAMESPACE (("" "/")) NIL NIL
* NAMESPACE (("INBOX." ".")) NIL (("#shared." ".")("shared." "."))
* NAMESPACE (("INBOX." "." "X-PARAM" ("FLAG1" "FLAG2"))) (("user." ".")) NIL
* NAMESPACE (("" NIL)) NIL NIL
* NAMESPACE NIL NIL NIL
)imap");
    ASSERT_EQ(responses.size(), 5u);
    const auto* dovecot = responses[0].get<NamespaceData>();
    ASSERT_EQ(dovecot->personal.size(), 1u);
    EXPECT_EQ(dovecot->personal[0].prefix, "");
    EXPECT_EQ(dovecot->personal[0].delimiter, '/');
    EXPECT_TRUE(dovecot->other_users.empty());
    const auto* courier = responses[1].get<NamespaceData>();
    EXPECT_EQ(courier->personal[0].prefix, "INBOX.");
    EXPECT_EQ(courier->personal[0].delimiter, '.');
    ASSERT_EQ(courier->shared.size(), 2u);
    EXPECT_EQ(courier->shared[1].prefix, "shared.");
    const auto* cyrus = responses[2].get<NamespaceData>();  // an extension is skipped
    EXPECT_EQ(cyrus->personal[0].prefix, "INBOX.");
    EXPECT_EQ(cyrus->other_users[0].prefix, "user.");
    EXPECT_FALSE(responses[3].get<NamespaceData>()->personal[0].delimiter);
    EXPECT_TRUE(responses[4].get<NamespaceData>()->personal.empty());
    EXPECT_THROW(parse_all("* NAMESPACE ((\"\" \"//\")) NIL NIL\n"), zmail::Error);
    EXPECT_THROW(parse_all("* NAMESPACE (\"\" \"/\") NIL NIL\n"), zmail::Error);
    EXPECT_THROW(parse_all("* NAMESPACE (()) NIL NIL\n"), zmail::Error);
}

TEST(ImapResponse, ContinuationRequests) {
    auto responses = parse_all("+ OK\n+ idling\n+\n+ \n");
    ASSERT_EQ(responses.size(), 4u);
    EXPECT_TRUE(responses[0].is_continuation());
    EXPECT_EQ(responses[0].get<ContinuationRequest>()->text, "OK");
    EXPECT_EQ(responses[1].get<ContinuationRequest>()->text, "idling");
    EXPECT_EQ(responses[2].get<ContinuationRequest>()->text, "");
    EXPECT_EQ(responses[1].tagged(), nullptr);
}

TEST(ImapResponse, UidplusAndRfc5530Codes) {
    auto responses = parse_all(R"imap(A003 OK [APPENDUID 38505 3955] APPEND completed
A004 OK [COPYUID 38505 304,319:320 3956:3958] Done
* OK [COPYUID 432432 42:43 11:12] Moved UIDs.
A005 NO [TRYCREATE] Mailbox doesn't exist: Archive
A006 NO [ALREADYEXISTS] Mailbox already exists
A007 NO [NONEXISTENT] Mailbox doesn't exist: Nope
A008 NO [AUTHENTICATIONFAILED] Authentication failed.
A009 NO [OVERQUOTA] Quota exceeded (mailbox for user is full)
A010 NO [SERVERBUG] Internal error occurred. Refer to server log for more information. [2024-01-01 10:00:00]
A011 OK [MODIFIED 7,9] Conditional STORE failed
A012 OK [UIDNOTSTICKY] done
* OK [CLOSED] Previous mailbox closed.
* NO [ALERT] System shutdown in 10 minutes
* BAD [PARSE] bad header
A013 NO [X-UNKNOWN-CODE some args] whatever
A014 OK [NOMODSEQ] No permanent modsequences
A015 BAD Error in IMAP command UID: Invalid arguments.
* BYE Logging out
* PREAUTH [CAPABILITY IMAP4rev1] ready
A016 OK
a17 ok [read-only] Examine completed
A018 NO [INUSE] Mailbox is locked
A019 NO [LIMIT] Too many
A020 NO [CANNOT] Can't do that
A021 NO [NOPERM] Permission denied
A022 NO [UNAVAILABLE] Try later
A023 NO [CONTACTADMIN] Call us
)imap");
    ASSERT_EQ(responses.size(), 27u);
    const auto& append = responses[0].tagged()->code;
    EXPECT_EQ(append.kind, CodeKind::AppendUid);
    EXPECT_EQ(append.number, 38505u);
    EXPECT_EQ(append.set.numbers(), (std::vector<std::uint32_t>{3955}));
    const auto& copy = responses[1].tagged()->code;
    EXPECT_EQ(copy.kind, CodeKind::CopyUid);
    EXPECT_EQ(copy.set.numbers(), (std::vector<std::uint32_t>{304, 319, 320}));
    EXPECT_EQ(copy.destination.numbers(), (std::vector<std::uint32_t>{3956, 3957, 3958}));
    EXPECT_EQ(responses[2].status()->code.kind, CodeKind::CopyUid);
    EXPECT_EQ(responses[3].tagged()->status, Status::No);
    EXPECT_EQ(responses[3].tagged()->code.kind, CodeKind::TryCreate);
    EXPECT_EQ(responses[3].tagged()->text, "Mailbox doesn't exist: Archive");
    EXPECT_EQ(responses[4].tagged()->code.kind, CodeKind::AlreadyExists);
    EXPECT_EQ(responses[5].tagged()->code.kind, CodeKind::Nonexistent);
    EXPECT_EQ(responses[6].tagged()->code.kind, CodeKind::AuthenticationFailed);
    EXPECT_EQ(responses[7].tagged()->code.kind, CodeKind::OverQuota);
    EXPECT_EQ(responses[8].tagged()->code.kind, CodeKind::ServerBug);
    EXPECT_EQ(responses[9].tagged()->code.set.to_string(), "7,9");
    EXPECT_EQ(responses[10].tagged()->code.kind, CodeKind::UidNotSticky);
    EXPECT_EQ(responses[11].status()->code.kind, CodeKind::Closed);
    EXPECT_EQ(responses[12].status()->status, Status::No);
    EXPECT_EQ(responses[12].status()->code.kind, CodeKind::Alert);
    EXPECT_EQ(responses[13].status()->code.kind, CodeKind::Parse);
    const auto& unknown = responses[14].tagged()->code;
    EXPECT_EQ(unknown.kind, CodeKind::Other);
    EXPECT_EQ(unknown.name, "X-UNKNOWN-CODE");
    EXPECT_EQ(unknown.arguments, "some args");
    EXPECT_EQ(responses[15].tagged()->code.kind, CodeKind::NoModseq);
    EXPECT_EQ(responses[16].tagged()->status, Status::Bad);
    EXPECT_EQ(responses[16].tagged()->code.kind, CodeKind::None);
    EXPECT_EQ(responses[17].status()->status, Status::Bye);
    EXPECT_EQ(responses[18].status()->status, Status::Preauth);
    EXPECT_EQ(responses[19].tagged()->text, "");
    EXPECT_EQ(responses[20].tagged()->tag, "a17");
    EXPECT_EQ(responses[20].tagged()->code.kind, CodeKind::ReadOnly);
    EXPECT_EQ(responses[21].tagged()->code.kind, CodeKind::InUse);
    EXPECT_EQ(responses[22].tagged()->code.kind, CodeKind::Limit);
    EXPECT_EQ(responses[23].tagged()->code.kind, CodeKind::Cannot);
    EXPECT_EQ(responses[24].tagged()->code.kind, CodeKind::NoPerm);
    EXPECT_EQ(responses[25].tagged()->code.kind, CodeKind::Unavailable);
    EXPECT_EQ(responses[26].tagged()->code.kind, CodeKind::ContactAdmin);
}

TEST(ImapResponse, ZohoStyleFetchFlagsOnly) {
    auto responses = parse_all(R"imap(* 1 FETCH (UID 101 FLAGS (\Seen \Flagged) RFC822.SIZE 3456 INTERNALDATE "01-Feb-2024 10:00:00 +0530")
* 2 FETCH (FLAGS () UID 102 RFC822.SIZE 10 INTERNALDATE "29-Feb-2024 23:59:59 -1200")
A5 OK FETCH completed
)imap");
    ASSERT_EQ(responses.size(), 3u);
    const auto* first = responses[0].get<FetchData>();
    EXPECT_EQ(first->internal_date, 1706761800);  // 2024-02-01 04:30:00 UTC
    EXPECT_EQ(first->internal_date_offset, 330);
    EXPECT_TRUE(first->sections.empty());
    const auto* second = responses[1].get<FetchData>();
    EXPECT_EQ(second->uid, 102u);
    EXPECT_EQ(second->internal_date, 1709294399);  // 2024-03-01 11:59:59 UTC
}

TEST(ImapResponse, MalformedCodeArgumentsAreProtocolErrors) {
    ResponseReader reader;
    reader.feed("* OK [UIDVALIDITY 4294967296] too big\r\n");
    EXPECT_THROW(reader.next(), zmail::Error);
    for (const char* bad : {"* OK [MAILBOXID (a b)] two\r\n", "* OK [MAILBOXID (a/b)] slash\r\n",
                            "* OK [MAILBOXID ()] none\r\n"}) {
        ResponseReader r;
        r.feed(bad);
        EXPECT_THROW(r.next(), zmail::Error) << bad;
    }
}
