// MaildirStore's folder tree: listing, creating and deleting folders in either layout.
#include "store/maildir_store.hpp"
#include "store/maildir_store_internal.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::store {

namespace {

// A folder is decided from evidence only: a directory that exists but cannot be read is an error,
// never a folder that is gone (which would delete its messages on the server).
const StorageHints& unreadable_hints() {
    static const StorageHints hints{
        "", tr("make the directory readable again (chmod u+rwx) and run the sync again; nothing was deleted")};
    return hints;
}

std::vector<std::string> subdirectories(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) {
        if (errno == ENOENT) return names;  // gone meanwhile: nothing below it
        throw_storage_error(N_("read the directory"), dir, errno, unreadable_hints());
    }
    while (struct dirent* de = ::readdir(d)) {
        std::string name = de->d_name;
        if (name == "." || name == "..") continue;
        if (is_directory(dir + "/" + name)) names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

// True when `dir` holds a Maildir (its cur/ is a directory); false when there is no cur/ at all;
// an error when it cannot be told (permission denied, a symlink loop).
bool holds_maildir(const std::string& dir) {
    struct stat st {};
    const std::string cur = dir + "/cur";
    if (::stat(cur.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_storage_error(N_("read the folder directory"), dir, errno, unreadable_hints());
}

}  // namespace

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
        if (holds_maildir(root_)) add("INBOX");
        for (const auto& dir : subdirectories(root_)) {
            if (dir.size() < 2 || dir[0] != '.' || !holds_maildir(root_ + "/" + dir)) continue;
            // ".A.b%2Ec" is the folder A/b.c; a name the codec would not make is not a folder of ours
            if (auto levels = imap::levels_from_path(dir, imap::Layout::maildir_plus))
                add(imap::display_name(*levels.value));
        }
    } else {
        // depth-first walk; a directory with cur/ is a folder, and may hold subfolders
        std::vector<std::pair<std::string, int>> todo{{"", 0}};
        while (!todo.empty()) {
            auto [relative, depth] = todo.back();
            todo.pop_back();
            std::string dir = relative.empty() ? root_ : root_ + "/" + relative;
            for (const auto& name : subdirectories(dir)) {
                // the codec never writes a leading '.' (".old" is "%2Eold"): dot-directories are
                // other programs' (.notmuch) and are not walked
                if (name[0] == '.' || name == "cur" || name == "new" || name == "tmp") continue;
                std::string child = relative.empty() ? name : relative + "/" + name;
                if (holds_maildir(root_ + "/" + child)) add(child);
                if (depth < 32) todo.emplace_back(child, depth + 1);
            }
        }
        std::sort(folders.begin(), folders.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    }
    return folders;
}

void MaildirStore::create_folder(const std::string& name) {
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("create_folder on a read-only Maildir store"));
    std::string path = folder_directory(name);
    maildir::Folder(path, maildir_store_hints()).create();
    if (options_.layout == "maildir++" && path != root_) {
        std::string marker = path + "/maildirfolder";
        int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) ::close(fd);
    }
    util::fsync_parent_directory(path, maildir_store_hints());
}

// fs: one directory rename moves the folder and its subfolders. maildir++: the folder's
// directory and every ".<name>.<level>" below it are renamed one by one, parents first.
void MaildirStore::rename_folder(const std::string& from, const std::string& to) {
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("rename_folder on a read-only Maildir store"));
    std::string source = folder_directory(from), target = folder_directory(to);
    if (source == root_ || target == root_)
        throw Error(ErrorKind::Usage, tr("cannot rename folder '{}' to '{}': INBOX stays where it is", from, to));
    std::vector<std::pair<std::string, std::string>> moves{{source, target}};
    if (options_.layout == "maildir++") {
        const std::string prefix = source.substr(root_.size() + 1) + ".";
        for (const auto& dir : subdirectories(root_))
            if (dir.rfind(prefix, 0) == 0)
                moves.emplace_back(root_ + "/" + dir, target + "." + dir.substr(prefix.size()));
    } else {
        util::make_directories(target.substr(0, target.rfind('/')));
    }
    for (const auto& move : moves)
        if (::access(move.second.c_str(), F_OK) == 0)
            throw Error(ErrorKind::Storage,
                        // TRANSLATORS: the 1st and 2nd {} are folders, the 3rd a directory
                        tr("cannot rename folder '{}' to '{}': '{}' exists already", from, to, move.second),
                        tr("move that directory away, then sync again"));
    for (const auto& [old_path, new_path] : moves)
        if (::rename(old_path.c_str(), new_path.c_str()) != 0)
            throw_storage_error(N_("rename"), old_path, errno, maildir_store_hints());
    util::fsync_parent_directory(source, maildir_store_hints());
    util::fsync_parent_directory(target, maildir_store_hints());
    selected_ = false;
}

void MaildirStore::delete_folder(const std::string& name) {
    if (options_.read_only) throw Error(ErrorKind::Internal, tr("delete_folder on a read-only Maildir store"));
    std::string path = folder_directory(name);
    maildir::Folder folder(path, maildir_store_hints());
    auto entries = folder.list();
    if (!entries.empty())
        throw Error(ErrorKind::Storage,
                    tr("cannot delete folder '{}': it still holds {} messages", name, entries.size()));
    if (DIR* d = ::opendir((path + "/tmp").c_str())) {
        while (struct dirent* de = ::readdir(d))
            if (de->d_name[0] != '.') ::unlink((path + "/tmp/" + de->d_name).c_str());
        ::closedir(d);
    }
    for (const char* sub : {"cur", "new", "tmp"})
        if (::rmdir((path + "/" + sub).c_str()) != 0 && errno != ENOENT)
            throw_storage_error(N_("remove"), path + "/" + sub, errno, maildir_store_hints());
    ::unlink((path + "/" + uid_file_name).c_str());
    ::unlink((path + "/maildirfolder").c_str());
    if (path != root_) ::rmdir(path.c_str());  // stays when it holds subfolders
    util::fsync_parent_directory(path, maildir_store_hints());
    if (selected_ && folder_name_ == name) selected_ = false;
}

}  // namespace zmail::store
