#include "fetch/plan.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <cstdio>
#include <unordered_map>

namespace zmail::fetch {

namespace {

Error duplicate_error(const pop3::UidlListing& uidls, const std::string& server) {
    std::string names;
    std::size_t shown = 0;
    for (const std::string& uid : uidls.duplicate_uids) {
        if (shown == 3) {
            names += ", ...";
            break;
        }
        names += (shown++ ? ", '" : "'") + uid + "'";
    }
    // TRANSLATORS: the server, then a list of UIDLs
    return Error(ErrorKind::Protocol,
                 tr("server '{}' gives the same UIDL to more than one message ({})", server, names),
                 tr("zmail cannot tell those messages apart, so it neither fetches nor deletes anything; "
                    "ask the provider to fix its POP3 service, or read this mailbox over IMAP"));
}

}  // namespace

Plan make_plan(const pop3::UidlListing& uidls, const std::vector<pop3::ListEntry>& sizes, const UidlState& state,
               const Policy& policy, const std::string& server) {
    if (uidls.has_duplicates()) throw duplicate_error(uidls, server);
    std::unordered_map<std::uint32_t, std::uint64_t> size_of;
    size_of.reserve(sizes.size());
    for (const pop3::ListEntry& entry : sizes) size_of.emplace(entry.number, entry.size);
    if (size_of.size() != uidls.entries.size())
        throw Error(ErrorKind::Protocol,
                    tr("server '{}' lists {} messages in UIDL but {} in LIST", server, uidls.entries.size(),
                       size_of.size()),
                    tr("the server's listings disagree; nothing was fetched or deleted, try again later"));

    Plan plan;
    plan.on_server = uidls.entries.size();
    plan.first_run_scope_new = policy.scope_new && !state.existed();
    for (const pop3::UidlEntry& entry : uidls.entries) {
        auto size = size_of.find(entry.number);
        if (size == size_of.end())
            throw Error(ErrorKind::Protocol,
                        tr("server '{}' lists message {} in UIDL but not in LIST", server, entry.number),
                        tr("the server's listings disagree; nothing was fetched or deleted, try again later"));
        ServerMessage message{entry.number, entry.uid, size->second};
        if (state.is_delivered(entry.uid)) {
            plan.delivered.push_back(std::move(message));
        } else if (plan.first_run_scope_new) {
            plan.mark_seen.push_back(std::move(message));
        } else if (policy.scope_new && state.is_seen(entry.uid)) {
            continue;
        } else if (policy.max_size > 0 && message.size > policy.max_size) {
            plan.too_large.push_back(std::move(message));
        } else if (policy.limit > 0 && plan.download.size() >= policy.limit) {
            plan.deferred.push_back(std::move(message));
        } else {
            plan.download_bytes += message.size;
            plan.download.push_back(std::move(message));
        }
    }
    return plan;
}

}  // namespace zmail::fetch
