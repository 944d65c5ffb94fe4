// ResponseReader: framing by literal length, streaming of message bodies, any chunking, limits.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "error.hpp"
#include "imap/response_reader.hpp"

using namespace zmail::imap;

namespace {

// Records the body events and checks their order and offsets.
struct RecordingSink : BodySink {
    std::vector<BodyStart> starts;
    std::vector<std::string> bodies;
    std::string current;
    bool open = false;

    void body_begin(const BodyStart& start) override {
        EXPECT_FALSE(open) << "bodies overlap";
        open = true;
        current.clear();
        starts.push_back(start);
    }
    void body_data(std::string_view bytes, std::uint64_t offset) override {
        EXPECT_TRUE(open);
        EXPECT_FALSE(bytes.empty());
        EXPECT_EQ(offset, current.size());
        current += bytes;
    }
    void body_end() override {
        EXPECT_TRUE(open);
        EXPECT_EQ(current.size(), starts.back().size);
        open = false;
        bodies.push_back(current);
    }
};

struct Outcome {
    std::vector<Response> responses;
    RecordingSink sink;
    bool in_response_at_end = false;
};

// Feeds `input` cut at the given positions (ascending), through read() on the caller's bytes.
void run_cuts(std::string_view input, const std::vector<std::size_t>& cuts, bool with_sink, Outcome& out) {
    ResponseReader reader;
    if (with_sink) reader.set_body_sink(&out.sink);
    std::size_t start = 0;
    auto feed_piece = [&](std::string_view piece) {
        while (auto response = reader.read(piece)) {
            // A FETCH with a streamed body comes after that body's body_end().
            EXPECT_FALSE(out.sink.open);
            out.responses.push_back(std::move(*response));
        }
        EXPECT_TRUE(piece.empty());
    };
    for (std::size_t cut : cuts) {
        feed_piece(input.substr(start, cut - start));
        start = cut;
    }
    feed_piece(input.substr(start));
    out.in_response_at_end = reader.in_response();
}

// Feeds `input` in chunks of `size` bytes through feed()/next().
void run_chunks(std::string_view input, std::size_t size, bool with_sink, Outcome& out) {
    ResponseReader reader;
    if (with_sink) reader.set_body_sink(&out.sink);
    for (std::size_t pos = 0; pos < input.size(); pos += size) {
        reader.feed(input.substr(pos, size));
        while (auto response = reader.next()) out.responses.push_back(std::move(*response));
        EXPECT_EQ(reader.buffered(), 0u);
    }
    out.in_response_at_end = reader.in_response();
}

std::vector<Response> read_all(std::string_view input) {
    Outcome out;
    run_cuts(input, {}, false, out);
    EXPECT_FALSE(out.in_response_at_end);
    return std::move(out.responses);
}

// The message from the libcurl facts (Q3): its body holds lines that look like responses.
const std::string fake_response_body =
    "Return-Path: <alice@example.org>\r\n"
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: looks like IMAP\r\n"
    "Message-ID: <fake-1@example.org>\r\n"
    "\r\n"
    "line before\r\n"
    "* 3 FETCH (FLAGS (\\Deleted))\r\n"
    "A004 OK FETCH completed\r\n"
    "A005 OK FETCH completed\r\n"
    "+ go ahead\r\n"
    "* 7 FETCH (BODY[] {5}\r\n"
    "line after 1\r\n"
    "line after 2\r\n"
    ")\r\n";

std::string fake_response_stream() {
    return "* 6 FETCH (UID 6 FLAGS (\\Seen \\Recent) BODY[] {" + std::to_string(fake_response_body.size()) +
           "}\r\n" + fake_response_body + ")\r\nA004 OK FETCH completed\r\n";
}

void check_fake_response_outcome(const Outcome& out, bool with_sink) {
    ASSERT_EQ(out.responses.size(), 2u);
    const auto* fetch = out.responses[0].get<FetchData>();
    ASSERT_NE(fetch, nullptr);
    EXPECT_EQ(fetch->sequence, 6u);
    EXPECT_EQ(fetch->uid, 6u);
    ASSERT_TRUE(fetch->flags);
    EXPECT_EQ(*fetch->flags, (std::vector<std::string>{"\\Seen", "\\Recent"}));
    ASSERT_EQ(fetch->sections.size(), 1u);
    EXPECT_EQ(fetch->sections[0].name, "BODY[]");
    EXPECT_EQ(fetch->sections[0].size, fake_response_body.size());
    if (with_sink) {
        EXPECT_TRUE(fetch->sections[0].streamed);
        ASSERT_EQ(out.sink.bodies.size(), 1u);
        EXPECT_EQ(out.sink.bodies[0], fake_response_body);
        EXPECT_EQ(out.sink.starts[0].sequence, 6u);
        EXPECT_EQ(out.sink.starts[0].uid, 6u);
        EXPECT_EQ(out.sink.starts[0].section, "BODY[]");
    } else {
        EXPECT_FALSE(fetch->sections[0].streamed);
        EXPECT_EQ(fetch->sections[0].data, fake_response_body);
    }
    const auto* done = out.responses[1].tagged();
    ASSERT_NE(done, nullptr);
    EXPECT_EQ(done->tag, "A004");
    EXPECT_EQ(done->status, Status::Ok);
    EXPECT_EQ(done->text, "FETCH completed");
    EXPECT_FALSE(out.in_response_at_end);
}

}  // namespace

