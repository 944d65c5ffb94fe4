// Maildir folders listed ahead while the sync logs in (the "Push, moves, wire" issue's re-sync
// with nothing changed): a listing made ahead is the listing, each is used once, and whatever
// the thread has not reached is listed by the caller.
#include "maildir/prefetch.hpp"
#include "maildir/message_file.hpp"
#include "store/maildir_store.hpp"

#include <algorithm>
#include <chrono>
#include <gtest/gtest.h>
#include <thread>

#include "../support/files.hpp"

using namespace zmail;
using namespace zmail::maildir;
using zmail::testing::TempDir;

namespace {

std::vector<std::string> names(std::vector<Entry> entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

void deliver(const std::string& folder, int count) {
    for (int i = 0; i < count; ++i) {
        MessageFile file(folder, {});
        file.write("Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
        file.deliver("", i % 2 ? "S" : "", false);
    }
}

}  // namespace

TEST(MaildirPrefetch, AListingMadeAheadIsTheListingAndIsTakenOnce) {
    TempDir t;
    std::vector<std::string> folders;
    for (int i = 0; i < 3; ++i) {
        folders.push_back(t.path() + "/F" + std::to_string(i));
        Folder(folders.back()).create();
        deliver(folders.back(), 5 + i);
    }
    Prefetch ahead(folders);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // three small folders: all listed by now
    int made = 0;
    for (const auto& folder : folders) {
        auto entries = ahead.take(folder);
        if (!entries) continue;
        ++made;
        EXPECT_TRUE(std::is_sorted(entries->begin(), entries->end(),
                                   [](const Entry& a, const Entry& b) { return a.filename < b.filename; }));
        EXPECT_EQ(names(*entries), names(Folder(folder).list()));
        EXPECT_FALSE(ahead.take(folder));  // the second listing is the caller's, made anew
    }
    EXPECT_GT(made, 0);
    EXPECT_FALSE(ahead.take(t.path() + "/not-asked"));
}

TEST(MaildirPrefetch, WhatFailsOrIsTakenBeforeItsTurnIsTheCallers) {
    TempDir t;
    std::vector<std::string> folders;
    for (int i = 0; i < 40; ++i) {
        folders.push_back(t.path() + "/F" + std::to_string(i));
        Folder(folders.back()).create();
        deliver(folders.back(), 3);
    }
    folders.insert(folders.begin(), t.path() + "/missing");
    Prefetch ahead(folders);
    EXPECT_FALSE(ahead.take(t.path() + "/missing"));  // failed (or not reached): never an empty listing
    auto last = ahead.take(folders.back());           // most likely before its turn
    if (last) {
        EXPECT_EQ(last->size(), 3u);
    }
    // the rest is dropped with the object, whatever the thread is doing
}

TEST(MaildirPrefetch, TheStoresFirstListingComesFromAheadAndTheNextIsFresh) {
    TempDir t;
    store::MaildirStore setup(t.path());
    setup.create_folder("INBOX");
    const std::string inbox = setup.folder_directory("INBOX");
    deliver(inbox, 4);
    store::MaildirStore store(t.path());
    store.list_ahead({"INBOX"});
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    store.select("INBOX");
    EXPECT_EQ(store.list_messages(0).messages.size(), 4u);
    deliver(inbox, 1);
    EXPECT_EQ(store.list_messages(0).messages.size(), 5u);
}
