#include "imap/response_parser.hpp"

#include "error.hpp"
#include "i18n.hpp"

namespace zmail::imap {
namespace {

[[noreturn]] void bad_line(std::string message, std::string_view line) {
    throw Error(ErrorKind::Protocol, std::move(message), {}, shorten_for_reply(line));
}

// A tag is 1*<ASTRING-CHAR except "+">.
bool is_tag(std::string_view word) {
    if (word.empty()) return false;
    for (unsigned char c : word) {
        if (c <= 0x20 || c >= 0x7f) return false;
        switch (c) {
        case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case '+': return false;
        default: break;
        }
    }
    return true;
}

std::optional<Status> status_word(std::string_view word, bool tagged) {
    if (equals_ignore_case(word, "OK")) return Status::Ok;
    if (equals_ignore_case(word, "NO")) return Status::No;
    if (equals_ignore_case(word, "BAD")) return Status::Bad;
    if (tagged) return std::nullopt;
    if (equals_ignore_case(word, "BYE")) return Status::Bye;
    if (equals_ignore_case(word, "PREAUTH")) return Status::Preauth;
    return std::nullopt;
}

// "[CODE args] text" or "text" (the part after the status word and its space).
void parse_status_text(std::string_view rest, StatusResponse& response) {
    if (!rest.empty() && rest.front() == '[') {
        std::size_t close = rest.find(']');
        if (close != std::string_view::npos) {
            std::string_view inside = rest.substr(1, close - 1);
            std::size_t space = inside.find(' ');
            std::string_view name = inside.substr(0, space);
            std::string_view arguments = space == std::string_view::npos ? std::string_view() : inside.substr(space + 1);
            if (name.empty())
                bad_line(tr("unexpected server response: expected a response code name after '['"), response.line);
            response.code = parse_response_code(name, arguments);
            rest.remove_prefix(close + 1);
            if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        }
    }
    response.text = std::string(rest);
}

// Splits off the word up to the next space; `rest` keeps what follows that space.
std::string_view next_word(std::string_view& rest) {
    std::size_t space = rest.find(' ');
    std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    return word;
}

std::vector<std::string> remaining_atoms(TokenCursor& cursor) {
    std::vector<std::string> atoms;
    while (!cursor.at_end()) atoms.emplace_back(cursor.atom());
    return atoms;
}

ListData parse_list(TokenCursor& cursor, bool lsub) {
    ListData list;
    list.lsub = lsub;
    list.flags = cursor.atom_list();
    if (!cursor.accept_atom("NIL")) {
        if (!cursor.peek_is(TokenKind::Quoted)) cursor.fail(N_("a quoted hierarchy delimiter or NIL"));
        std::string delimiter = cursor.astring();
        if (delimiter.size() != 1) cursor.fail(N_("a one-character hierarchy delimiter"));
        list.delimiter = delimiter[0];
    }
    list.mailbox = cursor.astring();
    while (!cursor.at_end()) cursor.skip_value();  // LIST-EXTENDED data: ("CHILDINFO" ("SUBSCRIBED"))
    return list;
}

MailboxStatusData parse_mailbox_status(TokenCursor& cursor) {
    MailboxStatusData status;
    status.mailbox = cursor.astring();
    cursor.expect(TokenKind::OpenParen);
    while (!cursor.accept(TokenKind::CloseParen)) {
        const std::string item = to_upper(cursor.atom());
        if (item == "MESSAGES") status.messages = cursor.number32();
        else if (item == "RECENT") status.recent = cursor.number32();
        else if (item == "UIDNEXT") status.uid_next = cursor.number32();
        else if (item == "UIDVALIDITY") status.uid_validity = cursor.number32();
        else if (item == "UNSEEN") status.unseen = cursor.number32();
        else if (item == "SIZE") status.size = cursor.number64();
        else if (item == "HIGHESTMODSEQ") status.highest_modseq = cursor.number64();
        else cursor.skip_value();
    }
    cursor.expect_end();
    return status;
}

SearchData parse_search(TokenCursor& cursor) {
    SearchData search;
    while (!cursor.at_end()) {
        if (cursor.accept(TokenKind::OpenParen)) {
            if (!cursor.accept_atom("MODSEQ")) cursor.fail("MODSEQ");
            search.modseq = cursor.number64();
            cursor.expect(TokenKind::CloseParen);
            cursor.expect_end();
            break;
        }
        search.numbers.push_back(cursor.number32());
    }
    return search;
}

SequenceSet parse_set(TokenCursor& cursor) {
    std::string_view text = cursor.atom();
    try {
        return SequenceSet::parse(text);
    } catch (const Error&) {
        cursor.fail(N_("a UID set"));
    }
}

ExtendedSearchData parse_extended_search(TokenCursor& cursor) {
    ExtendedSearchData search;
    if (cursor.accept(TokenKind::OpenParen)) {
        if (!cursor.accept_atom("TAG")) cursor.fail("TAG");
        search.tag = cursor.astring();
        cursor.expect(TokenKind::CloseParen);
    }
    if (cursor.accept_atom("UID")) search.uid = true;
    while (!cursor.at_end()) {
        const std::string name = to_upper(cursor.atom());
        if (name == "MIN") search.min = cursor.number32();
        else if (name == "MAX") search.max = cursor.number32();
        else if (name == "COUNT") search.count = cursor.number32();
        else if (name == "ALL") search.all = parse_set(cursor);
        else if (name == "MODSEQ") search.modseq = cursor.number64();
        else cursor.skip_value();
    }
    return search;
}

IdData parse_id(TokenCursor& cursor) {
    IdData id;
    if (cursor.accept_atom("NIL")) return id;
    cursor.expect(TokenKind::OpenParen);
    while (!cursor.accept(TokenKind::CloseParen)) {
        std::string field = cursor.astring();
        id.fields.emplace_back(std::move(field), cursor.nstring());
    }
    return id;
}

VanishedData parse_vanished(TokenCursor& cursor) {
    VanishedData vanished;
    if (cursor.accept(TokenKind::OpenParen)) {
        if (!cursor.accept_atom("EARLIER")) cursor.fail("EARLIER");
        cursor.expect(TokenKind::CloseParen);
        vanished.earlier = true;
    }
    vanished.uids = parse_set(cursor);
    return vanished;
}

std::vector<NamespaceEntry> parse_namespace_list(TokenCursor& cursor) {
    std::vector<NamespaceEntry> entries;
    if (cursor.accept_atom("NIL")) return entries;
    cursor.expect(TokenKind::OpenParen);
    do {
        cursor.expect(TokenKind::OpenParen);
        NamespaceEntry entry;
        entry.prefix = cursor.astring();
        if (!cursor.accept_atom("NIL")) {
            if (!cursor.peek_is(TokenKind::Quoted)) cursor.fail(N_("a quoted hierarchy delimiter or NIL"));
            const std::string delimiter = cursor.astring();
            if (delimiter.size() != 1) cursor.fail(N_("a one-character hierarchy delimiter"));
            entry.delimiter = delimiter[0];
        }
        while (!cursor.accept(TokenKind::CloseParen)) cursor.skip_value();  // extensions
        entries.push_back(std::move(entry));
    } while (!cursor.accept(TokenKind::CloseParen));
    return entries;
}

NamespaceData parse_namespace(TokenCursor& cursor) {
    NamespaceData data;
    data.personal = parse_namespace_list(cursor);
    data.other_users = parse_namespace_list(cursor);
    data.shared = parse_namespace_list(cursor);
    return data;
}

bool is_number(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

Response parse_numbered(TokenCursor& cursor) {
    const std::uint32_t number = cursor.number32();
    const std::string name = to_upper(cursor.atom());
    cursor.set_response_name(shorten_for_reply(name, 40));
    Response response{OtherData{name}};
    if (name == "EXISTS") response.data = ExistsData{number};
    else if (name == "RECENT") response.data = RecentData{number};
    else if (name == "EXPUNGE") response.data = ExpungeData{number};
    else if (name == "FETCH") response.data = parse_fetch(cursor, number);
    else while (!cursor.at_end()) cursor.skip_value();
    cursor.expect_end();
    return response;
}

}  // namespace

std::optional<Response> parse_status_line(std::string_view line) {
    if (!line.empty() && line.front() == '+') {
        std::string_view text = line.substr(1);
        if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        return Response{ContinuationRequest{std::string(text)}};
    }
    std::string_view rest = line;
    std::string_view first = next_word(rest);
    StatusResponse status;
    if (first == "*") {
        std::string_view after = rest;
        auto word = status_word(next_word(after), false);
        if (!word) return std::nullopt;
        status.status = *word;
        rest = after;
    } else {
        if (!is_tag(first))
            bad_line(tr("unexpected server response: expected '*', '+' or a command tag at start of response"), line);
        auto word = status_word(next_word(rest), true);
        if (!word)
            bad_line(tr("unexpected server response: expected OK, NO or BAD after tag '{}'",
                        shorten_for_reply(first, 40)),
                     line);
        status.tag = std::string(first);
        status.status = *word;
    }
    status.line = std::string(line);
    parse_status_text(rest, status);
    return Response{std::move(status)};
}

Response parse_token_response(const RawResponse& raw) {
    TokenCursor cursor(raw, N_("untagged response"));
    if (!cursor.accept_atom("*")) cursor.fail("'*'");
    const Token* first = cursor.peek();
    if (!first) cursor.fail(N_("a response name after '*'"));
    if (first->kind == TokenKind::Atom && is_number(raw.view(*first))) return parse_numbered(cursor);

    const std::string name = to_upper(cursor.atom());
    cursor.set_response_name(shorten_for_reply(name, 40));
    Response response{OtherData{name}};
    if (name == "CAPABILITY") response.data = CapabilityData{remaining_atoms(cursor)};
    else if (name == "LIST" || name == "XLIST") response.data = parse_list(cursor, false);
    else if (name == "LSUB") response.data = parse_list(cursor, true);
    else if (name == "STATUS") response.data = parse_mailbox_status(cursor);
    else if (name == "SEARCH") response.data = parse_search(cursor);
    else if (name == "ESEARCH") response.data = parse_extended_search(cursor);
    else if (name == "FLAGS") response.data = FlagsData{cursor.atom_list()};
    else if (name == "ID") response.data = parse_id(cursor);
    else if (name == "ENABLED") response.data = EnabledData{remaining_atoms(cursor)};
    else if (name == "VANISHED") response.data = parse_vanished(cursor);
    else if (name == "NAMESPACE") response.data = parse_namespace(cursor);
    else while (!cursor.at_end()) cursor.skip_value();
    cursor.expect_end();
    return response;
}

}  // namespace zmail::imap

namespace zmail::imap {

void TokenCursor::fail(const char* expected) const { fail_expecting(translate(expected)); }

void TokenCursor::fail_expecting(const std::string& expected) const {
    std::string message;
    if (response_name_.empty())
        // TRANSLATORS: the 1st {} is what was expected ("a number"), the 2nd where ("untagged response")
        message = tr("unexpected server response: expected {} in {}", expected, translate(what_));
    else
        // TRANSLATORS: the 1st {} is what was expected ("a number"), the 2nd a response name ("FETCH")
        message = tr("unexpected server response: expected {} in {} response", expected, response_name_);
    throw Error(ErrorKind::Protocol, std::move(message), {}, shorten_for_reply(raw_.text));
}

const Token& TokenCursor::next_token(const char* expected) {
    if (at_end()) fail(expected);
    return raw_.tokens[index_++];
}

bool TokenCursor::peek_atom(std::string_view word) const {
    return peek_is(TokenKind::Atom) && equals_ignore_case(raw_.view(raw_.tokens[index_]), word);
}

bool TokenCursor::accept_atom(std::string_view word) {
    if (!peek_atom(word)) return false;
    ++index_;
    return true;
}

bool TokenCursor::accept(TokenKind paren) {
    if (!peek_is(paren)) return false;
    ++index_;
    return true;
}

void TokenCursor::expect(TokenKind paren) {
    if (!accept(paren)) fail(paren == TokenKind::OpenParen ? "'('" : "')'");
}

std::string_view TokenCursor::atom() {
    if (!peek_is(TokenKind::Atom)) fail(N_("an atom"));
    return raw_.view(raw_.tokens[index_++]);
}

std::uint64_t TokenCursor::number64() {
    if (!peek_is(TokenKind::Atom)) fail(N_("a number"));
    std::string_view text = raw_.view(raw_.tokens[index_]);
    if (text.empty() || text.size() > 20) fail(N_("a number"));
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') fail(N_("a number"));
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (value > (~std::uint64_t(0) - digit) / 10) fail(N_("a number below 2^64"));
        value = value * 10 + digit;
    }
    ++index_;
    return value;
}

std::uint32_t TokenCursor::number32() {
    if (!peek_is(TokenKind::Atom)) fail(N_("a number"));
    const std::size_t saved = index_;
    const std::uint64_t value = number64();
    if (value > 0xFFFFFFFFull) {
        index_ = saved;
        fail(N_("a number below 2^32"));
    }
    return static_cast<std::uint32_t>(value);
}

std::optional<std::string> TokenCursor::nstring() {
    if (accept_atom("NIL")) return std::nullopt;
    if (peek_is(TokenKind::Atom)) fail(N_("a string or NIL"));
    return astring();
}

std::string TokenCursor::astring() {
    const Token& token = next_token(N_("a string"));
    switch (token.kind) {
    case TokenKind::Atom:
    case TokenKind::Literal: return std::string(raw_.view(token));
    case TokenKind::Quoted: return unquote(raw_.view(token));
    default: --index_; fail(N_("a string"));
    }
}

std::vector<std::string> TokenCursor::atom_list() {
    std::vector<std::string> atoms;
    expect(TokenKind::OpenParen);
    while (!accept(TokenKind::CloseParen)) atoms.emplace_back(atom());
    return atoms;
}

void TokenCursor::skip_value() {
    const Token& token = next_token(N_("a value"));
    if (token.kind == TokenKind::CloseParen) {
        --index_;
        fail(N_("a value"));
    }
    if (token.kind != TokenKind::OpenParen) return;
    std::size_t depth = 1;
    while (depth > 0) {
        const Token& inner = next_token("')'");
        if (inner.kind == TokenKind::OpenParen) ++depth;
        else if (inner.kind == TokenKind::CloseParen) --depth;
    }
}

void TokenCursor::expect_end() {
    if (!at_end()) fail(N_("end of response"));
}

}  // namespace zmail::imap
