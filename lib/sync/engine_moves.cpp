#include "sync/folder_run.hpp"
#include "i18n.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace zmail::sync::detail {

namespace {

// Appends the file at `path` to `to` (a staged append: not visible before commit_appends()).
// Returns the UID it gets; 0 when the file is gone.
std::uint32_t copy_in(store::Store& to, const std::string& path, store::Flags flags) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st {};
    ::fstat(fd, &st);
    try {
        auto writer = to.begin_append(static_cast<std::uint64_t>(st.st_size), flags, st.st_mtime);
        std::vector<char> buffer(64 * 1024);
        for (;;) {
            const ssize_t n = ::read(fd, buffer.data(), buffer.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_storage_error(N_("read"), path, errno, {});
            if (n == 0) break;
            writer->write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        }
        const std::uint32_t uid = writer->finish(flags, st.st_mtime);
        ::close(fd);
        return uid;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace

// Near copies whose server copy left this folder: set aside rather than deleted, in case the
// message was moved on the server into a folder synced later in this run (place_set_aside()).
void FolderRun::set_aside_near(const std::vector<std::uint32_t>& uids) {
    MoveBroker* moves = options_.moves;
    if (!moves || uids.empty() || !moves->has_later(folder_)) return;
    std::unordered_map<std::uint32_t, store::MessageIdentity> identity;
    for (const auto& id : store(Near).identities(uids)) identity[id.uid] = id;
    for (auto& [uid, path] : store(Near).set_aside(uids)) {
        if (identity.count(uid)) moves->offer(folder_, identity[uid], std::move(path));
        else ::unlink(path.c_str());
    }
}

// Files that left this folder here and are new in a folder synced later in this run: the server
// copy is moved there (UID MOVE; COPY, STORE \Deleted and UID EXPUNGE without MOVE) instead of
// being deleted here and uploaded there; that folder's run pairs the two as new on both sides
// with one identity. Removes the moved ones from `pairs`.
void FolderRun::move_on_far(std::vector<Pair>& pairs) {
    MoveBroker* moves = options_.moves;
    const store::Capabilities caps = store(Far).capabilities();
    const bool copy = !caps.move && caps.copy && caps.selective_expunge;  // COPY, STORE, UID EXPUNGE
    if (!moves || pairs.empty() || !(caps.move || copy) || !moves->may_have_destinations(folder_)) return;
    std::vector<std::uint32_t> uids;
    for (const auto& p : pairs)
        if (!state_.moving().count(p.uid[Far])) uids.push_back(p.uid[Far]);  // copied once already: delete
    if (uids.empty()) return;
    const auto claimed = moves->claim(folder_, store(Far).identities(uids));
    std::vector<std::string> reserved;
    for (const auto& [to, group] : claimed) reserved.push_back(to);
    std::set<std::uint32_t> moved;
    try {
        for (const auto& [to, group] : claimed) {
            try {
                if (copy) {
                    // a copy may be there from here on: never copy again, only delete
                    for (auto uid : group) state_.mark_moving(uid);
                    state_.sync();
                    store(Far).copy_messages(group, to);
                    store(Far).remove(group, true);
                } else {
                    store(Far).move_messages(group, to);
                }
            } catch (const Error& e) {
                if (e.kind == ErrorKind::Network || e.kind == ErrorKind::Temporary || !store(Far).usable()) throw;
                // TRANSLATORS: a number, a folder, a server ("server 'x'"), the error
                report_.notes.push_back(tr("could not move {} message(s) to folder '{}' on {} ({}); they are deleted "
                                           "here and uploaded there instead",
                                           group.size(), to, store(Far).describe(), e.what()));
                continue;
            }
            for (auto uid : group) {
                state_.remove_pair(uid);
                moved.insert(uid);
            }
            state_.sync();
            report_.moved[Far] += group.size();
        }
    } catch (...) {
        moves->release(reserved);
        throw;
    }
    moves->release(reserved);
    std::erase_if(pairs, [&](const Pair& p) { return moved.count(p.uid[Far]) > 0; });
}

// Messages new here on the server that another folder's run set aside the near copy of (moved on
// the server): the set-aside file is placed here, as a staged append, instead of a download.
void FolderRun::place_set_aside(std::vector<std::uint32_t>& uids) {
    MoveBroker* moves = options_.moves;
    if (!moves || uids.empty() || !moves->has_offers()) return;
    std::vector<std::uint32_t> sized;  // of a size offered (or not known): the others cannot match
    for (auto uid : uids) {
        const auto it = views_[Far].find(uid);
        if (it == views_[Far].end() || it->second.size == 0 || moves->offers_size(it->second.size)) sized.push_back(uid);
    }
    if (sized.empty()) return;
    std::vector<std::pair<std::uint32_t, std::string>> found;  // far UID, set-aside file
    for (const auto& id : store(Far).identities(sized))
        if (auto path = moves->take(id.header_hash, id.size)) found.emplace_back(id.uid, std::move(*path));
    if (found.empty()) return;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> placed;  // far UID, near UID
    for (const auto& [far_uid, path] : found) {
        const std::uint32_t near_uid = copy_in(store(Near), path, flags_of(Far, far_uid));
        if (near_uid) placed.emplace_back(far_uid, near_uid);
    }
    for (const auto& [far_uid, near_uid] : placed) state_.add_pending({Near, far_uid, near_uid});
    state_.sync();
    store(Near).commit_appends();
    std::set<std::uint32_t> done;
    for (const auto& [far_uid, near_uid] : placed) {
        record_pair(Near, far_uid, near_uid, flags_of(Far, far_uid));
        done.insert(far_uid);
    }
    state_.sync();
    for (const auto& [far_uid, path] : found) ::unlink(path.c_str());
    report_.moved[Near] += placed.size();
    std::erase_if(uids, [&](std::uint32_t uid) { return done.count(uid) > 0; });
}

}  // namespace zmail::sync::detail
