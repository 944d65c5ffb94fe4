// Test doubles for the sync engine: an in-memory store whose mail outlives each "run" (a fake IMAP
// server, with or without UIDPLUS and mod-sequences), and a decorator that cuts a store off at a
// chosen operation to simulate a crash or a dropped connection.
#pragma once

#include "../support/files.hpp"

#include "error.hpp"
#include "store/store.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace zmail::testing {

struct FakeMessage {
    std::string content;  // network form (CRLF)
    store::Flags flags = 0;
    std::time_t date = 0;
    std::uint64_t modseq = 0;
};

struct FakeFolder {
    std::uint32_t uid_validity = 0;
    std::string mailbox_id;  // OBJECTID: kept across renames
    std::uint32_t uid_next = 1;
    std::uint64_t modseq = 1;
    std::map<std::uint32_t, FakeMessage> messages;
    std::map<std::uint32_t, std::uint64_t> expunged;  // uid -> modseq of the expunge
};

/// The mail of a fake server; outlives the FakeStore objects ("connections") of each run.
struct FakeServer {
    std::map<std::string, FakeFolder> folders;
    std::uint32_t next_validity = 1000;
    std::size_t bodies_fetched = 0;
    std::size_t fetch_calls = 0;
    std::size_t full_listings = 0;
    std::size_t selects = 0;
    std::size_t renames = 0;
    std::set<std::string> refused;  // CREATE of these names is refused (NO)

    FakeFolder& add_folder(const std::string& name) {
        FakeFolder& f = folders[name];
        f.uid_validity = next_validity++;
        f.mailbox_id = "F" + std::to_string(f.uid_validity);
        return f;
    }
    std::uint32_t add(const std::string& folder, const std::string& content, store::Flags flags = 0) {
        FakeFolder& f = folders.at(folder);
        std::uint32_t uid = f.uid_next++;
        f.messages[uid] = {content, flags, 1700000000, ++f.modseq};
        return uid;
    }
    void set_flags(const std::string& folder, std::uint32_t uid, store::Flags flags) {
        FakeFolder& f = folders.at(folder);
        f.messages.at(uid).flags = flags;
        f.messages.at(uid).modseq = ++f.modseq;
    }
    void expunge(const std::string& folder, std::uint32_t uid) {
        FakeFolder& f = folders.at(folder);
        f.messages.erase(uid);
        f.expunged[uid] = ++f.modseq;
    }
    /// A UIDVALIDITY reset: same messages, new UIDs (in another order), new validity.
    void renumber(const std::string& folder) {
        FakeFolder& f = folders.at(folder);
        std::map<std::uint32_t, FakeMessage> renumbered;
        std::uint32_t uid = 1;
        for (auto it = f.messages.rbegin(); it != f.messages.rend(); ++it) renumbered[uid++] = it->second;
        f.messages = std::move(renumbered);
        f.uid_next = uid;
        f.uid_validity = next_validity++;
        f.expunged.clear();
    }
    /// IMAP RENAME: the folder and those below it; `new_validity` as Courier does, else the same.
    void rename(const std::string& from, const std::string& to, bool new_validity = false) {
        if (!folders.count(from) || folders.count(to))
            throw Error(ErrorKind::Protocol, "cannot rename folder '" + from + "' to '" + to + "'");
        std::vector<std::string> moving;
        for (const auto& [name, f] : folders)
            if (name == from || name.rfind(from + "/", 0) == 0) moving.push_back(name);
        for (const auto& name : moving) {
            auto node = folders.extract(name);
            node.key() = to + name.substr(from.size());
            if (new_validity) renumber_in_place(node.mapped());
            folders.insert(std::move(node));
        }
    }
    void renumber_in_place(FakeFolder& f) {
        std::map<std::uint32_t, FakeMessage> renumbered;
        std::uint32_t uid = 1;
        for (auto it = f.messages.rbegin(); it != f.messages.rend(); ++it) renumbered[uid++] = it->second;
        f.messages = std::move(renumbered);
        f.uid_next = uid;
        f.uid_validity = next_validity++;
        f.expunged.clear();
    }
    std::multiset<std::string> contents(const std::string& folder) const {
        std::multiset<std::string> out;
        for (const auto& [uid, m] : folders.at(folder).messages) out.insert(m.content);
        return out;
    }
};

