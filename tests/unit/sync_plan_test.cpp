#include "sync/plan.hpp"

#include "store/imap_store.hpp"
#include "store/maildir_store.hpp"

#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::store;

namespace {

// A state in memory only.
struct MemoryState : SyncState {
    MemoryState() : SyncState("/nonexistent/zmail-test.state") { set_dry_run(true); }
};

View view(std::initializer_list<std::pair<std::uint32_t, Flags>> messages) {
    View v;
    for (auto [uid, flags] : messages) v[uid] = MessageInfo{uid, flags, 100};
    return v;
}

Plan plan(const SyncState& s, View far, View near, PlanOptions options = {}) {
    return make_plan(s, {std::move(far), std::move(near)}, options);
}

}  // namespace

TEST(MergeFlags, EveryCombinationOfOneFlag) {
    // base far near -> merged, for every flag bit
    struct Row {
        bool base, far, near, merged;
    } rows[] = {
        {false, false, false, false}, {false, true, false, true}, {false, false, true, true},
        {false, true, true, true},    {true, true, true, true},   {true, false, true, false},
        {true, true, false, false},   {true, false, false, false},
    };
    for (Flags bit : {Seen, Answered, Flagged, Deleted, Draft})
        for (const auto& r : rows)
            EXPECT_EQ(merge_flags(r.base ? bit : 0, r.far ? bit : 0, r.near ? bit : 0), r.merged ? bit : 0u)
                << bit << r.base << r.far << r.near;
}

TEST(MergeFlags, FlagsAreIndependent) {
    // far marked it seen, near flagged it and removed answered
    EXPECT_EQ(merge_flags(Answered, Answered | Seen, Flagged), Seen | Flagged);
}

TEST(Plan, NothingToDo) {
    MemoryState s;
    s.add_pair(1, 10, Seen);
    auto p = plan(s, view({{1, Seen}}), view({{10, Seen}}));
    EXPECT_FALSE(p.changes_stores());
    EXPECT_TRUE(p.flag_updates.empty());
    EXPECT_FALSE(p.stopped());
}

TEST(Plan, NewMessagesTravelBothWays) {
    MemoryState s;
    s.add_pair(1, 10, 0);
    auto p = plan(s, view({{1, 0}, {3, Seen}, {2, 0}}), view({{10, 0}, {11, Draft}}));
    EXPECT_EQ(p.transfer[Near], (std::vector<std::uint32_t>{2, 3}));
    EXPECT_EQ(p.transfer[Far], (std::vector<std::uint32_t>{11}));
}

TEST(Plan, LeftMessagesAreNotCopied) {
    MemoryState s;
    s.leave(Far, 5);
    auto p = plan(s, view({{5, Deleted}}), view({}));
    EXPECT_TRUE(p.transfer[Near].empty());
    EXPECT_TRUE(p.unleave[Far].empty());
    // once it is expunged, it is forgotten
    p = plan(s, view({}), view({}));
    EXPECT_EQ(p.unleave[Far], (std::vector<std::uint32_t>{5}));
}

TEST(Plan, DeletionOnEitherSideDeletesOnTheOther) {
    MemoryState s;
    s.add_pair(1, 10, 0);
    s.add_pair(2, 20, 0);
    s.add_pair(3, 30, 0);
    auto p = plan(s, view({{1, 0}, {3, 0}}), view({{10, 0}, {20, 0}}));
    ASSERT_EQ(p.deletions[Near].size(), 1u);
    EXPECT_EQ(p.deletions[Near][0].uid[Near], 20u);  // far expunged 2
    ASSERT_EQ(p.deletions[Far].size(), 1u);
    EXPECT_EQ(p.deletions[Far][0].uid[Far], 3u);  // near deleted 30
    EXPECT_TRUE(p.forget.empty());
}

TEST(Plan, GoneOnBothSidesIsForgotten) {
    MemoryState s;
    s.add_pair(1, 10, 0);
    auto p = plan(s, view({}), view({}));
    EXPECT_EQ(p.forget, (std::vector<std::uint32_t>{1}));
    EXPECT_FALSE(p.changes_stores());
}

