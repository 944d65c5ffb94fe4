// zmail folders: list, create, rename, delete, subscribe and unsubscribe IMAP folders.
#include "context.hpp"

#include "error.hpp"
#include "folders/folders.hpp"
#include "imap/session_account.hpp"
#include "text/strings.hpp"

#include <cstdio>
#include <iostream>
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
        std::string c = f.messages ? std::to_string(*f.messages) + " messages" : "? messages";
        if (f.unseen && *f.unseen) c += ", " + std::to_string(*f.unseen) + " unread";
        if (f.size) c += ", " + text::human_size(*f.size);
        parts.push_back(c);
    }
    if (!f.special_use.empty()) parts.push_back(f.special_use);
    if (!f.selectable) parts.push_back("(holds only folders)");
    if (!f.subscribed && f.selectable) parts.push_back("unsubscribed");
    if (f.synced) parts.push_back("synced");
    std::string s;
    for (const auto& p : parts) s += (s.empty() ? "" : "  ") + p;
    return s;
}

int print_list(Context& ctx, const std::vector<folders::Folder>& list, const FoldersOptions& o) {
    auto& out = ctx.out();
    if (out.json()) {
        json all = json::array();
        for (const auto& f : list) all.push_back(folder_json(f));
        out.json_value(all);
        return 0;
    }
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& f : list) {
        std::string label = f.name;
        if (!o.flat) {
            size_t depth = std::count(f.name.begin(), f.name.end(), '/');
            label = std::string(2 * depth, ' ') + f.name.substr(f.name.rfind('/') == std::string::npos ? 0 : f.name.rfind('/') + 1);
        }
        rows.push_back({label, details(f, o.counts)});
    }
    if (o.flat && !o.counts && !ctx.out().stdout_is_tty()) {
        for (const auto& f : list) out.line(f.name);  // plain names for scripts
        return 0;
    }
    out.rows(rows);
    return 0;
}

bool confirm(const std::string& question) {
    if (!::isatty(STDIN_FILENO) || !::isatty(STDERR_FILENO)) return false;
    std::fprintf(stderr, "%s [y/N] ", question.c_str());
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

int done(Context& ctx, const std::string& action, json details) {
    if (ctx.out().json()) {
        details["action"] = action;
        details["ok"] = true;
        ctx.out().json_value(details);
    }
    return 0;
}

}  // namespace

Runner define_folders(CLI::App& app) {
    auto o = std::make_shared<FoldersOptions>();
    Verbs verbs(app);
    auto selected = verbs.chosen();
    CLI::App* list = verbs.add("list", "list the account's folders as a tree (or --flat)");
    list->add_flag("--counts", o->counts, "add messages, unread and size of each folder");
    list->add_flag("--flat", o->flat, "full names, one a line, instead of a tree");
    list->add_flag("--subscribed", o->subscribed_only, "only subscribed folders");
    verbs.add("create", "create a folder ('Parent/Child' makes the levels)")
        ->add_option("folder", o->name, "folder name, UTF-8, '/' between levels")->required();
    CLI::App* rename = verbs.add("rename", "rename a folder");
    rename->add_option("folder", o->name, "the folder")->required();
    rename->add_option("new-name", o->new_name, "its new name")->required();
    CLI::App* remove = verbs.add("delete", "delete a folder and the messages in it (asks first)");
    remove->add_option("folder", o->name, "the folder")->required();
    remove->add_flag("-y,--yes", o->yes, "do not ask (needed when not on a terminal)");
    verbs.add("subscribe", "subscribe to a folder")->add_option("folder", o->name, "the folder")->required();
    verbs.add("unsubscribe", "unsubscribe from a folder")->add_option("folder", o->name, "the folder")->required();

    return [o, selected](Context& ctx) -> int {
        auto account = ctx.account();
        auto& out = ctx.out();
        imap::AccountSessionOptions options;
        if (out.verbose() >= 2) options.trace = [&out](std::string_view line) { out.trace(line); };
        options.warning = [&out](std::string_view line) { out.warning(line); };
        const std::string& s = *selected;
        if (s == "delete" && !o->yes) {
            // ask before connecting for the count, so a refusal costs nothing
            if (!::isatty(STDIN_FILENO))
                throw Error(ErrorKind::Usage, "refusing to delete folder '" + o->name + "' without --yes",
                            "deleting a folder removes its messages from the server; add --yes to confirm");
        }
        auto session = imap::open_account_session(ctx.profile(), account, options);
        if (s == "list") {
            folders::ListOptions lo;
            lo.counts = o->counts;
            lo.subscribed_only = o->subscribed_only;
            return print_list(ctx, folders::list(*session, account, lo), *o);
        }
        if (s == "create") {
            folders::create(*session, o->name);
            out.note("created folder '" + o->name + "'");
            return done(ctx, "create", {{"folder", o->name}});
        }
        if (s == "rename") {
            folders::rename(*session, o->name, o->new_name);
            out.note("renamed folder '" + o->name + "' to '" + o->new_name + "'");
            return done(ctx, "rename", {{"folder", o->name}, {"new_name", o->new_name}});
        }
        if (s == "delete") {
            if (!o->yes) {
                auto count = folders::message_count(*session, o->name);
                std::string what = count ? " and its " + std::to_string(*count) + " messages" : "";
                if (!confirm("delete folder '" + o->name + "'" + what + " on the server?"))
                    throw Error(ErrorKind::Usage, "folder '" + o->name + "' was not deleted");
            }
            folders::remove(*session, o->name);
            out.note("deleted folder '" + o->name + "'");
            return done(ctx, "delete", {{"folder", o->name}});
        }
        if (s == "subscribe" || s == "unsubscribe") {
            folders::subscribe(*session, o->name, s == "subscribe");
            out.note(s + "d " + (s == "subscribe" ? "to" : "from") + " folder '" + o->name + "'");
            return done(ctx, s, {{"folder", o->name}});
        }
        throw Error(ErrorKind::Internal, "unhandled folders command '" + s + "'");
    };
}

}  // namespace zmail::cli