TEST(ImapResponseReader, BodyWithFakeResponsesEveryChunkSize) {
    const std::string stream = fake_response_stream();
    for (bool with_sink : {true, false}) {
        for (std::size_t size = 1; size <= stream.size(); ++size) {
            SCOPED_TRACE("chunk size " + std::to_string(size));
            Outcome out;
            run_chunks(stream, size, with_sink, out);
            check_fake_response_outcome(out, with_sink);
        }
    }
}

TEST(ImapResponseReader, BodyWithFakeResponsesEverySplitPointPair) {
    const std::string stream = fake_response_stream();
    for (std::size_t first = 0; first <= stream.size(); ++first) {
        for (std::size_t second = first; second <= stream.size(); second += 7) {
            Outcome out;
            run_cuts(stream, {first, second}, true, out);
            check_fake_response_outcome(out, true);
            if (::testing::Test::HasFailure()) FAIL() << "split at " << first << " and " << second;
        }
    }
}

TEST(ImapResponseReader, BodyWithFakeResponsesRandomChunkings) {
    const std::string stream = fake_response_stream() + fake_response_stream();
    std::mt19937 random(20240611);
    for (int round = 0; round < 3000; ++round) {
        std::vector<std::size_t> cuts;
        std::size_t pos = 0;
        while (true) {
            pos += 1 + random() % (round % 3 == 0 ? 4 : 64);
            if (pos >= stream.size()) break;
            cuts.push_back(pos);
        }
        Outcome out;
        run_cuts(stream, cuts, true, out);
        ASSERT_EQ(out.responses.size(), 4u) << "round " << round;
        ASSERT_EQ(out.sink.bodies.size(), 2u);
        EXPECT_EQ(out.sink.bodies[0], fake_response_body);
        EXPECT_EQ(out.sink.bodies[1], fake_response_body);
        ASSERT_NE(out.responses[3].tagged(), nullptr);
        EXPECT_EQ(out.responses[3].tagged()->tag, "A004");
    }
}

TEST(ImapResponseReader, ReadStopsAfterEachResponseAndLeavesTheRest) {
    std::string_view input = "* 3 EXISTS\r\n* 0 RECENT\r\nA002 OK done\r\nA003 O";
    ResponseReader reader;
    auto first = reader.read(input);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->get<ExistsData>()->count, 3u);
    EXPECT_EQ(input, "* 0 RECENT\r\nA002 OK done\r\nA003 O");
    ASSERT_TRUE(reader.read(input));
    auto done = reader.read(input);
    ASSERT_TRUE(done && done->tagged());
    EXPECT_EQ(input, "A003 O");
    EXPECT_FALSE(reader.in_response());
    EXPECT_FALSE(reader.read(input));  // "need more bytes"
    EXPECT_TRUE(input.empty());
    EXPECT_TRUE(reader.in_response());
    std::string_view rest = "K fine\r\n";
    auto late = reader.read(rest);
    ASSERT_TRUE(late && late->tagged());
    EXPECT_EQ(late->tagged()->tag, "A003");
}

TEST(ImapResponseReader, PipelinedCompletionsMatchedByTag) {
    // Two commands in flight (Dovecot): SELECT then UID FETCH, answered back to back.
    auto responses = read_all(
        "* 2 EXISTS\r\n"
        "* OK [UIDVALIDITY 1718000000] UIDs valid\r\n"
        "c1 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n"
        "* 1 FETCH (UID 1 FLAGS (\\Seen))\r\n"
        "* 2 FETCH (UID 2 FLAGS ())\r\n"
        "c2 OK Fetch completed (0.001 + 0.000 secs).\r\n");
    ASSERT_EQ(responses.size(), 6u);
    EXPECT_EQ(responses[2].tagged()->tag, "c1");
    EXPECT_EQ(responses[2].tagged()->code.kind, CodeKind::ReadWrite);
    EXPECT_EQ(responses[5].tagged()->tag, "c2");
    ASSERT_TRUE(responses[4].get<FetchData>()->flags);
    EXPECT_TRUE(responses[4].get<FetchData>()->flags->empty());
}

