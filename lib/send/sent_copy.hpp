// The Sent copy: after the server accepted a message, append it to the account's Sent folder
// over IMAP with \Seen and the send date — unless a message with the same Message-ID is
// already there (sent twice, or the provider filed it itself).
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "error.hpp"
#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

namespace zmail::send {

/// What happened to one Sent copy.
struct SentCopyResult {
    enum class Outcome {
        NotWanted,     ///< save_sent is never (or --no-save-sent)
        Made,          ///< appended
        AlreadyThere,  ///< a message with this Message-ID was in the folder: nothing appended
        Failed,        ///< see error (the mail itself was sent)
    } outcome = Outcome::NotWanted;
    std::string folder;            ///< the folder used (when one was chosen)
    std::string reason;            ///< why NotWanted: the account's save_sent reason or the option
    std::optional<Error> error;    ///< for Failed
};

/// "not-wanted", "made", "already-there", "failed".
const char* sent_copy_outcome_name(SentCopyResult::Outcome outcome);

/// Whether a copy is wanted: `override` (--save-sent / --no-save-sent) when given, else the
/// account's effective send.save_sent. Fills `reason`.
bool sent_copy_wanted(const profile::Account& account, std::optional<bool> override, std::string& reason);

/// One IMAP login for any number of Sent copies (connects on first use, LOGOUT at the end).
class SentFolder {
public:
    /// `explicit_folder`: the account's stored send.sent_folder (empty when not set): used as
    /// it is. Otherwise the special-use \Sent folder, else the preset's Sent folder, else "Sent".
    SentFolder(const profile::Profile& profile, const profile::Account& account, std::string explicit_folder,
               net::LineSink trace = {});
    ~SentFolder();
    SentFolder(const SentFolder&) = delete;
    SentFolder& operator=(const SentFolder&) = delete;

    /// Appends `message` (CRLF) with \Seen and the date `date` at `offset_minutes`, unless
    /// `message_id` is already in the folder. Never throws: failures come back as Failed.
    /// After a connection failure later calls fail at once with the same error.
    SentCopyResult save(const std::string& message, const std::string& message_id, std::time_t date,
                        int offset_minutes);

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace zmail::send
