// IDLE (RFC 2177) on an IMAP session: wait for the server to report changes.
#pragma once

#include <chrono>
#include <functional>

#include "imap/session.hpp"

namespace zmail::imap {

/// How idle() ended.
enum class IdleEnd {
    Timeout,  ///< max_duration passed
    Stopped,  ///< the callback asked to stop (by default: a mailbox change arrived)
    Cancelled,  ///< `cancelled` returned true
};

/// IDLE until `on_response` returns true for an untagged response, or `max_duration` passes;
/// then DONE. Every untagged response is also collected in the session's updates(). Without a
/// callback it stops at the first EXISTS, EXPUNGE, VANISHED or FETCH. Needs IDLE
/// (Error{Unavailable}). A read timeout of the stream while idling is not an error (see
/// SessionOptions::set_io_timeout). When `cancelled` is given, it is asked about once a second
/// (another thread's news: a change elsewhere, the end of the program) and true ends the wait.
/// Other errors as for Session.
IdleEnd idle(Session& session, std::chrono::seconds max_duration,
             const std::function<bool(const Response&)>& on_response = {},
             const std::function<bool()>& cancelled = {});

}  // namespace zmail::imap
