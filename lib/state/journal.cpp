#include "state/journal.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::state {

namespace {

/// The hints of a state file error: losing the state loses no mail.
constexpr const char* journal_suffix = ".journal";

const StorageHints& state_hints() {
    static const StorageHints hints{tr("free some disk space and run again; nothing was lost"), ""};
    return hints;
}

void split_lines(const std::string& text, bool drop_torn_tail, std::vector<std::string>& out) {
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            if (!drop_torn_tail) out.push_back(text.substr(start));
            return;
        }
        if (nl > start) out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
}

}  // namespace

Journal::Journal(std::string path, std::string header)
    : path_(std::move(path)), journal_path_(path_ + journal_suffix), header_(std::move(header)) {}

std::vector<std::string> Journal::peek(const std::string& path, const std::string& header) {
    return peek_lines(path, header, false);
}

std::vector<std::string> Journal::peek_first(const std::string& path, const std::string& header) {
    return peek_lines(path, header, true);
}

std::vector<std::string> Journal::peek_lines(const std::string& path, const std::string& header, bool first_only) {
    std::vector<std::string> lines;
    std::string line;
    std::ifstream snapshot(path);
    if (std::getline(snapshot, line) && line == header)
        while (std::getline(snapshot, line)) {
            if (line.empty()) continue;
            lines.push_back(line);
            if (first_only) break;
        }
    std::ifstream journal(path + journal_suffix);
    while (std::getline(journal, line))
        if (!line.empty() && !journal.eof()) lines.push_back(line);  // a torn last line does not count
    return lines;
}

bool Journal::exists() const {
    struct stat st {};
    return ::stat(path_.c_str(), &st) == 0 || ::stat(journal_path_.c_str(), &st) == 0;
}

void Journal::remove() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    buffer_.clear();
    bool removed = false;
    for (const std::string* file : {&path_, &journal_path_}) {
        if (::unlink(file->c_str()) == 0) removed = true;
        else if (errno != ENOENT) throw_storage_error(N_("remove state file"), *file, errno, state_hints());
    }
    if (removed) util::fsync_parent_directory(path_, state_hints());
    journal_lines_ = 0;
}

Journal::~Journal() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> Journal::load() {
    std::vector<std::string> lines;
    std::string text;
    if (util::read_file(path_, text, true)) {
        split_lines(text, false, lines);
        if (lines.empty() || lines.front() != header_)
            throw Error(ErrorKind::Config, tr("state file '{}' is not in the expected format", path_),
                        tr("it was written by another program or a newer zmail; move it away to start afresh"));
        lines.erase(lines.begin());
    }
    std::string journal;
    if (util::read_file(journal_path_, journal, true)) {
        std::vector<std::string> entries;
        split_lines(journal, true, entries);
        journal_lines_ = entries.size();
        lines.insert(lines.end(), entries.begin(), entries.end());
        // a torn tail must not glue itself to the next appended line
        if (!journal.empty() && journal.back() != '\n') {
            size_t keep = journal.rfind('\n');
            if (::truncate(journal_path_.c_str(), keep == std::string::npos ? 0 : static_cast<off_t>(keep + 1)) != 0)
                throw_storage_error(N_("repair state file"), journal_path_, errno, state_hints());
        }
    }
    return lines;
}

void Journal::open_journal() {
    if (fd_ >= 0) return;
    util::make_directories(util::parent_directory(journal_path_));
    fd_ = ::open(journal_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) throw_storage_error(N_("open state file"), journal_path_, errno, state_hints());
    // the journal's directory entry must be durable before anything relies on its contents
    util::fsync_parent_directory(journal_path_, state_hints());
}

void Journal::append(std::string_view line) {
    buffer_.append(line);
    buffer_ += '\n';
    ++journal_lines_;
}

void Journal::sync() {
    if (buffer_.empty()) return;
    open_journal();
    try {
        util::write_all(fd_, buffer_, N_("write state file"), journal_path_, state_hints());
    } catch (const Error&) {
        // cut a partial write so the journal ends on a whole line
        buffer_.clear();
        throw;
    }
    buffer_.clear();
    if (::fdatasync(fd_) != 0) throw_storage_error(N_("sync state file"), journal_path_, errno, state_hints());
}

void Journal::compact(const std::vector<std::string>& lines) {
    sync();
    std::string text = header_ + "\n";
    for (const auto& l : lines) {
        text += l;
        text += '\n';
    }
    util::write_file_atomically(path_, text, 0600);
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
    if (::unlink(journal_path_.c_str()) != 0 && errno != ENOENT)
        throw_storage_error(N_("remove state file"), journal_path_, errno, state_hints());
    util::fsync_parent_directory(journal_path_, state_hints());
    journal_lines_ = 0;
}

}  // namespace zmail::state
