// The SMTP transaction over a logged-in net::Connection: libcurl connects, does TLS or STARTTLS
// and the SASL login (CURLOPT_CONNECT_ONLY); zmail sends MAIL FROM, RCPT TO and DATA itself,
// pipelined when the server offers PIPELINING (RFC 2920), with its own dot-stuffing. libcurl's
// SMTP URL API would cost one round trip per command (it does not pipeline; see
// shared/notes/libcurl-facts.md Q6), which made zmail slower than msmtp per message.
#include "smtp/session.hpp"

#include <chrono>

#include "i18n.hpp"
#include "net/connection.hpp"

namespace zmail::smtp {

namespace {

/// The message with dot-stuffing (RFC 5321 4.5.2) and a final CRLF, without the end mark.
std::string dot_stuffed(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 64 + 4);
    bool line_start = true;
    for (char c : message) {
        if (line_start && c == '.') out += '.';
        out += c;
        line_start = c == '\n';
    }
    if (!out.ends_with("\r\n")) out += out.ends_with("\r") ? "\n" : "\r\n";
    return out;
}

bool has_8bit(std::string_view message) {
    for (char c : message)
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    return false;
}

EhloCapabilities capabilities_of(const net::LoginReport& report) {
    std::string text;
    for (const auto& line : report.capabilities) text += line + "\r\n";
    try {
        const auto replies = parse_replies(text);
        if (!replies.empty()) return parse_ehlo(replies.back());
    } catch (const Error&) {
        // an EHLO reply we cannot read: use no extension
    }
    return {};
}

}  // namespace

struct Session::State {
    net::ServerOptions options;
    std::unique_ptr<net::Connection> connection;
    std::string buffer;  // bytes read and not yet used
    Dialogue dialogue;
    EhloCapabilities capabilities;
    int connections = 0;
    bool needs_reset = false;  // a transaction was left open (RSET before the next)

    explicit State(net::ServerOptions o) : options(std::move(o)) {}

