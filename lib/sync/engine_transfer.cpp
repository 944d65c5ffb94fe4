// The copying steps of the sync engine (see folder_run.hpp): messages from one side to the
// other in a crash-safe order, refusals, and appends found again by identity.
#include "sync/folder_run.hpp"

#include "i18n.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <unordered_map>

namespace zmail::sync::detail {

void FolderRun::transfer(Side target, std::vector<std::uint32_t> uids) {
    if (target == Near) place_set_aside(uids);
    if (uids.empty()) return;
    Side source = other(target);
    // every message appended from now on gets a UID at least this high
    std::uint32_t min_uid = std::max<std::uint32_t>(status_[target].uid_next, 1);
    for (const auto& [uid, info] : views_[target]) min_uid = std::max(min_uid, uid + 1);
    if (store(target).capabilities().staged_appends) return transfer_staged(target, uids);

    store::Store& from = store(source);
    store::Store& to = store(target);
    std::size_t done = 0;
    for (std::size_t next = 0; next < uids.size();) {
        std::vector<std::uint32_t> batch;
        std::uint64_t bytes = 0;
        while (next < uids.size() && batch.size() < options_.batch_messages &&
               (batch.empty() || bytes < options_.batch_bytes)) {
            bytes += views_[source][uids[next]].size;
            batch.push_back(uids[next++]);
        }
        // the append cannot be undone or named before it happens: record what to look for
        std::unordered_map<std::uint32_t, store::MessageIdentity> identity;
        for (const auto& id : from.identities(batch)) identity[id.uid] = id;
        std::erase_if(batch, [&](std::uint32_t uid) { return !identity.count(uid); });
        for (auto uid : batch)
            state_.add_pending({target, uid, 0, min_uid, identity[uid].header_hash, identity[uid].size});
        state_.sync();
        struct Copied {
            std::uint32_t source, target;
        };
        std::vector<Copied> copied;
        std::vector<std::pair<std::uint32_t, Error>> refused;
        std::unique_ptr<store::AppendWriter> writer;
        store::BodyReceiver receiver;
        receiver.begin = [&](std::optional<std::uint32_t> uid, std::uint64_t size, std::time_t date) {
            writer.reset();
            writer = to.begin_append(size, uid ? flags_of(source, *uid) : 0, date);
        };
        receiver.data = [&](std::string_view bytes) { writer->write(bytes); };
        receiver.end = [&](std::uint32_t uid, std::time_t date) {
            std::uint32_t target_uid = 0;
            try {
                target_uid = writer->finish(flags_of(source, uid), date);
            } catch (const store::MessageRefused& e) {  // this one only: the others go on
                writer.reset();
                refused.emplace_back(uid, e);
                return;
            }
            writer.reset();
            copied.push_back({uid, target_uid});
            if (progress_) progress_(folder_, target, ++done, uids.size());
        };
        from.fetch(batch, receiver);
        if (copied.size() + refused.size() < batch.size()) complete_ = false;  // gone meanwhile: look again
        if (!refused.empty()) leave_refused(target, refused);
        std::vector<std::uint32_t> unnamed;
        for (const auto& c : copied) {
            if (c.target) record_pair(target, c.source, c.target, flags_of(source, c.source));
            else unnamed.push_back(c.source);
        }
        if (!unnamed.empty()) find_appended(target, unnamed, identity, min_uid);
        state_.sync();
        report_.added[target] += copied.size();
    }
}

// Into a store that names its appends before showing them (a Maildir): one fetch for all of
// them, so the source never waits between batches; every batch written is recorded (pending,
// with the UIDs it got), shown, then paired, as it arrives.
void FolderRun::transfer_staged(Side target, const std::vector<std::uint32_t>& uids) {
    Side source = other(target);
    store::Store& to = store(target);
    struct Copied {
        std::uint32_t source, target;
    };
    std::vector<Copied> copied;
    std::vector<std::pair<std::uint32_t, Error>> refused;
    std::size_t done = 0, received = 0;
    std::uint64_t bytes = 0;
    auto commit = [&] {
        if (copied.empty()) return;
        for (const auto& c : copied) state_.add_pending({target, c.source, c.target});
        state_.sync();
        to.commit_appends();
        for (const auto& c : copied) record_pair(target, c.source, c.target, flags_of(source, c.source));
        state_.sync();
        report_.added[target] += copied.size();
        copied.clear();
        bytes = 0;
    };
    std::unique_ptr<store::AppendWriter> writer;
    store::BodyReceiver receiver;
    receiver.begin = [&](std::optional<std::uint32_t> uid, std::uint64_t size, std::time_t date) {
        writer.reset();
        writer = to.begin_append(size, uid ? flags_of(source, *uid) : 0, date);
    };
    receiver.data = [&](std::string_view data) {
        bytes += data.size();
        writer->write(data);
    };
    receiver.end = [&](std::uint32_t uid, std::time_t date) {
        ++received;
        try {
            std::uint32_t target_uid = writer->finish(flags_of(source, uid), date);
            writer.reset();
            copied.push_back({uid, target_uid});
        } catch (const store::MessageRefused& e) {  // this one only: the others go on
            writer.reset();
            refused.emplace_back(uid, e);
            return;
        }
        if (progress_) progress_(folder_, target, ++done, uids.size());
        if (copied.size() >= options_.batch_messages || bytes >= options_.batch_bytes) commit();
    };
    store(source).fetch(uids, receiver);
    commit();
    if (received < uids.size()) complete_ = false;  // gone meanwhile: look again
    if (!refused.empty()) leave_refused(target, refused);
}

// Messages the target refused for what they are: kept where they are and left out of the sync
// (not offered again: a message refused once is refused every time), the folder's other messages
// copied, and the run ends with exit 65 naming them with the server's words. A changed copy saved
// as a new file is a new message and is offered again.
void FolderRun::leave_refused(Side target, const std::vector<std::pair<std::uint32_t, Error>>& refused) {
    for (const auto& [uid, error] : refused) {
        state_.settle_pending(target, uid);
        state_.leave(other(target), uid);
    }
    state_.sync();
    const Error& first = refused.front().second;
    report_.error = Error(ErrorKind::Data,
                          // TRANSLATORS: a number, a folder, a server ("server 'x'"), the first refusal
                          tr("{} message(s) of folder '{}' refused by {} and left out of the sync ({})",
                             refused.size(), folder_, store(target).describe(), first.what()),
                          tr("the files stay here; fix or remove them; a changed copy saved as a new file is "
                             "copied next time"),
                          first.server_reply);
}

// The identity search, once: the first of `found` at `min_uid` or above with this header hash and
// size that is neither claimed already nor paired on `side`. Claims and returns its UID; 0: none.
std::uint32_t FolderRun::claim_identity(Side side, const std::vector<store::MessageIdentity>& found,
                                        std::set<std::uint32_t>& claimed, std::uint64_t header_hash,
                                        std::uint64_t size, std::uint32_t min_uid) {
    for (const auto& id : found) {
        if (id.uid < min_uid || id.header_hash != header_hash || id.size != size) continue;
        if (claimed.count(id.uid) || state_.pairs().by(side, id.uid)) continue;
        claimed.insert(id.uid);
        return id.uid;
    }
    return 0;
}

// Appends whose UID the target did not tell (IMAP without UIDPLUS): find them by identity among
// the new messages. What is not found stays pending and is settled by the next run.
void FolderRun::find_appended(Side target, const std::vector<std::uint32_t>& sources,
                              const std::unordered_map<std::uint32_t, store::MessageIdentity>& identity,
                              std::uint32_t min_uid) {
    auto found = store(target).identities_from(min_uid);
    std::set<std::uint32_t> used;
    std::vector<std::uint32_t> unmatched;
    for (auto source : sources) {
        const auto& want = identity.at(source);
        const std::uint32_t match = claim_identity(target, found, used, want.header_hash, want.size, min_uid);
        if (match) record_pair(target, source, match, flags_of(other(target), source));
        else unmatched.push_back(source);
    }
    if (unmatched.empty()) return;
    // The server accepted these but changed them on the way in (Cyrus replaces 8-bit header
    // bytes): their identity is not there. When exactly as many new messages are left, in the same
    // order, they are ours; else nobody can tell, and uploading again would repeat on every run.
    std::vector<std::uint32_t> left;
    for (const auto& id : found)
        if (id.uid >= min_uid && !used.count(id.uid) && !state_.pairs().by(target, id.uid)) left.push_back(id.uid);
    std::sort(left.begin(), left.end());
    if (left.size() == unmatched.size()) {
        for (std::size_t i = 0; i < left.size(); ++i)
            record_pair(target, unmatched[i], left[i], flags_of(other(target), unmatched[i]));
        return;
    }
    for (auto source : unmatched) {
        state_.settle_pending(target, source);
        state_.leave(other(target), source);  // kept here, never uploaded again
    }
    report_.error = Error(ErrorKind::Protocol,
                          tr("{} message(s) copied to folder '{}' on {} cannot be found there afterwards: the server "
                             "changed them on the way in",
                             unmatched.size(), folder_, store(target).describe()),
                          tr("they are on both sides, but not paired: they are not copied again, and changes to them "
                             "are not synced; a server with UIDPLUS avoids this"));
}

}  // namespace zmail::sync::detail
