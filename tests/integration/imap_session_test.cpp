// The IMAP session against the fixture's Dovecot over TLS (CA verified): bodies that look like
// protocol read byte for byte with the connection in step afterwards, Japanese folder names on the
// wire as modified UTF-7, APPEND with flags and date, STORE/EXPUNGE, CONDSTORE/QRESYNC listings,
// IDLE, and a 50 MB message streamed both ways with bounded memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "error.hpp"
#include "fixture.hpp"
#include "imap/session.hpp"
#include "imap/session_mailboxes.hpp"
#include "imap/session_messages.hpp"
#include "imap/session_idle.hpp"
#include "net/connection.hpp"

namespace zmail {
namespace {

using imap::Session;
using imap::SessionOptions;
using test::run_doveadm;
using test::save_message;

/// One logged-in connection and its session.
struct Login {
    net::Connection connection;
    Session session;
    explicit Login(const std::string& user, SessionOptions options = {})
        : connection(test::server_options(net::Protocol::imap, net::Security::tls, user)),
          session(connection, with_timeout_hook(std::move(options))) {}

    SessionOptions with_timeout_hook(SessionOptions options) {
        options.set_io_timeout = [this](std::chrono::seconds t) { connection.set_io_timeout(t); };
        options.io_timeout = std::chrono::seconds(120);
        return options;
    }
};

/// doveadm's copy of a message: `doveadm fetch text` prints it with LF line ends; IMAP sends CRLF.
std::string doveadm_text(const std::string& user, const std::string& mailbox, std::uint32_t uid) {
    std::string out = run_doveadm({"fetch", "-u", user, "text", "mailbox", mailbox, "uid", std::to_string(uid)});
    const std::string prefix = "text:\n";
    if (out.rfind(prefix, 0) != 0) throw std::runtime_error("unexpected doveadm fetch output: " + out.substr(0, 100));
    out.erase(0, prefix.size());
    std::string crlf;
    for (char c : out) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    return crlf;
}

std::string doveadm_field(const std::string& user, const std::string& mailbox, std::uint32_t uid, const std::string& field) {
    std::string out = run_doveadm({"fetch", "-u", user, field, "mailbox", mailbox, "uid", std::to_string(uid)});
    const std::string prefix = field + ": ";
    if (out.rfind(prefix, 0) == 0) out.erase(0, prefix.size());
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string simple_message(int n, const std::string& extra = {}) {
    return "From: sender@example.org\r\nTo: someone@example.test\r\nSubject: message " + std::to_string(n) +
           "\r\nMessage-ID: <m" + std::to_string(n) + "@example.org>\r\n\r\nbody " + std::to_string(n) + "\r\n" + extra;
}

/// Keeps whole bodies (small messages only).
class CollectingSink : public imap::MessageSink {
public:
    struct Message {
        std::string body;
        imap::FetchedMessage info;
    };
    std::vector<Message> messages;
    void begin(const imap::BodyStart&) override { current_.clear(); }
    void data(std::string_view bytes, std::uint64_t) override { current_ += bytes; }
    void complete(const imap::FetchedMessage& info) override { messages.push_back({current_, info}); }
    void abandon() noexcept override { current_.clear(); }

private:
    std::string current_;
};

imap::AppendSource source_of(const std::string& bytes) {
    auto position = std::make_shared<std::size_t>(0);
    return imap::AppendSource{bytes.size(), [bytes, position](char* buffer, std::size_t capacity) {
                                  const std::size_t n = std::min(capacity, bytes.size() - *position);
                                  std::copy_n(bytes.data() + *position, n, buffer);
                                  *position += n;
                                  return n;
                              }};
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

}  // namespace

TEST(ImapSessionDovecot, FakeResponsesInABodyAreReadByteForByteAndTheConnectionStaysInStep) {
    const std::string user = test::create_user();
    const std::string tricky = simple_message(
        2, "line before\r\n* 3 FETCH (FLAGS (\\Deleted))\r\nA004 OK FETCH completed\r\nZ3 OK FETCH completed\r\n"
           "Z4 OK [READ-WRITE] Select completed\r\n)\r\n+ continue\r\n* BYE not really\r\n{10}\r\nline after\r\n");
    save_message(user, "INBOX", simple_message(1));
    save_message(user, "INBOX", tricky);
    save_message(user, "INBOX", simple_message(3));

    std::vector<std::string> trace;
    SessionOptions options;
    options.trace = [&trace](std::string_view line) { trace.emplace_back(line); };
    Login login(user, options);
    Session& session = login.session;
    const imap::SelectedMailbox box = imap::Mailboxes(session).select("INBOX");
    EXPECT_EQ(box.exists, 3u);
    EXPECT_FALSE(box.read_only);

    CollectingSink sink;
    const std::vector<std::uint32_t> uids{1, 2, 3};
    const imap::FetchBodiesResult result = imap::Messages(session).uid_fetch_bodies(uids, sink);
    EXPECT_EQ(result.delivered, 3u);
    EXPECT_TRUE(result.missing.empty());
    ASSERT_EQ(sink.messages.size(), 3u);
    for (const auto& message : sink.messages) {
        SCOPED_TRACE(message.info.uid);
        EXPECT_EQ(message.body, doveadm_text(user, "INBOX", message.info.uid));
        EXPECT_EQ(message.info.size, message.body.size());
        EXPECT_EQ(message.info.rfc822_size.value_or(0), message.body.size());
        EXPECT_TRUE(std::find(message.info.flags.begin(), message.info.flags.end(), "\\Seen") == message.info.flags.end());
    }
    EXPECT_TRUE(contains(sink.messages[1].body, "A004 OK FETCH completed\r\n"));
    // BODY.PEEK[] left the messages unseen.
    EXPECT_FALSE(contains(doveadm_field(user, "INBOX", 2, "flags"), "\\Seen"));

    // The same connection keeps working, and every answer belongs to its own command.
    session.noop();
    const imap::MailboxStatus status = imap::Mailboxes(session).status("INBOX", {imap::StatusItem::Messages, imap::StatusItem::Unseen});
    EXPECT_EQ(status.messages.value_or(0), 3u);
    EXPECT_EQ(status.unseen.value_or(0), 3u);
    const auto listing = imap::Messages(session).uid_fetch_flags("1:*");
    ASSERT_EQ(listing.messages.size(), 3u);
    EXPECT_EQ(listing.messages[2].uid, 3u);
    EXPECT_EQ(imap::Messages(session).uid_search_message_id("<m2@example.org>"), std::vector<std::uint32_t>{2});
    const auto folders = imap::Mailboxes(session).list();
    EXPECT_TRUE(std::any_of(folders.begin(), folders.end(), [](const auto& f) { return f.special_use == "\\Sent"; }));
    EXPECT_TRUE(session.updates().empty());

    std::string all;
    for (const auto& line : trace) all += line + "\n";
    EXPECT_TRUE(contains(all, "bytes of message data>")) << all;
    EXPECT_FALSE(contains(all, "A004 OK FETCH")) << "message content in the trace";
    session.logout();
}

// COMPRESS=DEFLATE (RFC 4978, Dovecot's imap_zlib): bodies read byte for byte through the
// compressed stream, appends and commands after it, and fewer bytes on the wire than the plain ones.
TEST(ImapSessionDovecot, CompressedSessionReadsAndWritesEveryByte) {
    const std::string user = test::create_user();
    std::string text;
    for (int i = 0; i < 2000; ++i) text += "これは圧縮のテスト行です line " + std::to_string(i) + "\r\n";
    save_message(user, "INBOX", simple_message(1, text));
    save_message(user, "INBOX", simple_message(2));
    std::vector<std::string> trace;
    SessionOptions options;
    options.compress = true;
    options.trace = [&trace](std::string_view line) { trace.emplace_back(line); };
    Login login(user, options);
    Session& session = login.session;
    session.start();
    ASSERT_NE(session.compression(), nullptr);
    imap::Mailboxes(session).select("INBOX");
    CollectingSink sink;
    imap::Messages(session).uid_fetch_bodies(std::vector<std::uint32_t>{1, 2}, sink);
    ASSERT_EQ(sink.messages.size(), 2u);
    for (const auto& message : sink.messages)
        EXPECT_EQ(message.body, doveadm_text(user, "INBOX", message.info.uid));
    const std::string appended = simple_message(3, text);
    imap::Messages(session).append("INBOX", source_of(appended));
    EXPECT_EQ(doveadm_text(user, "INBOX", 3), appended);
    const auto* z = session.compression();
    EXPECT_LT(z->wire_in() * 4, z->plain_in()) << z->wire_in() << " of " << z->plain_in();
    EXPECT_LT(z->wire_out() * 4, z->plain_out()) << z->wire_out() << " of " << z->plain_out();
    std::string all;
    for (const auto& line : trace) all += line + "\n";
    EXPECT_TRUE(contains(all, "COMPRESS DEFLATE")) << all;
    session.logout();
}

TEST(ImapSessionDovecot, JapaneseFolderCreateRenameDelete) {
    const std::string user = test::create_user();
    const std::string maildir = test::server_env().mail_dir + "/" + user + "/Maildir";
    Login login(user);
    Session& session = login.session;

    imap::Mailboxes(session).create("送信済み/テスト");
    EXPECT_TRUE(contains(run_doveadm({"mailbox", "list", "-u", user}), "送信済み/テスト\n"));
    // On disk (Maildir++) and on the wire the name is modified UTF-7.
    EXPECT_TRUE(std::filesystem::is_directory(maildir + "/.&kAFP4W4IMH8-.&MMYwuTDI-"));
    const auto folders = imap::Mailboxes(session).list();
    const auto found = std::find_if(folders.begin(), folders.end(), [](const auto& f) { return f.name == "送信済み/テスト"; });
    ASSERT_NE(found, folders.end());
    EXPECT_EQ(found->raw_name, "&kAFP4W4IMH8-/&MMYwuTDI-");
    EXPECT_EQ(found->delimiter.value_or('?'), '/');

    try {
        imap::Mailboxes(session).create("送信済み/テスト");
        ADD_FAILURE() << "no error";
    } catch (const imap::CommandError& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_STREQ(error.what(), "cannot create folder '送信済み/テスト': it already exists");
        EXPECT_TRUE(error.result.has_code(imap::CodeKind::AlreadyExists));
        EXPECT_TRUE(contains(error.server_reply, "NO [ALREADYEXISTS]")) << error.server_reply;
    }

    imap::Mailboxes(session).subscribe("送信済み/テスト");
    const auto subscribed = imap::Mailboxes(session).lsub("送信済み/*");
    ASSERT_EQ(subscribed.size(), 1u);
    EXPECT_EQ(subscribed[0].name, "送信済み/テスト");
    imap::Mailboxes(session).unsubscribe("送信済み/テスト");
    EXPECT_TRUE(imap::Mailboxes(session).lsub("送信済み/*").empty());

    imap::Mailboxes(session).rename("送信済み/テスト", "送信済み/テスト済");
    const std::string after_rename = run_doveadm({"mailbox", "list", "-u", user});
    EXPECT_TRUE(contains(after_rename, "送信済み/テスト済\n")) << after_rename;
    EXPECT_FALSE(contains(after_rename, "送信済み/テスト\n")) << after_rename;

    imap::Mailboxes(session).remove("送信済み/テスト済");
    EXPECT_FALSE(contains(run_doveadm({"mailbox", "list", "-u", user}), "テスト"));
    try {
        imap::Mailboxes(session).remove("送信済み/テスト済");
        ADD_FAILURE() << "no error";
    } catch (const imap::CommandError& error) {
        EXPECT_STREQ(error.what(), "cannot delete folder '送信済み/テスト済': no such folder");
        EXPECT_TRUE(error.result.has_code(imap::CodeKind::Nonexistent));
    }
    // Dovecot 2.3 sends no [NONEXISTENT] for SELECT, only "NO Mailbox doesn't exist: ...".
    try {
        imap::Mailboxes(session).select("送信済み/テスト済");
        ADD_FAILURE() << "no error";
    } catch (const imap::CommandError& error) {
        EXPECT_STREQ(error.what(), "cannot select folder '送信済み/テスト済': no such folder");
        EXPECT_TRUE(error.result.missing_mailbox());
    }
    session.noop();
}

TEST(ImapSessionDovecot, AppendWithFlagsAndDate) {
    const std::string user = test::create_user();
    Login login(user);
    Session& session = login.session;
    const std::string message = simple_message(7, "こんにちは\r\n");
    const imap::DateTime date{1608800400, 540};  // 2020-12-24 18:00:00 +0900
    const imap::AppendResult result = imap::Messages(session).append("Sent", source_of(message), {"\\Seen", "$Forwarded"}, date);
    ASSERT_TRUE(result.uid);
    EXPECT_TRUE(result.uid_validity);
    const std::uint32_t uid = *result.uid;
    const std::string flags = doveadm_field(user, "Sent", uid, "flags");
    EXPECT_TRUE(contains(flags, "\\Seen")) << flags;
    EXPECT_TRUE(contains(flags, "$Forwarded")) << flags;
    EXPECT_EQ(doveadm_field(user, "Sent", uid, "date.received.unixtime"), "1608800400");
    EXPECT_EQ(doveadm_text(user, "Sent", uid), message);

    try {
        imap::Messages(session).append("送信済み", source_of(message));
        ADD_FAILURE() << "no error";
    } catch (const imap::CommandError& missing) {
        EXPECT_TRUE(missing.result.has_code(imap::CodeKind::TryCreate));
    }
    imap::Mailboxes(session).create("送信済み");
    const imap::AppendResult second = imap::Messages(session).append("送信済み", source_of(message), {}, date);
    EXPECT_EQ(second.uid.value_or(0), 1u);
    session.noop();
}

TEST(ImapSessionDovecot, StoreAndExpungeOnlyTheGivenMessages) {
    const std::string user = test::create_user();
    for (int i = 1; i <= 4; ++i) save_message(user, "INBOX", simple_message(i));
    Login login(user);
    Session& session = login.session;
    imap::Mailboxes(session).select("INBOX");
    const std::vector<std::uint32_t> deleted{2, 3};
    const std::vector<std::uint32_t> flagged{1};
    imap::Messages(session).uid_store(deleted, imap::StoreMode::Add, {"\\Deleted"});
    imap::Messages(session).uid_store(flagged, imap::StoreMode::Add, {"\\Flagged", "$Important"});
    const std::vector<std::uint32_t> expunge{2};
    EXPECT_EQ(imap::Messages(session).uid_expunge(expunge), 1u);
    EXPECT_EQ(session.selected()->exists, 3u);
    const std::string uids = run_doveadm({"search", "-u", user, "mailbox", "INBOX", "all"});
    EXPECT_EQ(lines_of(uids).size(), 3u) << uids;
    EXPECT_FALSE(contains(uids, " 2\n")) << uids;
    EXPECT_TRUE(contains(doveadm_field(user, "INBOX", 3, "flags"), "\\Deleted"));
    EXPECT_TRUE(contains(doveadm_field(user, "INBOX", 1, "flags"), "$Important"));
    const std::vector<std::uint32_t> unflag{1};
    imap::Messages(session).uid_store(unflag, imap::StoreMode::Remove, {"\\Flagged"});
    EXPECT_FALSE(contains(doveadm_field(user, "INBOX", 1, "flags"), "\\Flagged"));
}

TEST(ImapSessionDovecot, CondstoreAndQresyncListings) {
    const std::string user = test::create_user();
    for (int i = 1; i <= 5; ++i) save_message(user, "INBOX", simple_message(i));
    SessionOptions options;
    options.enable_qresync = true;
    std::uint32_t uid_validity = 0;
    std::uint64_t modseq = 0;
    {
        Login login(user, options);
        Session& session = login.session;
        session.start();
        EXPECT_TRUE(session.qresync());
        imap::OpenOptions open;
        open.condstore = true;
        const auto box = imap::Mailboxes(session).select("INBOX", open);
        ASSERT_GT(box.highest_modseq, 0u);
        uid_validity = box.uid_validity;
        modseq = box.highest_modseq;

        run_doveadm({"flags", "add", "-u", user, "\\Flagged", "mailbox", "INBOX", "uid", "2"});
        run_doveadm({"expunge", "-u", user, "mailbox", "INBOX", "uid", "4"});
        imap::FlagListingOptions listing_options;
        listing_options.changed_since = modseq;
        const auto changes = imap::Messages(session).uid_fetch_flags("1:*", listing_options);
        ASSERT_EQ(changes.messages.size(), 1u);
        EXPECT_EQ(changes.messages[0].uid, 2u);
        EXPECT_GT(changes.messages[0].modseq, modseq);
        EXPECT_TRUE(std::find(changes.messages[0].flags.begin(), changes.messages[0].flags.end(), "\\Flagged") !=
                    changes.messages[0].flags.end());
        // The expunge shows as VANISHED, in the listing or (already seen by the server) as an update.
        EXPECT_TRUE(changes.vanished.contains(4) || session.updates().vanished.contains(4));
    }
    Login again(user, options);
    std::vector<imap::MessageFlags> changed;
    imap::OpenOptions open;
    open.qresync = imap::Qresync{uid_validity, modseq, "1:5"};
    open.on_changed = [&changed](const imap::MessageFlags& m) { changed.push_back(m); };
    const auto box = imap::Mailboxes(again.session).select("INBOX", open);
    EXPECT_EQ(box.vanished.to_string(), "4");
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0].uid, 2u);
    EXPECT_EQ(box.exists, 4u);
}

TEST(ImapSessionDovecot, ListWithStatusAndSpecialUse) {
    const std::string user = test::create_user();
    save_message(user, "Sent", simple_message(1));
    Login login(user);
    imap::ListRequest request;
    request.status = {imap::StatusItem::Messages, imap::StatusItem::UidValidity, imap::StatusItem::HighestModseq};
    const auto folders = imap::Mailboxes(login.session).list(request);
    const auto sent = std::find_if(folders.begin(), folders.end(), [](const auto& f) { return f.name == "Sent"; });
    ASSERT_NE(sent, folders.end());
    EXPECT_EQ(sent->special_use, "\\Sent");
    ASSERT_TRUE(sent->status);
    EXPECT_EQ(sent->status->messages.value_or(0), 1u);
    EXPECT_GT(sent->status->uid_validity.value_or(0), 0u);
    EXPECT_TRUE(sent->status->highest_modseq);
}

TEST(ImapSessionDovecot, NamespaceNamesThePersonalPrefixAndDelimiter) {
    Login login(test::create_user());
    const auto found = imap::Mailboxes(login.session).namespaces();
    ASSERT_TRUE(found);  // Dovecot offers NAMESPACE
    ASSERT_FALSE(found->personal.empty());
    EXPECT_EQ(found->personal[0].prefix, "");   // the fixture's default layout: no prefix, '/'
    EXPECT_EQ(found->personal[0].delimiter, '/');
}

TEST(ImapSessionDovecot, IdleWakesOnANewMessage) {
    const std::string user = test::create_user();
    Login login(user);
    Session& session = login.session;
    imap::Mailboxes(session).select("INBOX");
    std::thread deliver([&user] {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        save_message(user, "INBOX", simple_message(1));
    });
    const auto start = std::chrono::steady_clock::now();
    const imap::IdleEnd end = imap::idle(session, std::chrono::seconds(25));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    deliver.join();
    EXPECT_EQ(end, imap::IdleEnd::Stopped);
    EXPECT_LT(elapsed, std::chrono::seconds(15));
    EXPECT_EQ(session.updates().exists.value_or(0), 1u);
    EXPECT_EQ(imap::idle(session, std::chrono::seconds(1)), imap::IdleEnd::Timeout);
    session.noop();
}

namespace {

/// Deterministic message text of exactly `size` bytes, produced in chunks.
class GeneratedMessage {
public:
    explicit GeneratedMessage(std::uint64_t size) : size_(size) {}
    char at(std::uint64_t i) const {
        static const std::string header = "From: big@example.org\r\nSubject: big\r\n\r\n";
        if (i < header.size()) return header[i];
        const std::uint64_t column = (i - header.size()) % 78;
        if (column == 76) return '\r';
        if (column == 77) return '\n';
        return static_cast<char>('A' + (i * 7 + i / 78) % 26);
    }
    imap::AppendSource source() {
        auto position = std::make_shared<std::uint64_t>(0);
        return imap::AppendSource{size_, [this, position](char* buffer, std::size_t capacity) {
                                      std::size_t n = 0;
                                      while (n < capacity && *position < size_) buffer[n++] = at((*position)++);
                                      return n;
                                  }};
    }

private:
    std::uint64_t size_;
};

long rss_peak_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

long rss_now_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

bool reset_rss_peak() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.close();
    return static_cast<bool>(clear);
}

class CheckingSink : public imap::MessageSink {
public:
    explicit CheckingSink(const GeneratedMessage& expected) : expected_(expected) {}
    void begin(const imap::BodyStart&) override {}
    void data(std::string_view bytes, std::uint64_t offset) override {
        for (std::size_t i = 0; i < bytes.size(); ++i)
            if (bytes[i] != expected_.at(offset + i)) ++mismatches;
        received += bytes.size();
    }
    void complete(const imap::FetchedMessage& info) override { completed.push_back(info); }
    void abandon() noexcept override { ++abandoned; }
    std::uint64_t received = 0, mismatches = 0;
    int abandoned = 0;
    std::vector<imap::FetchedMessage> completed;

private:
    const GeneratedMessage& expected_;
};

}  // namespace