    std::string peer() const {
        const int port = options.port ? options.port : net::default_port(net::Protocol::smtp, options.security);
        const bool ipv6 = options.host.find(':') != std::string::npos;
        return (ipv6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(port);
    }

    void connect() {
        connection.reset();
        buffer.clear();
        needs_reset = false;
        connection = std::make_unique<net::Connection>(options);
        ++connections;
        capabilities = capabilities_of(connection->report());
        dialogue.new_connection();
        dialogue.logged_in();
    }

    void send(std::string_view bytes) { connection->write(bytes); }

    std::string read_line() {
        for (;;) {
            const std::size_t nl = buffer.find('\n');
            if (nl != std::string::npos) {
                std::string line = buffer.substr(0, nl + 1);
                buffer.erase(0, nl + 1);
                return line;
            }
            if (buffer.size() > max_reply_line_length)
                throw Error(ErrorKind::Protocol, tr("'{}' sent a reply line that does not end", peer()));
            char chunk[16384];
            const std::size_t n = connection->read_some(chunk, sizeof chunk);
            buffer.append(chunk, n);
        }
    }

    /// Reads one complete reply; the dialogue sees each line.
    Reply read_reply() {
        ReplyParser parser;
        for (;;) {
            const std::string line = read_line();
            dialogue.server_line(line);
            std::optional<Reply> reply;
            try {
                reply = parser.add_line(line);
            } catch (const Error&) {
                throw Error(ErrorKind::Protocol, tr("unexpected reply from '{}'", peer()), "", line);
            }
            if (reply) return *reply;
        }
    }

    /// Sends a command and reads its reply (no pipelining).
    Reply command(const std::string& line) {
        send(line + "\r\n");
        dialogue.client_line(line);
        return read_reply();
    }
};

Session::Session(net::ServerOptions options) {
    options.protocol = net::Protocol::smtp;
    state_ = std::make_unique<State>(std::move(options));
}

Session::~Session() {
    if (!state_ || !state_->connection) return;
    try {  // QUIT, and a short wait for its reply: the mail is already accepted
        state_->connection->set_io_timeout(std::chrono::seconds(5));
        state_->command("QUIT");
    } catch (...) {
        // the server closed first, or did not answer: nothing is lost
    }
}

int Session::connections() const { return state_->connections; }

std::string Session::peer() const { return state_->peer(); }

Submission Session::submit(const Envelope& envelope, std::string_view message, const EndOfDataHook& end_of_data) {
    State& s = *state_;
    if (envelope.recipients.empty()) throw Error(ErrorKind::Usage, tr("no recipients"));
    const bool reused = s.connection != nullptr;
    try {
        return transaction(envelope, message, end_of_data);
    } catch (const SubmitError& e) {
        // A reused connection the server had closed while idle fails at once: log in again, once.
        const bool nothing_answered = !s.dialogue.mail_reply() && s.dialogue.phase() != Phase::EndOfData;
        if (!reused || e.before_login || e.kind != ErrorKind::Network || !nothing_answered) throw;
    }
    return transaction(envelope, message, end_of_data);
}

Submission Session::transaction(const Envelope& envelope, std::string_view message,
                                    const EndOfDataHook& end_of_data) {
    State& s = *state_;
    if (!s.connection) {
        try {
            s.connect();
        } catch (const Error& e) {
            s.connection.reset();
            SubmitError error(e, Delivery::NotSent);
            error.before_login = true;
            throw error;
        }
    }
    s.dialogue.new_transfer();
    const std::string body = dot_stuffed(message);
    try {
        if (s.needs_reset) {
            s.command("RSET");
            s.needs_reset = false;
        }
        std::string mail = "MAIL FROM:<" + envelope.mail_from + ">";
        if (s.capabilities.size) mail += " SIZE=" + std::to_string(body.size());
        if (s.capabilities.eight_bit_mime && has_8bit(message)) mail += " BODY=8BITMIME";
        std::vector<std::string> commands{mail};
        for (const auto& r : envelope.recipients) commands.push_back("RCPT TO:<" + r + ">");
        commands.push_back("DATA");

        s.needs_reset = true;  // until the transaction ends
        bool data_ok = false;
        bool any_recipient = false;
        if (s.capabilities.pipelining) {
            std::string batch;
            for (const auto& c : commands) batch += c + "\r\n";
            s.send(batch);
            for (std::size_t i = 0; i < commands.size(); ++i) {
                s.dialogue.client_line(commands[i]);
                const Reply reply = s.read_reply();
                if (i > 0 && i + 1 < commands.size() && reply.success()) any_recipient = true;
                if (i + 1 == commands.size()) data_ok = reply.code == 354;
            }
        } else {
            bool go_on = s.command(commands[0]).success();
            for (std::size_t i = 1; go_on && i + 1 < commands.size(); ++i)
                any_recipient = s.command(commands[i]).success() || any_recipient;
            if (go_on && any_recipient) data_ok = s.command("DATA").code == 354;
        }
        if (data_ok && !any_recipient) {
            // a server that answered DATA although it took no recipient gets an empty message
            s.send(".\r\n");
            s.read_reply();
            data_ok = false;
        }
        if (!data_ok) throw submission_error(s.dialogue, nullptr, s.peer(), envelope.mail_from);

        s.send(body);
        if (end_of_data) end_of_data();  // from here on the server may take it
        s.dialogue.end_of_data();
        s.send(".\r\n");
        const Reply final_reply = s.read_reply();
        s.needs_reset = false;
        if (!final_reply.success()) throw submission_error(s.dialogue, nullptr, s.peer(), envelope.mail_from);
    } catch (const SubmitError&) {
        throw;
    } catch (const Error& e) {
        // the stream failed (Network, Temporary) or the server spoke nonsense: the connection is done
        s.connection.reset();
        if (e.kind != ErrorKind::Network && e.kind != ErrorKind::Temporary && e.kind != ErrorKind::Protocol) throw;
        throw submission_error(s.dialogue, &e, s.peer(), envelope.mail_from);
    }

    Submission result;
    result.refused = refused_recipients(s.dialogue);
    for (const auto& r : s.dialogue.recipient_replies())
        if (r.reply.success()) result.accepted.push_back(r.address);
    result.reply = s.dialogue.final_reply() ? s.dialogue.final_reply()->raw : std::string();
    return result;
}

}  // namespace zmail::smtp
