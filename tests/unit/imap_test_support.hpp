// Helpers for the IMAP session's unit tests: the scripted start of a session, server capabilities, a
// recording message sink. The scripted stream and error_of are in tests/support.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "../support/errors.hpp"
#include "../support/scripted_stream.hpp"
#include "error.hpp"
#include "imap/session_messages.hpp"

namespace zmail::imap::testing {

using zmail::testing::error_of;
using zmail::testing::ScriptedStream;

/// Dovecot 2.3's capabilities after login.
inline const char* const dovecot_capabilities =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
    "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
    "I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE "
    "SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

/// A plain server: no LITERAL+, no UIDPLUS, no LIST-STATUS, no CONDSTORE.
inline const char* const plain_capabilities = "IMAP4rev1 IDLE NAMESPACE";

/// Scripts the CAPABILITY exchange every session starts with (tag Z1).
inline void expect_start(ScriptedStream& stream, const std::string& capabilities) {
    stream.expect("Z1 CAPABILITY\r\n", "* CAPABILITY " + capabilities + "\r\nZ1 OK Capability completed.\r\n");
}

/// Records what uid_fetch_bodies delivers and checks the order of calls.
class RecordingMessageSink : public MessageSink {
public:
    struct Message {
        BodyStart start;
        std::string body;
        FetchedMessage info;
        bool completed = false;
    };
    std::vector<Message> messages;
    int abandoned = 0;
    /// Throw from data() of the n-th message (1-based), 0: never.
    int throw_in_message = 0;

    void begin(const BodyStart& start) override {
        EXPECT_FALSE(open_) << "bodies overlap";
        open_ = true;
        messages.push_back({start, {}, {}, false});
    }
    void data(std::string_view bytes, std::uint64_t offset) override {
        EXPECT_TRUE(open_);
        EXPECT_EQ(offset, messages.back().body.size());
        messages.back().body += bytes;
        if (throw_in_message == static_cast<int>(messages.size()))
            throw Error(ErrorKind::Storage, "cannot write message: disk full");
    }
    void complete(const FetchedMessage& message) override {
        EXPECT_TRUE(open_);
        open_ = false;
        messages.back().info = message;
        messages.back().completed = true;
    }
    void abandon() noexcept override {
        open_ = false;
        ++abandoned;
    }

private:
    bool open_ = false;
};

}  // namespace zmail::imap::testing
