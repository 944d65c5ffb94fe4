// The move broker of one sync run (sync/moves.hpp): set-aside copies are taken once by identity,
// local-move destinations are only folders that have not started, each new message is claimed
// once, a reserved folder waits to start until the move into it is done, and copies nobody took
// are deleted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "sync/moves.hpp"
#include "../support/files.hpp"

namespace zmail::sync {
namespace {

namespace fs = std::filesystem;
using store::MessageIdentity;

MessageIdentity id(std::uint32_t uid, std::uint64_t hash, std::uint64_t size = 100) { return {uid, hash, size}; }

TEST(SyncMoves, ASetAsideCopyIsTakenOnceByExactIdentityAndTheRestIsDeletedAtTheEnd) {
    testing::TempDir dir;
    const std::string kept = dir.path() + "/kept", taken = dir.path() + "/taken";
    testing::write_file(kept, "a");
    testing::write_file(taken, "b");
    {
        MoveBroker moves({"INBOX", "Archive"}, {"INBOX", "Archive"}, {});
        EXPECT_FALSE(moves.has_offers());
        moves.offer("INBOX", id(1, 11), kept);
        moves.offer("INBOX", id(2, 22), taken);
        EXPECT_TRUE(moves.has_offers());
        EXPECT_TRUE(moves.offers_size(100));
        EXPECT_FALSE(moves.offers_size(101)) << "a new message of another size needs no headers fetched";
        EXPECT_FALSE(moves.take(22, 101)) << "the size must match too";
        EXPECT_EQ(moves.take(22, 100), taken);
        EXPECT_FALSE(moves.take(22, 100)) << "taken once";
    }
    EXPECT_FALSE(fs::exists(kept)) << "nobody took it: deleted with the broker";
    EXPECT_TRUE(fs::exists(taken)) << "the taker removes it once its copy is recorded";
}

TEST(SyncMoves, LaterFoldersAreThoseNotStarted) {
    MoveBroker moves({"INBOX", "Archive"}, {"INBOX", "Archive"}, {});
    moves.start("INBOX");
    EXPECT_TRUE(moves.has_later("INBOX"));
    moves.start("Archive");
    EXPECT_FALSE(moves.has_later("INBOX"));
}

TEST(SyncMoves, DestinationsAreNewMessagesOfFoldersNotStartedOnTheServerEachClaimedOnce) {
    std::vector<std::string> scanned;
    auto scan = [&](const std::string& folder) {
        scanned.push_back(folder);
        if (folder == "Lists") return std::vector<MessageIdentity>{id(7, 1), id(8, 2)};
        if (folder == "Started") return std::vector<MessageIdentity>{id(9, 3)};
        if (folder == "LocalOnly") return std::vector<MessageIdentity>{id(9, 4)};
        return std::vector<MessageIdentity>{};
    };
    MoveBroker moves({"INBOX", "Lists", "Started", "LocalOnly"}, {"INBOX", "Lists", "Started"}, scan);
    moves.start("INBOX");
    moves.start("Started");
    EXPECT_TRUE(moves.may_have_destinations("INBOX"));
    EXPECT_EQ(scanned, std::vector<std::string>{"Lists"}) << "started folders and folders not on the server: never";
    auto claimed = moves.claim("INBOX", {id(100, 1), id(101, 1), id(102, 3), id(103, 4), id(104, 2, 99)});
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed["Lists"], std::vector<std::uint32_t>{100}) << "one message each, exact identity";
    moves.release({"Lists"});
    EXPECT_TRUE(moves.claim("INBOX", {id(105, 1)}).empty()) << "already claimed";
    moves.start("Lists");
    EXPECT_FALSE(moves.may_have_destinations("INBOX"));
    EXPECT_TRUE(moves.claim("INBOX", {id(106, 2)}).empty()) << "Lists started: its new messages are its own";
}

TEST(SyncMoves, WithoutAScannerNoLocalMoveIsFollowed) {
    MoveBroker moves({"INBOX", "Lists"}, {"INBOX", "Lists"}, {});
    EXPECT_FALSE(moves.may_have_destinations("INBOX"));
    EXPECT_TRUE(moves.claim("INBOX", {id(1, 1)}).empty());
}

TEST(SyncMoves, AFolderAMoveGoesToWaitsToStartUntilTheMoveIsDone) {
    auto scan = [](const std::string&) { return std::vector<MessageIdentity>{id(1, 5)}; };
    MoveBroker moves({"INBOX", "Lists"}, {"INBOX", "Lists"}, scan);
    moves.start("INBOX");
    ASSERT_EQ(moves.claim("INBOX", {id(9, 5)}).size(), 1u);
    std::atomic<bool> started{false};
    std::thread other([&] {
        moves.start("Lists");
        started = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(started) << "Lists must not list its folders while the move into it runs";
    moves.release({"Lists"});
    other.join();
    EXPECT_TRUE(started);
}

TEST(SyncMoves, TrashJunkAndArchiveStartOnceEveryOtherFolderHasFinished) {
    MoveBroker moves({"INBOX", "Lists", "Archive"}, {"INBOX", "Lists", "Archive"}, {}, {"Archive"});
    moves.start("INBOX");
    moves.start("Lists");
    std::atomic<bool> started{false};
    std::thread other([&] {
        moves.start("Archive");
        started = true;
    });
    moves.finish("INBOX");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(started) << "Lists still runs: what it sets aside may be Archive's";
    moves.finish("Lists");
    other.join();
    EXPECT_TRUE(started);
}

}  // namespace
}  // namespace zmail::sync
