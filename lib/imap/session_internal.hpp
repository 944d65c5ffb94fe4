// Internal to the IMAP session's source files: the guard every public operation takes.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "imap/session.hpp"

namespace zmail::imap {

/// 'text' in single quotes, for messages.
inline std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

/// Guards one public operation: refuses a broken, finished or re-entered session, starts the
/// session when needed, and rethrows a callback's exception once the replies are all read.
class Session::Operation {
public:
    explicit Operation(Session& session, bool start = true) : session_(session) {
        if (session.busy_) throw Error(ErrorKind::Internal, "IMAP session used from inside one of its callbacks");
        if (session.finished_)
            throw Error(ErrorKind::Internal, "IMAP session with " + quoted(session.peer()) + " already logged out");
        session.ensure_usable();
        session.busy_ = true;
        session.callback_error_ = nullptr;
        if (start && !session.started_) {
            try {
                session.do_start();
            } catch (...) {
                session.busy_ = false;
                throw;
            }
        }
    }
    ~Operation() { session_.busy_ = false; }
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    /// Rethrows the first exception a callback threw during this operation.
    void finish() {
        if (session_.callback_error_) {
            std::exception_ptr error = session_.callback_error_;
            session_.callback_error_ = nullptr;
            std::rethrow_exception(error);
        }
    }

private:
    Session& session_;
};

}  // namespace zmail::imap
