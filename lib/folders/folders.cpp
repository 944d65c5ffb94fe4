#include "folders/folders.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/session_mailboxes.hpp"
#include "profile/folder_patterns.hpp"

#include <algorithm>
#include <set>

namespace zmail::folders {

namespace {

// Runs a command and turns a NO/BAD into an error worded with our own `what`; when the server
// gives no hint of its own, the hint names its naming rule and the name zmail sent.
template <class F>
void attempt(const Names& names, const std::string& what, const std::string& mailbox, F&& call) {
    try {
        call();
    } catch (const imap::CommandError& e) {
        throw imap::folder_refusal(e, what, names.naming, mailbox);
    }
}

}  // namespace

Names::Names(imap::Session& s) : session(s), naming(imap::ask_naming(s)) {}

std::string Names::mailbox(std::string_view name) const {
    // TRANSLATORS: in "folder 'x' cannot exist on {}: ..."
    return imap::mailbox_for(name, naming, tr("the server"));
}

std::vector<Folder> list(Names& names, const profile::Account& account, const ListOptions& options) {
    imap::Mailboxes mailboxes(names.session);
    imap::ListRequest request;
    if (options.counts)
        request.status = {imap::StatusItem::Messages, imap::StatusItem::Unseen, imap::StatusItem::Size};
    auto entries = mailboxes.list(request);
    std::set<std::string> subscribed;
    for (const auto& e : mailboxes.lsub("*")) subscribed.insert(e.name);
    std::vector<Folder> out;
    for (const auto& e : entries) {
        // the names sync uses: outside the personal namespace, or not mappable, is not the account's
        const auto levels = imap::levels_from_server(e.name, names.naming);
        if (!levels) continue;
        Folder f;
        f.name = imap::display_name(*levels.value);
        f.raw_name = e.raw_name;
        f.special_use = e.special_use;
        f.selectable = e.selectable;
        f.subscribed = subscribed.count(e.name) > 0 || e.has_attribute("\\Subscribed");
        f.synced = f.selectable && profile::folder_selected(account.sync, f.name);
        if (e.status) {
            f.messages = e.status->messages;
            f.unseen = e.status->unseen;
            f.size = e.status->size;
        }
        if (options.subscribed_only && !f.subscribed) continue;
        out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const Folder& a, const Folder& b) {
        bool ai = imap::is_inbox(a.name), bi = imap::is_inbox(b.name);
        if (ai != bi) return ai;
        return a.name < b.name;
    });
    return out;
}

void create(Names& names, const std::string& name) {
    const std::string mailbox = names.mailbox(name);
    imap::Mailboxes mailboxes(names.session);
    attempt(names, tr("cannot create folder '{}'", name), mailbox, [&] { mailboxes.create(mailbox); });
    subscribe(names, name, true);
}

void rename(Names& names, const std::string& from, const std::string& to) {
    const std::string old_name = names.mailbox(from), new_name = names.mailbox(to);
    imap::Mailboxes mailboxes(names.session);
    attempt(names, tr("cannot rename folder '{}' to '{}'", from, to), new_name,
            [&] { mailboxes.rename(old_name, new_name); });
    // the subscription follows the folder (RENAME leaves it on the old name on most servers)
    try {
        mailboxes.subscribe(new_name);
        mailboxes.unsubscribe(old_name);
    } catch (const imap::CommandError&) {
    }
}

void remove(Names& names, const std::string& name) {
    const std::string mailbox = names.mailbox(name);
    if (imap::is_inbox(mailbox))
        throw Error(ErrorKind::Usage, tr("cannot delete folder 'INBOX': every account has one"));
    imap::Mailboxes mailboxes(names.session);
    attempt(names, tr("cannot delete folder '{}'", name), mailbox, [&] { mailboxes.remove(mailbox); });
    try {  // a deleted folder's subscription would show as a ghost in mail readers
        mailboxes.unsubscribe(mailbox);
    } catch (const imap::CommandError&) {
    }
}

void subscribe(Names& names, const std::string& name, bool on) {
    const std::string mailbox = names.mailbox(name);
    imap::Mailboxes mailboxes(names.session);
    attempt(names, on ? tr("cannot subscribe to folder '{}'", name) : tr("cannot unsubscribe from folder '{}'", name),
            mailbox, [&] {
                if (on) mailboxes.subscribe(mailbox);
                else mailboxes.unsubscribe(mailbox);
            });
}

std::optional<std::uint32_t> message_count(Names& names, const std::string& name) {
    const std::string mailbox = names.mailbox(name);
    std::optional<std::uint32_t> count;
    attempt(names, tr("cannot open folder '{}'", name), mailbox, [&] {
        count = imap::Mailboxes(names.session).status(mailbox, {imap::StatusItem::Messages}).messages;
    });
    return count;
}

}  // namespace zmail::folders
