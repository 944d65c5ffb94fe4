#include "store/maildir_store.hpp"

#include "error.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::store {

namespace {

constexpr const char* uid_file_name = ".zmail-uidvalidity";
constexpr const char* uid_file_header = "zmail-uidvalidity 1";
constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t max_identity_header = 256 * 1024;
constexpr std::uint32_t uid_reserve = 128;

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
    bool full = error == ENOSPC || error == EDQUOT;
    throw Error(full ? ErrorKind::Temporary : ErrorKind::Storage,
                "cannot " + what + " '" + path + "': " + std::strerror(error),
                full ? "free some disk space and run the sync again; nothing was lost" : "");
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void fsync_directory(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open directory", dir, errno);
    int rc = ::fsync(fd);
    int error = errno;
    ::close(fd);
    if (rc != 0 && error != EINVAL) fail("sync directory", dir, error);
}

std::vector<std::string> subdirectories(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return names;
    while (struct dirent* de = ::readdir(d)) {
        std::string name = de->d_name;
        if (name == "." || name == "..") continue;
        if (is_directory(dir + "/" + name)) names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

bool parse_uint32(std::string_view text, std::uint32_t& out) {
    if (text.empty()) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// Letters in `info` that are not the five standard flags (keywords a-z, P for passed, ...).
std::string other_letters(std::string_view info) {
    std::string out;
    for (char c : info)
        if (std::string_view("DFRST").find(c) == std::string_view::npos) out += c;
    return out;
}

class File {
public:
    explicit File(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), error_(errno) {}
    ~File() {
        if (fd_ >= 0) ::close(fd_);
    }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    bool open() const { return fd_ >= 0; }
    int error() const { return error_; }
    int fd() const { return fd_; }
    // Reads the next chunk into `buffer`; false at the end.
    bool read(std::string& buffer, const std::string& path) {
        buffer.resize(chunk_size);
        while (true) {
            ssize_t n = ::read(fd_, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("read", path, errno);
            buffer.resize(static_cast<size_t>(n));
            return n > 0;
        }
    }
    void rewind(const std::string& path) {
        if (::lseek(fd_, 0, SEEK_SET) != 0) fail("read", path, errno);
    }

private:
    int fd_;
    int error_;
};

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

std::optional<UidTag> parse_uid_tag(std::string_view unique) {
    auto u = unique.rfind(",U=");
    if (u == std::string_view::npos) return std::nullopt;
    auto v = unique.rfind(",V=", u);
    if (v == std::string_view::npos || v + 3 > u) return std::nullopt;
    UidTag tag;
    if (!parse_uint32(unique.substr(v + 3, u - v - 3), tag.uid_validity)) return std::nullopt;
    if (!parse_uint32(unique.substr(u + 3), tag.uid)) return std::nullopt;
    if (tag.uid == 0 || tag.uid_validity == 0) return std::nullopt;
    return tag;
}

std::string strip_uid_tag(std::string_view unique) {
    auto u = unique.rfind(",U=");
    std::uint32_t number = 0;
    if (u == std::string_view::npos || !parse_uint32(unique.substr(u + 3), number)) return std::string(unique);
    unique = unique.substr(0, u);
    auto v = unique.rfind(",V=");
    if (v != std::string_view::npos && parse_uint32(unique.substr(v + 3), number)) unique = unique.substr(0, v);
    return std::string(unique);
}

std::string format_uid_tag(UidTag tag) {
    return ",V=" + std::to_string(tag.uid_validity) + ",U=" + std::to_string(tag.uid);
}

/// A message being written into tmp/ of the selected folder.
class MaildirAppendWriter : public AppendWriter {
public:
    explicit MaildirAppendWriter(MaildirStore& store) : store_(store), unique_(maildir::unique_name()) {
        temp_path_ = store_.path_ + "/tmp/" + unique_;
        fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd_ < 0) fail("create", temp_path_, errno);
    }
    ~MaildirAppendWriter() override {
        if (fd_ >= 0) ::close(fd_);
        if (!finished_) ::unlink(temp_path_.c_str());
    }

    void write(std::string_view bytes) override {
        converter_.convert(bytes, buffer_);
        if (buffer_.size() >= 256 * 1024) flush();
    }

    std::uint32_t finish(Flags flags, std::time_t date) override {
        converter_.finish(buffer_);
        flush();
        if (date > 0) {
            struct timespec times[2] = {{date, 0}, {date, 0}};
            ::futimens(fd_, times);  // the date is a convenience; failing to set it loses nothing
        }
        if (::fsync(fd_) != 0) fail("sync", temp_path_, errno);
        int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0) fail("write", temp_path_, errno);

        std::uint32_t uid = store_.allocate_uids(1);
        maildir::Entry e;
        e.unique = unique_ + format_uid_tag({store_.uid_validity_, uid});
        e.flags = maildir_flags(flags);
        e.subdir = e.flags.empty() ? "new" : "cur";
        e.filename = e.unique + (e.subdir == "cur" ? ":2," + e.flags : "");
        store_.staged_.push_back({temp_path_, e, uid});
        finished_ = true;
        return uid;
    }

private:
    void flush() {
        size_t done = 0;
        while (done < buffer_.size()) {
            ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("write", temp_path_, errno);
            done += static_cast<size_t>(n);
        }
        buffer_.clear();
    }

    MaildirStore& store_;
    std::string unique_, temp_path_, buffer_;
    int fd_ = -1;
    bool finished_ = false;
    maildir::LineEndConverter converter_;
};

MaildirStore::MaildirStore(std::string root, MaildirOptions options)
    : root_(std::move(root)), options_(std::move(options)) {}

MaildirStore::~MaildirStore() {
    for (const auto& s : staged_) ::unlink(s.temp_path.c_str());
}

std::string MaildirStore::describe() const { return "Maildir '" + root_ + "'"; }

Capabilities MaildirStore::capabilities() const {
    Capabilities c;
    c.staged_appends = true;
    c.selective_expunge = true;
    return c;
}

std::string MaildirStore::folder_directory(const std::string& name) const {
    return maildir::folder_path(root_, name, options_.layout);
}

std::vector<FolderInfo> MaildirStore::list_folders() {
    std::vector<FolderInfo> folders;
    auto add = [&](const std::string& name) {
        try {
            folder_directory(name);  // skips names that could not be created the same way
            folders.push_back({name, true, "", std::nullopt});
        } catch (const Error&) {
        }
    };
    if (options_.layout == "maildir++") {
        if (is_directory(root_ + "/cur")) add("INBOX");
        for (const auto& dir : subdirectories(root_)) {
            if (dir.size() < 2 || dir[0] != '.' || !is_directory(root_ + "/" + dir + "/cur")) continue;
            std::string name = dir.substr(1);
            std::replace(name.begin(), name.end(), '.', '/');
            add(name);
        }
    } else {
        // depth-first walk; a directory with cur/ is a folder, and may hold subfolders
        std::vector<std::pair<std::string, int>> todo{{"", 0}};
        while (!todo.empty()) {
            auto [relative, depth] = todo.back();
            todo.pop_back();
            std::string dir = relative.empty() ? root_ : root_ + "/" + relative;
            for (const auto& name : subdirectories(dir)) {
                if (name[0] == '.' || name == "cur" || name == "new" || name == "tmp") continue;
                std::string child = relative.empty() ? name : relative + "/" + name;
                if (is_directory(root_ + "/" + child + "/cur")) add(child);
                if (depth < 32) todo.emplace_back(child, depth + 1);
            }
        }
        std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    return folders;
}

void MaildirStore::create_folder(const std::string& name) {
    if (options_.read_only) throw Error(ErrorKind::Internal, "create_folder on a read-only Maildir store");
    std::string path = folder_directory(name);
    maildir::Folder(path).create();
    if (options_.layout == "maildir++" && path != root_) {
        std::string marker = path + "/maildirfolder";
        int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) ::close(fd);
    }
    util::fsync_parent_directory(path);
}

void MaildirStore::delete_folder(const std::string& name) {
    if (options_.read_only) throw Error(ErrorKind::Internal, "delete_folder on a read-only Maildir store");
    std::string path = folder_directory(name);
    maildir::Folder folder(path);
    auto entries = folder.list();
    if (!entries.empty())
        throw Error(ErrorKind::Storage, "cannot delete folder '" + name + "': it still holds " +
                                            std::to_string(entries.size()) + " messages");
    if (DIR* d = ::opendir((path + "/tmp").c_str())) {
        while (struct dirent* de = ::readdir(d))
            if (de->d_name[0] != '.') ::unlink((path + "/tmp/" + de->d_name).c_str());
        ::closedir(d);
    }
    for (const char* sub : {"cur", "new", "tmp"})
        if (::rmdir((path + "/" + sub).c_str()) != 0 && errno != ENOENT) fail("remove", path + "/" + sub, errno);
    ::unlink((path + "/" + uid_file_name).c_str());
    ::unlink((path + "/maildirfolder").c_str());
    if (path != root_) ::rmdir(path.c_str());  // stays when it holds subfolders
    util::fsync_parent_directory(path);
    if (selected_ && folder_name_ == name) selected_ = false;
}

void MaildirStore::write_uid_file(std::uint32_t next_uid) {
    util::write_file_atomically(path_ + "/" + uid_file_name, std::string(uid_file_header) + "\n" +
                                                                 std::to_string(uid_validity_) + " " +
                                                                 std::to_string(next_uid) + "\n");
}

FolderStatus MaildirStore::select(const std::string& name) {
    std::string path = folder_directory(name);
    const maildir::Folder folder(path);
    if (!folder.exists())
        throw Error(ErrorKind::Storage, "cannot select folder '" + name + "': no Maildir at '" + path + "'");
    // a Maildir with cur but without new or tmp (created by a run of an older zmail, or another
    // program, that was killed half-way) is completed rather than failing every run
    if (!options_.read_only) folder.create();
    for (const auto& s : staged_) ::unlink(s.temp_path.c_str());
    staged_.clear();
    index_.clear();
    folder_name_ = name;
    path_ = path;
    selected_ = true;

    std::string text;
    std::string file = path_ + "/" + uid_file_name;
    bool valid = false;
    if (util::read_file(file, text, true)) {
        auto nl = text.find('\n');
        std::string_view rest = std::string_view(text).substr(nl == std::string::npos ? text.size() : nl + 1);
        auto space = rest.find(' ');
        auto end = rest.find('\n');
        if (text.substr(0, nl) == uid_file_header && space != std::string_view::npos && end != std::string_view::npos &&
            parse_uint32(rest.substr(0, space), uid_validity_) && parse_uint32(rest.substr(space + 1, end - space - 1), next_uid_) &&
            uid_validity_ != 0 && next_uid_ != 0)
            valid = true;
        if (!valid)
            throw Error(ErrorKind::Storage, "cannot read '" + file + "': it is not a zmail UID file",
                        "move it away; the next sync re-matches the folder by Message-ID without losing mail");
    }
    if (!valid) {
        std::random_device random;
        do uid_validity_ = random();
        while (uid_validity_ == 0);
        next_uid_ = 1;
        if (!options_.read_only) write_uid_file(next_uid_);
    }
    reserved_until_ = next_uid_;
    FolderStatus status;
    status.uid_validity = uid_validity_;
    status.uid_next = next_uid_;
    return status;
}

void MaildirStore::require_selected() const {
    if (!selected_) throw Error(ErrorKind::Internal, "Maildir store used without a selected folder");
}

std::uint32_t MaildirStore::allocate_uids(std::uint32_t count) {
    if (next_uid_ > 0xFFFFFFFFu - count - uid_reserve)
        throw Error(ErrorKind::Storage, "folder '" + folder_name_ + "' has used up its UIDs",
                    "move its " + std::string(uid_file_name) + " file away to renumber it");
    std::uint32_t first = next_uid_;
    if (next_uid_ + count > reserved_until_) {
        reserved_until_ = next_uid_ + count + uid_reserve;
        if (!options_.read_only) write_uid_file(reserved_until_);
    }
    next_uid_ += count;
    return first;
}

void MaildirStore::sync_directories(bool new_dir, bool cur_dir) const {
    if (options_.read_only) return;
    if (new_dir) fsync_directory(path_ + "/new");
    if (cur_dir) fsync_directory(path_ + "/cur");
}

Listing MaildirStore::list_messages(std::uint64_t) {
    require_selected();
    auto entries = maildir::Folder(path_).list();
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.filename < b.filename; });
    index_.clear();
    index_.reserve(entries.size());
    std::vector<const maildir::Entry*> untagged;
    std::uint32_t highest = 0;
    for (const auto& e : entries) {
        auto tag = parse_uid_tag(e.unique);
        if (tag && tag->uid_validity == uid_validity_ && index_.emplace(tag->uid, e).second)
            highest = std::max(highest, tag->uid);
        else
            untagged.push_back(&e);
    }
    if (highest >= next_uid_) {  // a file from a restored backup: never hand its UID out again
        next_uid_ = highest + 1;
        if (next_uid_ > reserved_until_) {
            reserved_until_ = next_uid_;
            if (!options_.read_only) write_uid_file(reserved_until_);
        }
    }
    if (!untagged.empty()) {
        std::uint32_t uid = allocate_uids(static_cast<std::uint32_t>(untagged.size()));
        bool new_dir = false, cur_dir = false;
        for (const auto* e : untagged) {
            maildir::Entry renamed = *e;
            renamed.unique = strip_uid_tag(e->unique) + format_uid_tag({uid_validity_, uid});
            renamed.filename = renamed.unique + e->filename.substr(e->unique.size());
            if (!options_.read_only) {
                std::string from = path_ + "/" + e->path(), to = path_ + "/" + renamed.path();
                if (::rename(from.c_str(), to.c_str()) != 0) {
                    if (errno == ENOENT) continue;  // deleted meanwhile
                    fail("rename", from, errno);
                }
                (e->subdir == "new" ? new_dir : cur_dir) = true;
            } else {
                renamed = *e;  // a dry run only pretends
            }
            index_.emplace(uid++, renamed);
        }
        sync_directories(new_dir, cur_dir);
    }
    Listing listing;
    listing.messages.reserve(index_.size());
    for (const auto& [uid, e] : index_) listing.messages.push_back({uid, flags_from_maildir(e.flags), 0});
    std::sort(listing.messages.begin(), listing.messages.end(),
              [](const auto& a, const auto& b) { return a.uid < b.uid; });
    return listing;
}

const maildir::Entry* MaildirStore::find(std::uint32_t uid) {
    auto it = index_.find(uid);
    if (it == index_.end()) return nullptr;
    struct stat st {};
    if (::lstat((path_ + "/" + it->second.path()).c_str(), &st) == 0) return &it->second;
    // renamed by a mail reader (flags) or deleted: look again
    for (const auto& e : maildir::Folder(path_).list()) {
        auto tag = parse_uid_tag(e.unique);
        if (tag && tag->uid_validity == uid_validity_ && tag->uid == uid) {
            it->second = e;
            return &it->second;
        }
    }
    index_.erase(it);
    return nullptr;
}

std::vector<MessageIdentity> MaildirStore::identities(const std::vector<std::uint32_t>& uids) {
    require_selected();
    std::vector<MessageIdentity> out;
    std::string buffer;
    for (auto uid : uids) {
        const maildir::Entry* e = find(uid);
        if (!e) continue;
        std::string path = path_ + "/" + e->path();
        File file(path);
        if (!file.open()) {
            if (file.error() == ENOENT) continue;
            fail("open", path, file.error());
        }
        std::string header;
        bool header_done = false;
        WireCounter counter;
        while (file.read(buffer, path)) {
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
        const maildir::Entry* e = find(uid);
        if (!e) continue;
        std::string path = path_ + "/" + e->path();
        File file(path);
        if (!file.open()) {
            if (file.error() == ENOENT) continue;
            fail("open", path, file.error());
        }
        struct stat st {};
        if (::fstat(file.fd(), &st) != 0) fail("read", path, errno);
        WireCounter counter;
        while (file.read(buffer, path)) counter.add(buffer);
        file.rewind(path);
        receiver.begin(uid, counter.size, st.st_mtime);
        CrlfConverter converter;
        std::uint64_t sent = 0;
        while (file.read(buffer, path)) {
            converter.convert(buffer, converted);
            sent += converted.size();
            if (sent > counter.size) break;
            receiver.data(converted);
        }
        if (sent != counter.size)
            throw Error(ErrorKind::Storage, "message file '" + path + "' changed while it was being read",
                        "run the sync again");
        receiver.end(uid, st.st_mtime);
    }
}

std::unique_ptr<AppendWriter> MaildirStore::begin_append(std::uint64_t, Flags, std::time_t) {
    require_selected();
    if (options_.read_only) throw Error(ErrorKind::Internal, "append to a read-only Maildir store");
    return std::make_unique<MaildirAppendWriter>(*this);
}

void MaildirStore::commit_appends() {
    require_selected();
    bool new_dir = false, cur_dir = false;
    for (auto& s : staged_) {
        if (s.temp_path.empty()) continue;
        std::string target = path_ + "/" + s.entry.path();
        // link() never replaces an existing file, so a name clash cannot overwrite mail
        if (::link(s.temp_path.c_str(), target.c_str()) != 0) fail("deliver to", target, errno);
        ::unlink(s.temp_path.c_str());
        s.temp_path.clear();
        (s.entry.subdir == "new" ? new_dir : cur_dir) = true;
        index_[s.uid] = s.entry;
    }
    staged_.clear();
    sync_directories(new_dir, cur_dir);
}

void MaildirStore::set_flags(const std::vector<std::uint32_t>& uids, Flags add, Flags remove) {
    require_selected();
    bool new_dir = false, cur_dir = false;
    for (auto uid : uids) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const maildir::Entry* e = find(uid);
            if (!e) break;
            Flags now = flags_from_maildir(e->flags);
            Flags wanted = (now & ~remove) | add;
            if (wanted == now) break;
            maildir::Entry renamed = *e;
            renamed.subdir = "cur";
            renamed.flags = maildir::normalize_flags(other_letters(e->flags) + maildir_flags(wanted));
            renamed.filename = renamed.unique + ":2," + renamed.flags;
            if (options_.read_only) break;
            std::string from = path_ + "/" + e->path(), to = path_ + "/" + renamed.path();
            if (::rename(from.c_str(), to.c_str()) != 0) {
                if (errno == ENOENT) continue;  // renamed meanwhile: look again
                fail("rename", from, errno);
            }
            (e->subdir == "new" ? new_dir : cur_dir) = true;
            cur_dir = true;
            index_[uid] = renamed;
            break;
        }
    }
    sync_directories(new_dir, cur_dir);
}

void MaildirStore::remove(const std::vector<std::uint32_t>& uids, bool) {
    require_selected();
    if (options_.read_only) throw Error(ErrorKind::Internal, "remove from a read-only Maildir store");
    bool new_dir = false, cur_dir = false;
    for (auto uid : uids) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const maildir::Entry* e = find(uid);
            if (!e) break;
            std::string path = path_ + "/" + e->path();
            if (::unlink(path.c_str()) != 0) {
                if (errno == ENOENT) continue;
                fail("remove", path, errno);
            }
            (e->subdir == "new" ? new_dir : cur_dir) = true;
            index_.erase(uid);
            break;
        }
    }
    sync_directories(new_dir, cur_dir);
}

}  // namespace zmail::store
