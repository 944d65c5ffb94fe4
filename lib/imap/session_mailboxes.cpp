// The mailbox commands of the IMAP session (imap::Mailboxes): LIST (with SPECIAL-USE and
// LIST-STATUS, or STATUS per mailbox as a fallback), LSUB, STATUS, SELECT/EXAMINE, UNSELECT, CREATE,
// DELETE, RENAME, SUBSCRIBE.
#include <algorithm>
#include <map>

#include "imap/mailbox_name.hpp"
#include "imap/session_internal.hpp"
#include "imap/session_mailboxes.hpp"

namespace zmail::imap {
namespace {

constexpr std::size_t status_window = 16;
// EXAMINEd to leave the selected state on a server without UNSELECT: a name no one has
constexpr std::string_view no_such_mailbox = "ZMAIL-NO-SUCH-FOLDER-6B1C9E";

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

bool MailboxEntry::has_attribute(std::string_view attribute) const {
    for (const auto& a : attributes)
        if (equals_ignore_case(a, attribute)) return true;
    return false;
}

std::vector<StatusItem> Mailboxes::usable_status_items(const std::vector<StatusItem>& items) const {
    std::vector<StatusItem> usable;
    for (StatusItem item : items) {
        if (item == StatusItem::HighestModseq && !session_.condstore()) continue;
        if (item == StatusItem::Size && !session_.capabilities_.has("STATUS=SIZE")) continue;
        usable.push_back(item);
    }
    return usable;
}

std::vector<MailboxEntry> Mailboxes::list_command(bool lsub, const ListRequest& request) {
    const bool utf8 = session_.enabled("UTF8=ACCEPT");
    const std::string reference = request.reference.empty() ? std::string() : encode_mailbox_name(request.reference, utf8);
    const std::string pattern = encode_mailbox_name(request.pattern, utf8);
    const std::vector<StatusItem> items = usable_status_items(request.status);

    ListOptions list_options;
    if (!lsub) {
        const Capabilities& capabilities = session_.capabilities_;
        list_options.return_special_use = capabilities.has("SPECIAL-USE") && capabilities.has("LIST-EXTENDED");
        if (!items.empty() && capabilities.has("LIST-STATUS")) list_options.return_status = items;
    }
    ListCollector collector(session_, lsub);
    const EncodeOptions encoding = session_.encode_options();
    const CommandResult result = session_.run(
        [&](const std::string& tag) {
            return lsub ? command::lsub(tag, reference, pattern, encoding)
                        : command::list(tag, reference, pattern, list_options, encoding);
        },
        [&collector](const Response& response) { return collector.take(response); });
    if (!result.ok()) throw command_error(result, tr("cannot list folders on {}", quoted(session_.peer())));
    remember_raw_names(collector.entries);
    if (!lsub && !items.empty() && list_options.return_status.empty()) status_fallback(collector.entries, items);
    return std::move(collector.entries);
}

// One STATUS per selectable mailbox, up to status_window in flight. A refused STATUS leaves that
// mailbox without status instead of failing the listing.
void Mailboxes::status_fallback(std::vector<MailboxEntry>& entries, const std::vector<StatusItem>& items) {
    const EncodeOptions encoding = session_.encode_options();
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
            tags.push_back(session_.send(
                [&](const std::string& tag) { return command::status(tag, entry.raw_name, items, encoding); }, handler));
        }
        if (tags.empty()) break;
        (void)session_.wait(tags.front());
        tags.pop_front();
    }
}

void Mailboxes::remember_raw_names(const std::vector<MailboxEntry>& entries) {
    const bool utf8 = session_.enabled("UTF8=ACCEPT");
    for (const auto& entry : entries) {
        std::string encoded;
        try {
            encoded = encode_mailbox_name(entry.name, utf8);
        } catch (const Error&) {
            // The name is not UTF-8 at all: only the raw form can reach it.
        }
        if (encoded != entry.raw_name && !is_inbox(entry.raw_name)) session_.raw_names_[entry.name] = entry.raw_name;
    }
}

std::vector<MailboxEntry> Mailboxes::list(const ListRequest& request) {
    Session::Operation operation(session_);
    return list_command(false, request);
}

std::vector<MailboxEntry> Mailboxes::lsub(std::string_view pattern) {
    Session::Operation operation(session_);
    ListRequest request;
    request.pattern = std::string(pattern);
    return list_command(true, request);
}

MailboxStatus Mailboxes::status(std::string_view mailbox, const std::vector<StatusItem>& items) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    std::vector<StatusItem> usable = usable_status_items(items);
    if (usable.empty()) usable = {StatusItem::Messages};
    std::optional<MailboxStatus> found;
    const EncodeOptions encoding = session_.encode_options();
    const CommandResult result = session_.run(
        [&](const std::string& tag) { return command::status(tag, raw, usable, encoding); },
        [&](const Response& response) {
            const MailboxStatusData* data = response.get<MailboxStatusData>();
            if (!data || found) return false;
            if (!same_mailbox(data->mailbox, raw) && session_.decode_mailbox(data->mailbox) != mailbox) return false;
            found = status_from(*data);
            return true;
        });
    if (!result.ok()) throw command_error(result, tr("cannot get the status of folder {}", quoted(mailbox)));
    if (!found)
        throw Error(ErrorKind::Protocol,
                    tr("cannot get the status of folder {}: the server sent no status", quoted(mailbox)), {},
                    result.line);
    return *found;
}

SelectedMailbox Mailboxes::select(std::string_view mailbox, const OpenOptions& options) {
    return open(mailbox, options, options.read_only);
}

