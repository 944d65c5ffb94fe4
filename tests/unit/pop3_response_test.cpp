// The POP3 reply codec: status lines, response codes, dot-unstuffing, chunking.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "pop3/response.hpp"

using zmail::Error;
using zmail::ErrorKind;
using zmail::pop3::ReplyReader;
using zmail::pop3::ReplyShape;
using zmail::pop3::ResponseCode;
using zmail::pop3::parse_status_line;

namespace {

/// Dot-stuffs a message (CRLF lines, ending in CRLF) and adds the terminator, as a server does.
std::string stuff(std::string_view message) {
    std::string wire;
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (line_start && message[i] == '.') wire += '.';
        wire += message[i];
        line_start = message[i] == '\n' && i > 0 && message[i - 1] == '\r';
    }
    return wire + ".\r\n";
}

struct ReadResult {
    std::string data;
    std::size_t consumed = 0;
    std::size_t largest_chunk = 0;
    zmail::pop3::StatusLine status;
    std::vector<std::string> lines;
};

/// Feeds `wire` to a reader in pieces of `chunk` bytes until the reply is done.
ReadResult read_in_chunks(std::string_view wire, ReplyShape shape, std::size_t chunk) {
    ReadResult result;
    ReplyReader reader;
    reader.start(shape);
    bool sink_set = false;
    std::size_t offset = 0;
    std::string_view piece;
    while (!reader.done()) {
        if (piece.empty()) {
            if (offset >= wire.size()) break;
            piece = wire.substr(offset, chunk);
            offset += piece.size();
        }
        std::size_t n = reader.feed(piece);
        piece.remove_prefix(n);
        result.consumed += n;
        if (!sink_set && reader.has_status()) {
            sink_set = true;
            reader.set_sink([&result](std::string_view data) {
                EXPECT_FALSE(data.empty());
                result.data.append(data);
                result.largest_chunk = std::max(result.largest_chunk, data.size());
            });
        }
    }
    EXPECT_TRUE(reader.done());
    result.status = reader.status();
    result.lines = reader.lines();
    return result;
}

}  // namespace

TEST(Pop3StatusLine, ParsesOkAndErr) {
    auto ok = parse_status_line("+OK 2 320\r\n");
    EXPECT_TRUE(ok.ok);
    EXPECT_EQ(ok.text, "2 320");
    EXPECT_EQ(ok.line, "+OK 2 320");
    EXPECT_EQ(ok.code, ResponseCode::None);

    auto bare = parse_status_line("+OK");
    EXPECT_TRUE(bare.ok);
    EXPECT_EQ(bare.text, "");

    auto err = parse_status_line("-ERR no such message");
    EXPECT_FALSE(err.ok);
    EXPECT_EQ(err.text, "no such message");
}

TEST(Pop3StatusLine, ParsesResponseCodes) {
    struct Case {
        const char* line;
        ResponseCode code;
        const char* code_text;
        const char* text;
    };
    const Case cases[] = {
        {"-ERR [IN-USE] Mailbox is locked by another POP3 session", ResponseCode::InUse, "IN-USE",
         "Mailbox is locked by another POP3 session"},
        {"-ERR [LOGIN-DELAY] Try again in 5 minutes", ResponseCode::LoginDelay, "LOGIN-DELAY",
         "Try again in 5 minutes"},
        {"-ERR [SYS/TEMP] Disk full", ResponseCode::SysTemp, "SYS/TEMP", "Disk full"},
        {"-ERR [SYS/PERM] Mailbox corrupted", ResponseCode::SysPerm, "SYS/PERM", "Mailbox corrupted"},
        {"-ERR [AUTH] Authentication failed.", ResponseCode::Auth, "AUTH", "Authentication failed."},
        {"-ERR [sys/temp/quota] lower case and deeper", ResponseCode::SysTemp, "sys/temp/quota",
         "lower case and deeper"},
        {"-ERR [X-VENDOR] whatever", ResponseCode::Other, "X-VENDOR", "whatever"},
        {"-ERR [unterminated code", ResponseCode::None, "", "[unterminated code"},
        {"+OK [IN-USE] odd but parsed", ResponseCode::InUse, "IN-USE", "odd but parsed"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.line);
        auto status = parse_status_line(c.line);
        EXPECT_EQ(status.code, c.code);
        EXPECT_EQ(status.code_text, c.code_text);
        EXPECT_EQ(status.text, c.text);
        EXPECT_EQ(status.line, c.line);
    }
}

