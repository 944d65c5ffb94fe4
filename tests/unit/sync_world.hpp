// The sync engine's test world: a fake IMAP server (in memory), a real Maildir in a temporary
// directory, and the comparison of both sides (used by sync_engine_test and sync_engine_faults_test).
#pragma once

#include "maildir/maildir.hpp"
#include "store/maildir_store.hpp"
#include "sync/engine.hpp"
#include "sync_test_support.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <set>

namespace zmail::testing {

using namespace zmail::sync;
using store::Flags;
namespace fs = std::filesystem;

// One side of the world: content (network form) -> flags, and every content counted (duplicates show)
struct Contents {
    std::multiset<std::string> contents;
    std::map<std::string, Flags> flags;
    bool operator==(const Contents&) const = default;
};

inline std::string describe(const Contents& side) {
    std::string out;
    for (const auto& [content, flags] : side.flags) {
        auto subject = content.find("Subject: ");
        out += content.substr(subject + 9, content.find('\r', subject) - subject - 9) + ":" +
               store::maildir_flags(flags) + "x" + std::to_string(side.contents.count(content)) + " ";
    }
    return out;
}

struct World {
    TempDir dir;
    FakeServer server;
    FakeOptions far_options;

    std::string root() const { return dir.path() + "/Mail"; }
    std::string state(const std::string& folder) const { return dir.path() + "/state/" + state_file_name(folder); }
    std::string folder_path(const std::string& folder) const { return root() + "/" + folder; }

    FolderReport run(const std::string& folder = "INBOX", FolderOptions options = {}, FaultPlan* fault = nullptr) {
        FakeStore far(server, far_options);
        store::MaildirStore near(root(), {"fs", options.dry_run});
        FolderPresence presence{server.folders.count(folder) > 0,
                                maildir::Folder(folder_path(folder)).exists()};
        if (!fault) return sync_folder(far, near, folder, state(folder), presence, options);
        FaultyStore faulty_far(far, *fault), faulty_near(near, *fault);
        return sync_folder(faulty_far, faulty_near, folder, state(folder), presence, options);
    }

    Contents far(const std::string& folder = "INBOX") const {
        Contents s;
        if (!server.folders.count(folder)) return s;
        for (const auto& [uid, m] : server.folders.at(folder).messages) {
            s.contents.insert(m.content);
            s.flags[m.content] = m.flags;
        }
        return s;
    }

    Contents near(const std::string& folder = "INBOX") const {
        Contents s;
        for (const auto& e : maildir::Folder(folder_path(folder)).list()) {
            std::string content = to_crlf(read_file(folder_path(folder) + "/" + e.path()));
            s.contents.insert(content);
            s.flags[content] = store::flags_from_maildir(e.flags);
        }
        return s;
    }

    std::vector<maildir::Entry> near_entries(const std::string& folder = "INBOX") const {
        auto entries = maildir::Folder(folder_path(folder)).list();
        std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.filename < b.filename; });
        return entries;
    }

    // a message a mail reader writes into the Maildir
    void drop(const std::string& folder, const std::string& content, const std::string& flags = "") {
        static int n = 0;
        std::string name = "1700000000.M" + std::to_string(++n) + "P1.reader";
        if (flags.empty()) write_file(folder_path(folder) + "/new/" + name, to_lf(content));
        else write_file(folder_path(folder) + "/cur/" + name + ":2," + flags, to_lf(content));
    }

    // the near file holding `content`
    maildir::Entry find_near(const std::string& folder, const std::string& content) const {
        for (const auto& e : maildir::Folder(folder_path(folder)).list())
            if (to_crlf(read_file(folder_path(folder) + "/" + e.path())) == content) return e;
        ADD_FAILURE() << "no near file for the message";
        return {};
    }

    void copy_from(const World& other) {
        server = other.server;
        far_options = other.far_options;
        fs::remove_all(dir.path());
        fs::copy(other.dir.path(), dir.path(), fs::copy_options::recursive);
    }
};

inline void expect_ok(const FolderReport& r) {
    EXPECT_FALSE(r.error.has_value()) << (r.error ? r.error->what() : "");
}

inline void expect_in_sync(const World& w, const std::string& folder = "INBOX") {
    Contents far = w.far(folder), near = w.near(folder);
    EXPECT_EQ(far, near) << "far:  " << describe(far) << "\nnear: " << describe(near);
    for (const auto& c : far.contents) EXPECT_EQ(far.contents.count(c), 1u) << "doubled on far";
}

}  // namespace zmail::testing
