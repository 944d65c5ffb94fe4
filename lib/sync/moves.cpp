#include "sync/moves.hpp"

#include "error.hpp"

#include <algorithm>
#include <unistd.h>

namespace zmail::sync {

MoveBroker::MoveBroker(std::vector<std::string> folders, std::set<std::string> on_far, NearScanner scan,
                       std::set<std::string> last)
    : folders_(std::move(folders)), on_far_(std::move(on_far)), scan_(std::move(scan)), last_(std::move(last)) {}

MoveBroker::~MoveBroker() {
    for (const auto& offer : offers_) ::unlink(offer.path.c_str());
}

void MoveBroker::start(const std::string& folder) {
    std::unique_lock lock(mutex_);
    const bool last = last_.count(folder) > 0;
    changed_.wait(lock, [&] {
        if (reserved_[folder] > 0) return false;
        if (!last) return true;
        return std::all_of(folders_.begin(), folders_.end(),
                           [&](const std::string& f) { return last_.count(f) || finished_.count(f); });
    });
    started_.insert(folder);
    waiting_.erase(folder);
}

void MoveBroker::finish(const std::string& folder) {
    {
        std::lock_guard lock(mutex_);
        finished_.insert(folder);
    }
    changed_.notify_all();
}

void MoveBroker::offer(const std::string& folder, const store::MessageIdentity& identity, std::string path) {
    std::lock_guard lock(mutex_);
    offers_.push_back({folder, std::move(path), identity});
}

bool MoveBroker::has_later(const std::string& from) const {
    std::lock_guard lock(mutex_);
    return std::any_of(folders_.begin(), folders_.end(),
                       [&](const std::string& f) { return f != from && !started_.count(f); });
}

bool MoveBroker::has_offers() const {
    std::lock_guard lock(mutex_);
    return !offers_.empty();
}

bool MoveBroker::offers_size(std::uint64_t size) const {
    std::lock_guard lock(mutex_);
    return std::any_of(offers_.begin(), offers_.end(), [&](const Offer& o) { return o.identity.size == size; });
}

std::optional<std::string> MoveBroker::take(std::uint64_t header_hash, std::uint64_t size) {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(offers_.begin(), offers_.end(), [&](const Offer& o) {
        return o.identity.header_hash == header_hash && o.identity.size == size;
    });
    if (it == offers_.end()) return std::nullopt;
    std::string path = std::move(it->path);
    offers_.erase(it);
    return path;
}

void MoveBroker::scan_waiting(std::unique_lock<std::mutex>&) {
    if (scanned_) return;
    scanned_ = true;
    if (!scan_) return;
    for (const auto& folder : folders_) {
        if (started_.count(folder) || !on_far_.count(folder)) continue;
        try {
            auto found = scan_(folder);
            if (!found.empty()) waiting_[folder] = std::move(found);
        } catch (const Error&) {
            // a folder that cannot be read now: no move goes there; its own run reports it
        }
    }
}

bool MoveBroker::may_have_destinations(const std::string& from) {
    std::unique_lock lock(mutex_);
    scan_waiting(lock);
    for (const auto& [folder, found] : waiting_)
        if (folder != from && !found.empty()) return true;
    return false;
}

std::map<std::string, std::vector<std::uint32_t>> MoveBroker::claim(
    const std::string& from, const std::vector<store::MessageIdentity>& leaving) {
    std::unique_lock lock(mutex_);
    scan_waiting(lock);
    std::map<std::string, std::vector<std::uint32_t>> claimed;
    for (const auto& id : leaving) {
        for (auto& [folder, found] : waiting_) {
            if (folder == from) continue;
            auto match = std::find_if(found.begin(), found.end(), [&](const store::MessageIdentity& n) {
                return n.header_hash == id.header_hash && n.size == id.size;
            });
            if (match == found.end()) continue;
            found.erase(match);
            claimed[folder].push_back(id.uid);
            break;
        }
    }
    for (const auto& [folder, uids] : claimed) ++reserved_[folder];
    return claimed;
}

void MoveBroker::release(const std::vector<std::string>& folders) {
    {
        std::lock_guard lock(mutex_);
        for (const auto& folder : folders)
            if (reserved_[folder] > 0) --reserved_[folder];
    }
    changed_.notify_all();
}

}  // namespace zmail::sync
