// Mailbox commands of the IMAP session: LIST (with SPECIAL-USE and LIST-STATUS, or STATUS per
// mailbox as a fallback), LSUB, STATUS, SELECT/EXAMINE, UNSELECT, CREATE, DELETE, RENAME, SUBSCRIBE.
#include <algorithm>
#include <map>

#include "imap/mailbox_name.hpp"
#include "imap/session.hpp"
#include "imap/session_internal.hpp"

namespace zmail::imap {
namespace {

constexpr std::size_t status_window = 16;

void check(const CommandResult& result, std::string what) {
    if (!result.ok()) throw command_error(result, std::move(what));
}

const char* const special_use_attributes[] = {"\\All", "\\Archive", "\\Drafts", "\\Flagged",
                                              "\\Junk", "\\Sent", "\\Trash"};

MailboxStatus status_from(const MailboxStatusData& data) {
    MailboxStatus status;
    status.messages = data.messages;
    status.recent = data.recent;
    status.uid_next = data.uid_next;
    status.uid_validity = data.uid_validity;
    status.unseen = data.unseen;
    status.size = data.size;
    status.highest_modseq = data.highest_modseq;
    return status;
}

/// Collects LIST/LSUB and STATUS responses into entries, matching STATUS to LIST by raw name.
class ListCollector {
public:
    ListCollector(const Session& session, bool lsub) : session_(session), lsub_(lsub) {}

    bool take(const Response& response) {
        if (const ListData* list = response.get<ListData>()) {
            if (list->lsub != lsub_) return false;
            MailboxEntry entry;
            entry.raw_name = list->mailbox;
            entry.name = session_.decode_mailbox(list->mailbox);
            entry.delimiter = list->delimiter;
            entry.attributes = list->flags;
            entry.selectable = !list->has_flag("\\Noselect") && !list->has_flag("\\NonExistent");
            for (const char* use : special_use_attributes) {
                if (list->has_flag(use)) {
                    entry.special_use = use;
                    break;
                }
            }
            index_[entry.raw_name] = entries.size();
            entries.push_back(std::move(entry));
            return true;
        }
        if (const MailboxStatusData* status = response.get<MailboxStatusData>()) {
            MailboxEntry* entry = find(status->mailbox);
            if (!entry) return false;
            entry->status = status_from(*status);
            return true;
        }
        return false;
    }

    MailboxEntry* find(const std::string& raw) {
        auto found = index_.find(raw);
        if (found != index_.end()) return &entries[found->second];
        if (is_inbox(raw)) {
            for (auto& entry : entries)
                if (is_inbox(entry.raw_name)) return &entry;
        }
        return nullptr;
    }

