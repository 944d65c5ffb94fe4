#include "sync/engine.hpp"
#include "sync/folder_run.hpp"

#include "i18n.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace zmail::sync {

bool FolderReport::changed() const {
    for (Side s : {Far, Near})
        if (added[s] || flagged[s] || deleted[s] || moved[s] || folder_created[s] || folder_deleted[s]) return true;
    return false;
}

namespace detail {

void FolderRun::run(const FolderPresence& presence) {
    if (options_.moves) options_.moves->start(folder_);
    state_.load();
    state_.set_dry_run(options_.dry_run);
    std::array<bool, 2> exists{presence.far, presence.near};
    if (!exists[Far] && !exists[Near]) {
        if (state_.existed()) {
            state_.remove_files();
            report_.notes.push_back(tr("folder '{}' is gone from both sides; its sync state was removed", folder_));
        }
        return;
    }
    for (Side s : {Far, Near}) {
        if (exists[s]) continue;
        if (state_.existed()) return handle_gone(s) ? sync_both() : void();
        if (!create_missing(s)) return;
    }
    if (nothing_changed(presence)) return;
    sync_both();
}

// The steady state: the far folder's UIDVALIDITY and HIGHESTMODSEQ (from the folder listing) are
// the recorded ones, and the near folder holds exactly the recorded messages with the recorded
// flags. Then there is nothing to do, and the far folder need not be selected.
bool FolderRun::nothing_changed(const FolderPresence& presence) {
    const auto& far = presence.far_status;
    if (!state_.existed()) return empty_on_both_sides(presence);
    if (!far || !state_.pending().empty() || far->highest_modseq == 0) return false;
    if (far->uid_validity != state_.uid_validity(Far) || far->highest_modseq != state_.far_modseq()) return false;
    status_[Near] = store(Near).select(folder_);
    if (status_[Near].uid_validity != state_.uid_validity(Near)) return false;
    list(Near, 0);
    if (views_[Near].size() != state_.pairs().size() + state_.left(Near).size()) return false;
    for (const auto& [uid, info] : views_[Near]) {
        const Pair* pair = state_.pairs().by_near(uid);
        if (pair ? (info.flags & store::all_flags) != pair->flags : !state_.left(Near).count(uid)) return false;
    }
    return true;
}

// A folder never synced that the folder listing shows empty on the server, and that is empty
// here too: nothing to copy, so the far folder is not selected; its state records the server's
// UIDVALIDITY and HIGHESTMODSEQ from the listing, and mail that came after that is seen next run.
bool FolderRun::empty_on_both_sides(const FolderPresence& presence) {
    const auto& far = presence.far_status;
    if (!far || !far->messages || *far->messages != 0 || far->uid_validity == 0 || far->highest_modseq == 0)
        return false;
    status_[Near] = store(Near).select(folder_);
    list(Near, 0);
    if (!views_[Near].empty() || !listing_[Near].skipped.empty()) return false;
    if (options_.dry_run) return true;
    status_[Far] = *far;
    finish();
    return true;
}

// A folder that exists on one side only and was never synced: create it on the other.
bool FolderRun::create_missing(Side side) {
    if (!may_change(options_.direction, side)) {
        // TRANSLATORS: a folder, then where it is and where it is not ("server 'x'", "Maildir '~/Mail'")
        report_.notes.push_back(tr("folder '{}' exists only on {}; not created on {} in this direction", folder_,
                                   store(other(side)).describe(), store(side).describe()));
        return false;
    }
    if (options_.dry_run) {
        report_.folder_created[side] = true;
        store(other(side)).select(folder_);
        report_.added[side] = store(other(side)).list_messages(0).messages.size();
        return false;
    }
    store(side).create_folder(folder_);  // reported only once it is true
    report_.folder_created[side] = true;
    return true;
}

// The folder was synced before and is gone from `gone` now: its messages were deleted there.
// Returns true when the folder was created again and the caller should sync it.
bool FolderRun::handle_gone(Side gone) {
    Side kept = other(gone);
    status_[kept] = store(kept).select(folder_);
    bool same_folder = status_[kept].uid_validity == state_.uid_validity(kept);
    if (same_folder && may_change(options_.direction, kept)) {
        list(kept, 0);
        views_[gone].clear();
        Plan plan = make_plan(state_, views_, plan_options());
        // a whole folder gone is a bigger step than some messages: any deletion needs the option
        if (!options_.allow_mass_delete && !plan.deletions[kept].empty()) plan.mass_delete[kept] = true;
        if (plan.mass_delete[kept]) {
            stop_for_guard(plan, N_("the folder is gone from the other side"));
            return false;
        }
        bool delete_folder = options_.delete_folders && plan.transfer[gone].empty();
        if (options_.dry_run) {
            report_.deleted[kept] = plan.deletions[kept].size();
            report_.folder_deleted[kept] = delete_folder;
            report_.folder_created[gone] = !delete_folder;
            report_.added[gone] = delete_folder ? 0 : plan.transfer[gone].size();
            return false;
        }
        apply_deletions(plan, kept);
        for (auto far_uid : plan.forget) state_.remove_pair(far_uid);
        state_.sync();
        if (delete_folder) {
            store(kept).delete_folder(folder_);
            report_.folder_deleted[kept] = true;
            state_.remove_files();
            return false;
        }
    }
    if (!may_change(options_.direction, gone)) {
        report_.notes.push_back(
            tr("folder '{}' is gone from {}; not created again in this direction", folder_, store(gone).describe()));
        return false;
    }
    if (options_.dry_run) {
        report_.folder_created[gone] = true;
        report_.added[gone] = store(kept).list_messages(0).messages.size();
        return false;
    }
    store(gone).create_folder(folder_);
    report_.folder_created[gone] = true;
    status_[gone] = store(gone).select(folder_);
    // a new, empty folder: forget the pairs; the kept side's messages are copied into it
    auto left = same_folder ? state_.left(kept) : std::set<std::uint32_t>{};
    state_.reset();
    state_.set_header(status_[Far].uid_validity, status_[Near].uid_validity, 0);
    for (auto uid : left) state_.leave(kept, uid);
    state_.sync();
    report_.notes.push_back(tr("folder '{}' was gone from {} and was created again", folder_, store(gone).describe()));
    return true;
}

void FolderRun::list(Side side, std::uint64_t changed_since) {
    listing_[side] = store(side).list_messages(changed_since);
    for (const auto& why : listing_[side].skipped) {
        // TRANSLATORS: where ("Maildir '~/Mail'"), then why (a message of its own)
        std::string note = tr("warning: a message in {} was left alone: {}; rename the file to a shorter name to "
                              "sync it",
                              store(side).describe(), why);
        if (std::find(report_.notes.begin(), report_.notes.end(), note) == report_.notes.end())
            report_.notes.push_back(std::move(note));
    }
    views_[side] = make_view(listing_[side], state_, side);
}

void FolderRun::sync_both() {
    // the far listing goes out together with the SELECT: the whole folder on a first sync (or a
    // server without mod-sequences), else the changes since the last run
    if (!state_.existed() || !store(Far).capabilities().mod_sequences) {
        store(Far).expect_full_listing();
    } else if (state_.far_modseq() > 0) {
        std::uint32_t highest = state_.pairs().all().empty() ? 0 : state_.pairs().all().rbegin()->first;
        if (!state_.left(Far).empty()) highest = std::max(highest, *state_.left(Far).rbegin());
        store(Far).expect_changes_since(state_.far_modseq(), highest);
    }
    // the Maildir is read while the server opens the folder
    store(Far).while_selecting([this] {
        status_[Near] = store(Near).select(folder_);
        list(Near, 0);
    });
    status_[Far] = store(Far).select(folder_);
    bool existed = state_.existed();
    std::array<bool, 2> changed{true, true};
    if (existed)
        for (Side s : {Far, Near}) changed[s] = status_[s].uid_validity != state_.uid_validity(s);
    bool rematching = existed && (changed[Far] || changed[Near]);
    std::uint64_t since = 0;
    // (a mod-sequence lower than the one recorded: the server lost its index; list everything)
    if (existed && !rematching && state_.far_modseq() > 0 && status_[Far].highest_modseq >= state_.far_modseq() &&
        store(Far).capabilities().mod_sequences)
        since = state_.far_modseq();
    list(Far, since);
    if (!existed) {
        rematching = !views_[Far].empty() && !views_[Near].empty();
        if (!rematching) {
            state_.set_header(status_[Far].uid_validity, status_[Near].uid_validity, 0);
            state_.sync();
        }
    }
    if (rematching) {
        rematch(changed);
    } else {
        settle_pending();
        pair_twins();
    }

    Plan plan = make_plan(state_, views_, plan_options());
    if (!plan.deletions[Far].empty()) {
        // Gone here, so deleted on the server: only what a second listing misses too. A mail
        // reader renaming files (flags, new/ to cur/) can hide one from a directory listing.
        View first = std::move(views_[Near]);
        list(Near, 0);
        for (auto& [uid, info] : first) views_[Near].emplace(uid, info);
        plan = make_plan(state_, views_, plan_options());
    }
    if (plan.mass_delete[Far] && !options_.dry_run) {
        // files moved to another folder here are moves on the server, not deletions: make them
        // first, then measure what is left against the guard
        move_on_far(plan.deletions[Far]);
        plan.mass_delete[Far] =
            trips_mass_delete_guard(plan.deletions[Far].size(), plan.count[Far], options_.mass_delete_percent);
    }
    if (plan.stopped()) return stop_for_guard(plan, nullptr);
    if (options_.dry_run) return report_plan(plan);

    transfer(Near, plan.transfer[Near]);
    transfer(Far, plan.transfer[Far]);
    apply_flags(plan);
    apply_deletions(plan, Near);
    apply_deletions(plan, Far);
    for (auto far_uid : plan.forget) state_.remove_pair(far_uid);
    for (Side s : {Far, Near})
        for (auto uid : plan.unleave[s]) state_.unleave(s, uid);
    finish();
}

// UIDs were reset on a side (or this is the first run with mail on both): pair by identity. Nothing
// is ever deleted here; what does not match is copied by the plan.
void FolderRun::rematch(const std::array<bool, 2>& changed) {
    PairTable old_pairs = state_.pairs();
    std::array<std::set<std::uint32_t>, 2> old_left{state_.left(Far), state_.left(Near)};
    std::array<std::vector<std::uint32_t>, 2> candidates;
    for (Side s : {Far, Near})
        for (const auto& [uid, info] : views_[s])
            if (changed[s] || !old_left[s].count(uid)) candidates[s].push_back(uid);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> matches;
    if (!candidates[Far].empty() && !candidates[Near].empty()) {
        for (Side s : {Far, Near}) std::sort(candidates[s].begin(), candidates[s].end());
        matches = match_identities(store(Far).identities(candidates[Far]), store(Near).identities(candidates[Near]));
    }
    state_.reset();
    state_.set_header(status_[Far].uid_validity, status_[Near].uid_validity, 0);
    for (Side s : {Far, Near})
        if (!changed[s])
            for (auto uid : old_left[s])
                if (views_[s].count(uid)) state_.leave(s, uid);
    for (auto [far, near] : matches) {
        // the flags of the last sync when one side still knows them; else both sides' union
        store::Flags base = flags_of(Far, far) & flags_of(Near, near);
        const Pair* old = nullptr;
        if (!changed[Far]) old = old_pairs.by_far(far);
        if (!old && !changed[Near]) old = old_pairs.by_near(near);
        if (old) base = old->flags;
        state_.add_pair(far, near, base);
    }
    state_.sync();
    report_.rematched = true;
    report_.matched = matches.size();
    if (old_pairs.size() > 0 || !old_left[Far].empty())
        for (Side s : {Far, Near})
            if (changed[s])
                report_.notes.push_back(tr("the UIDVALIDITY of folder '{}' on {} changed; {} messages were matched "
                                           "again by Message-ID",
                                           folder_, store(s).describe(), matches.size()));
}

// New on both sides since the last run and the same message (Message-ID, Date, From, Subject):
// a mail reader's Fcc copy in Sent (mutt's record=+Sent) and the copy the provider or `zmail
// send` filed on the server. Paired, not copied both ways, which left two of everything in Sent.
void FolderRun::pair_twins() {
    std::array<std::vector<std::uint32_t>, 2> fresh;
    for (Side s : {Far, Near}) {
        for (const auto& [uid, info] : views_[s]) {
            const Pair* pair = s == Far ? state_.pairs().by_far(uid) : state_.pairs().by_near(uid);
            if (!pair && !state_.left(s).count(uid)) fresh[s].push_back(uid);
        }
        std::sort(fresh[s].begin(), fresh[s].end());
    }
    if (fresh[Far].empty() || fresh[Near].empty()) return;
    const auto matches = match_identities(store(Far).identities(fresh[Far]), store(Near).identities(fresh[Near]));
    for (auto [far, near] : matches) state_.add_pair(far, near, flags_of(Far, far) & flags_of(Near, near));
    if (matches.empty()) return;
    state_.sync();
    report_.matched += matches.size();
}

void FolderRun::record_pair(Side target, std::uint32_t source_uid, std::uint32_t target_uid, store::Flags flags) {
    if (target == Near) state_.add_pair(source_uid, target_uid, flags);
    else state_.add_pair(target_uid, source_uid, flags);
}

// Transfers a stopped run left open: done (the copy is there) -> pair; not done -> forget, so the
// plan copies the message again.
void FolderRun::settle_pending() {
    auto pending = state_.pending();
    if (pending.empty()) return;
    std::array<std::vector<Pending>, 2> search;
    for (const auto& p : pending) {
        if (!p.target_uid) {
            search[p.target].push_back(p);
            continue;
        }
        if (views_[p.target].count(p.target_uid) && !state_.pairs().by(p.target, p.target_uid))
            record_pair(p.target, p.source_uid, p.target_uid, flags_of(p.target, p.target_uid));
        else
            state_.settle_pending(p.target, p.source_uid);
    }
    for (Side t : {Far, Near}) {
        if (search[t].empty()) continue;
        std::uint32_t min_uid = search[t].front().min_uid;
        for (const auto& p : search[t]) min_uid = std::min(min_uid, p.min_uid);
        auto found = store(t).identities_from(min_uid);
        std::set<std::uint32_t> used;
        for (const auto& p : search[t]) {
            const std::uint32_t match = claim_identity(t, found, used, p.header_hash, p.size, p.min_uid);
            if (!match) {
                state_.settle_pending(t, p.source_uid);
                continue;
            }
            // a listing that missed it (it cannot, but never pair with something unseen)
            if (!views_[t].count(match)) views_[t][match] = store::MessageInfo{match, 0, p.size};
            record_pair(t, p.source_uid, match, flags_of(t, match));
        }
    }
    state_.sync();
}

void FolderRun::apply_flags(const Plan& plan) {
    if (plan.flag_updates.empty()) return;
    for (Side s : {Far, Near}) {
        std::map<std::pair<store::Flags, store::Flags>, std::vector<std::uint32_t>> groups;
        for (const auto& u : plan.flag_updates)
            if (u.add[s] || u.remove[s]) groups[{u.add[s], u.remove[s]}].push_back(u.uid[s]);
        for (const auto& [change, uids] : groups) {
            store(s).set_flags(uids, change.first, change.second);
            report_.flagged[s] += uids.size();
        }
    }
    for (const auto& u : plan.flag_updates) state_.set_flags(u.uid[Far], u.base);
    state_.sync();
}

void FolderRun::apply_deletions(const Plan& plan, Side side) {
    std::vector<Pair> pairs = plan.deletions[side];
    if (side == Far) move_on_far(pairs);
    if (pairs.empty()) return;
    std::vector<std::uint32_t> uids;
    for (const auto& p : pairs) uids.push_back(p.uid[side]);
    // the near side always removes; the far side expunges only what it deleted, if asked to
    bool expunge = side == Near || (options_.expunge && store(side).capabilities().selective_expunge);
    if (side == Near) set_aside_near(uids);
    store(side).remove(uids, expunge);  // those set aside are gone from the folder already
    for (const auto& p : pairs) {
        state_.remove_pair(p.uid[Far]);
        if (!expunge) state_.leave(side, p.uid[side]);  // flagged \Deleted: never fetch it back
    }
    state_.sync();
    report_.deleted[side] += pairs.size();
}

void FolderRun::stop_for_guard(const Plan& plan, const char* reason) {
    report_.stopped = true;
    for (Side s : {Far, Near}) {
        if (!plan.mass_delete[s]) continue;
        const auto deleted = plan.deletions[s].size();
        std::string message =
            // TRANSLATORS: a folder, how many would be deleted, of how many, where ("server 'x'"); then why
            reason ? tr("stopped syncing folder '{}': it would delete {} of its {} messages on {} ({})", folder_,
                        deleted, plan.count[s], store(s).describe(), translate(reason))
                   : tr("stopped syncing folder '{}': it would delete {} of its {} messages on {}", folder_, deleted,
                        plan.count[s], store(s).describe());
        report_.error = Error(ErrorKind::Data, message,
                              tr("if that is what you want, run again with --allow-mass-delete; the share that stops "
                                 "a sync is sync.mass_delete_percent ({}%)",
                                 options_.mass_delete_percent));
        return;
    }
}

void FolderRun::report_plan(const Plan& plan) {
    for (Side s : {Far, Near}) {
        report_.added[s] = plan.transfer[s].size();
        report_.deleted[s] = plan.deletions[s].size();
        for (const auto& u : plan.flag_updates)
            if (u.add[s] || u.remove[s]) ++report_.flagged[s];
    }
}

void FolderRun::finish() {
    std::uint64_t modseq = state_.far_modseq();
    if (complete_ && may_change(options_.direction, Near)) modseq = status_[Far].highest_modseq;
    state_.set_far_mailbox_id(status_[Far].mailbox_id);
    state_.set_header(status_[Far].uid_validity, status_[Near].uid_validity, modseq);
    state_.sync();
    state_.compact_when_worth_it();
}

}  // namespace detail

FolderReport sync_folder(store::Store& far, store::Store& near, const std::string& folder,
                         const std::string& state_path, const FolderPresence& presence,
                         const FolderOptions& options, const ProgressCallback& progress) {
    FolderReport report;
    report.folder = folder;
    try {
        detail::FolderRun run(far, near, folder, state_path, options, progress, report);
        run.run(presence);
    } catch (const Error& e) {
        report.error = e;
    } catch (const std::exception& e) {
        report.error = Error(ErrorKind::Internal, tr("internal error while syncing folder '{}': {}", folder, e.what()));
    }
    if (options.moves) options.moves->finish(folder);
    return report;
}

}  // namespace zmail::sync
