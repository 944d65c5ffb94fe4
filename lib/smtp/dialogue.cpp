#include "smtp/dialogue.hpp"

#include "error.hpp"

namespace zmail::smtp {

namespace {

std::string upper_word(std::string_view line, std::size_t length) {
    std::string out(line.substr(0, length));
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool starts_with_command(std::string_view line, std::string_view command) {
    return line.size() >= command.size() && upper_word(line, command.size()) == command &&
           (line.size() == command.size() || line[command.size()] == ' ' || line[command.size()] == ':');
}

/// The address inside "RCPT TO:<a@b> ..." or "MAIL FROM:<a@b>", without brackets.
std::string command_address(std::string_view line) {
    const std::size_t open = line.find('<');
    if (open == std::string_view::npos) {
        const std::size_t colon = line.find(':');
        std::string_view rest = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        return std::string(rest.substr(0, rest.find(' ')));
    }
    const std::size_t close = line.find('>', open);
    const std::size_t length = close == std::string_view::npos ? std::string_view::npos : close - open - 1;
    return std::string(line.substr(open + 1, length));
}

}  // namespace

void Dialogue::new_connection() {
    parser_.reset();
    phase_ = Phase::Connecting;
    waiting_ = Waiting::Greeting;
    auth_attempted_ = authenticated_ = false;
    capabilities_ = {};
    auth_reply_.reset();
}

void Dialogue::logged_in() {
    auth_attempted_ = authenticated_ = true;
    phase_ = Phase::Connecting;
    waiting_ = Waiting::Nothing;
}

void Dialogue::new_transfer() {
    if (phase_ != Phase::Connecting && phase_ != Phase::Authenticating) phase_ = Phase::Connecting;
    mail_reply_.reset();
    data_reply_.reset();
    final_reply_.reset();
    recipient_replies_.clear();
}

void Dialogue::client_line(std::string_view line) {
    if (waiting_ == Waiting::Auth) return;  // SASL continuation responses belong to AUTH
    if (starts_with_command(line, "EHLO") || starts_with_command(line, "HELO")) {
        waiting_ = Waiting::Ehlo;
    } else if (starts_with_command(line, "STARTTLS")) {
        waiting_ = Waiting::StartTls;
    } else if (starts_with_command(line, "AUTH")) {
        waiting_ = Waiting::Auth;
        phase_ = Phase::Authenticating;
        auth_attempted_ = true;
    } else if (starts_with_command(line, "MAIL")) {
        waiting_ = Waiting::Mail;
        phase_ = Phase::Envelope;
        mail_reply_.reset();
        data_reply_.reset();
        final_reply_.reset();
        recipient_replies_.clear();
    } else if (starts_with_command(line, "RCPT")) {
        waiting_ = Waiting::Rcpt;
        pending_recipient_ = command_address(line);
    } else if (starts_with_command(line, "DATA")) {
        waiting_ = Waiting::Data;
        phase_ = Phase::Data;
    } else {
        waiting_ = Waiting::Other;  // QUIT, RSET, NOOP
    }
}

void Dialogue::end_of_data() {
    phase_ = Phase::EndOfData;
    waiting_ = Waiting::EndOfData;
}

void Dialogue::server_line(std::string_view line) {
    std::optional<Reply> reply;
    try {
        reply = parser_.add_line(line);
    } catch (const Error&) {
        malformed_line_ = std::string(line);
        while (!malformed_line_.empty() && (malformed_line_.back() == '\n' || malformed_line_.back() == '\r'))
            malformed_line_.pop_back();
        return;
    }
    if (reply) complete(*reply);
}

void Dialogue::complete(const Reply& reply) {
    last_reply_ = reply;
    switch (waiting_) {
    case Waiting::Greeting: break;
    case Waiting::Ehlo:
        capabilities_ = parse_ehlo(reply);
        break;
    case Waiting::StartTls: break;
    case Waiting::Auth:
        if (reply.code == 334) return;  // a challenge: the exchange goes on
        auth_reply_ = reply;
        authenticated_ = reply.success();
        phase_ = Phase::Connecting;
        break;
    case Waiting::Mail: mail_reply_ = reply; break;
    case Waiting::Rcpt: recipient_replies_.push_back({pending_recipient_, reply}); break;
    case Waiting::Data:
        data_reply_ = reply;
        if (reply.code == 354) {
            phase_ = Phase::Body;
            waiting_ = Waiting::EndOfData;
            return;
        }
        break;
    case Waiting::EndOfData:
        final_reply_ = reply;
        phase_ = Phase::Done;
        break;
    case Waiting::Other:
    case Waiting::Nothing: break;
    }
    waiting_ = Waiting::Nothing;
}

}  // namespace zmail::smtp
