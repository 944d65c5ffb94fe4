// Delivery into a Maildir folder, durably and in batches: every message is written to tmp/, then
// for a whole batch the files and the state's pending records are synced in parallel (so the file
// system can commit them together), the files are linked into new/, and new/ is synced once.
#include "fetch/spool.hpp"

#include "i18n.hpp"
#include "maildir/maildir.hpp"
#include "maildir/message_file.hpp"
#include "util/atomic_file.hpp"

#include <cerrno>
#include <dirent.h>
#include <sys/stat.h>

namespace zmail::fetch {

namespace {

class MaildirMessage final : public IncomingMessage {
public:
    MaildirMessage(const std::string& folder, std::string uidl)
        : IncomingMessage(std::move(uidl)), folder_(folder), file_(folder, storage_hints()) {}

    void write(std::string_view chunk) override {
        size_ += chunk.size();
        file_.write(chunk);
    }

    void finish() override {
        file_.finish();
        // Dovecot-style size fields: S= the file size, W= the size with CRLF line ends
        entry_ = file_.entry(",S=" + std::to_string(file_.size()) + ",W=" + std::to_string(size_), "", false);
    }

    maildir::MessageFile& file() { return file_; }
    const maildir::Entry& entry() const { return entry_; }
    /// The path the message will have in new/.
    std::string final_path() const { return folder_ + "/" + entry_.path(); }

private:
    std::string folder_;
    maildir::MessageFile file_;
    maildir::Entry entry_;
};

class MaildirTarget final : public Target {
public:
    explicit MaildirTarget(std::string folder) : folder_(std::move(folder)) {
        maildir::Folder folder_dirs(folder_, storage_hints());
        if (!folder_dirs.exists()) folder_dirs.create();
        folder_dirs.clean_tmp();  // files a killed run left in tmp/ (after 36 hours)
    }

    std::unique_ptr<IncomingMessage> open(const std::string& uidl) override {
        return std::make_unique<MaildirMessage>(folder_, uidl);
    }

    void commit(std::vector<std::unique_ptr<IncomingMessage>>& batch, Ledger& ledger) override {
        if (batch.empty()) return;
        std::vector<MaildirMessage*> messages;
        std::vector<maildir::MessageFile*> files;
        messages.reserve(batch.size());
        files.reserve(batch.size());
        for (auto& message : batch) {
            auto* m = static_cast<MaildirMessage*>(message.get());
            ledger.pending(m->uidl(), "maildir " + m->final_path());
            messages.push_back(m);
            files.push_back(&m->file());
        }
        // the files and the pending records, durable together
        maildir::sync_together(files, [&ledger] { ledger.sync(); });
        // now visible: link all, then one sync of new/
        try {
            for (MaildirMessage* m : messages) m->file().link(m->entry());
            util::fsync_directory(folder_ + "/new", storage_hints());
        } catch (...) {
            // Linked files may or may not survive a crash now: their durable pending records
            // settle it on the next run, so nothing is recorded delivered here.
            batch.clear();
            throw;
        }
        for (MaildirMessage* m : messages) ledger.delivered(m->uidl());
        batch.clear();
    }

    std::string describe() const override { return "Maildir '" + folder_ + "'"; }

private:
    std::string folder_;
};

/// Whether `path` exists; an error other than "not there" is thrown, never taken as "no".
bool exists(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    throw_storage_error(N_("look for"), path, errno, storage_hints());
}

}  // namespace

std::unique_ptr<Target> make_maildir_target(std::string folder) {
    return std::make_unique<MaildirTarget>(std::move(folder));
}

bool maildir_pending_was_delivered(const std::string& path) {
    if (exists(path)) return true;
    // Found by the unique part of its name, wherever it is now: a mail reader moves it to cur/
    // adding ":2,FLAGS", and `zmail sync` into the same folder tags it ("NAME,V=..,U=..").
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash < 4 || path.compare(slash - 4, 4, "/new") != 0) return false;
    const std::string folder = path.substr(0, slash - 4);
    const std::string name = path.substr(slash + 1);
    for (const char* sub : {"new", "cur"}) {
        DIR* dir = ::opendir((folder + "/" + sub).c_str());
        if (!dir) {
            if (errno == ENOENT) continue;
            throw_storage_error(N_("read directory"), folder + "/" + sub, errno, storage_hints());
        }
        bool found = false;
        while (struct dirent* entry = ::readdir(dir)) {
            std::string_view candidate(entry->d_name);
            candidate = candidate.substr(0, candidate.find(":2,"));  // the unique part
            if (candidate.substr(0, name.size()) == name &&
                (candidate.size() == name.size() || candidate[name.size()] == ',')) {
                found = true;
                break;
            }
        }
        ::closedir(dir);
        if (found) return true;
    }
    return false;
}

}  // namespace zmail::fetch
