#include "store/imap_store.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/command.hpp"
#include "imap/session_naming.hpp"
#include "imap/uid_set.hpp"
#include "text/ascii.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>

namespace zmail::store {

namespace {

constexpr std::size_t memory_spool_limit = 1024 * 1024;

struct FlagName {
    Flag flag;
    const char* imap;
};

constexpr std::array<FlagName, 5> flag_names{{
    {Draft, "\\Draft"},
    {Flagged, "\\Flagged"},
    {Answered, "\\Answered"},
    {Seen, "\\Seen"},
    {Deleted, "\\Deleted"},
}};

}  // namespace

std::vector<std::string> imap_flags(Flags flags) {
    std::vector<std::string> out;
    for (const auto& f : flag_names)
        if (flags & f.flag) out.emplace_back(f.imap);
    return out;
}

Flags flags_from_imap(const std::vector<std::string>& flags) {
    Flags bits = 0;
    for (const auto& name : flags)
        for (const auto& f : flag_names)
            if (text::equals_ignore_case(name, f.imap)) bits |= f.flag;
    return bits;
}

namespace {

// Adapts the session's body sink to the engine's receiver.
class ReceiverSink : public imap::MessageSink {
public:
    explicit ReceiverSink(const BodyReceiver& receiver) : receiver_(receiver) {}
    void begin(const imap::BodyStart& start) override { receiver_.begin(start.uid, start.size, 0); }
    void data(std::string_view bytes, std::uint64_t) override { receiver_.data(bytes); }
    void complete(const imap::FetchedMessage& message) override {
        receiver_.end(message.uid, message.internal_date.value_or(0));
    }
    void abandon() noexcept override {}  // the engine drops an unfinished append on its next begin

private:
    const BodyReceiver& receiver_;
};

}  // namespace

/// Collects the message (in memory up to 1 MiB, then in an unlinked temporary file, so a large
/// message never sits in memory whole), then APPENDs it in finish().
class ImapAppendWriter : public AppendWriter {
public:
    explicit ImapAppendWriter(ImapStore& store) : store_(store) {}
    ~ImapAppendWriter() override {
        if (file_) std::fclose(file_);
    }

    void write(std::string_view bytes) override {
        size_ += bytes.size();
        if (!file_ && memory_.size() + bytes.size() <= memory_spool_limit) {
            memory_.append(bytes);
            return;
        }
        if (!file_) {
            file_ = std::tmpfile();
            if (!file_) throw Error(ErrorKind::Storage, tr("cannot create a temporary file for a message to upload"));
            put(memory_);
            memory_.clear();
            memory_.shrink_to_fit();
        }
        put(bytes);
    }

    std::uint32_t finish(Flags flags, std::time_t date) override {
        if (file_ && (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0))
            throw Error(ErrorKind::Storage, tr("cannot read back the temporary copy of a message to upload"));
        std::uint64_t position = 0;
        imap::AppendSource source;
        source.size = size_;
        source.read = [&](char* buffer, std::size_t capacity) -> std::size_t {
            if (!file_) {
                std::size_t n = std::min<std::uint64_t>(capacity, memory_.size() - position);
                std::copy_n(memory_.data() + position, n, buffer);
                position += n;
                return n;
            }
            return std::fread(buffer, 1, capacity, file_);
        };
        std::optional<imap::DateTime> when;
        if (date > 0) when = imap::DateTime{date, 0};
        imap::AppendResult result;
        try {
            result = store_.messages_.append(store_.selected_, source, imap_flags(flags), when);
        } catch (const imap::CommandError& e) {
            // a NO for this message (Dovecot: "Can't save a zero byte message"; a size limit; a
            // malformed message): the session goes on; quota, login and the like stop the run
            if (e.result.status != imap::Status::No || e.kind == ErrorKind::Temporary || e.kind == ErrorKind::Auth)
                throw;
            throw MessageRefused(ErrorKind::Data, e.what(), e.hint, e.server_reply);
        }
        if (result.uid && (!result.uid_validity || *result.uid_validity == store_.uid_validity_)) return *result.uid;
        return 0;
    }

private:
    void put(std::string_view bytes) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
            throw Error(ErrorKind::Storage, tr("cannot write the temporary copy of a message to upload"),
                        tr("free some space in the temporary directory ($TMPDIR)"));
    }

    ImapStore& store_;
    std::string memory_;
    std::FILE* file_ = nullptr;
    std::uint64_t size_ = 0;
};

