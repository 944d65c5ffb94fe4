// IDLE on the IMAP session core: DONE after the first change (or what the caller's callback asks
// for) or when the time is up, the stream's read timeout shortened to wake up on time.
#include "imap/session_idle.hpp"

#include <algorithm>

#include "imap/session_internal.hpp"

namespace zmail::imap {
namespace {

bool is_mailbox_change(const Response& response) {
    return response.get<ExistsData>() || response.get<ExpungeData>() || response.get<VanishedData>() ||
           response.get<FetchData>();
}

}  // namespace

IdleEnd idle(Session& session, std::chrono::seconds max_duration,
             const std::function<bool(const Response&)>& on_response, const std::function<bool()>& cancelled) {
    Session::Operation operation(session);
    if (!session.capabilities_.has("IDLE"))
        throw Error(ErrorKind::Unavailable, tr("{} does not support IDLE", quoted(session.peer())));
    bool stop = false;
    UntaggedHandler handler = [&session, &stop, &on_response](const Response& response) {
        session.record_update(response);
        if (stop) return true;
        if (on_response)
            session.guarded([&] { stop = on_response(response); });
        else
            stop = is_mailbox_change(response);
        if (session.callback_error_) stop = true;
        return true;
    };
    const std::string tag = session.send([](const std::string& t) { return command::idle(t); }, handler);
    if (!session.await_continuation(tag)) {
        const CommandResult refused = session.wait(tag);
        throw command_error(refused, tr("cannot wait for changes on {}", quoted(session.peer())));
    }

    // Restores the stream's normal I/O timeout however idle() ends.
    struct TimeoutRestorer {
        Session& session;
        ~TimeoutRestorer() {
            try {
                session.set_io_timeout(session.options_.io_timeout);
            } catch (...) {
            }
        }
    } restorer{session};

    const auto deadline = std::chrono::steady_clock::now() + max_duration;
    // a wait of a second at most between two questions to `cancelled` (nothing goes on the wire)
    const auto slice = cancelled ? std::chrono::seconds(1) : std::max(session.options_.io_timeout, std::chrono::seconds(1));
    bool cancel = false;
    while (!stop && !session.answered_.count(tag)) {
        if (cancelled && (cancel = cancelled())) break;
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) break;
        auto seconds = std::chrono::ceil<std::chrono::seconds>(left);
        seconds = std::clamp(seconds, std::chrono::seconds(1), slice);
        session.set_io_timeout(seconds);
        std::optional<Response> response = session.next_response(true);
        if (response) session.dispatch(*response);
    }
    session.set_io_timeout(session.options_.io_timeout);
    if (!session.answered_.count(tag)) session.write(command::idle_done());
    const CommandResult result = session.wait(tag);
    if (!result.ok()) throw command_error(result, tr("cannot wait for changes on {}", quoted(session.peer())));
    operation.finish();
    if (stop) return IdleEnd::Stopped;
    return cancel ? IdleEnd::Cancelled : IdleEnd::Timeout;
}

}  // namespace zmail::imap
