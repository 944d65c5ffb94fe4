// Deciding a fetch run: new messages, scope new on the first and later runs, max_size, the
// per-run limit, duplicate UIDLs and listings that disagree.
#include <gtest/gtest.h>

#include "error.hpp"
#include "fetch/plan.hpp"
#include "fetch_test_support.hpp"

namespace zmail::fetch {
namespace {

using testing::TempDir;

pop3::UidlListing uidls(const std::vector<std::string>& uids) {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < uids.size(); ++i) lines.push_back(std::to_string(i + 1) + " " + uids[i]);
    return pop3::parse_uidl_listing(lines);
}

std::vector<pop3::ListEntry> sizes(const std::vector<std::uint64_t>& octets) {
    std::vector<pop3::ListEntry> out;
    for (std::size_t i = 0; i < octets.size(); ++i) out.push_back({static_cast<std::uint32_t>(i + 1), octets[i]});
    return out;
}

std::vector<std::string> names(const std::vector<ServerMessage>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(m.uidl);
    return out;
}

class FetchPlan : public ::testing::Test {
protected:
    TempDir dir;
    UidlState state{dir.path() + "/x.uidl"};
    void SetUp() override { state.load(); }
    /// Gives the state a file, as after any earlier run.
    void reload() {
        state.sync();
        state.compact([](const std::string&, const UidlEntry&) { return UidlState::Keep::listed; });
        state.load();
    }
};

TEST_F(FetchPlan, FetchesWhatWasNotDeliveredInServerOrder) {
    state.record_delivered("b");
    reload();
    Plan plan = make_plan(uidls({"a", "b", "c"}), sizes({10, 20, 30}), state, Policy{}, "pop");
    EXPECT_EQ(names(plan.download), (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(names(plan.delivered), std::vector<std::string>{"b"});
    EXPECT_EQ(plan.download_bytes, 40u);
    EXPECT_EQ(plan.on_server, 3u);
    EXPECT_EQ(plan.download[1].number, 3u);
    EXPECT_FALSE(plan.first_run_scope_new);
}

TEST_F(FetchPlan, ScopeNewFirstRunMarksEverythingSeen) {
    Policy policy;
    policy.scope_new = true;
    policy.max_size = 15;
    Plan plan = make_plan(uidls({"a", "b"}), sizes({10, 20}), state, policy, "pop");
    EXPECT_TRUE(plan.first_run_scope_new);
    EXPECT_TRUE(plan.download.empty());
    EXPECT_TRUE(plan.too_large.empty());
    EXPECT_EQ(names(plan.mark_seen), (std::vector<std::string>{"a", "b"}));
}

TEST_F(FetchPlan, ScopeNewLaterRunsSkipSeenScopeAllFetchesThem) {
    state.record_seen("a");
    reload();
    Policy policy;
    policy.scope_new = true;
    Plan plan = make_plan(uidls({"a", "new"}), sizes({10, 20}), state, policy, "pop");
    EXPECT_FALSE(plan.first_run_scope_new);
    EXPECT_EQ(names(plan.download), std::vector<std::string>{"new"});
    policy.scope_new = false;
    plan = make_plan(uidls({"a", "new"}), sizes({10, 20}), state, policy, "pop");
    EXPECT_EQ(names(plan.download), (std::vector<std::string>{"a", "new"}));
}

TEST_F(FetchPlan, ScopeNewWithAnEmptyStateFileIsNotAFirstRun) {
    reload();  // an earlier run found an empty maildrop
    Policy policy;
    policy.scope_new = true;
    Plan plan = make_plan(uidls({"a"}), sizes({10}), state, policy, "pop");
    EXPECT_EQ(names(plan.download), std::vector<std::string>{"a"});
}

TEST_F(FetchPlan, MaxSizeAndLimit) {
    Policy policy;
    policy.max_size = 100;
    policy.limit = 2;
    Plan plan = make_plan(uidls({"a", "big", "b", "c", "huge", "d"}), sizes({100, 101, 5, 7, 9999, 1}), state,
                          policy, "pop");
    EXPECT_EQ(names(plan.download), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(names(plan.too_large), (std::vector<std::string>{"big", "huge"}));
    EXPECT_EQ(names(plan.deferred), (std::vector<std::string>{"c", "d"}));
}

TEST_F(FetchPlan, DuplicateUidlsAreRefused) {
    try {
        make_plan(uidls({"a", "x", "x", "b", "y", "y"}), sizes({1, 2, 3, 4, 5, 6}), state, Policy{}, "pop.example");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind, ErrorKind::Protocol);
        EXPECT_EQ(std::string(e.what()), "server 'pop.example' gives the same UIDL to more than one message ('x', 'y')");
        EXPECT_NE(e.hint.find("neither fetches nor deletes"), std::string::npos);
    }
}

TEST_F(FetchPlan, ListingsThatDisagreeAreRefused) {
    EXPECT_THROW(make_plan(uidls({"a", "b"}), sizes({1}), state, Policy{}, "pop"), Error);
    std::vector<pop3::ListEntry> other = {{1, 5}, {7, 5}};
    EXPECT_THROW(make_plan(uidls({"a", "b"}), other, state, Policy{}, "pop"), Error);
}


}  // namespace
}  // namespace zmail::fetch
