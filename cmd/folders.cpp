// zmail folders: list, create, rename, delete, subscribe and unsubscribe IMAP folders.
#include "context.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"
#include "folders/folders.hpp"
#include "folders/run.hpp"

#include <memory>
#include <unistd.h>

namespace zmail::cli {

namespace {

using nlohmann::json;

struct FoldersOptions {
    std::string name, new_name;
    bool counts = false, flat = false, subscribed_only = false, yes = false;
};

json folder_json(const folders::Folder& f) {
    json j = {{"name", f.name},           {"server_name", f.raw_name}, {"special_use", f.special_use},
              {"selectable", f.selectable}, {"subscribed", f.subscribed}, {"synced", f.synced}};
    if (f.messages) j["messages"] = *f.messages;
    if (f.unseen) j["unseen"] = *f.unseen;
    if (f.size) j["size"] = *f.size;
    return j;
}

std::string details(const folders::Folder& f, bool counts) {
    std::vector<std::string> parts;
    if (counts && f.selectable) {
        std::string c = f.messages ? tr("{} messages", *f.messages) : tr("{} messages", "?");
        if (f.unseen && *f.unseen) c += ", " + tr("{} unread", *f.unseen);
        if (f.size) c += ", " + text::human_size(*f.size);
        parts.push_back(c);
    }
    if (!f.special_use.empty()) parts.push_back(f.special_use);
    if (!f.selectable) parts.push_back(tr("(holds only folders)"));
    // TRANSLATORS: a folder's state in 'zmail folders list'
    if (!f.subscribed && f.selectable) parts.push_back(tr("unsubscribed"));
    // TRANSLATORS: a folder's state in 'zmail folders list': zmail sync keeps it
    if (f.synced) parts.push_back(tr("synced"));
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : "  ") + p;
    return s;
}

void print_list(Printer& out, const std::vector<folders::Folder>& list, const FoldersOptions& o) {
    if (o.flat && !o.counts && !out.stdout_is_tty()) {
        for (const auto& f : list) out.line(f.name);  // plain names for scripts
        return;
    }
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& f : list) {
        std::string label = f.name;
        if (!o.flat) {
            const std::size_t depth = std::count(f.name.begin(), f.name.end(), '/');
            const std::size_t slash = f.name.rfind('/');
            label = std::string(2 * depth, ' ') + f.name.substr(slash == std::string::npos ? 0 : slash + 1);
        }
        rows.push_back({label, details(f, o.counts)});
    }
    out.rows(rows);
}

folders::Request request(Context& ctx, folders::Action action, const FoldersOptions& o) {
    Printer& out = ctx.out();
    folders::Request r;
    r.action = action;
    r.name = o.name;
    r.new_name = o.new_name;
    r.list.counts = o.counts;
    r.list.subscribed_only = o.subscribed_only;
    if (out.verbose() >= 2) r.trace = [&out](std::string_view line) { out.trace(line); };
    r.warning = [&out](std::string_view line) { out.warning(line); };
    return r;
}

Outcome list(Context& ctx, const profile::Account& account, const FoldersOptions& o) {
    auto found = std::make_shared<std::vector<folders::Folder>>(
        folders::run(ctx.profile(), account, request(ctx, folders::Action::list, o)));
    Outcome outcome;
    outcome.data = json::array();
    for (const auto& f : *found) outcome.data.push_back(folder_json(f));
    outcome.text = [found, o](Printer& out) { print_list(out, *found, o); };
    return outcome;
}

/// A change: done, a note on stderr, and for --json what was done.
Outcome change(Context& ctx, const profile::Account& account, folders::Action action, const FoldersOptions& o,
               const char* verb, const std::string& done) {
    folders::Request r = request(ctx, action, o);
    if (action == folders::Action::remove && !o.yes) {
        // refuse before connecting, so a script without --yes costs nothing
        if (!::isatty(STDIN_FILENO))
            throw Error(ErrorKind::Usage, tr("refusing to delete folder '{}' without --yes", o.name),
                        tr("deleting a folder removes its messages from the server; add --yes to confirm"));
        r.confirm_remove = [&out = ctx.out(), name = o.name](std::optional<std::uint32_t> count) {
            return out.confirm(count ? tr("delete folder '{}' and its {} messages on the server?", name, *count)
                                     : tr("delete folder '{}' on the server?", name));
        };
    }
    folders::run(ctx.profile(), account, r);
    Outcome outcome;
    outcome.data = {{"action", verb}, {"ok", true}, {"folder", o.name}};
    if (action == folders::Action::rename) outcome.data["new_name"] = o.new_name;
    outcome.diagnostics = [done](Printer& out) { out.note(done); };
    return outcome;
}

}  // namespace

Runner define_folders(CLI::App& app) {
    using folders::Action;
    auto o = std::make_shared<FoldersOptions>();
    Verbs verbs(app);
    auto verb = [&](const char* name, const std::string& summary, Action action, std::function<std::string()> done) {
        return verbs.add(name, summary, [o, name, action, done](Context& ctx, const profile::Account* account) {
            if (action == Action::list) return list(ctx, *account, *o);
            return change(ctx, *account, action, *o, name, done());
        });
    };
    CLI::App* list = verb("list", tr("list the account's folders as a tree (or --flat)"), Action::list, {});
    list->add_flag("--counts", o->counts, tr("add messages, unread and size of each folder"));
    list->add_flag("--flat", o->flat, tr("full names, one a line, instead of a tree"));
    list->add_flag("--subscribed", o->subscribed_only, tr("only subscribed folders"));
    verb("create", tr("create a folder ('Parent/Child' makes the levels)"), Action::create,
         [o] { return tr("created folder '{}'", o->name); })
        ->add_option("folder", o->name, tr("folder name, UTF-8, '/' between levels"))->required();
    CLI::App* rename = verb("rename", tr("rename a folder"), Action::rename,
                            [o] { return tr("renamed folder '{}' to '{}'", o->name, o->new_name); });
    rename->add_option("folder", o->name, tr("the folder"))->required();
    rename->add_option("new-name", o->new_name, tr("its new name"))->required();
    CLI::App* remove = verb("delete", tr("delete a folder and the messages in it (asks first)"), Action::remove,
                            [o] { return tr("deleted folder '{}'", o->name); });
    remove->add_option("folder", o->name, tr("the folder"))->required();
    remove->add_flag("-y,--yes", o->yes, tr("do not ask (needed when not on a terminal)"));
    verb("subscribe", tr("subscribe to a folder"), Action::subscribe,
         [o] { return tr("subscribed to folder '{}'", o->name); })
        ->add_option("folder", o->name, tr("the folder"))->required();
    verb("unsubscribe", tr("unsubscribe from a folder"), Action::unsubscribe,
         [o] { return tr("unsubscribed from folder '{}'", o->name); })
        ->add_option("folder", o->name, tr("the folder"))->required();
    return verbs.runner();
}

}  // namespace zmail::cli
