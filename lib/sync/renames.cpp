#include "sync/renames.hpp"

#include "sync/account.hpp"
#include "sync/plan.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace zmail::sync {

namespace {

using IdentityCounts = std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t>;

IdentityCounts count_identities(const std::vector<store::MessageIdentity>& ids) {
    IdentityCounts counts;
    for (const auto& id : ids) ++counts[{id.header_hash, id.size}];
    return counts;
}

// How many of `wanted` are in `have` (each of `have` counted once).
std::size_t matching(const std::vector<store::MessageIdentity>& wanted, IdentityCounts have) {
    std::size_t found = 0;
    for (const auto& id : wanted) {
        auto it = have.find({id.header_hash, id.size});
        if (it == have.end() || it->second == 0) continue;
        --it->second;
        ++found;
    }
    return found;
}

// A new folder on the renamed side, looked at once.
struct Candidate {
    std::uint32_t uid_validity = 0;
    std::string mailbox_id;
    std::optional<IdentityCounts> identities;  ///< read when needed
    std::size_t messages = 0;
    bool claimed = false;
};

class RenameFinder {
public:
    RenameFinder(store::Store& far, store::Store& near, const std::string& state_directory,
                 const std::vector<store::FolderInfo>& far_folders, const std::vector<store::FolderInfo>& near_folders,
                 const std::set<std::string>& selected, const FolderOptions& options, RenameReport& report)
        : stores_{&far, &near}, directory_(state_directory), options_(options), report_(report) {
        for (const auto& f : far_folders)
            if (f.selectable && selected.count(f.name)) names_[Far].insert(f.name);
        for (const auto& f : near_folders)
            if (selected.count(f.name)) names_[Near].insert(f.name);
        for (const auto& k : known_folders(state_directory))
            if (selected.count(k)) known_.insert(k);
    }

    bool run() {
        finish_interrupted();
        for (Side renamed : {Far, Near}) follow(renamed);
        return changed_;
    }

private:
    store::Store& store(Side side) { return *stores_[side]; }
    std::string state_path(const std::string& folder) const { return directory_ + "/" + state_file_name(folder); }
    bool on(Side side, const std::string& name) const { return names_[side].count(name) > 0; }
    bool taken(const std::string& name) const { return used_.count(name) > 0; }

    // A state whose folder is gone from both sides, and a folder on both without state holding
    // the state's local UIDVALIDITY: a rename whose state move was cut off.
    void finish_interrupted() {
        for (const auto& old_name : known_) {
            if (on(Far, old_name) || on(Near, old_name) || taken(old_name)) continue;
            StateHeader header = peek_state_header(state_path(old_name));
            if (!header.uid_validity[Near]) continue;
            for (const auto& name : names_[Near]) {
                if (!on(Far, name) || known_.count(name) || taken(name)) continue;
                if (store(Near).select(name).uid_validity != header.uid_validity[Near]) continue;
                move(old_name, name, Near, true);
                break;
            }
        }
    }

    // Folders renamed on `renamed`: gone from there, still on the other side.
    void follow(Side renamed) {
        Side target = other(renamed);
        std::vector<std::string> gone, fresh;
        for (const auto& name : known_)
            if (!on(renamed, name) && on(target, name) && name != "INBOX" && !taken(name)) gone.push_back(name);
        for (const auto& name : names_[renamed])
            if (!known_.count(name) && !on(target, name) && name != "INBOX" && !taken(name)) fresh.push_back(name);
        if (gone.empty() || fresh.empty()) return;
        for (const auto& old_name : gone) {  // in name order: a parent before its children
            if (taken(old_name)) continue;
            std::optional<std::string> new_name = match(renamed, old_name, fresh);
            if (!new_name) continue;
            if (!may_change(options_.direction, target)) {
                hold(target, old_name, *new_name);
                continue;
            }
            if (!apply(target, old_name, *new_name)) continue;
            carry_children(renamed, target, old_name, *new_name);
        }
    }

    std::optional<std::string> match(Side renamed, const std::string& old_name, const std::vector<std::string>& fresh) {
        Side target = other(renamed);
        SyncState state(state_path(old_name));
        state.load();
        const std::string& id = renamed == Far ? state.far_mailbox_id() : std::string();
        std::optional<std::vector<store::MessageIdentity>> kept;  // read when needed, once
        std::optional<std::string> best;
        std::size_t best_found = 0;
        for (const auto& name : fresh) {
            Candidate& c = candidate(renamed, name);
            if (c.claimed) continue;
            // OBJECTID: the server says which folder it is (and that the others are not)
            if (!id.empty() && !c.mailbox_id.empty()) {
                if (c.mailbox_id != id) continue;
                best = name;
                break;
            }
            if (!kept) kept = kept_identities(target, old_name, state);
            bool same_validity = c.uid_validity && c.uid_validity == state.uid_validity(renamed);
            std::size_t found = kept->empty() ? 0 : matching(*kept, identities(renamed, name, c));
            bool accepted = kept->empty() ? same_validity && (renamed == Near || messages(renamed, name, c) == 0)
                                          : found * 2 > kept->size();
            if (accepted && (!best || found > best_found)) {
                best = name;
                best_found = found;
            }
        }
        if (best) candidates_[renamed][*best].claimed = true;
        return best;
    }

