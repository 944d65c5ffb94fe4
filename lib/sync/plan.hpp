// The sync plan of one folder: a pure function from the state and what both sides hold now to the
// actions that bring them together. Each rule is written once, for both sides.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "store/store.hpp"
#include "sync/state.hpp"

namespace zmail::sync {

/// Which way changes travel.
enum class Direction { Both, Pull, Push };

/// True when `direction` lets changes be made on `target` (pull changes only near, push only far).
bool may_change(Direction direction, Side target);

/// The messages of one side now: UID -> listing entry.
using View = std::unordered_map<std::uint32_t, store::MessageInfo>;

/// The whole view of `side` from a listing. A full listing is taken as it is. A partial one
/// (CONDSTORE/QRESYNC) is applied to what the state knows: the paired and left messages of that
/// side with their last synced flags, then the changed messages, less the vanished ones.
View make_view(const store::Listing& listing, const SyncState& state, Side side);

/// The flags after a three-way merge: a flag that one side added since `base` is added, one that
/// one side removed is removed. Both sides start from the same base and a flag is either set or
/// not, so the two sides can never disagree: the merge has no conflicts.
store::Flags merge_flags(store::Flags base, store::Flags far, store::Flags near);

/// Flag changes of one pair.
struct FlagUpdate {
    std::array<std::uint32_t, 2> uid{};
    std::array<store::Flags, 2> add{}, remove{};  ///< per side
    store::Flags base = 0;                        ///< the pair's flags to record afterwards
};

struct PlanOptions {
    Direction direction = Direction::Both;
    int mass_delete_percent = 50;  ///< the guard trips above this share of a side's messages
    bool allow_mass_delete = false;
};

/// What one run does to one folder pair.
struct Plan {
    /// transfer[t]: UIDs on the other side to copy to side t (new messages), ascending.
    std::array<std::vector<std::uint32_t>, 2> transfer;
    /// Flag changes, and pairs whose recorded flags change without a store change.
    std::vector<FlagUpdate> flag_updates;
    /// deletions[s]: pairs whose message is deleted on side s (it is gone on the other side).
    std::array<std::vector<Pair>, 2> deletions;
    /// Far UIDs of pairs gone on both sides: forget them.
    std::vector<std::uint32_t> forget;
    /// unleave[s]: left messages of side s that are gone now.
    std::array<std::vector<std::uint32_t>, 2> unleave;
    /// Messages on each side now (what the guard measures against).
    std::array<std::size_t, 2> count{};
    /// mass_delete[s]: deletions[s] trips the mass-deletion guard (and it was not allowed).
    std::array<bool, 2> mass_delete{};

    /// The guard tripped: nothing of this plan may be carried out.
    bool stopped() const { return mass_delete[Far] || mass_delete[Near]; }
    /// The plan changes a store (transfers, flags, deletions).
    bool changes_stores() const;
};

/// The plan for one folder pair. Rules:
/// - a pair whose message is gone on one side: deleted on the other side (when that side may
///   change); gone on both: forgotten;
/// - a pair on both sides: flags merged three-way (merge_flags). With one direction only, the
///   changing side takes the other side's changes and the recorded flags become the other
///   side's, so the changing side's own changes still travel in a later two-way run;
/// - a message on one side that is neither paired nor left: copied to the other side;
/// - the guard trips when a side would lose more than `mass_delete_percent` of its messages and
///   either more than 10 messages or all of them (at least 2).
Plan make_plan(const SyncState& state, const std::array<View, 2>& views, const PlanOptions& options);

/// The guard rule of make_plan().
bool trips_mass_delete_guard(std::size_t deletions, std::size_t count, int percent);

/// Matches messages of the two sides by identity, for a folder whose UIDs were reset or a first
/// run with mail on both sides. Messages with the same header hash and size are paired in UID
/// order; then a header hash that is left exactly once on each side pairs those two whatever their
/// sizes. Everything else stays unmatched (and is copied, never deleted). Returns (far, near) UIDs.
std::vector<std::pair<std::uint32_t, std::uint32_t>> match_identities(std::vector<store::MessageIdentity> far,
                                                                      std::vector<store::MessageIdentity> near);

}  // namespace zmail::sync