TEST(ImapResponseReader, SeveralBodiesInOneFetchAndUidAfterBody) {
    const std::string header = "Subject: hi\r\n\r\n";
    const std::string text = "body {3}\r\nA1 OK\r\n";
    const std::string stream = "* 4 FETCH (BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header +
                               " BODY[TEXT] {" + std::to_string(text.size()) + "}\r\n" + text +
                               " UID 99 RFC822.SIZE 36)\r\nA1 OK done\r\n";
    for (std::size_t size = 1; size <= stream.size(); ++size) {
        Outcome out;
        run_chunks(stream, size, true, out);
        ASSERT_EQ(out.responses.size(), 2u);
        ASSERT_EQ(out.sink.bodies.size(), 2u);
        EXPECT_EQ(out.sink.bodies[0], header);
        EXPECT_EQ(out.sink.bodies[1], text);
        EXPECT_EQ(out.sink.starts[1].section, "BODY[TEXT]");
        EXPECT_FALSE(out.sink.starts[0].uid);  // UID comes after the bodies here
        const auto* fetch = out.responses[0].get<FetchData>();
        EXPECT_EQ(fetch->uid, 99u);
        EXPECT_EQ(fetch->rfc822_size, 36u);
        ASSERT_EQ(fetch->sections.size(), 2u);
        EXPECT_TRUE(fetch->sections[1].streamed);
        EXPECT_EQ(fetch->sections[1].size, text.size());
    }
}

TEST(ImapResponseReader, QuotedNilAndEmptyBodies) {
    Outcome out;
    static const char input[] =
        "* 1 FETCH (UID 5 BODY[] \"a \\\"quoted\\\" body\")\r\n"
        "* 2 FETCH (UID 6 BODY[] NIL)\r\n"
        "* 3 FETCH (UID 7 BODY[] {0}\r\n)\r\n"
        "* 4 FETCH (UID 8 BINARY[1] ~{3}\r\n\x00\x01\x02)\r\n"
        "A9 OK done\r\n";
    run_cuts(std::string_view(input, sizeof input - 1), {}, true, out);
    ASSERT_EQ(out.responses.size(), 5u);
    ASSERT_EQ(out.sink.bodies.size(), 3u);
    EXPECT_EQ(out.sink.bodies[0], "a \"quoted\" body");
    EXPECT_EQ(out.sink.starts[0].uid, 5u);
    EXPECT_EQ(out.sink.bodies[1], "");
    EXPECT_EQ(out.sink.starts[1].uid, 7u);
    EXPECT_EQ(out.sink.bodies[2], std::string("\x00\x01\x02", 3));
    EXPECT_EQ(out.sink.starts[2].section, "BINARY[1]");
    EXPECT_TRUE(out.responses[1].get<FetchData>()->sections[0].nil);
    EXPECT_TRUE(out.responses[0].get<FetchData>()->sections[0].streamed);
}

TEST(ImapResponseReader, LiteralsOutsideBodiesAreKeptInMemory) {
    Outcome out;
    run_cuts("* LIST (\\HasNoChildren) \"/\" {12}\r\nA1 OK a\r\n* x\r\n"
             "* 5 FETCH (ENVELOPE (NIL {4}\r\nSubj NIL NIL NIL NIL NIL NIL NIL \"<m@x>\") UID 3)\r\n",
             {}, true, out);
    ASSERT_EQ(out.responses.size(), 2u);
    EXPECT_TRUE(out.sink.bodies.empty());
    EXPECT_EQ(out.responses[0].get<ListData>()->mailbox, "A1 OK a\r\n* x");
    EXPECT_EQ(out.responses[1].get<FetchData>()->envelope->subject, "Subj");
}

TEST(ImapResponseReader, TruncatedInputNeedsMoreBytes) {
    const std::string stream = fake_response_stream();
    for (std::size_t length = 1; length < stream.size(); ++length) {
        ResponseReader reader;
        RecordingSink sink;
        reader.set_body_sink(&sink);
        std::string_view part = std::string_view(stream).substr(0, length);
        std::vector<Response> got;
        while (auto r = reader.read(part)) got.push_back(std::move(*r));
        // Only the FETCH can be complete before the last line; nothing is invented.
        EXPECT_LE(got.size(), 1u);
        if (length < stream.size() - std::string("A004 OK FETCH completed\r\n").size()) {
            EXPECT_TRUE(got.empty());
        }
        EXPECT_EQ(reader.in_response(), length != stream.size() - std::string("A004 OK FETCH completed\r\n").size());
    }
}

