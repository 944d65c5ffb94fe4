// Sequence sets / UID sets: parsing with '*', compression, chunking.
#include <gtest/gtest.h>

#include <numeric>

#include "error.hpp"
#include "imap/uid_set.hpp"

using namespace zmail::imap;

TEST(ImapUidSet, ParsesRangesSinglesAndStar) {
    auto set = SequenceSet::parse("1:5,7,9:*", 12);
    EXPECT_EQ(set.ranges(), (std::vector<SequenceRange>{{1, 5}, {7, 7}, {9, 12}}));
    EXPECT_EQ(set.count(), 10u);
    EXPECT_TRUE(set.contains(12));
    EXPECT_FALSE(set.contains(8));
    EXPECT_EQ(set.to_string(), "1:5,7,9:12");
}

TEST(ImapUidSet, ReversedRangeAndStarBelowStart) {
    EXPECT_EQ(SequenceSet::parse("4:2").ranges(), (std::vector<SequenceRange>{{2, 4}}));
    // "10:*" when the highest UID is 6 means 6:10 (RFC 3501 6.4.8).
    EXPECT_EQ(SequenceSet::parse("10:*", 6).ranges(), (std::vector<SequenceRange>{{6, 10}}));
    EXPECT_EQ(SequenceSet::parse("*", 6).numbers(), (std::vector<std::uint32_t>{6}));
}

TEST(ImapUidSet, KeepsOrderForCopyuid) {
    auto set = SequenceSet::parse("304,319:320,100");
    EXPECT_EQ(set.numbers(), (std::vector<std::uint32_t>{304, 319, 320, 100}));
    EXPECT_EQ(set.to_string(), "304,319:320,100");
}

TEST(ImapUidSet, RejectsMalformedSets) {
    for (const char* bad : {"", ",", "1,", ":5", "1:", "0", "1:0", "a", "1 2", "1,,2", "4294967296", "1:2:3", "*"}) {
        EXPECT_THROW(SequenceSet::parse(bad), zmail::Error) << bad;
        EXPECT_FALSE(is_valid_sequence_set(bad) && std::string(bad) != "*") << bad;
    }
    EXPECT_THROW(SequenceSet::parse("1:*", 0), zmail::Error);  // '*' in an empty mailbox
    EXPECT_TRUE(is_valid_sequence_set("1:*"));
    EXPECT_TRUE(is_valid_sequence_set("4294967295"));
}

TEST(ImapUidSet, NumbersHasALimit) {
    auto huge = SequenceSet::parse("1:4294967295");
    EXPECT_EQ(huge.count(), 4294967295u);
    EXPECT_THROW(huge.numbers(1000), zmail::Error);
}

TEST(ImapUidSet, CompressesToShortestForm) {
    EXPECT_EQ(format_sequence_set({}), "");
    EXPECT_EQ(format_sequence_set({5}), "5");
    EXPECT_EQ(format_sequence_set({8, 7, 1, 2, 3, 5, 3, 0}), "1:3,5,7:8");
    EXPECT_EQ(format_sequence_set({4294967294u, 4294967295u, 1}), "1,4294967294:4294967295");
    auto from = SequenceSet::from_numbers({3, 1, 2, 10});
    EXPECT_EQ(from.ranges(), (std::vector<SequenceRange>{{1, 3}, {10, 10}}));
}

TEST(ImapUidSet, SplitsIntoChunksUnderTheLimit) {
    // Every other UID: no ranges at all, the worst case for line length.
    std::vector<std::uint32_t> uids;
    for (std::uint32_t uid = 1000000; uid < 1000000 + 20000; uid += 2) uids.push_back(uid);
    auto chunks = format_sequence_sets(uids, 7000);
    ASSERT_GT(chunks.size(), 1u);
    std::vector<std::uint32_t> back;
    for (const auto& chunk : chunks) {
        EXPECT_LE(chunk.size(), 7000u);
        EXPECT_NE(chunk.front(), ',');
        EXPECT_NE(chunk.back(), ',');
        auto numbers = SequenceSet::parse(chunk).numbers();
        back.insert(back.end(), numbers.begin(), numbers.end());
    }
    EXPECT_EQ(back, uids);
    // A contiguous run stays one short range.
    std::vector<std::uint32_t> run(50000);
    std::iota(run.begin(), run.end(), 1u);
    EXPECT_EQ(format_sequence_sets(run), (std::vector<std::string>{"1:50000"}));
    EXPECT_TRUE(format_sequence_sets({}).empty());
    // A tiny limit still makes progress.
    EXPECT_EQ(format_sequence_sets({1, 3, 5}, 1), (std::vector<std::string>{"1,3,5"}));
}
