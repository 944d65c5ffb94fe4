#include "store/maildir_store.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "maildir/message_file.hpp"
#include "store/maildir_store_internal.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::store {

namespace {

constexpr const char* uid_file_header = "zmail-uidvalidity 1";
constexpr std::uint32_t uid_reserve = 128;

struct FlagLetter {
    Flag flag;
    char letter;
};

// Maildir wants the letters in ASCII order: D F R S T.
constexpr std::array<FlagLetter, 5> flag_letters{{
    {Draft, 'D'},
    {Flagged, 'F'},
    {Answered, 'R'},
    {Seen, 'S'},
    {Deleted, 'T'},
}};

bool parse_uint32(std::string_view text, std::uint32_t& out) {
    if (text.empty()) return false;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// Letters in `info` that are not the five standard flags (keywords a-z, P for passed, ...).
std::string other_letters(std::string_view info) {
    std::string out;
    for (char c : info)
        if (std::none_of(flag_letters.begin(), flag_letters.end(), [c](const auto& f) { return f.letter == c; }))
            out += c;
    return out;
}

}  // namespace

const StorageHints& maildir_store_hints() {
    static const StorageHints hints{tr("free some disk space and run the sync again; nothing was lost"), ""};
    return hints;
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string maildir_flags(Flags flags) {
    std::string out;
    for (const auto& f : flag_letters)
        if (flags & f.flag) out += f.letter;
    return out;
}

Flags flags_from_maildir(std::string_view letters) {
    Flags flags = 0;
    for (char c : letters)
        for (const auto& f : flag_letters)
            if (c == f.letter) flags |= f.flag;
    return flags;
}

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

namespace {

constexpr std::size_t max_file_name = 255;  // NAME_MAX of every Linux file system

}  // namespace

// The unique part of `e`'s name with the UID tag. A name that would grow past NAME_MAX (another
// program's 244-byte name) loses what it can: first the ",S=..,W=.." information after the first
// ',', then the end of what is left; the start ("time.M<usec>P<pid>...") keeps it unique.
std::string tagged_unique(const maildir::Entry& e, UidTag tag) {
    const std::string suffix = e.filename.substr(e.unique.size());  // ":2,FLAGS" or ""
    const std::string tag_text = format_uid_tag(tag);
    std::string unique = strip_uid_tag(e.unique);
    const std::size_t room = max_file_name > tag_text.size() + suffix.size() + 20
                                 ? max_file_name - tag_text.size() - suffix.size()
                                 : 20;
    if (unique.size() > room) unique = unique.substr(0, std::min(unique.find(','), unique.size()));
    if (unique.size() > room) unique.resize(room);
    return unique + tag_text;
}

/// A message being written into tmp/ of the selected folder; finish() stages it for commit_appends().
class MaildirAppendWriter : public AppendWriter {
public:
    explicit MaildirAppendWriter(MaildirStore& store) : store_(store), file_(store.path_, maildir_store_hints()) {}

    void write(std::string_view bytes) override { file_.write(bytes); }

    std::uint32_t finish(Flags flags, std::time_t date) override {
        file_.finish(date);  // synced with the others of its batch (see sync_staged)
        const std::uint32_t uid = store_.allocate_uids(1);
        maildir::Entry entry = file_.entry(format_uid_tag({store_.uid_validity_, uid}), maildir_flags(flags), false);
        store_.staged_.push_back({std::move(file_), std::move(entry), uid});
        if (++store_.unsynced_ >= MaildirStore::max_unsynced) store_.sync_staged();
        return uid;
    }

private:
    MaildirStore& store_;
    maildir::MessageFile file_;  ///< moved into the store's staged list by finish()
};

MaildirStore::MaildirStore(std::string root, MaildirOptions options)
    : root_(std::move(root)), options_(std::move(options)) {}

MaildirStore::~MaildirStore() = default;

std::string MaildirStore::describe() const { return tr("Maildir '{}'", root_); }

Capabilities MaildirStore::capabilities() const {
    Capabilities c;
    c.staged_appends = true;
    c.selective_expunge = true;
    return c;
}


void MaildirStore::write_uid_file(std::uint32_t next_uid) {
    util::write_file_atomically(path_ + "/" + uid_file_name, std::string(uid_file_header) + "\n" +
                                                                 std::to_string(uid_validity_) + " " +
                                                                 std::to_string(next_uid) + "\n");
}

FolderStatus MaildirStore::select(const std::string& name) {
    std::string path = folder_directory(name);
    const maildir::Folder folder(path, maildir_store_hints());
    if (!folder.exists())
        throw Error(ErrorKind::Storage, tr("cannot select folder '{}': no Maildir at '{}'", name, path));
    // a Maildir with cur but without new or tmp (created by a run of an older zmail, or another
    // program, that was killed half-way) is completed rather than failing every run
    if (!options_.read_only) {
        folder.create();
        folder.clean_tmp();  // files a killed run left in tmp/ (after 36 hours)
    }
    staged_.clear();  // removes their temporary files
    unsynced_ = 0;
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
            throw Error(ErrorKind::Storage, tr("cannot read '{}': it is not a zmail UID file", file),
                        tr("move it away; the next sync re-matches the folder by Message-ID without losing mail"));
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
    if (!selected_) throw Error(ErrorKind::Internal, tr("Maildir store used without a selected folder"));
}

std::uint32_t MaildirStore::allocate_uids(std::uint32_t count) {
    if (next_uid_ > 0xFFFFFFFFu - count - uid_reserve)
        throw Error(ErrorKind::Storage, tr("folder '{}' has used up its UIDs", folder_name_),
                    // TRANSLATORS: {} is a file name (.zmail-uidvalidity)
                    tr("move its {} file away to renumber it", uid_file_name));
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
    if (new_dir) util::fsync_directory(path_ + "/new", maildir_store_hints());
    if (cur_dir) util::fsync_directory(path_ + "/cur", maildir_store_hints());
}

Listing MaildirStore::list_messages(std::uint64_t) {
    require_selected();
    std::optional<std::vector<maildir::Entry>> ahead;
    if (ahead_) ahead = ahead_->take(path_);
    std::vector<maildir::Entry> entries;
    if (ahead) {
        entries = std::move(*ahead);
    } else {
        entries = maildir::Folder(path_, maildir_store_hints()).list();
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.filename < b.filename; });
    }
    index_.clear();
    index_.reserve(entries.size());
    fresh_.clear();
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
            renamed.unique = tagged_unique(*e, {uid_validity_, uid});
            renamed.filename = renamed.unique + e->filename.substr(e->unique.size());
            if (!options_.read_only) {
                std::string from = path_ + "/" + e->path(), to = path_ + "/" + renamed.path();
                if (::rename(from.c_str(), to.c_str()) != 0) {
                    if (errno == ENOENT) continue;  // deleted meanwhile
                    if (errno == ENAMETOOLONG) {    // left alone; the rest of the folder is synced
                        listing_skipped_.push_back(tr("'{}': its name is too long to take a UID", e->path()));
                        continue;
                    }
                    throw_storage_error(N_("rename"), from, errno, maildir_store_hints());
                }
                (e->subdir == "new" ? new_dir : cur_dir) = true;
            } else {
                renamed = *e;  // a dry run only pretends
            }
            fresh_.push_back(uid);
            index_.emplace(uid++, renamed);
        }
        sync_directories(new_dir, cur_dir);
    }
    Listing listing;
    listing.skipped = std::move(listing_skipped_);
    listing_skipped_.clear();
    listing.messages.reserve(index_.size());
    for (const auto& [uid, e] : index_) listing.messages.push_back({uid, flags_from_maildir(e.flags), 0});
    std::sort(listing.messages.begin(), listing.messages.end(),
              [](const auto& a, const auto& b) { return a.uid < b.uid; });
    return listing;
}

