// What was said during one SMTP submission, command by command: every RCPT reply (partial
// acceptance), the reply to the end of data, and the server's own words for the errors.
// Pure: the session feeds it the commands it sends and the reply lines it reads (in the order
// of the commands, also when they were pipelined); unit tests feed it recorded dialogues.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace zmail::smtp {

/// The reply to one RCPT TO.
struct RecipientReply {
    std::string address;  ///< as in the command, without angle brackets
    Reply reply;
};

/// Where a submission had got to.
enum class Phase {
    Connecting,      ///< connect, greeting, EHLO, STARTTLS
    Authenticating,  ///< AUTH sent, final reply not yet in
    Envelope,        ///< MAIL FROM / RCPT TO
    Data,            ///< DATA sent, waiting for 354
    Body,            ///< 354 received: the message is being sent
    EndOfData,       ///< the whole message was handed over; the end-of-data mark follows
    Done,            ///< the reply to the end of data arrived (success or not)
};

/// Pairs commands and replies: each complete reply answers the command fed just before it.
class Dialogue {
public:
    /// A command line sent (without line end). "MAIL FROM" starts a new message.
    void client_line(std::string_view line);
    /// A line of the server's reply (line end optional).
    void server_line(std::string_view line);
    /// The message's last byte was handed to libcurl; the end-of-data mark comes next.
    void end_of_data();
    /// A new connection starts (its greeting comes next): forget the login state.
    void new_connection();
    /// The connection logged in (net::Connection did it before the dialogue was fed).
    void logged_in();
    /// A new transfer starts (on a new or a reused connection): forget the last message's
    /// replies, so a failure before MAIL FROM is not taken for one after the last message.
    void new_transfer();

    Phase phase() const { return phase_; }
    /// True once AUTH was sent on the current connection.
    bool authenticated_attempted() const { return auth_attempted_; }
    /// True once the server accepted the login on the current connection.
    bool authenticated() const { return authenticated_; }
    /// The last EHLO reply's capabilities on the current connection.
    const EhloCapabilities& capabilities() const { return capabilities_; }

    // --- the current message (reset by MAIL FROM) ---
    const std::optional<Reply>& mail_reply() const { return mail_reply_; }
    const std::vector<RecipientReply>& recipient_replies() const { return recipient_replies_; }
    const std::optional<Reply>& data_reply() const { return data_reply_; }
    /// The reply after the end of data: acceptance (250) or refusal of the message.
    const std::optional<Reply>& final_reply() const { return final_reply_; }
    /// The reply to AUTH on the current connection.
    const std::optional<Reply>& auth_reply() const { return auth_reply_; }
    /// The last complete reply of any kind, and a line the parser could not read.
    const std::optional<Reply>& last_reply() const { return last_reply_; }
    const std::string& malformed_line() const { return malformed_line_; }

private:
    enum class Waiting { Nothing, Greeting, Ehlo, StartTls, Auth, Mail, Rcpt, Data, EndOfData, Other };
    void complete(const Reply& reply);

    ReplyParser parser_;
    Phase phase_ = Phase::Connecting;
    Waiting waiting_ = Waiting::Greeting;
    std::string pending_recipient_;
    bool auth_attempted_ = false, authenticated_ = false;
    EhloCapabilities capabilities_;
    std::optional<Reply> mail_reply_, data_reply_, final_reply_, auth_reply_, last_reply_;
    std::vector<RecipientReply> recipient_replies_;
    std::string malformed_line_;
};

}  // namespace zmail::smtp