    // The identities of the recorded messages still in the old folder on `target`.
    std::vector<store::MessageIdentity> kept_identities(Side target, const std::string& old_name, const SyncState& state) {
        std::vector<std::uint32_t> uids;
        for (const auto& [far_uid, pair] : state.pairs().all()) uids.push_back(pair.uid[target]);
        if (uids.empty()) return {};
        open(target, old_name);
        return store(target).identities(uids);
    }

    // Selects and lists a folder (a store knows its messages once listed); its status.
    store::FolderStatus open(Side side, const std::string& name) {
        store::FolderStatus status = store(side).select(name);
        store(side).list_messages(0);
        return status;
    }

    Candidate& candidate(Side side, const std::string& name) {
        auto it = candidates_[side].find(name);
        if (it != candidates_[side].end()) return it->second;
        Candidate c;
        store::FolderStatus status = store(side).select(name);
        c.uid_validity = status.uid_validity;
        c.mailbox_id = status.mailbox_id;
        return candidates_[side][name] = std::move(c);
    }

    const IdentityCounts& identities(Side side, const std::string& name, Candidate& c) {
        if (!c.identities) {
            open(side, name);
            auto ids = store(side).identities_from(1);
            c.messages = ids.size();
            c.identities = count_identities(ids);
        }
        return *c.identities;
    }

    std::size_t messages(Side side, const std::string& name, Candidate& c) {
        identities(side, name, c);
        return c.messages;
    }

    // Renames the folder on `target` and moves its state; false when the store refused.
    bool apply(Side target, const std::string& old_name, const std::string& new_name) {
        if (!options_.dry_run) {
            try {
                store(target).rename_folder(old_name, new_name);
            } catch (const Error& e) {
                if (e.kind == ErrorKind::Network) throw;
                FolderReport failed;
                failed.folder = new_name;
                failed.error = e;
                report_.failed.push_back(std::move(failed));
                report_.skip.insert(old_name);
                report_.skip.insert(new_name);
                used_.insert(old_name);
                used_.insert(new_name);
                return false;
            }
            changed_ = true;
        }
        move(old_name, new_name, target, false);
        return true;
    }

    // The direction does not let zmail rename `target`: neither name is synced (syncing them
    // would copy the folder's mail a second time), and the report says why.
    void hold(Side target, const std::string& old_name, const std::string& new_name) {
        FolderReport held;
        held.folder = new_name;
        held.notes.push_back(target == Far
                                 ? tr("folder '{}' was renamed to '{}' here; this direction does not rename it on the "
                                      "server, so neither name was synced: run zmail sync without --pull or --push",
                                      old_name, new_name)
                                 : tr("folder '{}' was renamed to '{}' on the server; this direction does not rename "
                                      "it here, so neither name was synced: run zmail sync without --pull or --push",
                                      old_name, new_name));
        report_.failed.push_back(std::move(held));
        report_.skip.insert(old_name);
        report_.skip.insert(new_name);
        used_.insert(old_name);
        used_.insert(new_name);
    }

    // The store moved the folders below `old_name` too: where the renamed side has them below
    // `new_name` as well, only their states move.
    void carry_children(Side renamed, Side target, const std::string& old_name, const std::string& new_name) {
        const std::string prefix = old_name + "/";
        for (const auto& child : known_) {
            if (child.rfind(prefix, 0) != 0 || taken(child) || on(renamed, child)) continue;
            std::string moved = new_name + child.substr(old_name.size());
            if (!on(renamed, moved) || known_.count(moved) || taken(moved)) continue;
            move(child, moved, target, false);
        }
    }

    void move(const std::string& old_name, const std::string& new_name, Side target, bool finished) {
        if (!options_.dry_run) move_state(state_path(old_name), state_path(new_name));
        else report_.skip.insert({old_name, new_name});
        report_.renamed.push_back({old_name, new_name, target, finished});
        used_.insert(old_name);
        used_.insert(new_name);
    }

    std::array<store::Store*, 2> stores_;
    std::string directory_;
    const FolderOptions& options_;
    RenameReport& report_;
    std::array<std::set<std::string>, 2> names_;
    std::set<std::string> known_, used_;
    std::array<std::map<std::string, Candidate>, 2> candidates_;
    bool changed_ = false;
};

}  // namespace

bool follow_renames(store::Store& far, store::Store& near, const std::string& state_directory,
                    const std::vector<store::FolderInfo>& far_folders,
                    const std::vector<store::FolderInfo>& near_folders, const std::set<std::string>& selected,
                    const FolderOptions& options, RenameReport& report) {
    return RenameFinder(far, near, state_directory, far_folders, near_folders, selected, options, report).run();
}

}  // namespace zmail::sync