SelectedMailbox Mailboxes::examine(std::string_view mailbox, const OpenOptions& options) {
    return open(mailbox, options, true);
}

SelectedMailbox Mailboxes::open(std::string_view mailbox, const OpenOptions& options, bool read_only) {
    Session::Operation operation(session_);
    SelectedMailbox box;
    box.name = std::string(mailbox);
    box.raw_name = session_.encode_mailbox(mailbox);
    box.read_only = read_only;

    SelectOptions select_options;
    select_options.read_only = read_only;
    if (options.qresync && session_.qresync()) select_options.qresync = options.qresync;
    else select_options.condstore = options.condstore && session_.condstore();

    session_.selected_.reset();
    session_.updates_ = MailboxUpdates{};
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
                session_.guarded([&] { options.on_changed(change); });
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
            case CodeKind::MailboxId: box.mailbox_id = status->code.atoms.front(); break;
            case CodeKind::Closed: break;
            default: return false;
            }
        } else {
            return false;
        }
        return true;
    };
    const EncodeOptions encoding = session_.encode_options();
    const std::string tag = session_.send(
        [&](const std::string& tag) { return command::select(tag, box.raw_name, select_options, encoding); }, handler);
    if (options.after_send) options.after_send();
    const CommandResult result = session_.wait(tag);
    if (!result.ok())
        throw command_error(result, read_only ? tr("cannot examine folder {}", quoted(mailbox))
                                              : tr("cannot select folder {}", quoted(mailbox)));
    if (result.has_code(CodeKind::ReadOnly)) box.read_only = true;
    if (result.has_code(CodeKind::ReadWrite)) box.read_only = false;
    if (box.no_modseq) box.highest_modseq = 0;
    session_.selected_ = box;
    operation.finish();
    return box;
}

std::optional<NamespaceData> Mailboxes::namespaces() {
    Session::Operation operation(session_);
    if (!session_.capabilities().has("NAMESPACE")) return std::nullopt;
    if (session_.namespaces_) return session_.namespaces_;  // asked at the start
    std::optional<NamespaceData> found;
    const CommandResult result = session_.run([](const std::string& tag) { return command::namespace_(tag); },
                                              [&](const Response& response) {
                                                  const NamespaceData* data = response.get<NamespaceData>();
                                                  if (!data) return false;
                                                  found = *data;
                                                  return true;
                                              });
    if (!result.ok()) throw command_error(result, tr("cannot ask for the server's namespaces"));
    if (!found)
        throw Error(ErrorKind::Protocol, tr("the server answered NAMESPACE without its namespaces"), {}, result.line);
    return found;
}

void Mailboxes::unselect() {
    Session::Operation operation(session_);
    if (!session_.selected_) return;
    if (session_.capabilities_.has("UNSELECT")) {
        const CommandResult result = session_.run([](const std::string& tag) { return command::unselect(tag); });
        if (!result.ok()) throw command_error(result, tr("cannot close folder {}", quoted(session_.selected_->name)));
    } else {
        // CLOSE would expunge; an EXAMINE that fails leaves no folder selected (RFC 3501 6.3.1),
        // which RENAME and DELETE of the open folder need on servers such as Courier
        SelectOptions read_only;
        read_only.read_only = true;
        session_.run([&](const std::string& tag) { return command::select(tag, no_such_mailbox, read_only); });
    }
    session_.selected_.reset();
    session_.updates_ = MailboxUpdates{};
}

void Mailboxes::create(std::string_view mailbox, const std::vector<std::string>& special_use) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    const bool with_use = !special_use.empty() && session_.capabilities_.has("CREATE-SPECIAL-USE");
    const EncodeOptions encoding = session_.encode_options();
    check(session_.run([&](const std::string& tag) {
              return command::create(tag, raw, with_use ? special_use : std::vector<std::string>{}, encoding);
          }),
          tr("cannot create folder {}", quoted(mailbox)));
}

void Mailboxes::remove(std::string_view mailbox) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    const EncodeOptions encoding = session_.encode_options();
    check(session_.run([&](const std::string& tag) { return command::delete_mailbox(tag, raw, encoding); }),
          tr("cannot delete folder {}", quoted(mailbox)));
    session_.raw_names_.erase(std::string(mailbox));
    if (session_.selected_ && same_mailbox(session_.selected_->raw_name, raw)) session_.selected_.reset();
}

void Mailboxes::rename(std::string_view from, std::string_view to) {
    Session::Operation operation(session_);
    const std::string raw_from = session_.encode_mailbox(from);
    const std::string raw_to = session_.encode_mailbox(to);
    const EncodeOptions encoding = session_.encode_options();
    check(session_.run([&](const std::string& tag) { return command::rename(tag, raw_from, raw_to, encoding); }),
          tr("cannot rename folder {} to {}", quoted(from), quoted(to)));
    session_.raw_names_.erase(std::string(from));
    if (session_.selected_ && same_mailbox(session_.selected_->raw_name, raw_from)) session_.selected_.reset();
}

void Mailboxes::subscribe(std::string_view mailbox) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    const EncodeOptions encoding = session_.encode_options();
    check(session_.run([&](const std::string& tag) { return command::subscribe(tag, raw, encoding); }),
          tr("cannot subscribe to folder {}", quoted(mailbox)));
}

void Mailboxes::unsubscribe(std::string_view mailbox) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    const EncodeOptions encoding = session_.encode_options();
    check(session_.run([&](const std::string& tag) { return command::unsubscribe(tag, raw, encoding); }),
          tr("cannot unsubscribe from folder {}", quoted(mailbox)));
}

}  // namespace zmail::imap
