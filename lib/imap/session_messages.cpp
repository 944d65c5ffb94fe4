// The message commands of the IMAP session (imap::Messages): flag listings (CONDSTORE/QRESYNC),
// pipelined body fetches streamed to a sink, UID STORE, UID EXPUNGE (or its safe fallback), UID
// SEARCH and APPEND.
#include <algorithm>
#include <unordered_set>

#include "imap/session_internal.hpp"
#include "imap/session_messages.hpp"

namespace zmail::imap {
namespace {

constexpr std::size_t store_window = 8;

bool has_streamed_body(const FetchData& fetch) {
    return std::any_of(fetch.sections.begin(), fetch.sections.end(),
                       [](const BodySection& section) { return section.streamed; });
}

/// Sends the commands built from `sets` with up to `window` in flight; returns their results in order.
/// `more` is asked before each new command (false stops sending; those in flight are still read).
template <class Send, class Wait>
std::vector<CommandResult> pipeline(const std::vector<std::string>& sets, std::size_t window, Send send_one,
                                    Wait wait_one, const std::function<bool()>& more) {
    std::vector<CommandResult> results;
    std::deque<std::string> tags;
    std::size_t next = 0;
    for (;;) {
        while (next < sets.size() && tags.size() < window && more()) tags.push_back(send_one(sets[next++]));
        if (tags.empty()) break;
        results.push_back(wait_one(tags.front()));
        tags.pop_front();
    }
    return results;
}

}  // namespace

/// Passes the reader's streamed bodies to the caller's MessageSink, and completes each body when its
/// FETCH response arrives. A sink exception is kept in the session's callback_error_; from then on
/// bodies are read and dropped.
class Messages::BodyForwarder final : public BodySink {
public:
    BodyForwarder(Session& session, MessageSink& sink) : session_(session), sink_(sink) {}

    void body_begin(const BodyStart& start) override {
        abandon_open();  // a second body in one FETCH response: keep only the last
        open_ = true;
        size_ = 0;
        dropping_ = session_.callback_error_ != nullptr;
        if (!dropping_) forward([&] { sink_.begin(start); });
    }
    void body_data(std::string_view bytes, std::uint64_t offset) override {
        size_ += bytes.size();
        if (!dropping_) forward([&] { sink_.data(bytes, offset); });
    }
    void body_end() override {}

    /// The FETCH response carrying the body has arrived; true when the sink took the message.
    bool finish(const FetchData& fetch) {
        if (!open_) return false;
        open_ = false;
        if (dropping_) return false;
        if (!fetch.uid) {
            sink_.abandon();  // no UID: the message cannot be placed; it stays on the server
            return false;
        }
        FetchedMessage message;
        message.uid = *fetch.uid;
        message.sequence = fetch.sequence;
        message.flags = fetch.flags.value_or(std::vector<std::string>{});
        message.internal_date = fetch.internal_date;
        message.internal_date_offset = fetch.internal_date_offset;
        message.rfc822_size = fetch.rfc822_size;
        message.modseq = fetch.modseq.value_or(0);
        message.size = size_;
        forward([&] { sink_.complete(message); });
        return !dropping_;
    }

    /// Tells the sink that the open body will not be completed.
    void abandon_open() noexcept {
        if (open_ && !dropping_) sink_.abandon();
        open_ = false;
    }

private:
    void forward(const std::function<void()>& call) {
        if (session_.call_back(call)) return;
        dropping_ = true;
        sink_.abandon();
    }

    Session& session_;
    MessageSink& sink_;
    bool open_ = false;
    bool dropping_ = false;
    std::uint64_t size_ = 0;
};

std::string Messages::folder_context() const {
    return session_.selected_ ? tr("folder {}", quoted(session_.selected_->name)) : tr("the selected folder");
}

bool Messages::use_modseq() const {
    return session_.condstore() && !(session_.selected_ && session_.selected_->no_modseq);
}

// --- listing flags -----------------------------------------------------------------------------------

FlagListing Messages::uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options,
                                     const std::function<void(const MessageFlags&)>& each) {
    Session::Operation operation(session_);
    const PendingFlagListing pending = send_fetch_flags(uid_set, options, each);
    const CommandResult result = session_.wait(pending.tag);
    if (!result.ok()) throw command_error(result, tr("cannot list messages in {}", folder_context()));
    operation.finish();
    return *pending.listing;
}