TEST(ImapSessionDovecot, FiftyMegabyteMessageStreamsWithBoundedMemory) {
    const std::string user = test::create_user();
    constexpr std::uint64_t size = 50ull * 1024 * 1024;
    GeneratedMessage message(size);
    Login login(user);
    Session& session = login.session;
    session.start();
    const long before = rss_now_kib();
    const bool can_measure = reset_rss_peak();

    const auto appended = imap::Messages(session).append("INBOX", message.source());
    ASSERT_TRUE(appended.uid);
    imap::Mailboxes(session).select("INBOX");
    CheckingSink sink(message);
    const std::vector<std::uint32_t> uids{*appended.uid};
    const auto result = imap::Messages(session).uid_fetch_bodies(uids, sink);
    EXPECT_EQ(result.delivered, 1u);
    EXPECT_EQ(sink.received, size);
    EXPECT_EQ(sink.mismatches, 0u);
    ASSERT_EQ(sink.completed.size(), 1u);
    EXPECT_EQ(sink.completed[0].size, size);
    EXPECT_EQ(doveadm_field(user, "INBOX", *appended.uid, "size.virtual"), std::to_string(size));
    if (can_measure) {
        const long growth = rss_peak_kib() - before;
#if defined(__SANITIZE_ADDRESS__)
        // ASan keeps freed blocks in quarantine and shadows the heap: a looser bound, still far
        // below the 50 MiB a buffered message would add
        constexpr long bound = 40 * 1024;
#else
        constexpr long bound = 16 * 1024;
#endif
        EXPECT_LT(growth, bound) << "peak RSS grew by " << growth << " KiB for a 50 MiB message";
    }
}

}  // namespace zmail