struct FakeOptions {
    bool staged = false;         // appends invisible until commit_appends (like Maildir)
    bool uidplus = true;         // append returns the UID; selective expunge
    bool mod_sequences = true;   // partial listings
    bool qresync = true;         // VANISHED (else: a list of present UIDs)
    bool uid_after_body = true;  // the UID is known only at the end of a body (as IMAP may do)
    bool new_validity_on_rename = false;  // RENAME gives a new UIDVALIDITY (Courier)
    bool object_ids = false;              // SELECT tells the MAILBOXID (OBJECTID, as Cyrus)
    bool rewrite_appends = false;         // APPEND changes the Subject (as Cyrus does to 8-bit bytes)
    bool other_client_appends = false;    // another client appends one message beside each APPEND
};

class FakeStore : public store::Store {
public:
    FakeStore(FakeServer& server, FakeOptions options = {}) : server_(server), options_(options) {}

    std::string describe() const override { return "server 'fake'"; }
    store::Capabilities capabilities() const override {
        store::Capabilities c;
        c.mod_sequences = options_.mod_sequences;
        c.staged_appends = options_.staged;
        c.selective_expunge = options_.uidplus;
        return c;
    }
    std::vector<store::FolderInfo> list_folders() override {
        std::vector<store::FolderInfo> out;
        for (const auto& [name, f] : server_.folders) {
            out.push_back({name, true, "", std::nullopt});
            if (options_.mod_sequences) out.back().status = store::FolderStatus{f.uid_validity, 0, f.modseq};
        }
        return out;
    }
    void create_folder(const std::string& name) override {
        if (server_.refused.count(name))
            throw Error(ErrorKind::Unavailable, "cannot create folder '" + name + "': NO Permission denied");
        if (!server_.folders.count(name)) server_.add_folder(name);
    }
    void delete_folder(const std::string& name) override {
        server_.folders.erase(name);
        if (selected_ == name) selected_.clear();
    }
    void rename_folder(const std::string& from, const std::string& to) override {
        server_.rename(from, to, options_.new_validity_on_rename);
        selected_.clear();
        ++server_.renames;
    }
    store::FolderStatus select(const std::string& name) override {
        if (!server_.folders.count(name))
            throw Error(ErrorKind::Protocol, "cannot select folder '" + name + "': no such folder");
        selected_ = name;
        ++server_.selects;
        staged_.clear();
        auto& f = folder();
        return {f.uid_validity, f.uid_next, options_.mod_sequences ? f.modseq : 0,
                options_.object_ids ? f.mailbox_id : std::string()};
    }
    store::Listing list_messages(std::uint64_t since) override {
        auto& f = folder();
        store::Listing l;
        if (since && options_.mod_sequences) {
            l.partial = true;
            for (const auto& [uid, m] : f.messages)
                if (m.modseq > since) l.messages.push_back({uid, m.flags, m.content.size()});
            if (options_.qresync) {
                for (const auto& [uid, modseq] : f.expunged)
                    if (modseq > since) l.vanished.push_back(uid);
            } else {
                l.present.emplace();
                for (const auto& [uid, m] : f.messages) l.present->push_back(uid);
            }
            return l;
        }
        ++server_.full_listings;
        for (const auto& [uid, m] : f.messages) l.messages.push_back({uid, m.flags, m.content.size()});
        return l;
    }
    std::vector<store::MessageIdentity> identities(const std::vector<std::uint32_t>& uids) override {
        std::vector<store::MessageIdentity> out;
        for (auto uid : uids)
            if (auto it = folder().messages.find(uid); it != folder().messages.end())
                out.push_back({uid, store::header_hash(it->second.content), it->second.content.size()});
        return out;
    }
    std::vector<store::MessageIdentity> identities_from(std::uint32_t min_uid) override {
        std::vector<std::uint32_t> uids;
        for (const auto& [uid, m] : folder().messages)
            if (uid >= min_uid) uids.push_back(uid);
        return identities(uids);
    }
    void fetch(const std::vector<std::uint32_t>& uids, const store::BodyReceiver& receiver) override {
        ++server_.fetch_calls;
        for (auto uid : uids) {
            auto it = folder().messages.find(uid);
            if (it == folder().messages.end()) continue;
            const FakeMessage m = it->second;  // a copy: the receiver may change the store
            ++server_.bodies_fetched;
            receiver.begin(options_.uid_after_body ? std::nullopt : std::optional<std::uint32_t>(uid),
                           m.content.size(), 0);
            for (size_t i = 0; i < m.content.size(); i += 7)
                receiver.data(std::string_view(m.content).substr(i, 7));
            receiver.end(uid, m.date);
        }
    }

