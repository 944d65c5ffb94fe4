// Maildir folders listed ahead, on a thread of their own, while the caller waits for something
// else (the sync lists the folders synced before while the server logs it in).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "maildir/maildir.hpp"

namespace zmail::maildir {

class Prefetch {
public:
    /// Starts listing `directories` (folder paths) in this order, each once, sorted by file name.
    explicit Prefetch(std::vector<std::string> directories, StorageHints hints = {});
    /// Stops after the folder being listed, if any.
    ~Prefetch();
    Prefetch(const Prefetch&) = delete;
    Prefetch& operator=(const Prefetch&) = delete;

    /// The listing made ahead of `directory`, once: waits while it is being made; nothing when it
    /// was not asked for, failed (the caller lists it again and meets the error), or was not
    /// reached yet (then it never will be: the caller lists it now).
    std::optional<std::vector<Entry>> take(const std::string& directory);

    /// Listings held and not taken stop the thread at this many entries (memory stays bounded).
    static constexpr std::size_t max_held_entries = 200000;

private:
    void run();

    std::vector<std::string> directories_;
    StorageHints hints_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t next_ = 0, held_ = 0;
    std::string current_;                                   ///< being listed now
    std::set<std::string> skipped_;                         ///< taken before their turn
    std::map<std::string, std::optional<std::vector<Entry>>> done_;  ///< nullopt: failed
    bool stopping_ = false;
    std::thread thread_;  ///< last: starts once the rest is set up
};

}  // namespace zmail::maildir
