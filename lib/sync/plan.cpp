#include "sync/plan.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace zmail::sync {

bool may_change(Direction direction, Side target) {
    switch (direction) {
    case Direction::Both: return true;
    case Direction::Pull: return target == Near;
    case Direction::Push: return target == Far;
    }
    return false;
}

View make_view(const store::Listing& listing, const SyncState& state, Side side) {
    View view;
    if (listing.partial) {
        view.reserve(state.pairs().size() + listing.messages.size());
        for (const auto& [far, pair] : state.pairs().all()) {
            std::uint32_t uid = pair.uid[side];
            view[uid] = store::MessageInfo{uid, pair.flags, 0};
        }
        for (auto uid : state.left(side)) view[uid] = store::MessageInfo{uid, store::Deleted, 0};
    } else {
        view.reserve(listing.messages.size());
    }
    for (const auto& m : listing.messages) view[m.uid] = m;
    if (listing.partial) {
        for (auto uid : listing.vanished) view.erase(uid);
        if (listing.present) {
            std::unordered_set<std::uint32_t> present(listing.present->begin(), listing.present->end());
            std::erase_if(view, [&](const auto& entry) { return !present.count(entry.first); });
        }
    }
    return view;
}

store::Flags merge_flags(store::Flags base, store::Flags far, store::Flags near) {
    // per flag: base 0 -> set if either side set it; base 1 -> kept only if neither side cleared it
    return (far & near) | ((far | near) & ~base);
}

namespace {

// `target` with the changes that `source` made since `base` applied to it.
store::Flags apply_changes(store::Flags base, store::Flags source, store::Flags target) {
    store::Flags added = source & ~base, removed = base & ~source;
    return (target & ~removed) | added;
}

}  // namespace

bool Plan::changes_stores() const {
    if (!transfer[Far].empty() || !transfer[Near].empty()) return true;
    if (!deletions[Far].empty() || !deletions[Near].empty()) return true;
    for (const auto& u : flag_updates)
        if (u.add[Far] || u.remove[Far] || u.add[Near] || u.remove[Near]) return true;
    return false;
}

bool trips_mass_delete_guard(std::size_t deletions, std::size_t count, int percent) {
    if (deletions == 0 || count == 0) return false;
    bool share = deletions * 100 > static_cast<std::size_t>(std::max(percent, 0)) * count;
    bool many = deletions > 10 || (deletions >= count && count >= 2);
    return share && many;
}

Plan make_plan(const SyncState& state, const std::array<View, 2>& views, const PlanOptions& options) {
    Plan plan;
    for (Side s : {Far, Near}) plan.count[s] = views[s].size();

    for (const auto& [far_uid, pair] : state.pairs().all()) {
        auto far = views[Far].find(pair.uid[Far]);
        auto near = views[Near].find(pair.uid[Near]);
        bool on_far = far != views[Far].end(), on_near = near != views[Near].end();
        if (!on_far && !on_near) {
            plan.forget.push_back(far_uid);
            continue;
        }
        if (!on_far || !on_near) {
            Side target = on_far ? Far : Near;  // the side that still has it
            if (may_change(options.direction, target)) plan.deletions[target].push_back(pair);
            continue;
        }
        store::Flags f = far->second.flags & store::all_flags, n = near->second.flags & store::all_flags;
        store::Flags new_far = f, new_near = n, base = pair.flags;
        switch (options.direction) {
        case Direction::Both:
            new_far = new_near = base = merge_flags(pair.flags, f, n);
            break;
        case Direction::Pull:
            new_near = apply_changes(pair.flags, f, n);
            base = f;
            break;
        case Direction::Push:
            new_far = apply_changes(pair.flags, n, f);
            base = n;
            break;
        }
        if (new_far == f && new_near == n && base == pair.flags) continue;
        FlagUpdate u;
        u.uid = pair.uid;
        u.add = {new_far & ~f, new_near & ~n};
        u.remove = {f & ~new_far, n & ~new_near};
        u.base = base;
        plan.flag_updates.push_back(u);
    }

    for (Side s : {Far, Near}) {
        Side target = other(s);
        if (may_change(options.direction, target)) {
            for (const auto& [uid, info] : views[s])
                if (!state.pairs().by(s, uid) && !state.left(s).count(uid)) plan.transfer[target].push_back(uid);
            std::sort(plan.transfer[target].begin(), plan.transfer[target].end());
        }
        for (auto uid : state.left(s))
            if (!views[s].count(uid)) plan.unleave[s].push_back(uid);
        plan.mass_delete[s] = !options.allow_mass_delete &&
                              trips_mass_delete_guard(plan.deletions[s].size(), plan.count[s],
                                                      options.mass_delete_percent);
    }
    return plan;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> match_identities(std::vector<store::MessageIdentity> far,
                                                                      std::vector<store::MessageIdentity> near) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
    auto by_identity = [](const store::MessageIdentity& a, const store::MessageIdentity& b) {
        if (a.header_hash != b.header_hash) return a.header_hash < b.header_hash;
        if (a.size != b.size) return a.size < b.size;
        return a.uid < b.uid;
    };
    std::sort(far.begin(), far.end(), by_identity);
    std::sort(near.begin(), near.end(), by_identity);

    // exact matches: same hash and size, paired in UID order within each group
    std::vector<store::MessageIdentity> far_left, near_left;
    size_t i = 0, j = 0;
    while (i < far.size() || j < near.size()) {
        if (j == near.size() ||
            (i < far.size() && std::make_pair(far[i].header_hash, far[i].size) <
                                   std::make_pair(near[j].header_hash, near[j].size))) {
            far_left.push_back(far[i++]);
        } else if (i == far.size() ||
                   std::make_pair(near[j].header_hash, near[j].size) <
                       std::make_pair(far[i].header_hash, far[i].size)) {
            near_left.push_back(near[j++]);
        } else {
            matches.emplace_back(far[i++].uid, near[j++].uid);
        }
    }

    // a header hash left exactly once on each side: the same message with another size (line ends)
    std::map<std::uint64_t, std::pair<int, int>> counts;
    for (const auto& m : far_left) ++counts[m.header_hash].first;
    for (const auto& m : near_left) ++counts[m.header_hash].second;
    std::map<std::uint64_t, std::uint32_t> far_single;
    for (const auto& m : far_left)
        if (counts[m.header_hash] == std::make_pair(1, 1)) far_single[m.header_hash] = m.uid;
    for (const auto& m : near_left)
        if (auto it = far_single.find(m.header_hash); it != far_single.end()) matches.emplace_back(it->second, m.uid);

    std::sort(matches.begin(), matches.end());
    return matches;
}

}  // namespace zmail::sync
