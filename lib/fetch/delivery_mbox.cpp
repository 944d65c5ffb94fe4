// Delivery into an mbox file (mboxrd). Each message is spooled in its final form first, so its
// length and SHA-256 are known; then, under the mbox lock, the pending records with offset,
// length and hash are synced, the batch is appended and the mbox synced. A failed append is cut
// off again, so the mbox never keeps half a message; a killed one is cut by the next run's
// recovery when the spool copy (kept under the region's offset and hash) proves the tail ours.
#include "fetch/mbox.hpp"
#include "fetch/spool.hpp"
#include "i18n.hpp"
#include "util/sha256.hpp"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace zmail::fetch {

namespace {

constexpr std::size_t copy_buffer_size = 64 * 1024;

void write_all_at(int fd, const char* data, std::size_t size, std::uint64_t offset, const std::string& path) {
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_storage_error(N_("append to mbox"), path, errno, storage_hints());
        }
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

std::size_t read_at(int fd, char* buffer, std::size_t size, std::uint64_t offset, const std::string& path) {
    for (;;) {
        const ssize_t n = ::pread(fd, buffer, size, static_cast<off_t>(offset));
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno != EINTR) throw_storage_error(N_("read mbox"), path, errno, storage_hints());
    }
}

class MboxMessage final : public IncomingMessage {
public:
    MboxMessage(const std::string& spool_dir, std::string uidl) : IncomingMessage(std::move(uidl)), spool_(spool_dir, true) {
        put(mbox_from_line(std::time(nullptr)));
    }

    void write(std::string_view chunk) override {
        size_ += chunk.size();
        encoded_.clear();
        encoder_.encode(chunk, encoded_);
        put(encoded_);
    }

    void finish() override {
        encoded_.clear();
        encoder_.finish(encoded_);
        put(encoded_);
        spool_.flush();
        digest_ = hash_.hex();
    }

    const SpoolFile& spool() const { return spool_; }
    SpoolFile& spool() { return spool_; }
    const std::string& digest() const { return digest_; }

private:
    void put(std::string_view bytes) {
        hash_.update(bytes);
        spool_.append(bytes);
    }

    SpoolFile spool_;
    MboxrdEncoder encoder_;
    util::Sha256 hash_;
    std::string encoded_, digest_;
};

class MboxTarget final : public Target {
public:
    MboxTarget(std::string path, std::string spool_dir, int lock_wait_seconds)
        : path_(std::move(path)), spool_dir_(std::move(spool_dir)), lock_wait_seconds_(lock_wait_seconds) {}

    std::unique_ptr<IncomingMessage> open(const std::string& uidl) override {
        return std::make_unique<MboxMessage>(spool_dir_, uidl);
    }

    void commit(std::vector<std::unique_ptr<IncomingMessage>>& batch, Ledger& ledger) override {
        if (batch.empty()) return;
        MboxLock lock(path_, lock_wait_seconds_);
        const int fd = lock.fd();
        struct stat st {};
        if (::fstat(fd, &st) != 0) throw_storage_error(N_("read mbox"), path_, errno, storage_hints());
        const auto old_size = static_cast<std::uint64_t>(st.st_size);
        const std::string separator = separator_before_append(fd, old_size);

        std::uint64_t offset = old_size + separator.size();
        for (auto& message : batch) {
            auto* m = static_cast<MboxMessage*>(message.get());
            m->spool().rename(mbox_spool_name(spool_dir_, offset, m->digest()));  // recovery's proof
            ledger.pending(m->uidl(), "mbox " + std::to_string(offset) + " " + std::to_string(m->spool().size()) +
                                          " " + m->digest() + " " + path_);
            offset += m->spool().size();
        }
        ledger.sync();
        try {
            write_all_at(fd, separator.data(), separator.size(), old_size, path_);
            offset = old_size + separator.size();
            std::vector<char> buffer(copy_buffer_size);
            for (auto& message : batch) {
                const SpoolFile& spool = static_cast<MboxMessage*>(message.get())->spool();
                for (std::uint64_t done = 0; done < spool.size();) {
                    const std::size_t n = spool.read_at(done, buffer.data(), buffer.size());
                    if (n == 0)
                        throw Error(ErrorKind::Storage, tr("temporary copy of a message is shorter than written"));
                    write_all_at(fd, buffer.data(), n, offset, path_);
                    done += n;
                    offset += n;
                }
            }
            if (::fsync(fd) != 0) throw_storage_error(N_("sync mbox"), path_, errno, storage_hints());
        } catch (...) {
            // never leave part of a message behind
            if (::ftruncate(fd, static_cast<off_t>(old_size)) == 0) ::fsync(fd);
            batch.clear();
            throw;
        }
        for (auto& message : batch) ledger.delivered(message->uidl());
        batch.clear();
    }

    std::string describe() const override { return "mbox '" + path_ + "'"; }

private:
    /// What to write first so the new message starts after a blank line: a file must be empty or
    /// end with "\n\n" (another program may have left it otherwise).
    std::string separator_before_append(int fd, std::uint64_t size) const {
        if (size == 0) return {};
        char tail[2] = {0, 0};
        const std::size_t want = size >= 2 ? 2 : 1;
        if (read_at(fd, tail, want, size - want, path_) != want)
            throw_storage_error(N_("read mbox"), path_, EIO, storage_hints());
        const char last = tail[want - 1];
        if (last != '\n') return "\n\n";
        if (want == 2 && tail[0] != '\n') return "\n";
        return {};
    }