TEST(ImapResponseReader, GarbageIsAProtocolError) {
    const char* cases[] = {
        "\r\n",
        "garbage here\r\n",
        "A1 MAYBE fine\r\n",
        "(A1 OK x\r\n",
        "* 1 FETCH (UID 1\r\n",
        "* 1 FETCH UID 1)\r\n",
        "* LIST (\\Noselect) \"/\" \"unterminated\r\n",
        "* LIST () \"/\" {5x}\r\n",
        "* LIST () \"/\" {5} trailing\r\n",
        "* 1 FETCH (UID x)\r\n",
        "* 1 FETCH (UID 99999999999)\r\n",
        "* 1 FETCH (INTERNALDATE \"32-Jul-1996 02:44:25 -0700\")\r\n",
        "* 1 FETCH (MODSEQ 5)\r\n",
        "* 1 EXISTS extra\r\n",
        "* SEARCH 1 x 3\r\n",
        "* VANISHED (EARLIER) 1:x\r\n",
        "* VANISHED 0\r\n",
        "* LIST (\\Noselect) \"//\" x\r\n",
        "* STATUS x (MESSAGES)\r\n",
        "* OK [UIDVALIDITY abc] bad\r\n",
        "* OK [COPYUID 1 1:3 5] count mismatch\r\n",
        "* BODY[\r\n",
        ")\r\n",
        "* 1 FETCH (UID 1))\r\n",
        "*\r\n",
        "* x\x01y\r\n",
    };
    for (const char* input : cases) {
        ResponseReader reader;
        std::string_view view = input;
        try {
            while (reader.read(view)) {
            }
            ADD_FAILURE() << "no error for: " << input;
        } catch (const zmail::Error& e) {
            EXPECT_EQ(e.kind, zmail::ErrorKind::Protocol) << input;
            EXPECT_NE(std::string(e.what()).find("unexpected server response"), std::string::npos) << e.what();
        }
        // The connection is out of step now: the reader refuses to go on.
        std::string_view more = "* 1 EXISTS\r\n";
        EXPECT_THROW(reader.read(more), zmail::Error);
    }
}

TEST(ImapResponseReader, ErrorNamesWhatWasExpected) {
    ResponseReader reader;
    std::string_view input = "* 12 FETCH (UID 42 FLAGS \\Seen)\r\n";
    try {
        reader.read(input);
        FAIL();
    } catch (const zmail::Error& e) {
        EXPECT_STREQ(e.what(), "unexpected server response: expected '(' in FETCH response");
        EXPECT_EQ(e.server_reply, "* 12 FETCH (UID 42 FLAGS \\Seen)");
    }
}

TEST(ImapResponseReader, LineTooLong) {
    ReaderLimits limits;
    limits.max_line_length = 1000;
    ResponseReader reader(limits);
    const std::string line = "* SEARCH" + std::string(2000, ' ');
    try {
        for (char c : line) {  // byte by byte: the limit must hold before any CRLF arrives
            std::string_view one(&c, 1);
            reader.read(one);
        }
        FAIL();
    } catch (const zmail::Error& e) {
        EXPECT_EQ(e.kind, zmail::ErrorKind::Protocol);
        EXPECT_STREQ(e.what(), "server response line too long");
    }
    // Exactly at the limit is fine.
    ResponseReader ok_reader(limits);
    std::string exact = "* SEARCH" + std::string(1000 - 8, ' ') + "\r\n";
    std::string_view view = exact;
    EXPECT_TRUE(ok_reader.read(view));
}

TEST(ImapResponseReader, InMemoryLiteralLimit) {
    ReaderLimits limits;
    limits.max_literal_bytes = 100;
    {
        ResponseReader reader(limits);
        std::string_view input = "* LIST () \"/\" {101}\r\n";
        EXPECT_THROW(reader.read(input), zmail::Error);
    }
    {
        // Without a sink a big body is an error; with a sink it is streamed whatever its size.
        const std::string body(5000, 'x');
        const std::string stream = "* 1 FETCH (BODY[] {5000}\r\n" + body + ")\r\n";
        ResponseReader plain(limits);
        std::string_view input = stream;
        EXPECT_THROW(plain.read(input), zmail::Error);
        ResponseReader streaming(limits);
        RecordingSink sink;
        streaming.set_body_sink(&sink);
        input = stream;
        ASSERT_TRUE(streaming.read(input));
        EXPECT_EQ(sink.bodies.at(0), body);
    }
    {
        // A huge announced literal is refused before any of it is buffered.
        ResponseReader reader;
        std::string_view input = "* 1 FETCH (ENVELOPE ({99999999999}\r\n";
        try {
            reader.read(input);
            FAIL();
        } catch (const zmail::Error& e) {
            EXPECT_NE(std::string(e.what()).find("server response too large"), std::string::npos);
        }
    }
}