void MaildirStore::list_ahead(const std::vector<std::string>& folders) {
    std::vector<std::string> directories;
    for (const auto& name : folders) {
        try {
            directories.push_back(folder_directory(name));
        } catch (const Error&) {
            // a name this layout cannot hold: its select() says so
        }
    }
    ahead_ = std::make_unique<maildir::Prefetch>(std::move(directories), maildir_store_hints());
}

const maildir::Entry* MaildirStore::find(std::uint32_t uid) {
    auto it = index_.find(uid);
    if (it == index_.end()) return nullptr;
    struct stat st {};
    if (::lstat((path_ + "/" + it->second.path()).c_str(), &st) == 0) return &it->second;
    // renamed by a mail reader (flags) or deleted: look again
    for (const auto& e : maildir::Folder(path_, maildir_store_hints()).list()) {
        auto tag = parse_uid_tag(e.unique);
        if (tag && tag->uid_validity == uid_validity_ && tag->uid == uid) {
            it->second = e;
            return &it->second;
        }
    }
    index_.erase(it);
    return nullptr;
}


std::unique_ptr<AppendWriter> MaildirStore::begin_append(std::uint64_t, Flags, std::time_t) {
    require_selected();
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("append to a read-only Maildir store"));
    return std::make_unique<MaildirAppendWriter>(*this);
}