    std::vector<MailboxEntry> entries;

private:
    const Session& session_;
    bool lsub_;
    std::map<std::string, std::size_t> index_;
};

}  // namespace

std::vector<StatusItem> Session::usable_status_items(const std::vector<StatusItem>& items) const {
    std::vector<StatusItem> usable;
    for (StatusItem item : items) {
        if (item == StatusItem::HighestModseq && !condstore()) continue;
        if (item == StatusItem::Size && !capabilities_.has("STATUS=SIZE")) continue;
        usable.push_back(item);
    }
    return usable;
}

std::vector<MailboxEntry> Session::list_command(bool lsub, const ListRequest& request) {
    const bool utf8 = enabled("UTF8=ACCEPT");
    const std::string reference = request.reference.empty() ? std::string() : encode_mailbox_name(request.reference, utf8);
    const std::string pattern = encode_mailbox_name(request.pattern, utf8);
    const std::vector<StatusItem> items = usable_status_items(request.status);

    ListOptions list_options;
    if (!lsub) {
        list_options.return_special_use = capabilities_.has("SPECIAL-USE") && capabilities_.has("LIST-EXTENDED");
        if (!items.empty() && capabilities_.has("LIST-STATUS")) list_options.return_status = items;
    }
    ListCollector collector(*this, lsub);
    const EncodeOptions encoding = encode_options();
    const CommandResult result = execute(
        [&](const std::string& tag) {
            return lsub ? command::lsub(tag, reference, pattern, encoding)
                        : command::list(tag, reference, pattern, list_options, encoding);
        },
        [&collector](const Response& response) { return collector.take(response); });
    if (!result.ok()) throw command_error(result, "cannot list folders on " + quoted(peer()));
    remember_raw_names(collector.entries);
    if (!lsub && !items.empty() && list_options.return_status.empty()) status_fallback(collector.entries, items);
    return std::move(collector.entries);
}

// One STATUS per selectable mailbox, up to status_window in flight. A refused STATUS leaves that
// mailbox without status instead of failing the listing.
void Session::status_fallback(std::vector<MailboxEntry>& entries, const std::vector<StatusItem>& items) {
    const EncodeOptions encoding = encode_options();
    std::deque<std::string> tags;
    std::size_t next = 0;
    auto handler = [&entries](const Response& response) {
        const MailboxStatusData* status = response.get<MailboxStatusData>();
        if (!status) return false;
        for (auto& entry : entries) {
            if (same_mailbox(entry.raw_name, status->mailbox)) {
                entry.status = status_from(*status);
                return true;
            }
        }
        return false;
    };
    for (;;) {
        while (next < entries.size() && tags.size() < status_window) {
            const MailboxEntry& entry = entries[next++];
            if (!entry.selectable) continue;
            tags.push_back(submit(
                [&](const std::string& tag) { return command::status(tag, entry.raw_name, items, encoding); }, handler));
        }
        if (tags.empty()) break;
        (void)await(tags.front());
        tags.pop_front();
    }
}

void Session::remember_raw_names(const std::vector<MailboxEntry>& entries) {
    const bool utf8 = enabled("UTF8=ACCEPT");
    for (const auto& entry : entries) {
        std::string encoded;
        try {
            encoded = encode_mailbox_name(entry.name, utf8);
        } catch (const Error&) {
            // The name is not UTF-8 at all: only the raw form can reach it.
        }
        if (encoded != entry.raw_name && !is_inbox(entry.raw_name)) raw_names_[entry.name] = entry.raw_name;
    }
}

std::vector<MailboxEntry> Session::list(const ListRequest& request) {
    Operation operation(*this);
    return list_command(false, request);
}

std::vector<MailboxEntry> Session::lsub(std::string_view pattern) {
    Operation operation(*this);
    ListRequest request;
    request.pattern = std::string(pattern);
    return list_command(true, request);
}

MailboxStatus Session::status(std::string_view mailbox, const std::vector<StatusItem>& items) {
    Operation operation(*this);
    const std::string raw = encode_mailbox(mailbox);
    std::vector<StatusItem> usable = usable_status_items(items);
    if (usable.empty()) usable = {StatusItem::Messages};
    std::optional<MailboxStatus> found;
    const EncodeOptions encoding = encode_options();
    const CommandResult result = execute(
        [&](const std::string& tag) { return command::status(tag, raw, usable, encoding); },
        [&](const Response& response) {
            const MailboxStatusData* data = response.get<MailboxStatusData>();
            if (!data || found) return false;
            if (!same_mailbox(data->mailbox, raw) && decode_mailbox(data->mailbox) != mailbox) return false;
            found = status_from(*data);
            return true;
        });
    const std::string what = "cannot get the status of folder " + quoted(mailbox);
    if (!result.ok()) throw command_error(result, what);
    if (!found) throw Error(ErrorKind::Protocol, what + ": the server sent no status", {}, result.line);
    return *found;
}

SelectedMailbox Session::select(std::string_view mailbox, const OpenOptions& options) {
    return open_mailbox(mailbox, options, options.read_only);
}

SelectedMailbox Session::examine(std::string_view mailbox, const OpenOptions& options) {
    return open_mailbox(mailbox, options, true);
}

SelectedMailbox Session::open_mailbox(std::string_view mailbox, const OpenOptions& options, bool read_only) {
    Operation operation(*this);
    SelectedMailbox box;
    box.name = std::string(mailbox);
    box.raw_name = encode_mailbox(mailbox);
    box.read_only = read_only;

    SelectOptions select_options;
    select_options.read_only = read_only;
    if (options.qresync && qresync()) select_options.qresync = options.qresync;
    else select_options.condstore = options.condstore && condstore();

    selected_.reset();
    updates_ = MailboxUpdates{};
    auto handler = [&](const Response& response) {
        if (const FlagsData* flags = response.get<FlagsData>()) {
            box.flags = flags->flags;
        } else if (const ExistsData* exists = response.get<ExistsData>()) {
            box.exists = exists->count;
        } else if (const RecentData* recent = response.get<RecentData>()) {
            box.recent = recent->count;
        } else if (const VanishedData* vanished = response.get<VanishedData>()) {
            if (!vanished->earlier) return false;
            for (const auto& range : vanished->uids.ranges()) box.vanished.add(range.first, range.last);
        } else if (const FetchData* fetch = response.get<FetchData>()) {
            if (!fetch->uid || !fetch->flags) return false;
            ++box.changed;
            if (options.on_changed) {
                MessageFlags change{*fetch->uid, fetch->sequence, *fetch->flags, fetch->modseq.value_or(0), {}, {}};
                guarded([&] { options.on_changed(change); });
            }
        } else if (const StatusResponse* status = response.get<StatusResponse>()) {
            if (status->status != Status::Ok) return false;
            switch (status->code.kind) {
            case CodeKind::UidValidity: box.uid_validity = static_cast<std::uint32_t>(status->code.number); break;
            case CodeKind::UidNext: box.uid_next = static_cast<std::uint32_t>(status->code.number); break;
            case CodeKind::Unseen: box.first_unseen = static_cast<std::uint32_t>(status->code.number); break;
            case CodeKind::PermanentFlags: box.permanent_flags = status->code.atoms; break;
            case CodeKind::HighestModseq: box.highest_modseq = status->code.number; break;
            case CodeKind::NoModseq: box.no_modseq = true; break;
            case CodeKind::Closed: break;
            default: return false;
            }
        } else {
            return false;
        }
        return true;
    };
    const EncodeOptions encoding = encode_options();
    const CommandResult result = execute(
        [&](const std::string& tag) { return command::select(tag, box.raw_name, select_options, encoding); }, handler);
    if (!result.ok())
        throw command_error(result, std::string(read_only ? "cannot examine" : "cannot select") +
                                        " folder " + quoted(mailbox));
    if (result.has_code(CodeKind::ReadOnly)) box.read_only = true;
    if (result.has_code(CodeKind::ReadWrite)) box.read_only = false;
    if (box.no_modseq) box.highest_modseq = 0;
    selected_ = box;
    operation.finish();
    return box;
}

void Session::unselect() {
    Operation operation(*this);
    if (!selected_) return;
    if (capabilities_.has("UNSELECT")) {
        const CommandResult result = execute([](const std::string& tag) { return command::unselect(tag); });
        if (!result.ok()) throw command_error(result, "cannot close folder " + quoted(selected_->name));
    }
    selected_.reset();
}

void Session::create(std::string_view mailbox, const std::vector<std::string>& special_use) {
    Operation operation(*this);
    const std::string raw = encode_mailbox(mailbox);
    const bool with_use = !special_use.empty() && capabilities_.has("CREATE-SPECIAL-USE");
    const EncodeOptions encoding = encode_options();
    check(execute([&](const std::string& tag) {
              return command::create(tag, raw, with_use ? special_use : std::vector<std::string>{}, encoding);
          }),
          "cannot create folder " + quoted(mailbox));
}

void Session::delete_mailbox(std::string_view mailbox) {
    Operation operation(*this);
    const std::string raw = encode_mailbox(mailbox);
    const EncodeOptions encoding = encode_options();
    check(execute([&](const std::string& tag) { return command::delete_mailbox(tag, raw, encoding); }),
          "cannot delete folder " + quoted(mailbox));
    raw_names_.erase(std::string(mailbox));
    if (selected_ && same_mailbox(selected_->raw_name, raw)) selected_.reset();
}

void Session::rename(std::string_view from, std::string_view to) {
    Operation operation(*this);
    const std::string raw_from = encode_mailbox(from);
    const std::string raw_to = encode_mailbox(to);
    const EncodeOptions encoding = encode_options();
    check(execute([&](const std::string& tag) { return command::rename(tag, raw_from, raw_to, encoding); }),
          "cannot rename folder " + quoted(from) + " to " + quoted(to));
    raw_names_.erase(std::string(from));
    if (selected_ && same_mailbox(selected_->raw_name, raw_from)) selected_.reset();
}

void Session::subscribe(std::string_view mailbox) {
    Operation operation(*this);
    const std::string raw = encode_mailbox(mailbox);
    const EncodeOptions encoding = encode_options();
    check(execute([&](const std::string& tag) { return command::subscribe(tag, raw, encoding); }),
          "cannot subscribe to folder " + quoted(mailbox));
}

void Session::unsubscribe(std::string_view mailbox) {
    Operation operation(*this);
    const std::string raw = encode_mailbox(mailbox);
    const EncodeOptions encoding = encode_options();
    check(execute([&](const std::string& tag) { return command::unsubscribe(tag, raw, encoding); }),
          "cannot unsubscribe from folder " + quoted(mailbox));
}

}  // namespace zmail::imap