TEST(Plan, DeletionWinsOverAFlagChange) {
    MemoryState s;
    s.add_pair(1, 10, 0);
    auto p = plan(s, view({{1, Flagged}}), view({}));
    EXPECT_EQ(p.deletions[Far].size(), 1u);
    EXPECT_TRUE(p.flag_updates.empty());
}

TEST(Plan, FlagsMergeBothWays) {
    MemoryState s;
    s.add_pair(1, 10, Seen);          // far removes seen
    s.add_pair(2, 20, 0);             // near flags
    s.add_pair(3, 30, 0);             // both add seen: only the base changes
    s.add_pair(4, 40, Seen);          // far adds answered, near adds flagged
    auto p = plan(s, view({{1, 0}, {2, 0}, {3, Seen}, {4, Seen | Answered}}),
                  view({{10, Seen}, {20, Flagged}, {30, Seen}, {40, Seen | Flagged}}));
    ASSERT_EQ(p.flag_updates.size(), 4u);
    const auto& u1 = p.flag_updates[0];
    EXPECT_EQ(u1.remove[Near], Seen);
    EXPECT_EQ(u1.add[Far] | u1.remove[Far] | u1.add[Near], 0u);
    EXPECT_EQ(u1.base, 0u);
    const auto& u2 = p.flag_updates[1];
    EXPECT_EQ(u2.add[Far], Flagged);
    EXPECT_EQ(u2.base, Flagged);
    const auto& u3 = p.flag_updates[2];
    EXPECT_EQ(u3.add[Far] | u3.add[Near] | u3.remove[Far] | u3.remove[Near], 0u);
    EXPECT_EQ(u3.base, Seen);
    const auto& u4 = p.flag_updates[3];
    EXPECT_EQ(u4.add[Far], Flagged);
    EXPECT_EQ(u4.add[Near], Answered);
    EXPECT_EQ(u4.base, Seen | Answered | Flagged);
    EXPECT_TRUE(p.changes_stores());
}

TEST(Plan, DeletedFlagSyncsLikeAnyFlag) {
    MemoryState s;
    s.add_pair(1, 10, 0);
    auto p = plan(s, view({{1, Deleted}}), view({{10, 0}}));
    ASSERT_EQ(p.flag_updates.size(), 1u);
    EXPECT_EQ(p.flag_updates[0].add[Near], Deleted);
}

TEST(Plan, PullChangesOnlyNear) {
    MemoryState s;
    s.add_pair(1, 10, 0);  // far added seen, near added flagged
    s.add_pair(2, 20, 0);  // gone on near: not propagated
    s.add_pair(3, 30, 0);  // gone on far: deleted on near
    auto p = plan(s, view({{1, Seen}, {2, 0}, {5, 0}}), view({{10, Flagged}, {30, 0}, {40, 0}}),
                  {Direction::Pull, 50, false});
    EXPECT_EQ(p.transfer[Near], (std::vector<std::uint32_t>{5}));
    EXPECT_TRUE(p.transfer[Far].empty());
    EXPECT_TRUE(p.deletions[Far].empty());
    ASSERT_EQ(p.deletions[Near].size(), 1u);
    ASSERT_EQ(p.flag_updates.size(), 1u);
    const auto& u = p.flag_updates[0];
    EXPECT_EQ(u.add[Near], Seen);
    EXPECT_EQ(u.add[Far] | u.remove[Far], 0u);
    // the recorded flags are the far side's, so near's own change still travels later
    EXPECT_EQ(u.base, Seen);
    MemoryState later;
    later.add_pair(1, 10, u.base);
    auto both = plan(later, view({{1, Seen}}), view({{10, Seen | Flagged}}));
    ASSERT_EQ(both.flag_updates.size(), 1u);
    EXPECT_EQ(both.flag_updates[0].add[Far], Flagged);
}

