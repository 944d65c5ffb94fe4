// Internal to the IMAP session's source files (core and command groups): the guard every public
// operation takes, and the mark of a running callback.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "i18n.hpp"
#include "imap/session.hpp"

namespace zmail::imap {

/// 'text' in single quotes, for messages.
inline std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

/// Guards one public operation: refuses a session used from one of its callbacks, and a broken or
/// finished one; starts the session when needed, and rethrows a callback's exception once the
/// replies are all read. Operations nest: one made while another runs (a command group calling
/// Session::run, say) checks only for callbacks and leaves the rest to the outermost.
class Session::Operation {
public:
    explicit Operation(Session& session) : session_(session) {
        if (session.callback_depth_ > 0)
            throw Error(ErrorKind::Internal, tr("IMAP session used from inside one of its callbacks"));
        if (session.busy_) return;
        if (session.finished_)
            throw Error(ErrorKind::Internal, tr("IMAP session with {} already logged out", quoted(session.peer())));
        session.ensure_usable();
        outermost_ = true;
        session.busy_ = true;
        session.callback_error_ = nullptr;
        if (!session.started_) {
            try {
                session.do_start();
            } catch (...) {
                session.busy_ = false;
                throw;
            }
        }
    }
    ~Operation() {
        if (outermost_) session_.busy_ = false;
    }
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    /// Rethrows the first exception a callback threw during this operation (outermost only).
    void finish() {
        if (outermost_ && session_.callback_error_) {
            std::exception_ptr error = session_.callback_error_;
            session_.callback_error_ = nullptr;
            std::rethrow_exception(error);
        }
    }

private:
    Session& session_;
    bool outermost_ = false;
};

/// Marks the time a caller's callback runs (a handler, a sink, a message source, the trace), so
/// that a callback calling the session is refused instead of re-entering it.
class Session::CallbackScope {
public:
    explicit CallbackScope(const Session& session) : session_(session) { ++session_.callback_depth_; }
    ~CallbackScope() { --session_.callback_depth_; }
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;

private:
    const Session& session_;
};

}  // namespace zmail::imap