CommandResult Messages::read_fetch_flags(const PendingFlagListing& pending) {
    Session::Operation operation(session_);
    const CommandResult result = session_.wait(pending.tag);
    operation.finish();
    return result;
}

PendingFlagListing Messages::send_fetch_flags(std::string_view uid_set, const FlagListingOptions& options,
                                              std::function<void(const MessageFlags&)> each) {
    Session::Operation operation(session_);
    std::vector<std::string> items{"UID", "FLAGS"};
    if (options.modseq && use_modseq()) items.push_back("MODSEQ");
    if (options.size_and_date) {
        items.push_back("RFC822.SIZE");
        items.push_back("INTERNALDATE");
    }
    FetchModifiers modifiers;
    if (options.changed_since > 0) {
        if (!use_modseq())
            // TRANSLATORS: the 1st {} is a folder ("folder 'X'"), the 2nd the server
            throw Error(ErrorKind::Unavailable, tr("cannot list changes in {}: {} keeps no mod-sequences there",
                                                   folder_context(), quoted(session_.peer())));
        modifiers.changed_since = options.changed_since;
        modifiers.vanished = options.vanished && session_.qresync();
    }
    auto listing = std::make_shared<FlagListing>();
    // (runs while the command is in flight, after this function returned: holds what it uses)
    auto handler = [this, listing, each = std::move(each)](const Response& response) {
        if (const FetchData* fetch = response.get<FetchData>()) {
            if (!fetch->uid || !fetch->flags) return false;
            MessageFlags message{*fetch->uid,         fetch->sequence,      *fetch->flags,
                                 fetch->modseq.value_or(0), fetch->rfc822_size, fetch->internal_date};
            ++listing->count;
            session_.guarded([&] { each(message); });
            return true;
        }
        if (const VanishedData* vanished = response.get<VanishedData>()) {
            if (!vanished->earlier) return false;
            for (const auto& range : vanished->uids.ranges()) listing->vanished.add(range.first, range.last);
            return true;
        }
        return false;
    };
    const std::string set(uid_set);
    PendingFlagListing pending{
        session_.send([&](const std::string& tag) { return command::uid_fetch(tag, set, items, modifiers); }, handler),
        listing};
    operation.finish();
    return pending;
}

FlagListingAll Messages::uid_fetch_flags(std::string_view uid_set, const FlagListingOptions& options) {
    FlagListingAll all;
    FlagListing listing =
        uid_fetch_flags(uid_set, options, [&all](const MessageFlags& message) { all.messages.push_back(message); });
    all.vanished = std::move(listing.vanished);
    return all;
}

// --- fetching bodies ---------------------------------------------------------------------------------

