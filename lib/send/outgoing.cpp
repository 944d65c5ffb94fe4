#include "send/outgoing.hpp"

#include <cerrno>
#include <cstring>

#include "error.hpp"
#include "i18n.hpp"
#include "mime/compose.hpp"
#include "mime/header_values.hpp"
#include "mime/ready_message.hpp"
#include "text/ascii.hpp"
#include "text/punycode.hpp"
#include "text/rfc2047.hpp"
#include "text/utf8.hpp"
#include "util/atomic_file.hpp"

namespace zmail::send {

namespace {

/// The address in lower case with its domain in ASCII, for comparisons (providers treat local
/// parts without regard to case); the input in lower case when it cannot be converted.
std::string comparable(std::string_view address) {
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos) return text::ascii_lower(address);
    try {
        return text::ascii_lower(address.substr(0, at + 1)) +
               text::ascii_lower(text::domain_to_ascii(address.substr(at + 1)));
    } catch (const Error&) {
        return text::ascii_lower(address);
    }
}

void add_recipient(std::vector<std::string>& list, const std::string& address) {
    const std::string key = text::ascii_lower(address);
    for (const auto& existing : list)
        if (text::ascii_lower(existing) == key) return;
    list.push_back(address);
}

std::string read_user_file(const std::string& path, std::string_view option) {
    std::string content;
    try {
        util::read_file(path, content);
    } catch (const Error& e) {
        throw Error(ErrorKind::Data, std::string(e.what()), tr("check the path given to {}", option));
    }
    return content;
}

std::string base_name(const std::string& path) {
    std::string name = path;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    const std::size_t slash = name.rfind('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

text::Address single_address(std::string_view option, std::string_view value) {
    const auto list = parse_address_option(option, value);
    if (list.size() != 1)
        throw Error(ErrorKind::Usage, tr("{} takes one address, not {}", option, list.size()));
    return list.front();
}

std::vector<text::Address> addresses_of(std::string_view option, const std::vector<std::string>& values) {
    std::vector<text::Address> out;
    for (const auto& v : values)
        for (auto& a : parse_address_option(option, v)) out.push_back(std::move(a));
    return out;
}

/// A recipient must have a domain: sendmail users pass "root" and expect local delivery.
void check_has_domain(const std::string& address) {
    if (address.find('@') == std::string::npos)
        throw Error(ErrorKind::Usage, tr("recipient '{}' has no domain", text::printable(address)),
                    tr("zmail only sends through the account's server: give a full address such as "
                       "you@example.com (for cron, set MAILTO)"));
}

/// What parse_address_option() calls a recipient argument (sendmail mode).
constexpr std::string_view recipient_argument = "the recipient";

/// "no address in --to 'x'".
std::string no_address(std::string_view option, std::string_view value) {
    if (option == recipient_argument) return tr("no address in the recipient '{}'", text::printable(value));
    // TRANSLATORS: an option (--to, --cc, -f), then its value
    return tr("no address in {} '{}'", option, text::printable(value));
}

/// "the From address 'x' is not an address of account 'a' (a@x): ...".
std::string not_sender(SenderRole role, std::string_view address, const std::string& account,
                       const std::string& known) {
    const std::string shown = text::printable(address);
    switch (role) {
    case SenderRole::from:
        return tr("the From address '{}' is not an address of account '{}' ({}): the server would refuse it as "
                  "relay denied",
                  shown, account, known);
    case SenderRole::sender:
        return tr("the Sender address '{}' is not an address of account '{}' ({}): the server would refuse it as "
                  "relay denied",
                  shown, account, known);
    case SenderRole::envelope: break;
    }
    return tr("the envelope sender (-f) address '{}' is not an address of account '{}' ({}): the server would "
              "refuse it as relay denied",
              shown, account, known);
}

}  // namespace

std::string wire_form(std::string_view message) { return mime::remove_fields(message, "Bcc"); }

std::vector<text::Address> parse_address_option(std::string_view option, std::string_view value) {
    mime::check_header_value(option, value);
    std::vector<text::Address> out = text::parse_address_list(value);
    if (out.empty()) throw Error(ErrorKind::Usage, no_address(option, value));
    for (const auto& a : out) {
        if (a.address.empty())
            throw Error(ErrorKind::Usage, no_address(option, value),
                        tr("write 'Name <name@example.com>' or just name@example.com"));
        text::validate_address(a.address);
    }
    return out;
}

std::string sender_hint(const ComposeInput* compose, const ReadyInput* ready) {
    try {
        if (compose) {
            if (!compose->envelope_from.empty()) return single_address("-f", compose->envelope_from).address;
            if (!compose->from.empty()) return single_address("--from", compose->from).address;
        }
        if (ready) {
            if (!ready->envelope_from.empty()) return single_address("-f", ready->envelope_from).address;
            const auto header = mime::parse_header_block(mime::without_mbox_separator(ready->message));
            const auto from = mime::addresses_in(header, "From");
            if (!from.empty()) return from.front().address;
        }
    } catch (const Error&) {
        // the same value is checked again, with a proper message, once the account is known
    }
    return {};
}

bool account_may_send_as(const profile::Account& account, std::string_view address) {
    const std::string want = comparable(address);
    if (comparable(account.address) == want) return true;
    for (const auto& alias : account.aliases)
        if (comparable(alias) == want) return true;
    return false;
}

void check_sender(const profile::Account& account, std::string_view address, SenderRole role) {
    if (account_may_send_as(account, address)) return;
    std::string known = account.address;
    for (const auto& alias : account.aliases) known += ", " + alias;
    // TRANSLATORS: shown in place of the account's addresses when it has none
    if (known.empty()) known = tr("none set");
    throw Error(ErrorKind::Data, not_sender(role, address, account.name, known),
                tr("send from the account's address, pick the account with -a, or add the address with "
                   "'zmail settings set {} aliases ...' if the provider lets you send as it",
                   account.name));
}

std::string choose_account(const profile::Profile& profile, const std::string& explicit_name,
                           const std::string& from_address) {
    if (!explicit_name.empty()) {
        profile.account(explicit_name);  // throws with the known names
        return explicit_name;
    }
    if (!from_address.empty()) {
        for (const auto& name : profile.account_names()) {
            const profile::Account account = profile::resolve_account(profile, name);
            if (account_may_send_as(account, from_address)) return name;
        }
    }
    std::string name = profile.default_account();
    if (name.empty()) {
        if (profile.account_names().empty())
            throw Error(ErrorKind::Config, tr("no account is configured"),
                        tr("add one: zmail settings add NAME --preset PRESET --address YOU@EXAMPLE.COM"));
        throw Error(ErrorKind::Config, tr("no default account"),
                    tr("pick one with -a NAME or 'zmail settings default NAME'"));
    }
    return name;
}

Outgoing compose_outgoing(const profile::Account& account, const ComposeInput& in, std::time_t now) {
    mime::Draft draft;
    if (!in.from.empty()) {
        draft.from = single_address("--from", in.from);
    } else {
        if (account.address.empty())
            throw Error(ErrorKind::Config, tr("account '{}' has no address", account.name),
                        tr("set it: zmail settings set {} address YOU@EXAMPLE.COM", account.name));
        draft.from = {account.display_name, account.address, ""};
    }
    if (!in.from_name.empty()) {
        mime::check_header_value("-F", in.from_name);
        draft.from.display_name = in.from_name;
    }
    check_sender(account, draft.from.address, SenderRole::from);
    const std::string envelope_from = in.envelope_from.empty() ? draft.from.address
                                                               : single_address("-f", in.envelope_from).address;
    if (!in.envelope_from.empty()) check_sender(account, envelope_from, SenderRole::envelope);

    draft.to = addresses_of("--to", in.to);
    draft.cc = addresses_of("--cc", in.cc);
    draft.bcc = addresses_of("--bcc", in.bcc);
    draft.reply_to = addresses_of("--reply-to", in.reply_to);
    draft.subject = in.subject;
    if (!in.in_reply_to.empty()) draft.in_reply_to = mime::normalize_message_id("--in-reply-to", in.in_reply_to);
    for (const auto& header : in.headers) {
        mime::check_header_value("--header", header);
        const std::size_t colon = header.find(':');
        if (colon == std::string::npos)
            throw Error(ErrorKind::Usage, tr("invalid --header '{}'", text::printable(header)),
                        tr("write it as 'Name: value'"));
        std::string name = header.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        std::string value = header.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t") == std::string::npos ? value.size()
                                                                            : value.find_first_not_of(" \t"));
        draft.extra_fields.emplace_back(std::move(name), std::move(value));
    }

    if (in.body) draft.body = *in.body;
    else if (!in.body_file.empty() && in.body_file != "-") draft.body = read_user_file(in.body_file, "--body-file");
    else if (in.stdin_text) draft.body = *in.stdin_text;

    const mime::MediaTypes media_types(in.mime_types_path);
    for (const auto& path : in.attachments) {
        mime::Attachment a;
        a.filename = base_name(path);
        if (!text::is_valid_utf8(a.filename))
            throw Error(ErrorKind::Data, tr("the file name '{}' is not UTF-8", text::printable(a.filename)),
                        tr("rename the file, or copy it to a UTF-8 name first"));
        a.content = read_user_file(path, "--attach");
        a.media_type = media_types.lookup(a.filename);
        draft.attachments.push_back(std::move(a));
    }

    const std::string charset = text::ascii_lower(in.charset.empty() ? "utf-8" : in.charset);
    if (charset != "utf-8" && charset != "iso-2022-jp")
        throw Error(ErrorKind::Usage, tr("unsupported --charset '{}'", text::printable(in.charset)),
                    tr("use utf-8 (the default) or iso-2022-jp"));
    draft.charset = charset;

    Outgoing out;
    out.date = now;
    out.date_offset_minutes = mime::local_offset_minutes(now);
    draft.date = mime::format_date(now, out.date_offset_minutes);
    draft.message_id = mime::new_message_id(mime::domain_of(mime::ascii_address(account.address)));
    out.message_id = draft.message_id;

    mime::Composed composed = mime::compose(draft);
    out.message = std::move(composed.message);
    out.warnings = std::move(composed.warnings);
    out.envelope.mail_from = mime::ascii_address(envelope_from);
    for (const auto* list : {&draft.to, &draft.cc, &draft.bcc})
        for (const auto& a : *list) add_recipient(out.envelope.recipients, mime::ascii_address(a.address));
    return out;
}

Outgoing ready_outgoing(const profile::Account& account, const ReadyInput& in, std::time_t now) {
    Outgoing out;
    out.date = now;
    out.date_offset_minutes = mime::local_offset_minutes(now);
    const std::string date = mime::format_date(now, out.date_offset_minutes);
    const std::string new_id = mime::new_message_id(mime::domain_of(mime::ascii_address(account.address)));
    if (!in.from_name.empty()) mime::check_header_value("-F", in.from_name);
    const std::string display_name = in.from_name.empty() ? account.display_name : in.from_name;
    const std::string own_address = mime::ascii_address(account.address);
    const std::string own_from = "From: " + text::fold_header(4, text::format_address({display_name, own_address, ""}));

    mime::ReadyMessage ready = mime::read_ready_message(in.message, date, new_id, own_from);
    bool local_from = !ready.from.empty();
    for (const auto& a : ready.from) local_from = local_from && a.address.find('@') == std::string::npos;
    if (local_from) {  // cron's "From: root (Cron Daemon)": keep the name, use the account's address
        const std::string name =
            ready.from.front().display_name.empty() ? display_name : ready.from.front().display_name;
        const std::string field =
            "From: " + text::fold_header(4, text::format_address({name, mime::ascii_address(account.address), ""}));
        ready.bytes = mime::prepend_fields(mime::remove_fields(ready.bytes, "From"), {field});
        ready.from = {{name, account.address, ""}};
        out.warnings.push_back(tr("the From field had no domain: it was replaced by '{}'", account.address));
    }
    if (ready.from.empty())
        throw Error(ErrorKind::Data, tr("the message has a From field without an address"));
    for (const auto& a : ready.from) check_sender(account, a.address, SenderRole::from);
    if (ready.sender) check_sender(account, ready.sender->address, SenderRole::sender);
    const std::string envelope_from = in.envelope_from.empty() ? ready.from.front().address
                                                               : single_address("-f", in.envelope_from).address;
    if (!in.envelope_from.empty()) check_sender(account, envelope_from, SenderRole::envelope);
    out.envelope.mail_from = mime::ascii_address(envelope_from);

    if (in.recipients_from_headers) {
        for (const auto* list : {&ready.to, &ready.cc, &ready.bcc})
            for (const auto& a : *list) {
                check_has_domain(a.address);
                add_recipient(out.envelope.recipients, mime::ascii_address(a.address));
            }
    }
    for (const auto& arg : in.recipients)
        for (const auto& a : parse_address_option(recipient_argument, arg)) {
            check_has_domain(a.address);
            add_recipient(out.envelope.recipients, mime::ascii_address(a.address));
        }
    if (out.envelope.recipients.empty())
        throw Error(ErrorKind::Usage, tr("no recipients"),
                    in.recipients_from_headers
                        ? tr("the message has no To, Cc or Bcc address")
                        : tr("give the addresses as arguments, or -t to take them from the message"));
    out.message = mime::to_crlf(ready.bytes);
    out.message_id = ready.message_id;
    return out;
}

std::string read_stream(std::FILE* stream, const char* failure) {
    std::string out;
    char buffer[65536];
    for (;;) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, stream);
        out.append(buffer, n);
        if (n < sizeof buffer) {
            if (std::ferror(stream))
                throw Error(ErrorKind::Storage, tr(failure, std::strerror(errno)));  // marked by the caller
            break;
        }
    }
    return out;
}

}  // namespace zmail::send