TEST(Pop3StatusLine, RejectsGarbage) {
    for (const char* line : {"", "OK", "* OK IMAP4rev1", "+ continue", "250 ok", "-ER"}) {
        SCOPED_TRACE(line);
        try {
            parse_status_line(line);
            FAIL() << "accepted";
        } catch (const Error& error) {
            EXPECT_EQ(error.kind, ErrorKind::Protocol);
            EXPECT_EQ(error.server_reply, line);
        }
    }
}

TEST(Pop3ReplyReader, SingleLineLeavesTheNextReplyAlone) {
    std::string wire = "+OK 2 320\r\n+OK\r\n";
    ReplyReader reader;
    reader.start(ReplyShape::SingleLine);
    EXPECT_EQ(reader.feed(wire), 11u);
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(reader.status().text, "2 320");
    EXPECT_EQ(reader.feed("more"), 0u);  // done: nothing more is consumed
}

TEST(Pop3ReplyReader, DataReplyStopsAfterStatusSoASinkCanBeAttached) {
    std::string wire = "+OK 5 octets\r\nabc\r\n.\r\n+OK next\r\n";
    ReplyReader reader;
    reader.start(ReplyShape::Data);
    EXPECT_EQ(reader.feed(wire), 14u);
    EXPECT_TRUE(reader.has_status());
    EXPECT_FALSE(reader.done());
    std::string data;
    reader.set_sink([&data](std::string_view chunk) { data.append(chunk); });
    EXPECT_EQ(reader.feed(std::string_view(wire).substr(14)), 8u);
    EXPECT_TRUE(reader.done());
    EXPECT_EQ(data, "abc\r\n");
    EXPECT_EQ(reader.data_bytes(), 5u);
}

TEST(Pop3ReplyReader, ErrOnDataReplyIsASingleLine) {
    auto result = read_in_chunks("-ERR [SYS/TEMP] try later\r\n.\r\n", ReplyShape::Data, 1);
    EXPECT_FALSE(result.status.ok);
    EXPECT_EQ(result.consumed, 27u);
    EXPECT_EQ(result.data, "");
}

TEST(Pop3ReplyReader, UnstuffsTrickyMessagesAtEveryChunkSize) {
    const std::string message =
        "From: a@example.org\r\n"
        "Subject: dots\r\n"
        "\r\n"
        ".\r\n"
        "..\r\n"
        ".foo\r\n"
        "...bar\r\n"
        "+OK this is not a reply\r\n"
        "-ERR neither is this\r\n"
        ".\r\r\n"       // a line that is a dot and a lone CR
        ".\rx\r\n"      // a dot, CR, x
        "a\n.\nb\r\n"   // bare LFs are data, not line ends
        "\r\n"
        ".\r\n"
        "end\r\n";
    const std::string wire = "+OK 200 octets\r\n" + stuff(message) + "+OK next reply\r\n";
    for (std::size_t chunk = 1; chunk <= wire.size(); ++chunk) {
        SCOPED_TRACE(chunk);
        auto result = read_in_chunks(wire, ReplyShape::Data, chunk);
        EXPECT_TRUE(result.status.ok);
        EXPECT_EQ(result.data, message);
        EXPECT_EQ(result.consumed, wire.size() - std::string("+OK next reply\r\n").size());
    }
}

TEST(Pop3ReplyReader, UnstuffsUnstuffedDotLinesLikeRfc1939) {
    // A server that forgot to stuff ".foo": RFC 1939 says the first dot is removed.
    auto result = read_in_chunks("+OK\r\n.foo\r\n..bar\r\n.\r\n", ReplyShape::Data, 3);
    EXPECT_EQ(result.data, "foo\r\n.bar\r\n");
}

TEST(Pop3ReplyReader, TerminatorSplitAtEveryByte) {
    const std::string head = "+OK\r\nline one\r\nline two\r\n";
    const std::string wire = head + ".\r\n" + "+OK\r\n";
    // Two pieces, split anywhere.
    for (std::size_t split = 0; split <= wire.size(); ++split) {
        SCOPED_TRACE(split);
        ReplyReader reader;
        reader.start(ReplyShape::Data);
        std::string data;
        reader.set_sink([&data](std::string_view chunk) { data.append(chunk); });
        std::string_view first = std::string_view(wire).substr(0, split);
        std::string_view second = std::string_view(wire).substr(split);
        std::size_t consumed = 0;
        while (!first.empty() && !reader.done()) {
            std::size_t n = reader.feed(first);
            first.remove_prefix(n);
            consumed += n;
        }
        while (!second.empty() && !reader.done()) {
            std::size_t n = reader.feed(second);
            second.remove_prefix(n);
            consumed += n;
        }
        EXPECT_TRUE(reader.done());
        EXPECT_EQ(data, "line one\r\nline two\r\n");
        EXPECT_EQ(consumed, head.size() + 3);
    }
}