FetchBodiesResult Messages::uid_fetch_bodies(std::span<const std::uint32_t> uids, MessageSink& sink,
                                            const FetchBodiesOptions& options) {
    Session::Operation operation(session_);
    FetchBodiesResult out;
    if (uids.empty()) return out;
    const std::size_t batch = std::max<std::size_t>(1, options.batch_size);
    std::vector<std::string> sets;
    for (std::size_t i = 0; i < uids.size(); i += batch) {
        const auto chunk = uids.subspan(i, std::min(batch, uids.size() - i));
        sets.push_back(format_sequence_set(std::vector<std::uint32_t>(chunk.begin(), chunk.end())));
    }
    std::vector<std::string> items{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE"};
    if (use_modseq()) items.push_back("MODSEQ");
    items.push_back("BODY.PEEK[]");

    std::unordered_set<std::uint32_t> delivered;
    BodyForwarder forwarder(session_, sink);
    UntaggedHandler handler = [&](const Response& response) {
        const FetchData* fetch = response.get<FetchData>();
        if (!fetch || !has_streamed_body(*fetch)) return false;  // e.g. a flag change: see updates()
        if (forwarder.finish(*fetch)) {
            ++out.delivered;
            delivered.insert(*fetch->uid);
        }
        return true;
    };
    std::optional<CommandResult> bad;
    std::vector<CommandResult> results;
    session_.reader_.set_body_sink(&forwarder);
    try {
        results = pipeline(
            sets, std::max<std::size_t>(1, options.max_in_flight),
            [&](const std::string& set) {
                return session_.send(
                    [&](const std::string& tag) { return command::uid_fetch(tag, set, items); }, handler);
            },
            [&](const std::string& tag) {
                CommandResult result = session_.wait(tag);
                if (result.status == Status::Bad && !bad) bad = result;
                return result;
            },
            [&] { return !session_.callback_error_ && !bad; });
    } catch (...) {
        forwarder.abandon_open();
        session_.reader_.set_body_sink(nullptr);
        throw;
    }
    session_.reader_.set_body_sink(nullptr);
    forwarder.abandon_open();
    for (auto& result : results)
        if (result.status == Status::No) out.refused.push_back(std::move(result));
    std::unordered_set<std::uint32_t> reported;
    for (std::uint32_t uid : uids)
        if (!delivered.count(uid) && reported.insert(uid).second) out.missing.push_back(uid);
    if (bad) throw command_error(*bad, tr("cannot fetch messages from {}", folder_context()));
    operation.finish();
    return out;
}

// --- flags and expunge -------------------------------------------------------------------------------

StoreResult Messages::uid_store(std::span<const std::uint32_t> uids, StoreMode mode,
                               const std::vector<std::string>& flags, std::optional<std::uint64_t> unchanged_since) {
    Session::Operation operation(session_);
    StoreResult out;
    if (uids.empty()) return out;
    if (unchanged_since && !use_modseq())
        throw Error(ErrorKind::Unavailable,
                    // TRANSLATORS: the 1st {} is a folder ("folder 'X'"), the 2nd the server
                    tr("cannot change flags in {} conditionally: {} keeps no mod-sequences there", folder_context(),
                       quoted(session_.peer())));
    const std::vector<std::string> sets = format_sequence_sets(std::vector<std::uint32_t>(uids.begin(), uids.end()));
    // With .SILENT the server echoes only MODSEQ (CONDSTORE); FETCH responses with FLAGS are changes
    // made by someone else and go to updates().
    UntaggedHandler handler = [](const Response& response) {
        const FetchData* fetch = response.get<FetchData>();
        return fetch && !fetch->flags;
    };
    std::optional<CommandResult> failure;
    const auto results = pipeline(
        sets, store_window,
        [&](const std::string& set) {
            return session_.send(
                [&](const std::string& tag) { return command::uid_store(tag, set, mode, flags, true, unchanged_since); },
                handler);
        },
        [&](const std::string& tag) { return session_.wait(tag); }, [] { return true; });
    for (const auto& result : results) {
        if (!result.ok() && !failure) failure = result;
        if (result.has_code(CodeKind::Modified))
            for (const auto& range : result.code.set.ranges()) out.modified.add(range.first, range.last);
    }
    if (failure) throw command_error(*failure, tr("cannot change flags in {}", folder_context()));
    return out;
}

std::vector<std::uint32_t> Messages::search_command(const CommandBuilder& build) {
    std::vector<std::uint32_t> found;
    const CommandResult result = session_.run(build, [&found](const Response& response) {
        const SearchData* search = response.get<SearchData>();
        if (!search) return false;
        found.insert(found.end(), search->numbers.begin(), search->numbers.end());
        return true;
    });
    if (!result.ok()) throw command_error(result, tr("cannot search {}", folder_context()));
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    return found;
}

std::uint64_t Messages::take_expunged(const Response& response) {
    std::uint64_t count = 0;
    if (response.get<ExpungeData>()) {
        count = 1;
    } else if (const VanishedData* vanished = response.get<VanishedData>()) {
        if (vanished->earlier) return 0;
        count = vanished->uids.count();
    }
    if (std::optional<SelectedMailbox>& selected = session_.selected_)
        selected->exists -= static_cast<std::uint32_t>(std::min<std::uint64_t>(selected->exists, count));
    return count;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> Messages::uid_move(std::span<const std::uint32_t> uids,
                                                                        std::string_view mailbox, bool move) {
    Session::Operation operation(session_);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> moved;
    if (uids.empty()) return moved;
    auto take_copyuid = [&moved](const ResponseCode& code) {
        if (code.kind != CodeKind::CopyUid) return;
        const auto from = code.set.numbers(), to = code.destination.numbers();
        for (std::size_t i = 0; i < from.size() && i < to.size(); ++i) moved.emplace_back(from[i], to[i]);
    };
    UntaggedHandler handler = [this, &take_copyuid](const Response& response) {
        if (const StatusResponse* status = response.get<StatusResponse>()) {
            if (status->code.kind != CodeKind::CopyUid) return false;
            take_copyuid(status->code);
            return true;
        }
        return take_expunged(response) > 0;
    };
    const EncodeOptions encoding = session_.encode_options();
    const std::string raw = session_.encode_mailbox(mailbox);
    for (const auto& set : format_sequence_sets(std::vector<std::uint32_t>(uids.begin(), uids.end()))) {
        const CommandResult result = session_.run(
            [&](const std::string& tag) { return command::uid_move(tag, set, raw, encoding, move); }, handler);
        if (!result.ok())
            throw command_error(result, move ? tr("cannot move messages from {}", folder_context())
                                             : tr("cannot copy messages from {}", folder_context()));
        take_copyuid(result.code);
    }
    operation.finish();
    return moved;
}

std::uint32_t Messages::uid_expunge(std::span<const std::uint32_t> uids) {
    Session::Operation operation(session_);
    if (uids.empty()) return 0;
    std::uint32_t gone = 0;
    UntaggedHandler handler = [this, &gone](const Response& response) {
        const std::uint64_t count = take_expunged(response);
        gone += static_cast<std::uint32_t>(count);
        return count > 0;
    };
    if (session_.capabilities_.has("UIDPLUS")) {
        const auto sets = format_sequence_sets(std::vector<std::uint32_t>(uids.begin(), uids.end()));
        std::optional<CommandResult> failure;
        const auto results = pipeline(
            sets, store_window,
            [&](const std::string& set) {
                return session_.send([&](const std::string& tag) { return command::uid_expunge(tag, set); }, handler);
            },
            [&](const std::string& tag) { return session_.wait(tag); }, [] { return true; });
        for (const auto& result : results)
            if (!result.ok() && !failure) failure = result;
        if (failure) throw command_error(*failure, tr("cannot expunge messages in {}", folder_context()));
        return gone;
    }
    // No UIDPLUS: EXPUNGE removes every \Deleted message, so only when those are exactly ours.
    const std::vector<std::uint32_t> deleted = search_command([](const std::string& tag) {
        return command::uid_search(tag, {SearchTerm::keyword("DELETED")});
    });
    const std::unordered_set<std::uint32_t> wanted(uids.begin(), uids.end());
    for (std::uint32_t uid : deleted) {
        if (!wanted.count(uid))
            throw Error(ErrorKind::Unavailable,
                        // TRANSLATORS: the 1st {} is a folder ("folder 'X'"), the 2nd the server
                        tr("cannot expunge messages in {}: other messages are marked deleted and {} lacks UIDPLUS",
                           folder_context(), quoted(session_.peer())),
                        tr("the messages stay marked \\Deleted; expunge them in another mail program"));
    }
    if (deleted.empty()) return 0;
    const CommandResult result = session_.run([](const std::string& tag) { return command::expunge(tag); }, handler);
    if (!result.ok()) throw command_error(result, tr("cannot expunge messages in {}", folder_context()));
    return gone;
}

std::vector<std::uint32_t> Messages::uid_search_message_id(std::string_view message_id) {
    Session::Operation operation(session_);
    const EncodeOptions encoding = session_.encode_options();
    return search_command(
        [&](const std::string& tag) { return command::uid_search_message_id(tag, message_id, encoding); });
}

std::vector<std::uint32_t> Messages::uid_search(const std::vector<SearchTerm>& terms) {
    Session::Operation operation(session_);
    const EncodeOptions encoding = session_.encode_options();
    return search_command([&](const std::string& tag) { return command::uid_search(tag, terms, {}, encoding); });
}

// --- append ------------------------------------------------------------------------------------------

AppendResult Messages::append(std::string_view mailbox, const AppendSource& source,
                              const std::vector<std::string>& flags, const std::optional<DateTime>& date) {
    Session::Operation operation(session_);
    const std::string raw = session_.encode_mailbox(mailbox);
    const EncodeOptions encoding = session_.encode_options();
    AppendResult out;
    const std::string tag = session_.send(
        [&](const std::string& t) { return command::append(t, raw, flags, date, source.size, encoding); }, {},
        &source);
    out.result = session_.wait(tag);
    if (!out.result.ok())
        throw command_error(out.result, tr("cannot append a message to folder {}", quoted(mailbox)));
    if (out.result.has_code(CodeKind::AppendUid)) {
        out.uid_validity = static_cast<std::uint32_t>(out.result.code.number);
        const auto& ranges = out.result.code.set.ranges();
        if (ranges.size() == 1 && ranges.front().first == ranges.front().last) out.uid = ranges.front().first;
    }
    return out;
}

}  // namespace zmail::imap