    class Writer : public store::AppendWriter {
    public:
        Writer(FakeStore& store, std::uint64_t size, store::Flags flags, std::time_t date)
            : store_(store), size_(size), flags_(flags), date_(date) {}
        void write(std::string_view bytes) override { content_ += bytes; }
        std::uint32_t finish(store::Flags flags, std::time_t date) override {
            if (content_.size() != size_)
                throw Error(ErrorKind::Internal, "fake append: announced " + std::to_string(size_) + " bytes, got " +
                                                     std::to_string(content_.size()));
            auto& f = store_.folder();
            if (store_.options_.rewrite_appends)
                if (auto at = content_.find("Subject: "); at != std::string::npos) content_.insert(at + 9, "X");
            std::uint32_t uid = f.uid_next++;
            FakeMessage m{content_, store_.options_.staged ? flags : flags_, store_.options_.staged ? date : date_, 0};
            if (store_.options_.staged) {
                store_.staged_.emplace_back(uid, m);
                return uid;
            }
            m.modseq = ++f.modseq;
            f.messages[uid] = m;
            if (store_.options_.other_client_appends) {
                const std::uint32_t theirs = f.uid_next++;
                f.messages[theirs] = {"Message-ID: <other" + std::to_string(theirs) +
                                          "@example.com>\r\nSubject: other\r\n\r\nx\r\n",
                                      0, date_, ++f.modseq};
            }
            return store_.options_.uidplus ? uid : 0;
        }

    private:
        FakeStore& store_;
        std::uint64_t size_;
        store::Flags flags_;
        std::time_t date_;
        std::string content_;
    };

    std::unique_ptr<store::AppendWriter> begin_append(std::uint64_t size, store::Flags flags,
                                                      std::time_t date) override {
        folder();
        return std::make_unique<Writer>(*this, size, flags, date);
    }
    void commit_appends() override {
        auto& f = folder();
        for (auto& [uid, m] : staged_) {
            m.modseq = ++f.modseq;
            f.messages[uid] = m;
        }
        staged_.clear();
    }
    void set_flags(const std::vector<std::uint32_t>& uids, store::Flags add, store::Flags remove) override {
        auto& f = folder();
        for (auto uid : uids)
            if (auto it = f.messages.find(uid); it != f.messages.end()) {
                it->second.flags = (it->second.flags & ~remove) | add;
                it->second.modseq = ++f.modseq;
            }
    }
    void remove(const std::vector<std::uint32_t>& uids, bool expunge) override {
        set_flags(uids, store::Deleted, 0);
        if (expunge && options_.uidplus)
            for (auto uid : uids)
                if (folder().messages.erase(uid)) folder().expunged[uid] = ++folder().modseq;
    }

private:
    FakeFolder& folder() {
        auto it = server_.folders.find(selected_);
        if (selected_.empty() || it == server_.folders.end())
            throw Error(ErrorKind::Internal, "fake store used without a selected folder");
        return it->second;
    }

    FakeServer& server_;
    FakeOptions options_;
    std::string selected_;
    std::vector<std::pair<std::uint32_t, FakeMessage>> staged_;
};

/// When a FaultyStore fails: at the `at`-th operation counted over every store sharing this plan,
/// either before the operation (it never happens) or after it (it happened, its answer is lost).
struct FaultPlan {
    int at = 0;  // 0: never
    bool after = false;
    int count = 0;  // operations started
    bool fired = false;
    /// An operation starts; returns its number for end().
    int begin() {
        int number = ++count;
        if (at == number && !after && !fired) fire();
        return number;
    }
    /// Operation `number` has happened.
    void end(int number) {
        if (at == number && after && !fired) fire();
    }
    ErrorKind kind = ErrorKind::Network;  // Temporary: an I/O timeout ("no reply within ...")
    [[noreturn]] void fire() {
        fired = true;
        if (kind == ErrorKind::Temporary) throw Error(kind, "no reply from 'fake' within 120 seconds");
        throw Error(ErrorKind::Network, "connection cut by the test");
    }
};

