// The byte stream the protocol sessions (IMAP, POP3) talk over, once libcurl has connected,
// done TLS/STARTTLS and logged in. The libcurl connection implements it; tests may implement
// it over a plain socket or an in-memory script.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zmail::net {

/// A connected, authenticated byte stream. Not thread-safe; one session owns it.
class Stream {
public:
    virtual ~Stream() = default;
    /// Sends all of `bytes`, waiting as needed. Throws zmail::Error (Network/Temporary) on failure
    /// or when the I/O timeout passes.
    virtual void write(std::string_view bytes) = 0;
    /// Reads at least one byte and at most `size` into `buffer`, waiting up to the I/O timeout.
    /// Throws zmail::Error{Network} when the peer closed the connection, Temporary on timeout.
    virtual std::size_t read_some(char* buffer, std::size_t size) = 0;
    /// Human-readable peer ("imap.example.com:993") for messages.
    virtual std::string peer() const = 0;
};

}  // namespace zmail::net
