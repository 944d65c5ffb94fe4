#include "maildir/prefetch.hpp"

#include <algorithm>

namespace zmail::maildir {

Prefetch::Prefetch(std::vector<std::string> directories, StorageHints hints)
    : directories_(std::move(directories)), hints_(std::move(hints)), thread_([this] { run(); }) {}

Prefetch::~Prefetch() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void Prefetch::run() {
    std::unique_lock lock(mutex_);
    while (next_ < directories_.size()) {
        const std::string directory = directories_[next_++];
        if (skipped_.count(directory) || done_.count(directory)) continue;
        changed_.wait(lock, [&] { return stopping_ || held_ < max_held_entries; });
        if (stopping_) return;
        current_ = directory;
        lock.unlock();
        std::optional<std::vector<Entry>> entries;
        try {
            entries = Folder(directory, hints_).list();
            std::sort(entries->begin(), entries->end(),
                      [](const Entry& a, const Entry& b) { return a.filename < b.filename; });
        } catch (...) {
            entries.reset();  // the caller lists it itself and reports what it meets
        }
        lock.lock();
        held_ += entries ? entries->size() : 0;
        done_[directory] = std::move(entries);
        current_.clear();
        changed_.notify_all();
        if (stopping_) return;
    }
}

std::optional<std::vector<Entry>> Prefetch::take(const std::string& directory) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return current_ != directory; });
    auto it = done_.find(directory);
    if (it == done_.end()) {
        skipped_.insert(directory);
        return std::nullopt;
    }
    std::optional<std::vector<Entry>> entries = std::move(it->second);
    done_.erase(it);
    held_ -= entries ? entries->size() : 0;
    lock.unlock();
    changed_.notify_all();
    return entries;
}

}  // namespace zmail::maildir
