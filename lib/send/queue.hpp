// The per-account queue of messages waiting to be sent (`zmail send --queue`, `--flush`).
//
// One message is two files in the queue directory, named by an id that sorts oldest first:
//   ID.eml      the message (CRLF, Bcc still in it; removed from what is sent)
//   ID.<state>  its envelope and bookkeeping as JSON, where the suffix is the state:
//     .json     pending: to be sent
//     .sending  the whole message was handed to the server and no answer was recorded: the
//               server may have it. Never resent automatically (that could double it).
//     .sent     the server accepted it; only the Sent copy and the removal are left
//     .failed   the server refused it for good; kept for the user to look at
// Every file is written to a temporary name, fsynced, renamed into place and the directory
// fsynced; the .eml before the state file, so a state file always has its message. A state
// changes by rename, so each id has one state after any crash. Removal unlinks the .eml
// first: a lone state file is cleaned up, never sent.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace zmail::send {

/// What a queue entry knows besides the message.
struct QueuedEnvelope {
    std::string mail_from;
    std::vector<std::string> recipients;
    std::string message_id;
    std::time_t date = 0;              ///< the Date of the message (for the Sent copy)
    int date_offset_minutes = 0;
    std::optional<bool> save_sent;     ///< --save-sent / --no-save-sent at queue time; else the account's
    std::time_t queued_at = 0;
    int attempts = 0;
    std::string last_error;            ///< the last failure, in words

    nlohmann::json to_json() const;
    /// Throws zmail::Error{Data} naming `where` for a malformed document.
    static QueuedEnvelope from_json(const nlohmann::json& value, const std::string& where);
};

enum class QueueState { Pending, Sending, Sent, Failed };

/// "pending", "uncertain", "sent", "failed".
const char* queue_state_name(QueueState state);

/// One queued message.
struct QueueEntry {
    std::string id;
    QueueState state = QueueState::Pending;
    QueuedEnvelope envelope;
    bool has_message = true;  ///< false: the .eml is gone (a removal was cut short)
};

/// A queue directory (created on first add). Not locked here: `--flush` holds lock_path().
class Queue {
public:
    explicit Queue(std::string directory) : directory_(std::move(directory)) {}
    const std::string& directory() const { return directory_; }
    /// The lock file --flush holds while it works.
    std::string lock_path() const { return directory_ + "/.lock"; }

    /// Stores a message durably (see above) in `state` and returns its id. A message whose
    /// sending is uncertain is added as Sending from the start: there is no moment at which a
    /// kill or a --flush beside it could find it pending and send it again. Throws
    /// Error{Storage} (Temporary for a full disk).
    std::string add(const std::string& message, const QueuedEnvelope& envelope,
                    QueueState state = QueueState::Pending);

    /// Every entry, oldest first. Files that belong to no entry (temporary files, a lone .eml)
    /// are skipped. Throws Error{Storage} when the directory cannot be read; a missing
    /// directory is an empty queue. A state file that does not parse gives Error{Data}.
    std::vector<QueueEntry> entries() const;

    /// The message of `id`. Throws Error{Storage}.
    std::string read_message(const std::string& id) const;

    /// pending -> sending (rename, then fsync of the directory).
    void mark_sending(const std::string& id);
    /// sending -> pending, e.g. for --resend-uncertain.
    void mark_pending(const std::string& id);
    /// Records a failed attempt on a pending entry (attempts + 1, last_error).
    void record_attempt(const std::string& id, const std::string& error);
    /// pending or sending -> sent.
    void mark_sent(const std::string& id);
    /// pending -> failed, with the reason.
    void mark_failed(const std::string& id, const std::string& error);
    /// Removes the entry: the .eml first, then the state file.
    void remove(const std::string& id);
    /// Removes leftovers older than `max_age_seconds`: temporary files and a .eml without
    /// a state file (a queueing cut short before it was confirmed). Returns how many.
    std::size_t remove_leftovers(std::time_t max_age_seconds = 3600);

    /// A new id: microseconds since the epoch, zero-padded, then a random part.
    static std::string new_id();

private:
    std::string path(const std::string& id, const char* suffix) const;
    void rename_state(const std::string& id, const char* from, const char* to);
    std::string directory_;
};

}  // namespace zmail::send