// The staged files not synced yet, all at once (their fsyncs overlap; one at a time, a download
// of small messages waited for the disk after every one). Each stays open until then.
void MaildirStore::sync_staged() {
    std::vector<maildir::MessageFile*> files;
    for (auto& s : staged_)
        if (!s.file.linked()) files.push_back(&s.file);
    maildir::sync_together(files);
    unsynced_ = 0;
}

void MaildirStore::commit_appends() {
    require_selected();
    sync_staged();
    bool new_dir = false, cur_dir = false;
    for (auto& s : staged_) {
        if (s.file.linked()) continue;  // by an earlier call that failed part-way
        s.file.link(s.entry);
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
                throw_storage_error(N_("rename"), from, errno, maildir_store_hints());
            }
            (e->subdir == "new" ? new_dir : cur_dir) = true;
            cur_dir = true;
            index_[uid] = renamed;
            break;
        }
    }
    sync_directories(new_dir, cur_dir);
}

std::vector<std::pair<std::uint32_t, std::string>> MaildirStore::set_aside(const std::vector<std::uint32_t>& uids) {
    require_selected();
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("set aside in a read-only Maildir store"));
    std::vector<std::pair<std::uint32_t, std::string>> aside;
    bool new_dir = false, cur_dir = false;
    for (auto uid : uids) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const maildir::Entry* e = find(uid);
            if (!e) break;
            const std::string from = path_ + "/" + e->path();
            std::string to = path_ + "/tmp/" + maildir::set_aside_prefix + e->filename;
            if (to.size() - to.rfind('/') > 255) to = path_ + "/tmp/" + maildir::set_aside_prefix + std::to_string(uid);
            if (::rename(from.c_str(), to.c_str()) != 0) {
                if (errno == ENOENT) continue;
                throw_storage_error(N_("rename"), from, errno, maildir_store_hints());
            }
            (e->subdir == "new" ? new_dir : cur_dir) = true;
            index_.erase(uid);
            aside.emplace_back(uid, std::move(to));
            break;
        }
    }
    sync_directories(new_dir, cur_dir);
    return aside;
}

void MaildirStore::remove(const std::vector<std::uint32_t>& uids, bool) {
    require_selected();
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("remove from a read-only Maildir store"));
    bool new_dir = false, cur_dir = false;
    for (auto uid : uids) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            const maildir::Entry* e = find(uid);
            if (!e) break;
            std::string path = path_ + "/" + e->path();
            if (::unlink(path.c_str()) != 0) {
                if (errno == ENOENT) continue;
                throw_storage_error(N_("remove"), path, errno, maildir_store_hints());
            }
            (e->subdir == "new" ? new_dir : cur_dir) = true;
            index_.erase(uid);
            break;
        }
    }
    sync_directories(new_dir, cur_dir);
}

}  // namespace zmail::store
