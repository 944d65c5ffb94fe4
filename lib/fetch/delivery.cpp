#include "fetch/delivery.hpp"

#include "fetch/spool.hpp"
#include "i18n.hpp"
#include "maildir/maildir.hpp"
#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <unistd.h>

namespace zmail::fetch {

namespace {

constexpr std::size_t spool_buffer_size = 64 * 1024;

}  // namespace

const StorageHints& storage_hints() {
    // built on first use, after main has chosen the language
    static const StorageHints hints{tr("free some disk space and fetch again; nothing was removed from the server"),
                                    tr("nothing was removed from the server")};
    return hints;
}

std::string DeliverySpec::describe() const {
    switch (kind) {
    case Kind::maildir: return "maildir:" + folder;
    case Kind::mbox: return "mbox:" + path;
    case Kind::mda: return "mda:" + command;
    }
    return "maildir";
}

DeliverySpec parse_delivery(std::string_view text, const std::string& setting_name) {
    DeliverySpec spec;
    const std::size_t colon = text.find(':');
    const std::string_view kind = text.substr(0, colon);
    const std::string value = colon == std::string_view::npos ? std::string() : std::string(text.substr(colon + 1));
    auto bad = [&](const std::string& why) {
        // TRANSLATORS: an option or setting (--deliver, fetch.delivery), its value, then what is wrong with it
        return Error(ErrorKind::Usage, tr("invalid {} '{}': {}", setting_name, text, why),
                     tr("use maildir, maildir:FOLDER, mbox:PATH or mda:COMMAND"));
    };
    if (text.find_first_of("\r\n") != std::string_view::npos) throw bad(tr("it contains a line break"));
    if (kind == "maildir") {
        spec.kind = DeliverySpec::Kind::maildir;
        if (colon != std::string_view::npos) {
            if (value.empty()) throw bad(tr("the folder is empty"));
            spec.folder = value;
        }
    } else if (kind == "mbox") {
        spec.kind = DeliverySpec::Kind::mbox;
        if (value.empty()) throw bad(tr("the mbox path is missing"));
        spec.path = util::expand_home(value);
    } else if (kind == "mda") {
        spec.kind = DeliverySpec::Kind::mda;
        if (value.find_first_not_of(" \t") == std::string::npos) throw bad(tr("the command is missing"));
        spec.command = value;
    } else {
        throw bad(tr("unknown kind '{}'", kind));
    }
    return spec;
}

std::unique_ptr<Target> make_target(const DeliverySpec& spec, const TargetSettings& settings) {
    switch (spec.kind) {
    case DeliverySpec::Kind::maildir:
        return make_maildir_target(maildir::folder_path(settings.maildir_root, spec.folder, settings.layout));
    case DeliverySpec::Kind::mbox:
        util::make_directories(settings.spool_dir);
        return make_mbox_target(spec.path, settings.spool_dir, settings.lock_wait_seconds);
    case DeliverySpec::Kind::mda:
        util::make_directories(settings.spool_dir);
        return make_mda_target(spec.command, settings.account, settings.recipient, settings.spool_dir);
    }
    throw Error(ErrorKind::Internal, tr("unknown delivery kind"));
}

bool pending_was_delivered(const std::string& detail, bool repair, int lock_wait_seconds,
                           const std::string& spool_dir) {
    if (detail.rfind("maildir ", 0) == 0) return maildir_pending_was_delivered(detail.substr(8));
    if (detail.rfind("mbox ", 0) == 0) return mbox_pending_was_delivered(detail.substr(5), repair, lock_wait_seconds, spool_dir);
    throw Error(ErrorKind::Config, tr("unknown pending delivery record '{}' in the fetch state", detail.substr(0, 80)),
                tr("it was written by a newer zmail or changed by hand"));
}

// ---------------------------------------------------------------- SpoolFile

SpoolFile::SpoolFile(const std::string& directory, bool named) : directory_(directory) {
    std::string pattern = directory + "/spool-XXXXXX";
    fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd_ < 0) throw_storage_error(N_("create a temporary file in"), directory, errno, storage_hints());
    if (named)
        path_ = pattern;
    else
        ::unlink(pattern.c_str());
    buffer_.reserve(spool_buffer_size);
}

SpoolFile::~SpoolFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
    if (fd_ >= 0) ::close(fd_);
}

void SpoolFile::rename(const std::string& path) {
    if (path_.empty() || path == path_) return;
    if (::rename(path_.c_str(), path.c_str()) != 0)
        throw_storage_error(N_("rename a temporary file in"), directory_, errno, storage_hints());
    path_ = path;
}

void remove_spool_leftovers(const std::string& spool_dir) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(spool_dir, error)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("spool-", 0) == 0 || name.rfind("mbox-", 0) == 0) ::unlink(entry.path().c_str());
    }
}

void SpoolFile::append(std::string_view bytes) {
    buffer_.append(bytes);
    size_ += bytes.size();
    if (buffer_.size() >= spool_buffer_size) flush();
}

void SpoolFile::flush() {
    util::write_all(fd_, buffer_, N_("write a temporary file in"), directory_, storage_hints());
    buffer_.clear();
}

std::size_t SpoolFile::read_at(std::uint64_t offset, char* buffer, std::size_t size) const {
    for (;;) {
        const ssize_t n = ::pread(fd_, buffer, size, static_cast<off_t>(offset));
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw_storage_error(N_("read a temporary file in"), directory_, errno, storage_hints());
    }
}

}  // namespace zmail::fetch
