#include "send/queue.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>

#include "error.hpp"
#include "i18n.hpp"
#include "mime/header_values.hpp"
#include "util/atomic_file.hpp"

namespace zmail::send {

namespace {

constexpr const char* message_suffix = ".eml";
constexpr const char* pending_suffix = ".json";
constexpr const char* sending_suffix = ".sending";
constexpr const char* sent_suffix = ".sent";
constexpr const char* failed_suffix = ".failed";

bool ends_with(const std::string& s, const char* suffix) { return s.ends_with(suffix); }

/// True for names our ids can have: digits, '-', lower-case letters and digits.
bool valid_id(const std::string& id) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

int state_rank(QueueState s) {
    switch (s) {
    case QueueState::Sent: return 3;
    case QueueState::Failed: return 2;
    case QueueState::Sending: return 1;
    case QueueState::Pending: return 0;
    }
    return 0;
}

const char* suffix_of(QueueState s) {
    switch (s) {
    case QueueState::Pending: return pending_suffix;
    case QueueState::Sending: return sending_suffix;
    case QueueState::Sent: return sent_suffix;
    case QueueState::Failed: return failed_suffix;
    }
    return pending_suffix;
}

}  // namespace

const char* queue_state_name(QueueState state) {
    switch (state) {
    case QueueState::Pending: return "pending";
    case QueueState::Sending: return "uncertain";
    case QueueState::Sent: return "sent";
    case QueueState::Failed: return "failed";
    }
    return "pending";
}

nlohmann::json QueuedEnvelope::to_json() const {
    nlohmann::json j = {{"version", 1},
                        {"mail_from", mail_from},
                        {"recipients", recipients},
                        {"message_id", message_id},
                        {"date", static_cast<long long>(date)},
                        {"date_offset_minutes", date_offset_minutes},
                        {"queued_at", static_cast<long long>(queued_at)},
                        {"attempts", attempts},
                        {"last_error", last_error}};
    j["save_sent"] = save_sent ? nlohmann::json(*save_sent) : nlohmann::json(nullptr);
    return j;
}

QueuedEnvelope QueuedEnvelope::from_json(const nlohmann::json& j, const std::string& where) {
    auto bad = [&](const std::string& why) {
        // TRANSLATORS: the file, then what is wrong with it
        return Error(ErrorKind::Data, tr("invalid queue file '{}': {}", where, why),
                     tr("move it out of the queue directory and look at it"));
    };
    if (!j.is_object()) throw bad(tr("not a JSON object"));
    QueuedEnvelope e;
    try {
        e.mail_from = j.at("mail_from").get<std::string>();
        e.recipients = j.at("recipients").get<std::vector<std::string>>();
        e.message_id = j.value("message_id", std::string());
        e.date = static_cast<std::time_t>(j.value("date", 0LL));
        e.date_offset_minutes = j.value("date_offset_minutes", 0);
        e.queued_at = static_cast<std::time_t>(j.value("queued_at", 0LL));
        e.attempts = j.value("attempts", 0);
        e.last_error = j.value("last_error", std::string());
        if (j.contains("save_sent") && j["save_sent"].is_boolean()) e.save_sent = j["save_sent"].get<bool>();
    } catch (const nlohmann::json::exception& x) {
        throw bad(x.what());
    }
    if (e.recipients.empty()) throw bad(tr("no recipients"));
    return e;
}

std::string Queue::new_id() {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%017lld", static_cast<long long>(now));
    return std::string(stamp) + "-" + mime::random_token().substr(0, 10);
}

std::string Queue::path(const std::string& id, const char* suffix) const { return directory_ + "/" + id + suffix; }

std::string Queue::add(const std::string& message, const QueuedEnvelope& envelope, QueueState state) {
    util::make_directories(directory_);
    const std::string id = new_id();
    util::write_file_atomically(path(id, message_suffix), message);
    util::write_file_atomically(path(id, suffix_of(state)), envelope.to_json().dump(2) + "\n");
    return id;
}

std::vector<QueueEntry> Queue::entries() const {
    std::vector<QueueEntry> out;
    DIR* dir = ::opendir(directory_.c_str());
    if (!dir) {
        if (errno == ENOENT) return out;
        throw_storage_error(N_("read the queue directory"), directory_, errno);
    }
    std::map<std::string, QueueState> states;
    std::map<std::string, bool> messages;
    while (dirent* d = ::readdir(dir)) {
        const std::string name = d->d_name;
        if (name.find(".tmp.") != std::string::npos) continue;
        const std::size_t dot = name.find('.');
        if (dot == std::string::npos || dot == 0) continue;
        const std::string id = name.substr(0, dot);
        if (!valid_id(id)) continue;
        const std::string suffix = name.substr(dot);
        std::optional<QueueState> state;
        if (suffix == message_suffix) messages[id] = true;
        else if (suffix == pending_suffix) state = QueueState::Pending;
        else if (suffix == sending_suffix) state = QueueState::Sending;
        else if (suffix == sent_suffix) state = QueueState::Sent;
        else if (suffix == failed_suffix) state = QueueState::Failed;
        if (!state) continue;
        auto [it, inserted] = states.emplace(id, *state);
        if (!inserted && state_rank(*state) > state_rank(it->second)) it->second = *state;
    }
    ::closedir(dir);
    for (const auto& [id, state] : states) {  // std::map: ids in order, oldest first
        QueueEntry entry;
        entry.id = id;
        entry.state = state;
        entry.has_message = messages.count(id) > 0;
        const std::string file = path(id, suffix_of(state));
        std::string text;
        if (!util::read_file(file, text, true)) continue;  // renamed meanwhile
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(text);
        } catch (const nlohmann::json::parse_error& e) {
            throw Error(ErrorKind::Data, tr("invalid queue file '{}': {}", file, e.what()),
                        tr("move it out of the queue directory and look at it"));
        }
        entry.envelope = QueuedEnvelope::from_json(j, file);
        out.push_back(std::move(entry));
    }
    return out;
}