TEST(Plan, PushChangesOnlyFar) {
    MemoryState s;
    s.add_pair(1, 10, Seen);  // near removed seen, far added answered
    s.add_pair(2, 20, 0);     // gone on near: deleted on far
    s.add_pair(3, 30, 0);     // gone on far: kept
    auto p = plan(s, view({{1, Seen | Answered}, {2, 0}, {5, 0}}), view({{10, 0}, {30, 0}, {40, 0}}),
                  {Direction::Push, 50, false});
    EXPECT_TRUE(p.transfer[Near].empty());
    EXPECT_EQ(p.transfer[Far], (std::vector<std::uint32_t>{40}));
    EXPECT_TRUE(p.deletions[Near].empty());
    ASSERT_EQ(p.deletions[Far].size(), 1u);
    ASSERT_EQ(p.flag_updates.size(), 1u);
    EXPECT_EQ(p.flag_updates[0].remove[Far], Seen);
    EXPECT_EQ(p.flag_updates[0].add[Near] | p.flag_updates[0].remove[Near], 0u);
    EXPECT_EQ(p.flag_updates[0].base, 0u);
}

TEST(MassDeleteGuard, Thresholds) {
    EXPECT_FALSE(trips_mass_delete_guard(0, 100, 50));
    EXPECT_FALSE(trips_mass_delete_guard(50, 100, 50));   // not more than half
    EXPECT_TRUE(trips_mass_delete_guard(51, 100, 50));
    EXPECT_FALSE(trips_mass_delete_guard(10, 15, 50));    // only a few
    EXPECT_TRUE(trips_mass_delete_guard(11, 15, 50));
    EXPECT_TRUE(trips_mass_delete_guard(5, 5, 50));       // the whole folder
    EXPECT_TRUE(trips_mass_delete_guard(2, 2, 50));
    EXPECT_FALSE(trips_mass_delete_guard(1, 1, 50));      // a folder's only message
    EXPECT_FALSE(trips_mass_delete_guard(4, 5, 50));
    EXPECT_TRUE(trips_mass_delete_guard(20, 100, 10));
    EXPECT_FALSE(trips_mass_delete_guard(100, 100, 100));
}

TEST(Plan, GuardStopsAWipedSideForEitherDirection) {
    for (Side wiped : {Far, Near}) {
        MemoryState s;
        View full, empty;
        for (std::uint32_t uid = 1; uid <= 20; ++uid) {
            s.add_pair(uid, uid + 100, 0);
        }
        for (std::uint32_t uid = 1; uid <= 20; ++uid)
            full[wiped == Far ? uid + 100 : uid] = MessageInfo{wiped == Far ? uid + 100 : uid, 0, 1};
        std::array<View, 2> views;
        views[wiped] = empty;
        views[other(wiped)] = full;
        auto p = make_plan(s, views, {});
        EXPECT_TRUE(p.stopped());
        EXPECT_TRUE(p.mass_delete[other(wiped)]);
        EXPECT_EQ(p.deletions[other(wiped)].size(), 20u);
        EXPECT_EQ(p.count[other(wiped)], 20u);
        p = make_plan(s, views, {Direction::Both, 50, true});
        EXPECT_FALSE(p.stopped());
        // with the other direction only, nothing is deleted, so nothing trips
        p = make_plan(s, views, {wiped == Near ? Direction::Pull : Direction::Push, 50, false});
        EXPECT_FALSE(p.stopped());
        EXPECT_TRUE(p.deletions[other(wiped)].empty());
    }
}

TEST(MakeView, FullListingIsTakenAsIs) {
    MemoryState s;
    s.add_pair(1, 10, Seen);
    Listing l;
    l.messages = {{2, Flagged, 5}};
    auto v = make_view(l, s, Far);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v.at(2).flags, Flagged);
}

TEST(MakeView, PartialListingWithVanished) {
    MemoryState s;
    s.add_pair(1, 10, Seen);
    s.add_pair(2, 20, 0);
    s.add_pair(3, 30, Flagged);
    s.leave(Far, 4);
    Listing l;
    l.partial = true;
    l.messages = {{2, Answered, 5}, {7, 0, 9}};
    l.vanished = {3, 99};
    auto v = make_view(l, s, Far);
    EXPECT_EQ(v.size(), 4u);
    EXPECT_EQ(v.at(1).flags, Seen);      // unchanged: last synced flags
    EXPECT_EQ(v.at(2).flags, Answered);  // changed
    EXPECT_EQ(v.at(7).size, 9u);         // new
    EXPECT_TRUE(v.count(4));             // left, still there
    EXPECT_FALSE(v.count(3));
}

