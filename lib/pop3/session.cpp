#include "pop3/session.hpp"

#include <algorithm>

#include "i18n.hpp"

namespace zmail::pop3 {

namespace {

constexpr std::size_t read_buffer_size = 64 * 1024;

std::string retry_hint() {
    return tr("the messages marked for deletion stay on the server unless it had already processed QUIT; the next "
              "fetch will try again");
}

}  // namespace

Error error_from_reply(const StatusLine& reply, std::string what) {
    switch (reply.code) {
    case ResponseCode::InUse:
        // TRANSLATORS: {} says what failed, e.g. "cannot delete message 3 on 'pop.example.com:995'"
        return Error(ErrorKind::Temporary, tr("{}: mailbox in use", what),
                     tr("another client (a phone or a mail program) holds the mailbox; close it or try again in a "
                        "few minutes"),
                     reply.line);
    case ResponseCode::LoginDelay:
        // TRANSLATORS: {} says what failed, e.g. "cannot delete message 3 on 'pop.example.com:995'"
        return Error(ErrorKind::Temporary, tr("{}: logged in too soon", what),
                     tr("the server limits how often you may log in; try again later"), reply.line);
    case ResponseCode::SysTemp:
        // TRANSLATORS: {} says what failed, e.g. "cannot delete message 3 on 'pop.example.com:995'"
        return Error(ErrorKind::Temporary, tr("{}: temporary server problem", what), tr("try again later"),
                     reply.line);
    case ResponseCode::Auth:
        // TRANSLATORS: {} says what failed, e.g. "cannot delete message 3 on 'pop.example.com:995'"
        return Error(ErrorKind::Auth, tr("{}: authentication failed", what), {}, reply.line);
    case ResponseCode::SysPerm:
        // TRANSLATORS: {} says what failed, e.g. "cannot delete message 3 on 'pop.example.com:995'"
        return Error(ErrorKind::Unavailable, tr("{}: server problem", what), {}, reply.line);
    case ResponseCode::None:
    case ResponseCode::Other:
        break;
    }
    return Error(ErrorKind::Protocol, std::move(what), {}, reply.line);
}

/// Guards one public operation: refuses a broken, finished or re-entered session, and clears
/// the sink error of the previous operation.
class Session::Operation {
public:
    explicit Operation(Session& session) : session_(session) {
        if (session.busy_) {
            throw Error(ErrorKind::Internal, tr("POP3 session used from inside one of its sinks"));
        }
        if (session.finished_) {
            throw Error(ErrorKind::Internal, tr("POP3 session with '{}' already ended", session.peer()));
        }
        if (session.broken_) {
            throw Error(ErrorKind::Network,
                        tr("connection to '{}' is unusable after an earlier error", session.peer()));
        }
        session.busy_ = true;
        session.sink_error_ = nullptr;
    }
    ~Operation() { session_.busy_ = false; }
    Operation(const Operation&) = delete;
    Operation& operator=(const Operation&) = delete;