TEST(ImapResponseReader, BareLineFeedEndsALineToo) {
    auto responses = read_all("* 1 EXISTS\nA1 OK done\n");
    ASSERT_EQ(responses.size(), 2u);
    EXPECT_EQ(responses[1].tagged()->text, "done");
}

TEST(ImapResponseReader, BodyStartLiteralAfterBracketSectionWithParens) {
    Outcome out;
    const std::string header = "Message-ID: <a@b>\r\n\r\n";
    run_cuts("* 2 FETCH (UID 10 BODY[HEADER.FIELDS (MESSAGE-ID \"X-A\")] {" + std::to_string(header.size()) +
                 "}\r\n" + header + ")\r\n",
             {}, true, out);
    ASSERT_EQ(out.sink.bodies.size(), 1u);
    EXPECT_EQ(out.sink.bodies[0], header);
    EXPECT_EQ(out.sink.starts[0].section, "BODY[HEADER.FIELDS (MESSAGE-ID \"X-A\")]");
    EXPECT_EQ(out.responses.at(0).get<FetchData>()->section("body[header.fields (message-id \"x-a\")]")->size,
              header.size());
}

TEST(ImapResponseReader, BodyLikeAtomInsideAListIsNotStreamed) {
    // Gmail labels and other nested values never start a streamed body.
    Outcome out;
    run_cuts("* 1 FETCH (X-GM-LABELS (BODY[] {3}\r\nabc) UID 4)\r\n", {}, true, out);
    ASSERT_EQ(out.responses.size(), 1u);
    EXPECT_TRUE(out.sink.bodies.empty());
    EXPECT_EQ(out.responses[0].get<FetchData>()->uid, 4u);
}

TEST(ImapResponseReader, SinkExceptionPassesThroughAndStopsTheReader) {
    struct FailingSink : BodySink {
        void body_begin(const BodyStart&) override {}
        void body_data(std::string_view, std::uint64_t) override {
            throw zmail::Error(zmail::ErrorKind::Storage, "cannot write 'tmp/x': no space left on device");
        }
        void body_end() override {}
    } sink;
    ResponseReader reader;
    reader.set_body_sink(&sink);
    std::string_view input = "* 1 FETCH (BODY[] {3}\r\nabc)\r\n";
    try {
        reader.read(input);
        FAIL();
    } catch (const zmail::Error& e) {
        EXPECT_EQ(e.kind, zmail::ErrorKind::Storage);
    }
    std::string_view more = ")\r\n";
    try {
        reader.read(more);
        FAIL();
    } catch (const zmail::Error& e) {
        EXPECT_EQ(e.kind, zmail::ErrorKind::Internal);
    }
}

TEST(ImapResponseReader, LiteralLookalikesInTextAndQuotedStrings) {
    // Status text is free text: a trailing "{5}" there is no literal; neither is one inside quotes.
    auto responses = read_all(
        "A1 OK done {5}\r\n"
        "* OK [ALERT] see {12}\r\n"
        "* LIST () \"/\" \"x {5}\"\r\n"
        "* 1 EXISTS\r\n");
    ASSERT_EQ(responses.size(), 4u);
    EXPECT_EQ(responses[0].tagged()->text, "done {5}");
    EXPECT_EQ(responses[1].status()->text, "see {12}");
    EXPECT_EQ(responses[2].get<ListData>()->mailbox, "x {5}");
    EXPECT_EQ(responses[3].get<ExistsData>()->count, 1u);
}

TEST(ImapResponseReader, FeedSeveralTimesBeforeDraining) {
    ResponseReader reader;
    reader.feed("* 1 EXI");
    reader.feed("STS\r\n* 2 EXISTS\r\nA1 OK");
    reader.feed(" x\r\n");
    EXPECT_EQ(reader.next()->get<ExistsData>()->count, 1u);
    EXPECT_EQ(reader.next()->get<ExistsData>()->count, 2u);
    EXPECT_EQ(reader.next()->tagged()->tag, "A1");
    EXPECT_FALSE(reader.next());
    EXPECT_EQ(reader.buffered(), 0u);
    EXPECT_FALSE(reader.in_response());
}