TEST(MakeView, PartialListingWithPresentUids) {
    MemoryState s;
    s.add_pair(1, 10, Seen);
    s.add_pair(2, 20, 0);
    Listing l;
    l.partial = true;
    l.messages = {{5, 0, 1}};
    l.present = std::vector<std::uint32_t>{2, 5};
    auto v = make_view(l, s, Far);
    EXPECT_EQ(v.size(), 2u);
    EXPECT_FALSE(v.count(1));
}

TEST(MatchIdentities, ExactThenUniqueHash) {
    std::vector<MessageIdentity> far{{1, 0xa, 100}, {2, 0xb, 200}, {3, 0xa, 100}, {4, 0xc, 300}, {5, 0xd, 1}};
    std::vector<MessageIdentity> near{{30, 0xa, 100}, {10, 0xa, 100}, {20, 0xb, 200}, {40, 0xc, 301}, {50, 0xe, 1}};
    auto m = match_identities(far, near);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> want{{1, 10}, {2, 20}, {3, 30}, {4, 40}};
    EXPECT_EQ(m, want);
}

TEST(MatchIdentities, DuplicatesMatchOnlyAsOftenAsTheyExist) {
    // the same message twice on far, once on near: one pair, one copy to make
    std::vector<MessageIdentity> far{{1, 0xa, 100}, {2, 0xa, 100}};
    std::vector<MessageIdentity> near{{7, 0xa, 100}};
    auto m = match_identities(far, near);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0], std::make_pair(1u, 7u));
    // an ambiguous hash with other sizes is never guessed
    far = {{1, 0xa, 100}, {2, 0xa, 101}};
    near = {{7, 0xa, 102}};
    EXPECT_TRUE(match_identities(far, near).empty());
}

TEST(HeaderHash, IgnoresLineEndsFoldingAndCaseAndOtherFields) {
    std::string crlf = "Received: x\r\nMessage-ID: <a@b>\r\nSubject: hello\r\n  world\r\nDate: Mon, 1 Jan 2024\r\n"
                       "From: x@y\r\n\r\nbody\r\n";
    std::string lf = "message-id:   <a@b>\nX-Other: 1\nsubject: hello world\nfrom: x@y\ndate: Mon,  1 Jan 2024\n\nbody\n";
    EXPECT_EQ(header_hash(crlf), header_hash(lf));
    // what IMAP returns for BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]
    std::string fields = "Message-ID: <a@b>\r\nSubject: hello\r\n world\r\nDate: Mon, 1 Jan 2024\r\nFrom: x@y\r\n\r\n";
    EXPECT_EQ(header_hash(crlf), header_hash(fields));
    EXPECT_NE(header_hash(crlf), header_hash("Message-ID: <b@b>\r\n\r\n"));
    // the body does not count, nor does a second Message-ID
    EXPECT_EQ(header_hash("Message-ID: <a>\n\nMessage-ID: <b>\n"), header_hash("Message-ID: <a>\n"));
    EXPECT_EQ(header_hash("Message-ID: <a>\nMessage-ID: <b>\n"), header_hash("Message-ID: <a>\n"));
    // a field that is there but empty is not the same as a missing one
    EXPECT_NE(header_hash("Subject:\n"), header_hash(""));
}

TEST(FlagNames, MaildirAndImap) {
    EXPECT_EQ(maildir_flags(Seen | Draft | Deleted | Answered | Flagged), "DFRST");
    EXPECT_EQ(flags_from_maildir("aSFxT"), Seen | Flagged | Deleted);
    EXPECT_EQ(imap_flags(Seen | Flagged), (std::vector<std::string>{"\\Flagged", "\\Seen"}));
    EXPECT_EQ(flags_from_imap({"\\SEEN", "\\answered", "$Forwarded", "\\Recent"}), Seen | Answered);
}