    /// Rethrows the first exception a sink threw, now that the replies are all read.
    void finish() {
        if (session_.sink_error_) {
            std::exception_ptr error = session_.sink_error_;
            session_.sink_error_ = nullptr;
            std::rethrow_exception(error);
        }
    }

private:
    Session& session_;
};

Session::Session(net::Stream& stream, SessionOptions options)
    : stream_(stream), options_(std::move(options)), buffer_(read_buffer_size) {}

void Session::trace(std::string_view line) const {
    if (options_.trace) options_.trace(line);
}

std::size_t Session::window() const {
    if (!capabilities_.pipelining) return 1;
    return std::max<std::size_t>(1, options_.pipeline_window);
}

void Session::send(const std::vector<std::string>& commands) {
    std::string bytes;
    for (const std::string& command : commands) {
        trace("C: " + command);
        bytes += command;
        bytes += "\r\n";
    }
    try {
        stream_.write(bytes);
    } catch (...) {
        broken_ = true;
        throw;
    }
}

void Session::fill_buffer() {
    try {
        buffer_begin_ = 0;
        buffer_end_ = 0;
        buffer_end_ = stream_.read_some(buffer_.data(), buffer_.size());
    } catch (...) {
        broken_ = true;
        throw;
    }
    if (buffer_end_ == 0) {
        broken_ = true;
        throw Error(ErrorKind::Network, tr("connection to '{}' closed", peer()));
    }
}

StatusLine Session::read_reply(ReplyShape shape, const std::string& command,
                               const std::function<DataSink(const StatusLine&)>& open_data) {
    reader_.start(shape);
    DataSink user_sink;
    bool status_seen = false;
    while (!reader_.done()) {
        if (buffer_begin_ == buffer_end_) fill_buffer();
        std::string_view bytes(buffer_.data() + buffer_begin_, buffer_end_ - buffer_begin_);
        try {
            buffer_begin_ += reader_.feed(bytes);
        } catch (const Error& error) {
            broken_ = true;
            // TRANSLATORS: the first {} is the server (host:port), the second a POP3 command, the third what
            // was wrong with the reply
            throw Error(error.kind, tr("bad reply from '{}' to '{}': {}", peer(), command, error.what()), error.hint,
                        error.server_reply);
        }
        if (status_seen || !reader_.has_status()) continue;
        status_seen = true;
        trace("S: " + reader_.status().line);
        if (shape != ReplyShape::Data || !reader_.status().ok || !open_data || sink_error_) continue;
        try {
            user_sink = open_data(reader_.status());
        } catch (...) {
            sink_error_ = std::current_exception();
        }
        if (!user_sink) continue;
        reader_.set_sink([this, &user_sink](std::string_view chunk) {
            if (sink_error_) return;
            try {
                user_sink(chunk);
            } catch (...) {
                sink_error_ = std::current_exception();
            }
        });
    }
    reader_.set_sink(nullptr);  // it refers to user_sink, which ends here
    if (options_.trace && reader_.status().ok) {
        if (shape == ReplyShape::Lines) {
            for (const std::string& line : reader_.lines()) trace("S: " + line);
            trace("S: .");
        } else if (shape == ReplyShape::Data) {
            trace("S: <" + std::to_string(reader_.data_bytes()) + " bytes of message data>");
        }
    }
    return reader_.status();
}

StatusLine Session::simple_command(const std::string& command) {
    send({command});
    return read_reply(ReplyShape::SingleLine, command);
}

std::vector<std::string> Session::listing_command(const std::string& command) {
    send({command});
    StatusLine status = read_reply(ReplyShape::Lines, command);
    // TRANSLATORS: the first {} is a POP3 command (UIDL or LIST), the second the server (host:port)
    if (!status.ok) throw error_from_reply(status, tr("cannot get the {} listing from '{}'", command, peer()));
    return reader_.take_lines();
}

std::uint64_t Session::data_command(const std::string& command, const DataSink& sink,
                                    const std::function<std::string()>& what) {
    send({command});
    StatusLine status = read_reply(ReplyShape::Data, command, [&sink](const StatusLine&) { return sink; });
    if (!status.ok) throw error_from_reply(status, what());
    return reader_.data_bytes();
}

const Capabilities& Session::capa() {
    Operation operation(*this);
    send({"CAPA"});
    StatusLine status = read_reply(ReplyShape::Lines, "CAPA");
    capabilities_ = status.ok ? parse_capabilities(reader_.lines()) : Capabilities{};
    return capabilities_;
}

void Session::enable_utf8() {
    Operation operation(*this);
    if (capabilities_.utf8) simple_command("UTF8");
}

MaildropStat Session::stat() {
    Operation operation(*this);
    StatusLine status = simple_command("STAT");
    if (!status.ok) throw error_from_reply(status, tr("cannot get the mailbox status from '{}'", peer()));
    try {
        return parse_stat(status.text);
    } catch (const Error& error) {
        throw Error(ErrorKind::Protocol, tr("bad reply from '{}' to '{}': {}", peer(), "STAT", error.what()), {},
                    status.line);
    }
}

UidlListing Session::uidl() {
    Operation operation(*this);
    std::vector<std::string> lines = listing_command("UIDL");
    try {
        return parse_uidl_listing(lines);
    } catch (const Error& error) {
        throw Error(ErrorKind::Protocol, tr("bad reply from '{}' to '{}': {}", peer(), "UIDL", error.what()), {},
                    error.server_reply);
    }
}

std::vector<ListEntry> Session::list() {
    Operation operation(*this);
    std::vector<std::string> lines = listing_command("LIST");
    try {
        return parse_list_listing(lines);
    } catch (const Error& error) {
        throw Error(ErrorKind::Protocol, tr("bad reply from '{}' to '{}': {}", peer(), "LIST", error.what()), {},
                    error.server_reply);
    }
}

std::uint64_t Session::top(std::uint32_t number, std::uint32_t lines, const DataSink& sink) {
    Operation operation(*this);
    std::uint64_t size = data_command("TOP " + std::to_string(number) + " " + std::to_string(lines), sink, [&] {
        return tr("cannot retrieve the top of message {} from '{}'", number, peer());
    });
    operation.finish();
    return size;
}

std::uint64_t Session::retr(std::uint32_t number, const DataSink& sink) {
    Operation operation(*this);
    std::uint64_t size = data_command("RETR " + std::to_string(number), sink,
                                      [&] { return tr("cannot retrieve message {} from '{}'", number, peer()); });
    operation.finish();
    return size;
}

void Session::dele(std::uint32_t number) {
    Operation operation(*this);
    StatusLine status = simple_command("DELE " + std::to_string(number));
    if (!status.ok) {
        throw error_from_reply(status, tr("cannot delete message {} on '{}'", number, peer()));
    }
    ++marked_deleted_;
}

void Session::noop() {
    Operation operation(*this);
    StatusLine status = simple_command("NOOP");
    if (!status.ok) throw error_from_reply(status, tr("'{}' refused '{}'", peer(), "NOOP"));
}

void Session::rset() {
    Operation operation(*this);
    StatusLine status = simple_command("RSET");
    if (!status.ok) throw error_from_reply(status, tr("cannot undo deletions on '{}'", peer()));
    marked_deleted_ = 0;
}

std::vector<CommandFailure> Session::retr_many(std::span<const std::uint32_t> numbers,
                                               const MessageSinkFactory& open) {
    Operation operation(*this);
    std::vector<CommandFailure> failures = pipelined(numbers, "RETR", &open);
    operation.finish();
    return failures;
}

std::vector<CommandFailure> Session::dele_many(std::span<const std::uint32_t> numbers) {
    Operation operation(*this);
    return pipelined(numbers, "DELE", nullptr);
}

// Keeps up to window() commands in flight, topping the window up in one write once half of it
// has been answered. After a sink error no more commands are sent; those in flight are drained.
std::vector<CommandFailure> Session::pipelined(std::span<const std::uint32_t> numbers, const char* verb,
                                               const MessageSinkFactory* open) {
    std::vector<CommandFailure> failures;
    const std::size_t limit = window();
    std::size_t sent = 0;
    for (std::size_t answered = 0; answered < numbers.size(); ++answered) {
        std::size_t in_flight = sent - answered;
        if (!sink_error_ && sent < numbers.size() && (in_flight == 0 || in_flight <= limit / 2)) {
            std::vector<std::string> batch;
            while (sent < numbers.size() && sent - answered < limit) {
                batch.push_back(std::string(verb) + " " + std::to_string(numbers[sent++]));
            }
            send(batch);
        }
        if (answered == sent) break;  // a sink failed: nothing more in flight

        const std::uint32_t number = numbers[answered];
        const std::string command = std::string(verb) + " " + std::to_string(number);
        if (open == nullptr) {
            StatusLine status = read_reply(ReplyShape::SingleLine, command);
            if (status.ok) {
                ++marked_deleted_;
            } else {
                failures.push_back(CommandFailure{number, std::move(status)});
            }
            continue;
        }

        std::unique_ptr<MessageSink> message;
        StatusLine status = read_reply(ReplyShape::Data, command, [&](const StatusLine& reply) -> DataSink {
            message = (*open)(number, reply);
            if (!message) return {};
            return [&message](std::string_view chunk) { message->write(chunk); };
        });
        if (!status.ok) {
            failures.push_back(CommandFailure{number, std::move(status)});
        } else if (message && !sink_error_) {
            try {
                message->complete(reader_.data_bytes());
            } catch (...) {
                sink_error_ = std::current_exception();
            }
        }
    }
    return failures;
}

void Session::quit() {
    if (busy_) throw Error(ErrorKind::Internal, tr("POP3 session used from inside one of its sinks"));
    if (finished_) throw Error(ErrorKind::Internal, tr("POP3 session with '{}' already ended", peer()));
    finished_ = true;
    if (broken_) {
        // in English, each message of quit() starts with deletions_not_committed
        throw Error(ErrorKind::Network,
                    tr("deletions not committed: connection to '{}' is unusable after an earlier error", peer()),
                    retry_hint());
    }
    StatusLine status;
    try {
        send({"QUIT"});
        status = read_reply(ReplyShape::SingleLine, "QUIT");
    } catch (const Error& error) {
        ErrorKind kind = error.kind == ErrorKind::Protocol ? ErrorKind::Protocol : ErrorKind::Network;
        // TRANSLATORS: {} is the error that ended the session
        throw Error(kind, tr("deletions not committed: {}", error.what()), retry_hint(), error.server_reply);
    }
    if (!status.ok) {
        throw Error(ErrorKind::Protocol, tr("deletions not committed: '{}' refused '{}'", peer(), "QUIT"),
                    retry_hint(), status.line);
    }
}

void Session::leave() {
    if (busy_) throw Error(ErrorKind::Internal, tr("POP3 session used from inside one of its sinks"));
    if (marked_deleted_ > 0) throw Error(ErrorKind::Internal, tr("POP3 session left without committing deletions"));
    if (finished_) throw Error(ErrorKind::Internal, tr("POP3 session with '{}' already ended", peer()));
    finished_ = true;
    if (!broken_) send({"QUIT"});
}

}  // namespace zmail::pop3
