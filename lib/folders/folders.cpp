#include "folders/folders.hpp"

#include "error.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/session_mailboxes.hpp"
#include "profile/folder_patterns.hpp"

#include <algorithm>
#include <set>

namespace zmail::folders {

namespace {

std::string replace_all(std::string_view s, char from, char to) {
    std::string out(s);
    std::replace(out.begin(), out.end(), from, to);
    return out;
}

// Runs a command and turns a NO/BAD into an error worded with our own `what`.
template <class F>
void attempt(const std::string& what, F&& call) {
    try {
        call();
    } catch (const imap::CommandError& e) {
        throw imap::command_error(e.result, what);
    }
}

}  // namespace

char separator(imap::Session& session) {
    imap::ListRequest request;
    request.pattern = "";
    for (const auto& entry : imap::Mailboxes(session).list(request))
        if (entry.delimiter) return *entry.delimiter;
    return '/';
}

std::string server_name(std::string_view name, char sep) {
    if (name.empty()) throw Error(ErrorKind::Usage, "a folder name cannot be empty");
    size_t start = 0;
    while (true) {
        size_t slash = name.find('/', start);
        std::string_view level = name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
        if (level.empty())
            throw Error(ErrorKind::Usage, "invalid folder name '" + std::string(name) + "': it has an empty level",
                        "write levels as 'Parent/Child'");
        if (sep != '/' && level.find(sep) != std::string_view::npos)
            throw Error(ErrorKind::Usage,
                        "invalid folder name '" + std::string(name) + "': the server uses '" + std::string(1, sep) +
                            "' between levels",
                        "write levels as 'Parent/Child'; zmail turns '/' into '" + std::string(1, sep) + "'");
        for (unsigned char c : level)
            if (c < 0x20 || c == 0x7f)
                throw Error(ErrorKind::Usage, "invalid folder name: it contains a control character");
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return replace_all(name, '/', sep);
}

std::string user_name(std::string_view name, char sep) { return replace_all(name, sep, '/'); }

std::vector<Folder> list(imap::Session& session, const profile::Account& account, const ListOptions& options) {
    imap::ListRequest request;
    if (options.counts)
        request.status = {imap::StatusItem::Messages, imap::StatusItem::Unseen, imap::StatusItem::Size};
    auto entries = imap::Mailboxes(session).list(request);
    std::set<std::string> subscribed;
    for (const auto& e : imap::Mailboxes(session).lsub("*")) subscribed.insert(e.name);
    std::vector<Folder> out;
    for (const auto& e : entries) {
        Folder f;
        char sep = e.delimiter.value_or('/');
        f.name = user_name(e.name, sep);
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

void create(imap::Session& session, const std::string& name) {
    std::string server = server_name(name, separator(session));
    attempt("cannot create folder '" + name + "'", [&] { imap::Mailboxes(session).create(server); });
}

void rename(imap::Session& session, const std::string& from, const std::string& to) {
    char sep = separator(session);
    std::string old_name = server_name(from, sep), new_name = server_name(to, sep);
    attempt("cannot rename folder '" + from + "' to '" + to + "'",
            [&] { imap::Mailboxes(session).rename(old_name, new_name); });
}

void remove(imap::Session& session, const std::string& name) {
    std::string server = server_name(name, separator(session));
    if (imap::is_inbox(server))
        throw Error(ErrorKind::Usage, "cannot delete folder 'INBOX': every account has one");
    attempt("cannot delete folder '" + name + "'", [&] { imap::Mailboxes(session).remove(server); });
}

void subscribe(imap::Session& session, const std::string& name, bool on) {
    std::string server = server_name(name, separator(session));
    attempt(std::string("cannot ") + (on ? "subscribe to" : "unsubscribe from") + " folder '" + name + "'", [&] {
        if (on) imap::Mailboxes(session).subscribe(server);
        else imap::Mailboxes(session).unsubscribe(server);
    });
}

std::optional<std::uint32_t> message_count(imap::Session& session, const std::string& name) {
    std::string server = server_name(name, separator(session));
    std::optional<std::uint32_t> count;
    attempt("cannot open folder '" + name + "'",
            [&] { count = imap::Mailboxes(session).status(server, {imap::StatusItem::Messages}).messages; });
    return count;
}

}  // namespace zmail::folders