TEST(Pop3ReplyReader, EmptyMessage) {
    auto result = read_in_chunks("+OK 0 octets\r\n.\r\n", ReplyShape::Data, 2);
    EXPECT_TRUE(result.status.ok);
    EXPECT_EQ(result.data, "");
}

TEST(Pop3ReplyReader, LongDataLinesAreStreamedNotLimited) {
    std::string long_line(3 * zmail::pop3::max_line_length, 'x');
    std::string wire = "+OK\r\n" + long_line + "\r\n.\r\n";
    auto result = read_in_chunks(wire, ReplyShape::Data, 4096);
    EXPECT_EQ(result.data, long_line + "\r\n");
    EXPECT_LE(result.largest_chunk, 4096u);
}

TEST(Pop3ReplyReader, StreamsAFiftyMegabyteMessageChunkByChunk) {
    // The message is generated block by block; the reader must pass each block on before the
    // next arrives, never holding the message.
    std::string block;
    while (block.size() < 60000) block += "..a stuffed line of a large message, with a dot in front\r\n";
    const std::size_t blocks = 50 * 1024 * 1024 / block.size() + 1;
    ReplyReader reader;
    reader.start(ReplyShape::Data);
    ASSERT_EQ(reader.feed("+OK\r\n"), 5u);
    std::uint64_t received = 0;
    std::uint64_t expected = 0;
    reader.set_sink([&received](std::string_view chunk) { received += chunk.size(); });
    for (std::size_t i = 0; i < blocks; ++i) {
        ASSERT_EQ(reader.feed(block), block.size());
        expected += block.size() - std::count(block.begin(), block.end(), '\n');  // one dot less a line
        ASSERT_EQ(received, expected) << "block " << i << " was held back";
    }
    EXPECT_EQ(reader.feed(".\r\n"), 3u);
    EXPECT_TRUE(reader.done());
    EXPECT_GT(blocks * block.size(), 50u * 1024 * 1024);
    EXPECT_EQ(reader.data_bytes(), expected);
}

TEST(Pop3ReplyReader, CollectsListingLines) {
    std::string wire = "+OK 3 messages\r\n1 000000017d8e4a1b\r\n2 whqtswO00WBw418f9t5JxYwZ\r\n..3 dot\r\n.\r\n";
    for (std::size_t chunk : {1u, 2u, 5u, 1000u}) {
        SCOPED_TRACE(chunk);
        auto result = read_in_chunks(wire, ReplyShape::Lines, chunk);
        ASSERT_EQ(result.lines.size(), 3u);
        EXPECT_EQ(result.lines[0], "1 000000017d8e4a1b");
        EXPECT_EQ(result.lines[1], "2 whqtswO00WBw418f9t5JxYwZ");
        EXPECT_EQ(result.lines[2], ".3 dot");
        EXPECT_EQ(result.consumed, wire.size());
    }
}

TEST(Pop3ReplyReader, RejectsAGiantStatusLine) {
    ReplyReader reader;
    reader.start(ReplyShape::SingleLine);
    std::string chunk(4096, 'A');
    chunk[0] = '+';
    try {
        for (int i = 0; i < 100; ++i) reader.feed(chunk);
        FAIL() << "no limit";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
        EXPECT_NE(std::string(error.what()).find("longer than 65536"), std::string::npos);
        EXPECT_LE(error.server_reply.size(), 210u);
    }
}

TEST(Pop3ReplyReader, RejectsAGiantListingLine) {
    std::string wire = "+OK\r\n1 " + std::string(zmail::pop3::max_line_length, 'u') + "\r\n.\r\n";
    try {
        read_in_chunks(wire, ReplyShape::Lines, 1000);
        FAIL() << "no limit";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind, ErrorKind::Protocol);
    }
}

TEST(Pop3ReplyReader, AcceptsAStatusLineWithABareLf) {
    auto result = read_in_chunks("+OK hello\n", ReplyShape::SingleLine, 4);
    EXPECT_TRUE(result.status.ok);
    EXPECT_EQ(result.status.text, "hello");
}
