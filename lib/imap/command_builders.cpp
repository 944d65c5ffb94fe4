// The IMAP command builders of command.hpp.
#include "error.hpp"
#include "i18n.hpp"
#include "imap/command.hpp"

namespace zmail::imap::command {
namespace {

Command simple(const std::string& tag, std::string_view word) {
    return CommandWriter(tag, {}).keyword(word).finish();
}

Command with_mailbox(const std::string& tag, std::string_view word, std::string_view mailbox,
                     const EncodeOptions& options) {
    return CommandWriter(tag, options).keyword(word).space().astring(mailbox).finish();
}

const char* status_item_name(StatusItem item) {
    switch (item) {
    case StatusItem::Messages: return "MESSAGES";
    case StatusItem::Recent: return "RECENT";
    case StatusItem::UidNext: return "UIDNEXT";
    case StatusItem::UidValidity: return "UIDVALIDITY";
    case StatusItem::Unseen: return "UNSEEN";
    case StatusItem::Size: return "SIZE";
    case StatusItem::HighestModseq: return "HIGHESTMODSEQ";
    }
    return "MESSAGES";
}

void status_items(CommandWriter& writer, const std::vector<StatusItem>& items) {
    writer.keyword("(");
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) writer.space();
        writer.keyword(status_item_name(items[i]));
    }
    writer.keyword(")");
}

// Keywords in a parenthesized list: "(SPECIAL-USE)", "(ALL)".
void keyword_list(CommandWriter& writer, const std::vector<std::string>& words) {
    writer.keyword("(");
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) writer.space();
        writer.keyword(words[i]);
    }
    writer.keyword(")");
}

bool has_8bit(std::string_view text) {
    for (unsigned char c : text)
        if (c >= 0x80) return true;
    return false;
}

}  // namespace

Command capability(const std::string& tag) { return simple(tag, "CAPABILITY"); }
Command noop(const std::string& tag) { return simple(tag, "NOOP"); }
Command namespace_(const std::string& tag) { return simple(tag, "NAMESPACE"); }
Command logout(const std::string& tag) { return simple(tag, "LOGOUT"); }
Command compress_deflate(const std::string& tag) { return simple(tag, "COMPRESS DEFLATE"); }
Command notify_set(const std::string& tag) {
    return simple(tag, "NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) "
                       "(personal (MessageNew MessageExpunge FlagChange MailboxName))");
}
Command expunge(const std::string& tag) { return simple(tag, "EXPUNGE"); }
Command close(const std::string& tag) { return simple(tag, "CLOSE"); }
Command unselect(const std::string& tag) { return simple(tag, "UNSELECT"); }
Command idle(const std::string& tag) { return simple(tag, "IDLE"); }
std::string idle_done() { return "DONE\r\n"; }

Command id(const std::string& tag, const std::vector<std::pair<std::string, std::string>>& fields,
           const EncodeOptions& options) {
    CommandWriter writer(tag, options);
    writer.keyword("ID ");
    if (fields.empty()) return writer.keyword("NIL").finish();
    writer.keyword("(");
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) writer.space();
        writer.string(fields[i].first).space().string(fields[i].second);
    }
    return writer.keyword(")").finish();
}

Command enable(const std::string& tag, const std::vector<std::string>& capabilities) {
    if (capabilities.empty()) throw Error(ErrorKind::Internal, tr("ENABLE without capabilities"));
    CommandWriter writer(tag, {});
    writer.keyword("ENABLE");
    for (const auto& capability : capabilities) writer.space().keyword(capability);
    return writer.finish();
}

Command list(const std::string& tag, std::string_view reference, std::string_view pattern,
             const ListOptions& list_options, const EncodeOptions& options) {
    CommandWriter writer(tag, options);
    writer.keyword("LIST ");
    if (!list_options.selection.empty()) {
        keyword_list(writer, list_options.selection);
        writer.space();
    }
    writer.string(reference).space().string(pattern);
    if (list_options.return_special_use || !list_options.return_status.empty()) {
        writer.keyword(" RETURN (");
        if (list_options.return_special_use) writer.keyword("SPECIAL-USE");
        if (!list_options.return_status.empty()) {
            if (list_options.return_special_use) writer.space();
            writer.keyword("STATUS ");
            status_items(writer, list_options.return_status);
        }
        writer.keyword(")");
    }
    return writer.finish();
}

Command lsub(const std::string& tag, std::string_view reference, std::string_view pattern,
             const EncodeOptions& options) {
    return CommandWriter(tag, options).keyword("LSUB ").string(reference).space().string(pattern).finish();
}

Command status(const std::string& tag, std::string_view mailbox, const std::vector<StatusItem>& items,
               const EncodeOptions& options) {
    if (items.empty()) throw Error(ErrorKind::Internal, tr("STATUS without items"));
    CommandWriter writer(tag, options);
    writer.keyword("STATUS ").astring(mailbox).space();
    status_items(writer, items);
    return writer.finish();
}

