// sync --jobs: how many connections a run opens. Against a server on this machine another login
// costs the cores we share with it (the "Push, moves, wire" issue measured Dovecot's CPU doubled
// by four logins for an incremental run), so a short run stays on its first connection.
#include "sync/account.hpp"

#include "sync_world.hpp"

#include <atomic>
#include <gtest/gtest.h>

using namespace zmail;
using namespace zmail::sync;
using namespace zmail::testing;

namespace {

struct Opener {
    World& world;
    bool local;
    std::atomic<int> opened{0};

    StorePair open() {
        ++opened;
        StorePair pair;
        pair.far = std::make_unique<FakeStore>(world.server, world.far_options);
        pair.near = std::make_unique<store::MaildirStore>(world.root(), store::MaildirOptions{"fs", false});
        pair.local = local;
        return pair;
    }
};

void fill(World& w) {
    for (int f = 0; f < 20; ++f) {
        const std::string folder = "F" + std::to_string(f);
        w.server.add_folder(folder);
        for (int m = 0; m < 3; ++m) w.server.add(folder, make_message(folder + "-" + std::to_string(m)));
    }
    fs::create_directories(w.root());
}

}  // namespace

TEST(SyncAccountParallel, AShortRunAgainstALocalServerStaysOnOneConnection) {
    World w;
    fill(w);
    Opener opener{w, true};
    AccountOptions options;
    auto report = sync_account_parallel([&] { return opener.open(); }, w.dir.path() + "/state", options, 4);
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.folders.size(), 20u);
    EXPECT_EQ(opener.opened.load(), 1);
    for (int f = 0; f < 20; ++f) expect_in_sync(w, "F" + std::to_string(f));
}
