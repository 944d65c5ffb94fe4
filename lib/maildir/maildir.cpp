#include "maildir/maildir.hpp"

#include "imap/folder_name.hpp"
#include "text/utf8.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <unordered_map>

namespace zmail::maildir {

namespace {

std::string hostname_for_maildir() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) return "localhost";
    std::string host;
    for (char c : std::string(buffer)) {
        if (c == '/') host += "\\057";
        else if (c == ':') host += "\\072";
        else host += c;
    }
    return host;
}

}  // namespace

void LineEndConverter::convert(std::string_view chunk, std::string& out) {
    size_t start = 0;
    if (pending_cr_ && !chunk.empty()) {
        pending_cr_ = false;
        if (chunk[0] != '\n') out += '\r';
    }
    for (size_t i = 0; i < chunk.size(); ++i) {
        if (chunk[i] != '\r') continue;
        out.append(chunk.substr(start, i - start));
        if (i + 1 == chunk.size()) {
            pending_cr_ = true;
        } else if (chunk[i + 1] != '\n') {
            out += '\r';
        }
        start = i + 1;
    }
    out.append(chunk.substr(std::min(start, chunk.size())));
}

void LineEndConverter::finish(std::string& out) {
    if (pending_cr_) out += '\r';
    pending_cr_ = false;
}

std::string normalize_flags(std::string_view flags) {
    std::string f;
    for (char c : flags)
        if (c > ' ' && c < 0x7f && c != ',' && c != ':' && c != '/' && f.find(c) == std::string::npos) f += c;
    std::sort(f.begin(), f.end());
    return f;
}

std::string flags_of(std::string_view filename) {
    auto pos = filename.rfind(":2,");
    if (pos == std::string_view::npos) return {};
    return normalize_flags(filename.substr(pos + 3));
}

std::string unique_name() {
    static std::atomic<unsigned> counter{0};
    static const std::string host = hostname_for_maildir();
    struct timeval tv {};
    ::gettimeofday(&tv, nullptr);
    return std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" + std::to_string(::getpid()) + "Q" +
           std::to_string(++counter) + "." + host;
}

bool Folder::exists() const {
    struct stat st {};
    return ::stat((path_ + "/cur").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void Folder::create() const {
    // cur last: exists() looks for it, so a run killed half-way never leaves a folder that
    // looks complete without its tmp
    for (const char* sub : {"tmp", "new", "cur"}) util::make_directories(path_ + "/" + sub, 0700);
}

std::vector<Entry> Folder::list() const {
    std::vector<Entry> entries;
    for (const char* sub : {"new", "cur"}) {
        std::string dir = path_ + "/" + sub;
        DIR* d = ::opendir(dir.c_str());
        if (!d) {
            if (errno == ENOENT) continue;
            throw_storage_error(N_("read directory"), dir, errno, hints_);
        }
        while (struct dirent* de = ::readdir(d)) {
            std::string name = de->d_name;
            if (name.empty() || name[0] == '.') continue;
            Entry e;
            e.subdir = sub;
            e.filename = name;
            auto colon = name.rfind(":2,");
            e.unique = colon == std::string::npos ? name : name.substr(0, colon);
            e.flags = flags_of(name);
            entries.push_back(std::move(e));
        }
        ::closedir(d);
    }
    return one_name_per_message(std::move(entries));
}

// A mail reader renaming files while they are listed (mutt moves new/ to cur/ and changes flags
// in cur/) can make a listing see one message under two names; the second would get a new UID,
// be uploaded again, and the original deleted on the server. One entry per unique part: the name
// that still exists, else the cur/ one. Two names that both exist are a copy (cp), two messages.
std::vector<Entry> Folder::one_name_per_message(std::vector<Entry> entries) const {
    std::unordered_map<std::string, std::size_t> seen;
    std::vector<Entry> kept;
    kept.reserve(entries.size());
    auto exists = [this](const Entry& e) {
        struct stat st {};
        return ::lstat((path_ + "/" + e.path()).c_str(), &st) == 0;
    };
    for (Entry& e : entries) {
        auto [it, fresh] = seen.emplace(e.unique, kept.size());
        if (fresh) {
            kept.push_back(std::move(e));
            continue;
        }
        Entry& other = kept[it->second];
        const bool here = exists(e), there = exists(other);
        if (here && there) kept.push_back(std::move(e));  // a copy (cp): two messages
        else if ((here && !there) || (!here && !there && e.subdir == "cur" && other.subdir != "cur"))
            other = std::move(e);
    }
    return kept;
}

Entry Folder::set_flags(const Entry& entry, std::string_view flags) const {
    Entry e = entry;
    e.subdir = "cur";
    e.flags = normalize_flags(flags);
    e.filename = e.unique + ":2," + e.flags;
    if (e.path() == entry.path()) return e;
    std::string from = path_ + "/" + entry.path(), to = path_ + "/" + e.path();
    if (::rename(from.c_str(), to.c_str()) != 0) throw_storage_error(N_("rename"), from, errno, hints_);
    return e;
}

void Folder::remove(const Entry& entry) const {
    std::string p = path_ + "/" + entry.path();
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) throw_storage_error(N_("remove"), p, errno, hints_);
    util::fsync_directory(path_ + "/" + entry.subdir, hints_);
}

void Folder::clean_tmp() const {
    std::string dir = path_ + "/tmp";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    time_t cutoff = std::time(nullptr) - 36 * 3600;
    while (struct dirent* de = ::readdir(d)) {
        if (de->d_name[0] == '.') continue;
        std::string p = dir + "/" + de->d_name;
        struct stat st {};
        // a message set aside by a sync that ended before it was placed in another folder goes
        // at once (its server copy left this folder: see store::Store::set_aside)
        const bool set_aside = std::string_view(de->d_name).starts_with(set_aside_prefix);
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mtime < cutoff || set_aside))
            ::unlink(p.c_str());
    }
    ::closedir(d);
}

std::string folder_path(const std::string& root, std::string_view folder, std::string_view layout) {
    const auto levels = imap::levels_from_path(folder, imap::Layout::fs);
    if (!levels)
        throw Error(ErrorKind::Protocol, tr("unsafe folder name '{}': {}", text::printable(folder), levels.why),
                    tr("rename the folder on the server, or exclude it with sync.exclude"));
    const std::string relative = imap::path_from_levels(*levels.value, maildir_layout(layout));
    return relative.empty() ? root : root + "/" + relative;
}

imap::Layout maildir_layout(std::string_view layout) {
    return layout == "maildir++" ? imap::Layout::maildir_plus : imap::Layout::fs;
}

}  // namespace zmail::maildir