Command select(const std::string& tag, std::string_view mailbox, const SelectOptions& select_options,
               const EncodeOptions& options) {
    CommandWriter writer(tag, options);
    writer.keyword(select_options.read_only ? "EXAMINE " : "SELECT ").astring(mailbox);
    if (select_options.qresync) {
        const Qresync& q = *select_options.qresync;
        writer.keyword(" (QRESYNC (").number(q.uid_validity).space().number(q.modseq);
        if (!q.known_uids.empty()) writer.space().sequence_set(q.known_uids);
        writer.keyword("))");
    } else if (select_options.condstore) {
        writer.keyword(" (CONDSTORE)");
    }
    return writer.finish();
}

Command create(const std::string& tag, std::string_view mailbox, const std::vector<std::string>& special_use,
               const EncodeOptions& options) {
    CommandWriter writer(tag, options);
    writer.keyword("CREATE ").astring(mailbox);
    if (!special_use.empty()) writer.keyword(" (USE ").flag_list(special_use).keyword(")");
    return writer.finish();
}

Command delete_mailbox(const std::string& tag, std::string_view mailbox, const EncodeOptions& options) {
    return with_mailbox(tag, "DELETE", mailbox, options);
}

Command rename(const std::string& tag, std::string_view from, std::string_view to, const EncodeOptions& options) {
    return CommandWriter(tag, options).keyword("RENAME ").astring(from).space().astring(to).finish();
}

Command subscribe(const std::string& tag, std::string_view mailbox, const EncodeOptions& options) {
    return with_mailbox(tag, "SUBSCRIBE", mailbox, options);
}

Command unsubscribe(const std::string& tag, std::string_view mailbox, const EncodeOptions& options) {
    return with_mailbox(tag, "UNSUBSCRIBE", mailbox, options);
}

Command uid_fetch(const std::string& tag, std::string_view set, const std::vector<std::string>& items,
                  const FetchModifiers& modifiers) {
    if (items.empty()) throw Error(ErrorKind::Internal, tr("UID FETCH without items"));
    if (modifiers.vanished && !modifiers.changed_since)
        throw Error(ErrorKind::Internal, tr("UID FETCH VANISHED without CHANGEDSINCE"));
    CommandWriter writer(tag, {});
    writer.keyword("UID FETCH ").sequence_set(set).space();
    keyword_list(writer, items);
    if (modifiers.changed_since) {
        writer.keyword(" (CHANGEDSINCE ").number(*modifiers.changed_since);
        if (modifiers.vanished) writer.keyword(" VANISHED");
        writer.keyword(")");
    }
    return writer.finish();
}

Command uid_store(const std::string& tag, std::string_view set, StoreMode mode, const std::vector<std::string>& flags,
                  bool silent, std::optional<std::uint64_t> unchanged_since) {
    CommandWriter writer(tag, {});
    writer.keyword("UID STORE ").sequence_set(set).space();
    if (unchanged_since) writer.keyword("(UNCHANGEDSINCE ").number(*unchanged_since).keyword(") ");
    writer.keyword(mode == StoreMode::Add ? "+FLAGS" : mode == StoreMode::Remove ? "-FLAGS" : "FLAGS");
    if (silent) writer.keyword(".SILENT");
    return writer.space().flag_list(flags).finish();
}

Command uid_expunge(const std::string& tag, std::string_view set) {
    return CommandWriter(tag, {}).keyword("UID EXPUNGE ").sequence_set(set).finish();
}

Command uid_move(const std::string& tag, std::string_view set, std::string_view mailbox,
                 const EncodeOptions& options, bool move) {
    return CommandWriter(tag, options)
        .keyword(move ? "UID MOVE " : "UID COPY ")
        .sequence_set(set)
        .space()
        .astring(mailbox)
        .finish();
}

Command append(const std::string& tag, std::string_view mailbox, const std::vector<std::string>& flags,
               const std::optional<DateTime>& date, std::uint64_t size, const EncodeOptions& options) {
    CommandWriter writer(tag, options);
    writer.keyword("APPEND ").astring(mailbox).space();
    if (!flags.empty()) writer.flag_list(flags).space();
    if (date) writer.string(format_date_time(date->utc, date->offset_minutes)).space();
    return writer.finish_with_message(size);
}

Command uid_search(const std::string& tag, const std::vector<SearchTerm>& terms,
                   const std::vector<std::string>& return_options, const EncodeOptions& options) {
    if (terms.empty()) throw Error(ErrorKind::Internal, tr("UID SEARCH without search keys"));
    CommandWriter writer(tag, options);
    writer.keyword("UID SEARCH");
    if (!return_options.empty()) {
        writer.keyword(" RETURN ");
        keyword_list(writer, return_options);
    }
    bool eight_bit = false;
    for (const auto& term : terms) eight_bit = eight_bit || (term.is_string && has_8bit(term.text));
    if (eight_bit) writer.keyword(" CHARSET UTF-8");
    for (const auto& term : terms) {
        writer.space();
        if (term.is_string) writer.astring(term.text);
        else writer.keyword(term.text);
    }
    return writer.finish();
}

Command uid_search_message_id(const std::string& tag, std::string_view message_id, const EncodeOptions& options) {
    return uid_search(tag,
                      {SearchTerm::keyword("HEADER"), SearchTerm::string("Message-ID"),
                       SearchTerm::string(std::string(message_id))},
                      {}, options);
}

}  // namespace zmail::imap::command