ImapStore::ImapStore(imap::Session& session, std::string server)
    : session_(session), mailboxes_(session), messages_(session), server_(std::move(server)) {}

std::string ImapStore::describe() const { return tr("server '{}'", server_); }

Capabilities ImapStore::capabilities() const {
    Capabilities c;
    c.mod_sequences = session_.condstore();
    c.staged_appends = false;
    c.selective_expunge = session_.capabilities().has("UIDPLUS");
    c.move = session_.capabilities().has("MOVE");
    c.copy = true;
    return c;
}

const imap::ServerNaming& ImapStore::naming() {
    if (!naming_) naming_ = imap::ask_naming(session_);
    return *naming_;
}

std::string ImapStore::server_name(const std::string& name) { return imap::mailbox_for(name, naming(), describe()); }

void ImapStore::subscribe_quietly(const std::string& mailbox, bool on) {
    try {  // a mail reader that shows subscribed folders finds it (best effort: the folder is there)
        if (on) mailboxes_.subscribe(mailbox);
        else mailboxes_.unsubscribe(mailbox);
    } catch (const imap::CommandError&) {
    }
}

std::vector<FolderInfo> ImapStore::list_folders() {
    std::vector<FolderInfo> folders;
    imap::ListRequest request;
    // with mod-sequences, UIDVALIDITY and HIGHESTMODSEQ tell which folders changed at all
    // (LIST-STATUS: in the same round trip; else pipelined STATUS commands)
    if (session_.condstore())
        request.status = {imap::StatusItem::Messages, imap::StatusItem::UidValidity, imap::StatusItem::HighestModseq};
    const imap::ServerNaming& server = naming();
    for (const auto& entry : mailboxes_.list(request)) {
        // the folder-name codec: names outside the personal namespace, or that it cannot map
        // both ways, are not the account's folders
        const auto levels = imap::levels_from_server(entry.name, server);
        if (!levels) continue;
        FolderInfo info{imap::display_name(*levels.value), entry.selectable, entry.special_use, std::nullopt};
        if (entry.status && entry.status->uid_validity && entry.status->highest_modseq)
            info.status = FolderStatus{*entry.status->uid_validity, 0, *entry.status->highest_modseq, {},
                                       entry.status->messages};
        folders.push_back(std::move(info));
    }
    return folders;
}

void ImapStore::create_folder(const std::string& name) {
    const std::string mailbox = server_name(name);
    try {
        mailboxes_.create(mailbox);
    } catch (const imap::CommandError& e) {
        if (!e.result.has_code(imap::CodeKind::AlreadyExists))
            // TRANSLATORS: the 1st {} is a folder, the 2nd a server ("server 'imap.example.com'")
            throw imap::folder_refusal(e, tr("cannot create folder '{}' on {}", name, describe()), naming(), mailbox);
    }
    subscribe_quietly(mailbox, true);
}

void ImapStore::delete_folder(const std::string& name) {
    std::string server = server_name(name);
    if (selected_ == server) {
        mailboxes_.unselect();
        selected_.clear();
        prefetched_.reset();
    }
    try {
        mailboxes_.remove(server);
    } catch (const imap::CommandError& e) {
        // TRANSLATORS: the 1st {} is a folder, the 2nd a server ("server 'imap.example.com'")
        throw imap::folder_refusal(e, tr("cannot delete folder '{}' on {}", name, describe()), naming(), server);
    }
}

void ImapStore::rename_folder(const std::string& from, const std::string& to) {
    std::string old_name = server_name(from), new_name = server_name(to);
    if (!selected_.empty()) {  // the selected folder may be among those that move
        mailboxes_.unselect();
        selected_.clear();
        prefetched_.reset();
    }
    try {
        mailboxes_.rename(old_name, new_name);
    } catch (const imap::CommandError& e) {
        // TRANSLATORS: the 1st and 2nd {} are folders, the 3rd a server ("server 'imap.example.com'")
        throw imap::folder_refusal(e, tr("cannot rename folder '{}' to '{}' on {}", from, to, describe()), naming(),
                                   new_name);
    }
    subscribe_quietly(new_name, true);
    subscribe_quietly(old_name, false);
}

namespace {

// A message may come twice (a flag change reported while listing): the later flags win; the
// size stays when the later one has none.
void merge(std::map<std::uint32_t, MessageInfo>& seen, const imap::MessageFlags& m) {
    auto it = seen.try_emplace(m.uid, MessageInfo{m.uid, 0, 0}).first;
    it->second.flags = flags_from_imap(m.flags);
    if (m.size) it->second.size = *m.size;
}

Listing sorted_listing(const std::map<std::uint32_t, MessageInfo>& seen) {
    Listing listing;
    listing.messages.reserve(seen.size());
    for (const auto& [uid, info] : seen) listing.messages.push_back(info);
    return listing;
}

}  // namespace

