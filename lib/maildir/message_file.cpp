#include "maildir/message_file.hpp"

#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace zmail::maildir {

namespace {

constexpr std::size_t write_buffer_size = 64 * 1024;
constexpr std::size_t max_sync_threads = 16;

/// Runs the jobs on up to max_sync_threads threads (the caller's included) and rethrows the first
/// exception once all have finished.
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

}  // namespace

MessageFile::MessageFile(std::string folder, StorageHints hints, bool convert_line_ends)
    : folder_(std::move(folder)), unique_(unique_name()), hints_(std::move(hints)), convert_(convert_line_ends) {
    temp_path_ = folder_ + "/tmp/" + unique_;
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) throw_storage_error(N_("create"), temp_path_, errno, hints_);
    buffer_.reserve(write_buffer_size);
}

MessageFile::MessageFile(MessageFile&& other) noexcept
    : folder_(std::move(other.folder_)), unique_(std::move(other.unique_)), temp_path_(std::move(other.temp_path_)),
      buffer_(std::move(other.buffer_)), hints_(std::move(other.hints_)), converter_(other.converter_),
      size_(other.size_), fd_(other.fd_), convert_(other.convert_), finished_(other.finished_),
      synced_(other.synced_), linked_(other.linked_) {
    other.fd_ = -1;
    other.linked_ = true;  // the moved-from object must not remove the file
}

MessageFile::~MessageFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!linked_) ::unlink(temp_path_.c_str());
}

void MessageFile::flush() {
    util::write_all(fd_, buffer_, N_("write"), temp_path_, hints_);
    buffer_.clear();
}

void MessageFile::write(std::string_view bytes) {
    const std::size_t before = buffer_.size();
    if (convert_) converter_.convert(bytes, buffer_);
    else buffer_.append(bytes);
    size_ += buffer_.size() - before;
    if (buffer_.size() >= write_buffer_size) flush();
}

void MessageFile::finish(std::time_t date) {
    if (finished_) return;
    const std::size_t before = buffer_.size();
    if (convert_) converter_.finish(buffer_);
    size_ += buffer_.size() - before;
    flush();
    // a finished file may wait for its batch's fsync and link (the sync store holds a folder's
    // downloads until commit_appends()): it keeps no write buffer meanwhile
    std::string().swap(buffer_);
    if (date > 0) {
        const struct timespec times[2] = {{date, 0}, {date, 0}};
        ::futimens(fd_, times);  // the date is a convenience; failing to set it loses nothing
    }
    // start the write-back now, while the next messages arrive; sync() waits for it later
    ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
    finished_ = true;
}

void MessageFile::sync() {
    if (synced_) return;
    finish();
    if (::fsync(fd_) != 0) throw_storage_error(N_("sync"), temp_path_, errno, hints_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_storage_error(N_("write"), temp_path_, errno, hints_);
    synced_ = true;
}

Entry MessageFile::entry(std::string_view name_suffix, std::string_view flags, bool to_cur) const {
    Entry e;
    e.unique = unique_ + std::string(name_suffix);
    e.flags = normalize_flags(flags);
    e.subdir = (to_cur || !e.flags.empty()) ? "cur" : "new";
    e.filename = e.unique + (e.subdir == "cur" ? ":2," + e.flags : "");
    return e;
}

void MessageFile::link(const Entry& entry) {
    sync();
    const std::string target = folder_ + "/" + entry.path();
    // link() refuses to replace an existing file, so a name clash can never overwrite mail
    if (::link(temp_path_.c_str(), target.c_str()) != 0) throw_storage_error(N_("deliver to"), target, errno, hints_);
    linked_ = true;
    ::unlink(temp_path_.c_str());
}

Entry MessageFile::deliver(std::string_view name_suffix, std::string_view flags, bool to_cur) {
    Entry e = entry(name_suffix, flags, to_cur);
    link(e);
    util::fsync_directory(folder_ + "/" + e.subdir, hints_);
    return e;
}

void sync_together(const std::vector<MessageFile*>& files, const std::function<void()>& also) {
    std::vector<std::function<void()>> jobs;
    jobs.reserve(files.size() + 1);
    if (also) jobs.push_back(also);
    for (MessageFile* file : files) jobs.push_back([file] { file->sync(); });
    run_in_parallel(jobs);
}

}  // namespace zmail::maildir