/// A store that fails as its FaultPlan says. Operations: every call, each body a fetch delivers,
/// and each finished append.
class FaultyStore : public store::Store {
public:
    FaultyStore(store::Store& inner, FaultPlan& plan) : inner_(inner), plan_(plan) {}

    template <class F>
    auto op(F&& f) {
        int number = plan_.begin();
        if constexpr (std::is_void_v<decltype(f())>) {
            f();
            plan_.end(number);
        } else {
            auto result = f();
            plan_.end(number);
            return result;
        }
    }

    std::string describe() const override { return inner_.describe(); }
    store::Capabilities capabilities() const override { return inner_.capabilities(); }
    bool usable() const override { return !plan_.fired; }  // the fault ended the connection
    std::vector<store::FolderInfo> list_folders() override { return op([&] { return inner_.list_folders(); }); }
    void create_folder(const std::string& n) override { op([&] { inner_.create_folder(n); }); }
    void delete_folder(const std::string& n) override { op([&] { inner_.delete_folder(n); }); }
    void rename_folder(const std::string& f, const std::string& t) override { op([&] { inner_.rename_folder(f, t); }); }
    store::FolderStatus select(const std::string& n) override { return op([&] { return inner_.select(n); }); }
    store::Listing list_messages(std::uint64_t s) override { return op([&] { return inner_.list_messages(s); }); }
    std::vector<store::MessageIdentity> identities(const std::vector<std::uint32_t>& u) override {
        return op([&] { return inner_.identities(u); });
    }
    std::vector<store::MessageIdentity> identities_from(std::uint32_t m) override {
        return op([&] { return inner_.identities_from(m); });
    }
    void fetch(const std::vector<std::uint32_t>& uids, const store::BodyReceiver& receiver) override {
        store::BodyReceiver wrapped = receiver;
        int number = 0;
        wrapped.begin = [&](std::optional<std::uint32_t> uid, std::uint64_t size, std::time_t date) {
            number = plan_.begin();
            receiver.begin(uid, size, date);
        };
        wrapped.end = [&](std::uint32_t uid, std::time_t date) {
            receiver.end(uid, date);
            plan_.end(number);
        };
        inner_.fetch(uids, wrapped);
    }
    class Writer : public store::AppendWriter {
    public:
        Writer(std::unique_ptr<store::AppendWriter> inner, FaultPlan& plan) : inner_(std::move(inner)), plan_(plan) {}
        void write(std::string_view b) override { inner_->write(b); }
        std::uint32_t finish(store::Flags f, std::time_t d) override {
            int number = plan_.begin();
            auto uid = inner_->finish(f, d);
            plan_.end(number);
            return uid;
        }

    private:
        std::unique_ptr<store::AppendWriter> inner_;
        FaultPlan& plan_;
    };
    std::unique_ptr<store::AppendWriter> begin_append(std::uint64_t s, store::Flags f, std::time_t d) override {
        return std::make_unique<Writer>(inner_.begin_append(s, f, d), plan_);
    }
    void commit_appends() override { op([&] { inner_.commit_appends(); }); }
    void set_flags(const std::vector<std::uint32_t>& u, store::Flags a, store::Flags r) override {
        op([&] { inner_.set_flags(u, a, r); });
    }
    void remove(const std::vector<std::uint32_t>& u, bool e) override { op([&] { inner_.remove(u, e); }); }

private:
    store::Store& inner_;
    FaultPlan& plan_;
};

/// A small message in network form with a unique Message-ID.
inline std::string make_message(const std::string& id, const std::string& body = "hello") {
    return "Message-ID: <" + id + "@example.com>\r\nFrom: a@example.com\r\nSubject: " + id +
           "\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\n" + body + "\r\n";
}

}  // namespace zmail::testing