FolderStatus ImapStore::select(const std::string& name) {
    // what the caller announced is for this select only, however it ends
    const bool full = std::exchange(full_listing_next_, false);
    const std::optional<ChangesAsked> changes = std::exchange(changes_next_, std::nullopt);
    const std::function<void()> meanwhile = std::exchange(meanwhile_next_, nullptr);
    std::exception_ptr meanwhile_error;
    selected_.clear();
    prefetched_.reset();
    imap::OpenOptions options;
    options.condstore = session_.condstore();
    std::string server = server_name(name);
    // The listing the caller asks next goes out right behind the SELECT: the whole folder, or
    // (QRESYNC) what changed since the recorded mod-sequence, over every UID the state knows
    // ("1:N,N+1:*": VANISHED then covers expunged UIDs above the highest one left) and any new.
    std::optional<imap::PendingFlagListing> listing;
    auto seen = std::make_shared<std::map<std::uint32_t, MessageInfo>>();  // a message may come twice
    imap::FlagListingOptions fetch;
    fetch.size_and_date = true;
    fetch.modseq = false;
    std::string set = "1:*";
    if (!full && changes && session_.qresync()) {
        fetch.changed_since = changes->modseq;
        fetch.vanished = true;
        if (changes->highest_uid > 0 && changes->highest_uid < 0xFFFFFFFFu)
            set = "1:" + std::to_string(changes->highest_uid) + "," + std::to_string(changes->highest_uid + 1) + ":*";
    }
    options.after_send = [&] {
        if (full || fetch.changed_since > 0)
            listing = messages_.send_fetch_flags(set, fetch, [seen](const imap::MessageFlags& m) { merge(*seen, m); });
        if (!meanwhile) return;
        try {
            meanwhile();
        } catch (...) {
            meanwhile_error = std::current_exception();  // thrown once the answers are read
        }
    };
    imap::SelectedMailbox mailbox;
    try {
        mailbox = mailboxes_.select(server, options);
    } catch (...) {
        // the listing was refused with the SELECT: read its answer so the session stays in step
        if (listing && !session_.broken()) {
            try {
                (void)messages_.read_fetch_flags(*listing);
            } catch (...) {
            }
        }
        throw;
    }
    selected_ = server;
    uid_validity_ = mailbox.uid_validity;
    if (listing) {
        const imap::CommandResult result = messages_.read_fetch_flags(*listing);
        if (full) {
            // an empty folder: some servers refuse "1:*" there
            if (!result.ok() && mailbox.exists > 0)
                throw imap::command_error(result, tr("cannot list messages in {}", tr("folder {}", "'" + name + "'")));
            prefetched_ = result.ok() ? sorted_listing(*seen) : Listing{};
        } else if (result.ok()) {  // (refused, e.g. [NOMODSEQ]: list_messages() asks as it must)
            prefetched_ = sorted_listing(*seen);
            prefetched_->partial = true;
            prefetched_->vanished = listing->listing->vanished.numbers();
            prefetched_since_ = fetch.changed_since;
        }
    }
    if (meanwhile_error) std::rethrow_exception(meanwhile_error);
    FolderStatus status;
    status.uid_validity = mailbox.uid_validity;
    status.uid_next = mailbox.uid_next;
    status.highest_modseq = mailbox.no_modseq ? 0 : mailbox.highest_modseq;
    status.mailbox_id = mailbox.mailbox_id;
    return status;
}