    std::string path_, spool_dir_;
    int lock_wait_seconds_;
};

bool region_matches(int fd, std::uint64_t offset, std::uint64_t length, const std::string& digest,
                    const std::string& path) {
    util::Sha256 hash;
    std::vector<char> buffer(copy_buffer_size);
    for (std::uint64_t done = 0; done < length;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
        const std::size_t n = read_at(fd, buffer.data(), want, offset + done, path);
        if (n == 0) return false;
        hash.update(std::string_view(buffer.data(), n));
        done += n;
    }
    return hash.hex() == digest;
}

/// Whether the mbox bytes from `offset` to its end are the start of the spool copy.
bool tail_is_prefix_of(int fd, std::uint64_t offset, std::uint64_t size, int spool_fd, const std::string& path) {
    std::vector<char> ours(copy_buffer_size), theirs(copy_buffer_size);
    for (std::uint64_t done = 0; offset + done < size;) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(ours.size(), size - offset - done));
        const ssize_t n = ::pread(spool_fd, ours.data(), want, static_cast<off_t>(done));
        if (n <= 0 || read_at(fd, theirs.data(), static_cast<std::size_t>(n), offset + done, path) !=
                          static_cast<std::size_t>(n))
            return false;
        if (std::memcmp(ours.data(), theirs.data(), static_cast<std::size_t>(n)) != 0) return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}

/// Truncates the mbox back to `offset` when, under its lock, it still ends inside the region
/// [offset, offset + length) and the bytes there begin the spool copy `spool_path` left by the
/// killed run. Without the copy (or when anything differs) nothing is cut.
void cut_own_fragment(const std::string& path, std::uint64_t offset, std::uint64_t length,
                      const std::string& spool_path, int lock_wait_seconds) {
    const int spool_fd = ::open(spool_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (spool_fd < 0) return;  // no proof
    struct stat spool_st {};
    const bool whole = ::fstat(spool_fd, &spool_st) == 0 && static_cast<std::uint64_t>(spool_st.st_size) == length;
    try {
        if (whole) {
            MboxLock lock(path, lock_wait_seconds);
            struct stat st {};
            if (::fstat(lock.fd(), &st) != 0) throw_storage_error(N_("read mbox"), path, errno, storage_hints());
            const auto size = static_cast<std::uint64_t>(st.st_size);
            if (size > offset && size < offset + length && tail_is_prefix_of(lock.fd(), offset, size, spool_fd, path)) {
                if (::ftruncate(lock.fd(), static_cast<off_t>(offset)) != 0 || ::fsync(lock.fd()) != 0)
                    throw_storage_error(N_("truncate mbox"), path, errno, storage_hints());
            }
        }
    } catch (...) {
        ::close(spool_fd);
        throw;
    }
    ::close(spool_fd);
}

}  // namespace

std::unique_ptr<Target> make_mbox_target(std::string path, std::string spool_dir, int lock_wait_seconds) {
    return std::make_unique<MboxTarget>(std::move(path), std::move(spool_dir), lock_wait_seconds);
}

bool mbox_pending_was_delivered(const std::string& detail, bool repair, int lock_wait_seconds,
                                const std::string& spool_dir) {
    std::uint64_t offset = 0, length = 0;
    char digest[65] = {};
    int path_start = 0;
    if (std::sscanf(detail.c_str(), "%" SCNu64 " %" SCNu64 " %64[0-9a-f] %n", &offset, &length, digest, &path_start) != 3 ||
        path_start == 0 || static_cast<std::size_t>(path_start) >= detail.size())
        throw Error(ErrorKind::Config, tr("bad pending mbox record '{}' in the fetch state", detail.substr(0, 80)),
                    tr("it was changed by hand or by another program"));
    const std::string path = detail.substr(static_cast<std::size_t>(path_start));
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return false;
        throw_storage_error(N_("read mbox"), path, errno, storage_hints());
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int error = errno;
        ::close(fd);
        throw_storage_error(N_("read mbox"), path, error, storage_hints());
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    bool delivered = false;
    try {
        delivered = size >= offset + length && region_matches(fd, offset, length, digest, path);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    // Not there whole: fetched again. Where the file ends inside the region (a run killed while
    // appending), the bytes from `offset` are cut only when they are provably the killed run's:
    // another fetch, procmail or the MTA may have appended after its lock was taken over.
    // Otherwise the fragment stays; the next append starts on a line of its own after it.
    if (!delivered && repair && size > offset && size < offset + length && !spool_dir.empty())
        cut_own_fragment(path, offset, length, mbox_spool_name(spool_dir, offset, digest), lock_wait_seconds);
    return delivered;
}

std::string mbox_spool_name(const std::string& spool_dir, std::uint64_t offset, const std::string& digest) {
    return spool_dir + "/mbox-" + std::to_string(offset) + "-" + digest;
}

}  // namespace zmail::fetch
