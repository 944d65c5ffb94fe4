// Private to lib/sync: one run of the sync engine over one folder pair (see engine.hpp), its
// steps defined in engine.cpp and, for moves between folders, engine_moves.cpp.
#pragma once

#include <array>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "sync/engine.hpp"

namespace zmail::sync::detail {

class FolderRun {
public:
    FolderRun(store::Store& far, store::Store& near, const std::string& folder, const std::string& state_path,
              const FolderOptions& options, const ProgressCallback& progress, FolderReport& report)
        : stores_{&far, &near}, folder_(folder), state_(state_path), options_(options), progress_(progress),
          report_(report) {}

    void run(const FolderPresence& presence);

private:
    store::Store& store(Side side) { return *stores_[side]; }
    PlanOptions plan_options() const {
        return {options_.direction, options_.mass_delete_percent, options_.allow_mass_delete};
    }
    store::Flags flags_of(Side side, std::uint32_t uid) const {
        auto it = views_[side].find(uid);
        return it == views_[side].end() ? 0 : it->second.flags & store::all_flags;
    }

    bool create_missing(Side side);
    bool nothing_changed(const FolderPresence& presence);
    bool empty_on_both_sides(const FolderPresence& presence);
    bool handle_gone(Side gone);
    void sync_both();
    void list(Side side, std::uint64_t changed_since);
    void rematch(const std::array<bool, 2>& validity_changed);
    void settle_pending();
    void pair_twins();
    void leave_refused(Side target, const std::vector<std::pair<std::uint32_t, Error>>& refused);
    void record_pair(Side target, std::uint32_t source_uid, std::uint32_t target_uid, store::Flags flags);
    void transfer(Side target, std::vector<std::uint32_t> uids);
    void transfer_staged(Side target, const std::vector<std::uint32_t>& uids);
    void place_set_aside(std::vector<std::uint32_t>& uids);
    void move_on_far(std::vector<Pair>& pairs);
    void set_aside_near(const std::vector<std::uint32_t>& uids);
    std::uint32_t claim_identity(Side side, const std::vector<store::MessageIdentity>& found,
                                 std::set<std::uint32_t>& claimed, std::uint64_t header_hash, std::uint64_t size,
                                 std::uint32_t min_uid);
    void find_appended(Side target, const std::vector<std::uint32_t>& sources,
                       const std::unordered_map<std::uint32_t, store::MessageIdentity>& identity, std::uint32_t min_uid);
    void apply_flags(const Plan& plan);
    void apply_deletions(const Plan& plan, Side side);
    void stop_for_guard(const Plan& plan, const char* reason);
    void report_plan(const Plan& plan);
    void finish();

    std::array<store::Store*, 2> stores_;
    std::string folder_;
    SyncState state_;
    FolderOptions options_;
    const ProgressCallback& progress_;
    FolderReport& report_;
    std::array<store::FolderStatus, 2> status_{};
    std::array<store::Listing, 2> listing_;
    std::array<View, 2> views_;
    bool complete_ = true;  // every far change was seen through: the far modseq may advance
};

}  // namespace zmail::sync::detail