Listing ImapStore::list_messages(std::uint64_t changed_since) {
    const auto& mailbox = session_.selected();
    if (!mailbox) throw Error(ErrorKind::Internal, tr("IMAP store used without a selected folder"));
    bool partial = changed_since > 0 && session_.condstore() && !mailbox->no_modseq && mailbox->highest_modseq > 0;
    if (prefetched_ && prefetched_->partial == partial && (!partial || prefetched_since_ == changed_since)) {
        Listing listing = std::move(*prefetched_);
        prefetched_.reset();
        return listing;
    }
    prefetched_.reset();
    Listing listing;
    listing.partial = partial;
    if (!partial && mailbox->exists == 0) return listing;
    imap::FlagListingOptions options;
    options.size_and_date = true;
    if (partial) {
        options.changed_since = changed_since;
        options.vanished = true;
    }
    // "1:*" ends at the highest UID there is now: the last messages, once expunged, are above it
    // and Cyrus (rightly) reports no VANISHED for them, so they stayed here for good. Every UID
    // ever given is below UIDNEXT.
    std::string set = "1:*";
    if (partial && mailbox->uid_next > 1) set = "1:" + std::to_string(mailbox->uid_next - 1);
    std::map<std::uint32_t, MessageInfo> seen;
    auto result = messages_.uid_fetch_flags(set, options, [&](const imap::MessageFlags& m) { merge(seen, m); });
    listing.messages = sorted_listing(seen).messages;
    if (partial) {
        if (session_.qresync()) listing.vanished = result.vanished.numbers();
        else listing.present = messages_.uid_search({imap::SearchTerm::keyword("ALL")});
    }
    return listing;
}

std::vector<MessageIdentity> ImapStore::fetch_identities(const std::string& uid_set, std::uint32_t min_uid) {
    std::vector<MessageIdentity> out;
    const std::string section = std::string("BODY.PEEK[HEADER.FIELDS (") + identity_header_fields + ")]";
    auto handler = [&](const imap::Response& response) {
        const auto* fetch = response.get<imap::FetchData>();
        if (!fetch || !fetch->uid || !fetch->rfc822_size || fetch->sections.empty()) return false;
        if (*fetch->uid >= min_uid) {
            const auto& s = fetch->sections.front();
            out.push_back({*fetch->uid, header_hash(s.nil ? std::string_view() : std::string_view(s.data)),
                           *fetch->rfc822_size});
        }
        return true;
    };
    auto result = session_.run(
        [&](const std::string& tag) {
            return imap::command::uid_fetch(tag, uid_set, {"UID", "RFC822.SIZE", section});
        },
        handler);
    if (!result.ok())
        throw imap::command_error(result, tr("cannot read the message headers of folder '{}'", selected_));
    return out;
}

std::vector<MessageIdentity> ImapStore::identities(const std::vector<std::uint32_t>& uids) {
    std::vector<MessageIdentity> out;
    for (const auto& set : imap::format_sequence_sets(uids)) {
        auto part = fetch_identities(set, 0);
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

std::vector<MessageIdentity> ImapStore::identities_from(std::uint32_t min_uid) {
    const auto& mailbox = session_.selected();
    if (mailbox && mailbox->exists == 0 && session_.updates().exists.value_or(0) == 0) return {};
    return fetch_identities(std::to_string(std::max<std::uint32_t>(min_uid, 1)) + ":*", min_uid);
}

void ImapStore::fetch(const std::vector<std::uint32_t>& uids, const BodyReceiver& receiver) {
    if (uids.empty()) return;
    ReceiverSink sink(receiver);
    imap::FetchBodiesOptions options;
    options.batch_size = 50;
    options.max_in_flight = 4;
    messages_.uid_fetch_bodies(uids, sink, options);
}

std::unique_ptr<AppendWriter> ImapStore::begin_append(std::uint64_t, Flags, std::time_t) {
    prefetched_.reset();  // the folder changes
    if (selected_.empty()) throw Error(ErrorKind::Internal, tr("IMAP store used without a selected folder"));
    return std::make_unique<ImapAppendWriter>(*this);
}

void ImapStore::set_flags(const std::vector<std::uint32_t>& uids, Flags add, Flags remove) {
    prefetched_.reset();  // the folder changes
    if (uids.empty()) return;
    if (add) messages_.uid_store(uids, imap::StoreMode::Add, imap_flags(add));
    if (remove) messages_.uid_store(uids, imap::StoreMode::Remove, imap_flags(remove));
}

void ImapStore::remove(const std::vector<std::uint32_t>& uids, bool expunge) {
    prefetched_.reset();  // the folder changes
    if (uids.empty()) return;
    messages_.uid_store(uids, imap::StoreMode::Add, {"\\Deleted"});
    if (expunge && session_.capabilities().has("UIDPLUS")) messages_.uid_expunge(uids);
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> ImapStore::move_messages(const std::vector<std::uint32_t>& uids,
                                                                              const std::string& to) {
    prefetched_.reset();  // the folder changes
    if (uids.empty()) return {};
    return messages_.uid_move(uids, server_name(to));
}

void ImapStore::copy_messages(const std::vector<std::uint32_t>& uids, const std::string& to) {
    if (!uids.empty()) messages_.uid_move(uids, server_name(to), false);
}

}  // namespace zmail::store
