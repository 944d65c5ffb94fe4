// MaildirStore's reading side: message identities and bodies in network form (CRLF line ends).
#include "store/maildir_store.hpp"
#include "store/maildir_store_internal.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::store {

namespace {

constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t max_identity_header = 256 * 1024;

// Counts the bytes a message has with CRLF line ends: every LF not preceded by CR gains one.
struct WireCounter {
    std::uint64_t size = 0;
    bool last_cr = false;
    void add(std::string_view bytes) {
        for (char c : bytes) {
            if (c == '\n' && !last_cr) ++size;
            last_cr = c == '\r';
            ++size;
        }
    }
};

// Converts bare LF to CRLF while streaming.
struct CrlfConverter {
    bool last_cr = false;
    void convert(std::string_view bytes, std::string& out) {
        out.clear();
        for (char c : bytes) {
            if (c == '\n' && !last_cr) out += '\r';
            last_cr = c == '\r';
            out += c;
        }
    }
};

}  // namespace

/// One message file of the selected folder, open for reading in chunks.
class MessageReader {
public:
    MessageReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~MessageReader() { ::close(fd_); }
    MessageReader(const MessageReader&) = delete;
    MessageReader& operator=(const MessageReader&) = delete;
    const std::string& path() const { return path_; }
    /// Reads the next chunk into `buffer`; false at the end.
    bool read(std::string& buffer) {
        buffer.resize(chunk_size);
        while (true) {
            const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_storage_error(N_("read"), path_, errno, maildir_store_hints());
            buffer.resize(static_cast<size_t>(n));
            return n > 0;
        }
    }
    void rewind() {
        if (::lseek(fd_, 0, SEEK_SET) != 0) throw_storage_error(N_("read"), path_, errno, maildir_store_hints());
    }
    std::time_t modification_time() const {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) throw_storage_error(N_("read"), path_, errno, maildir_store_hints());
        return st.st_mtime;
    }

private:
    int fd_;
    std::string path_;
};

std::unique_ptr<MessageReader> MaildirStore::open_message(std::uint32_t uid) {
    const maildir::Entry* e = find(uid);
    if (!e) return nullptr;
    std::string path = path_ + "/" + e->path();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return nullptr;  // removed since find() saw it
        throw_storage_error(N_("open"), path, errno, maildir_store_hints());
    }
    return std::make_unique<MessageReader>(fd, std::move(path));
}

std::vector<MessageIdentity> MaildirStore::identities(const std::vector<std::uint32_t>& uids) {
    require_selected();
    std::vector<MessageIdentity> out;
    std::string buffer;
    for (auto uid : uids) {
        const std::unique_ptr<MessageReader> file = open_message(uid);
        if (!file) continue;
        std::string header;
        bool header_done = false;
        WireCounter counter;
        while (file->read(buffer)) {
            counter.add(buffer);
            if (header_done) continue;
            size_t before = header.size();
            header += buffer;
            // header_hash() stops at the first empty line; read no further than that
            size_t from = before >= 2 ? before - 2 : 0;
            if (header.find("\n\n", from) != std::string::npos || header.find("\n\r\n", from) != std::string::npos ||
                header.starts_with("\n") || header.starts_with("\r\n") || header.size() > max_identity_header)
                header_done = true;
        }
        out.push_back({uid, header_hash(header), counter.size});
    }
    return out;
}

std::vector<MessageIdentity> MaildirStore::identities_from(std::uint32_t min_uid) {
    require_selected();
    std::vector<std::uint32_t> uids;
    for (const auto& [uid, e] : index_)
        if (uid >= min_uid) uids.push_back(uid);
    std::sort(uids.begin(), uids.end());
    return identities(uids);
}

void MaildirStore::fetch(const std::vector<std::uint32_t>& uids, const BodyReceiver& receiver) {
    require_selected();
    std::string buffer, converted;
    for (auto uid : uids) {
        const std::unique_ptr<MessageReader> file = open_message(uid);
        if (!file) continue;
        const std::time_t modified = file->modification_time();
        WireCounter counter;
        while (file->read(buffer)) counter.add(buffer);
        file->rewind();
        receiver.begin(uid, counter.size, modified);
        CrlfConverter converter;
        std::uint64_t sent = 0;
        while (file->read(buffer)) {
            converter.convert(buffer, converted);
            sent += converted.size();
            if (sent > counter.size) break;
            receiver.data(converted);
        }
        if (sent != counter.size)
            throw Error(ErrorKind::Storage, tr("message file '{}' changed while it was being read", file->path()),
                        tr("run the sync again"));
        receiver.end(uid, modified);
    }
}

}  // namespace zmail::store
