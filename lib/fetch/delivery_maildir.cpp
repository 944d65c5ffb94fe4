// Delivery into a Maildir folder, durably and in batches: every message is written to tmp/, then
// for a whole batch the files and the state's pending records are synced in parallel (so the file
// system can commit them together), the files are linked into new/, and new/ is synced once.
#include "fetch/spool.hpp"

#include "maildir/maildir.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <functional>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <dirent.h>
#include <unistd.h>

namespace zmail::fetch {

namespace {

constexpr std::size_t write_buffer_size = 64 * 1024;
constexpr std::size_t max_sync_threads = 16;

/// Runs the jobs on up to max_sync_threads threads (the caller's included) and rethrows the first
/// exception once all have finished. fsync() calls issued together are committed together by
/// journaling file systems, which is what makes a batch cheap.
void run_in_parallel(const std::vector<std::function<void()>>& jobs) {
    if (jobs.empty()) return;
    std::atomic<std::size_t> next{0};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    auto worker = [&] {
        for (std::size_t i = next++; i < jobs.size(); i = next++) {
            try {
                jobs[i]();
            } catch (...) {
                std::lock_guard<std::mutex> guard(error_mutex);
                if (!first_error) first_error = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    const std::size_t count = std::min(jobs.size(), max_sync_threads) - 1;
    threads.reserve(count);
    try {
        for (std::size_t i = 0; i < count; ++i) threads.emplace_back(worker);
    } catch (const std::system_error&) {
        // no more threads: the ones we have (and this one) do the rest
    }
    worker();
    for (std::thread& thread : threads) thread.join();
    if (first_error) std::rethrow_exception(first_error);
}

class MaildirMessage final : public IncomingMessage {
public:
    MaildirMessage(const std::string& folder, std::string uidl)
        : IncomingMessage(std::move(uidl)), folder_(folder), unique_(maildir::unique_name()) {
        temp_path_ = folder_ + "/tmp/" + unique_;
        fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) fail_storage("create", temp_path_, errno);
        buffer_.reserve(write_buffer_size);
    }

    ~MaildirMessage() override {
        if (fd_ >= 0) ::close(fd_);
        if (!linked_) ::unlink(temp_path_.c_str());
    }

    void write(std::string_view chunk) override {
        size_ += chunk.size();
        converter_.convert(chunk, buffer_);
        if (buffer_.size() >= write_buffer_size) flush();
    }

    void finish() override {
        converter_.finish(buffer_);
        flush();
        // start the write-back now, while the next messages arrive; sync() waits for it later
        ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
        // Dovecot-style size fields: S= the file size, W= the size with CRLF line ends
        final_name_ = unique_ + ",S=" + std::to_string(file_size_) + ",W=" + std::to_string(size_);
    }

    /// Makes the file's bytes durable and closes it.
    void sync() {
        if (::fsync(fd_) != 0) fail_storage("sync", temp_path_, errno);
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail_storage("write", temp_path_, errno);
    }

    /// The path the message will have in new/.
    std::string final_path() const { return folder_ + "/new/" + final_name_; }

    /// Links the file into new/ (link() never replaces an existing file) and removes it from tmp/.
    void link() {
        const std::string target = final_path();
        if (::link(temp_path_.c_str(), target.c_str()) != 0) fail_storage("deliver to", target, errno);
        linked_ = true;
        ::unlink(temp_path_.c_str());
    }

private:
    void flush() {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail_storage("write", temp_path_, errno);
            }
            done += static_cast<std::size_t>(n);
        }
        file_size_ += buffer_.size();
        buffer_.clear();
    }

    std::string folder_, unique_, temp_path_, final_name_, buffer_;
    maildir::LineEndConverter converter_;
    std::uint64_t file_size_ = 0;
    int fd_ = -1;
    bool linked_ = false;
};

class MaildirTarget final : public Target {
public:
    explicit MaildirTarget(std::string folder) : folder_(std::move(folder)) {
        maildir::Folder folder_dirs(folder_);
        if (!folder_dirs.exists()) folder_dirs.create();
        folder_dirs.clean_tmp();  // files a killed run left in tmp/ (after 36 hours)
    }

    std::unique_ptr<IncomingMessage> open(const std::string& uidl) override {
        return std::make_unique<MaildirMessage>(folder_, uidl);
    }

    void commit(std::vector<std::unique_ptr<IncomingMessage>>& batch, Ledger& ledger) override {
        if (batch.empty()) return;
        std::vector<MaildirMessage*> messages;
        messages.reserve(batch.size());
        for (auto& message : batch) {
            auto* m = static_cast<MaildirMessage*>(message.get());
            ledger.pending(m->uidl(), "maildir " + m->final_path());
            messages.push_back(m);
        }
        // the files and the pending records, durable together
        std::vector<std::function<void()>> jobs;
        jobs.reserve(messages.size() + 1);
        jobs.push_back([&ledger] { ledger.sync(); });
        for (MaildirMessage* m : messages) jobs.push_back([m] { m->sync(); });
        run_in_parallel(jobs);
        // now visible: link all, then one sync of new/
        try {
            for (MaildirMessage* m : messages) m->link();
            util::fsync_parent_directory(messages.front()->final_path());
        } catch (...) {
            // Linked files may or may not survive a crash now: their durable pending records
            // settle it on the next run, so nothing is recorded delivered here.
            batch.clear();
            throw;
        }
        for (MaildirMessage* m : messages) ledger.delivered(m->uidl());
        batch.clear();
    }

    std::string describe() const override { return "Maildir '" + folder_ + "'"; }

private:
    std::string folder_;
};

/// Whether `path` exists; an error other than "not there" is thrown, never taken as "no".
bool exists(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    fail_storage("look for", path, errno);
}

}  // namespace

std::unique_ptr<Target> make_maildir_target(std::string folder) {
    return std::make_unique<MaildirTarget>(std::move(folder));
}

bool maildir_pending_was_delivered(const std::string& path) {
    if (exists(path)) return true;
    // a mail reader may have moved it to cur/ since, adding ":2,FLAGS"
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash < 4 || path.compare(slash - 4, 4, "/new") != 0) return false;
    const std::string folder = path.substr(0, slash - 4);
    const std::string name = path.substr(slash + 1);
    if (exists(folder + "/cur/" + name)) return true;
    DIR* dir = ::opendir((folder + "/cur").c_str());
    if (!dir) {
        if (errno == ENOENT) return false;
        fail_storage("read directory", folder + "/cur", errno);
    }
    bool found = false;
    while (struct dirent* entry = ::readdir(dir)) {
        std::string_view candidate(entry->d_name);
        if (candidate.size() > name.size() && candidate.substr(0, name.size()) == name &&
            candidate[name.size()] == ':') {
            found = true;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

}  // namespace zmail::fetch