std::string Queue::read_message(const std::string& id) const {
    std::string message;
    util::read_file(path(id, message_suffix), message);
    return message;
}

void Queue::rename_state(const std::string& id, const char* from, const char* to) {
    const std::string source = path(id, from), target = path(id, to);
    if (::rename(source.c_str(), target.c_str()) != 0) throw_storage_error(N_("rename"), source, errno);
    util::fsync_parent_directory(target);
}

void Queue::mark_sending(const std::string& id) { rename_state(id, pending_suffix, sending_suffix); }

void Queue::mark_pending(const std::string& id) { rename_state(id, sending_suffix, pending_suffix); }

void Queue::record_attempt(const std::string& id, const std::string& error) {
    std::string text;
    const std::string file = path(id, pending_suffix);
    util::read_file(file, text);
    QueuedEnvelope e;
    try {
        e = QueuedEnvelope::from_json(nlohmann::json::parse(text), file);
    } catch (const nlohmann::json::parse_error& x) {
        throw Error(ErrorKind::Data, tr("invalid queue file '{}': {}", file, x.what()));
    }
    ++e.attempts;
    e.last_error = error;
    util::write_file_atomically(file, e.to_json().dump(2) + "\n");
}

void Queue::mark_sent(const std::string& id) {
    const std::string sending = path(id, sending_suffix);
    struct stat st {};
    rename_state(id, ::stat(sending.c_str(), &st) == 0 ? sending_suffix : pending_suffix, sent_suffix);
}

void Queue::mark_failed(const std::string& id, const std::string& error) {
    std::string text;
    const std::string file = path(id, pending_suffix);
    util::read_file(file, text);
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& x) {
        throw Error(ErrorKind::Data, tr("invalid queue file '{}': {}", file, x.what()));
    }
    j["last_error"] = error;
    j["attempts"] = j.value("attempts", 0) + 1;
    util::write_file_atomically(path(id, failed_suffix), j.dump(2) + "\n");
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) throw_storage_error(N_("remove"), file, errno);
    util::fsync_parent_directory(file);
}

void Queue::remove(const std::string& id) {
    for (const char* suffix : {message_suffix, sent_suffix, failed_suffix, sending_suffix, pending_suffix}) {
        const std::string file = path(id, suffix);
        if (::unlink(file.c_str()) != 0 && errno != ENOENT) throw_storage_error(N_("remove"), file, errno);
    }
    util::fsync_parent_directory(path(id, message_suffix));
}

std::size_t Queue::remove_leftovers(std::time_t max_age_seconds) {
    DIR* dir = ::opendir(directory_.c_str());
    if (!dir) return 0;
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir)) names.emplace_back(d->d_name);
    ::closedir(dir);
    const std::time_t now = std::time(nullptr);
    std::size_t removed = 0;
    for (const auto& name : names) {
        if (name == "." || name == ".." || name == ".lock") continue;
        const std::string file = directory_ + "/" + name;
        bool leftover = name.find(".tmp.") != std::string::npos;
        if (!leftover && ends_with(name, message_suffix)) {
            const std::string id = name.substr(0, name.size() - std::strlen(message_suffix));
            struct stat st {};
            leftover = true;
            for (const char* suffix : {pending_suffix, sending_suffix, sent_suffix, failed_suffix})
                if (::stat(path(id, suffix).c_str(), &st) == 0) leftover = false;
        }
        if (!leftover) continue;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0 || now - st.st_mtime < max_age_seconds) continue;
        if (::unlink(file.c_str()) == 0) ++removed;
    }
    return removed;
}

}  // namespace zmail::send
