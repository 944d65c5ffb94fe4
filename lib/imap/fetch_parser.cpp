// The FETCH response: "* 12 FETCH (UID 42 MODSEQ (12345) FLAGS (\Seen) BODY[] {2048} ...)".
#include "error.hpp"
#include "i18n.hpp"
#include "imap/date_time.hpp"
#include "imap/response_parser.hpp"

namespace zmail::imap {
namespace {

bool starts_with_upper(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && equals_ignore_case(text.substr(0, prefix.size()), prefix);
}

// ENVELOPE (date subject from sender reply-to to cc bcc in-reply-to message-id); addresses skipped.
Envelope parse_envelope(TokenCursor& cursor) {
    Envelope envelope;
    cursor.expect(TokenKind::OpenParen);
    envelope.date = cursor.nstring();
    envelope.subject = cursor.nstring();
    for (int address_list = 0; address_list < 6; ++address_list) {
        if (cursor.peek_is(TokenKind::OpenParen) || cursor.peek_atom("NIL")) cursor.skip_value();
        else cursor.fail(N_("an address list or NIL"));
    }
    envelope.in_reply_to = cursor.nstring();
    envelope.message_id = cursor.nstring();
    while (!cursor.accept(TokenKind::CloseParen)) cursor.skip_value();
    return envelope;
}

BodySection parse_body_section(TokenCursor& cursor, std::string_view name) {
    BodySection section;
    section.name = std::string(name);
    // TRANSLATORS: {} is a FETCH item name such as BODY[]
    auto fail = [&cursor](std::string_view item) { cursor.fail_expecting(tr("a string or NIL after {}", item)); };
    if (cursor.at_end()) fail(shorten_for_reply(name, 60));
    const Token& value = cursor.next_token(N_("a value"));  // there is one: checked above
    const RawResponse& raw = cursor.raw();
    switch (value.kind) {
    case TokenKind::Atom:
        if (!equals_ignore_case(raw.view(value), "NIL")) fail(section.name);
        section.nil = true;
        break;
    case TokenKind::Quoted: section.data = unquote(raw.view(value)); break;
    case TokenKind::Literal: section.data = std::string(raw.view(value)); break;
    case TokenKind::Streamed:
        section.streamed = true;
        section.size = raw.streamed_sizes.at(value.offset);
        return section;
    default: fail(section.name);
    }
    section.size = section.data.size();
    return section;
}

void parse_internal_date(TokenCursor& cursor, FetchData& fetch) {
    if (!cursor.peek_is(TokenKind::Quoted)) cursor.fail(N_("a quoted INTERNALDATE"));
    const std::string text = cursor.astring();
    auto date = parse_date_time(text);
    if (!date) cursor.fail(N_("a date-time like \"17-Jul-1996 02:44:25 -0700\""));
    fetch.internal_date = date->utc;
    fetch.internal_date_offset = date->offset_minutes;
}

}  // namespace

bool is_body_item(std::string_view name) {
    return starts_with_upper(name, "BODY[") || starts_with_upper(name, "BODY.PEEK[") ||
           starts_with_upper(name, "BINARY[") || starts_with_upper(name, "BINARY.PEEK[") ||
           equals_ignore_case(name, "RFC822") || equals_ignore_case(name, "RFC822.HEADER") ||
           equals_ignore_case(name, "RFC822.TEXT");
}

FetchData parse_fetch(TokenCursor& cursor, std::uint32_t sequence) {
    FetchData fetch;
    fetch.sequence = sequence;
    cursor.expect(TokenKind::OpenParen);
    while (!cursor.accept(TokenKind::CloseParen)) {
        const std::string_view name = cursor.atom();
        if (equals_ignore_case(name, "UID")) {
            fetch.uid = cursor.number32();
            if (*fetch.uid == 0) cursor.fail(N_("a non-zero UID"));
        } else if (equals_ignore_case(name, "FLAGS")) {
            fetch.flags = cursor.atom_list();
        } else if (equals_ignore_case(name, "RFC822.SIZE")) {
            fetch.rfc822_size = cursor.number64();
        } else if (equals_ignore_case(name, "INTERNALDATE")) {
            parse_internal_date(cursor, fetch);
        } else if (equals_ignore_case(name, "MODSEQ")) {
            cursor.expect(TokenKind::OpenParen);
            fetch.modseq = cursor.number64();
            cursor.expect(TokenKind::CloseParen);
        } else if (equals_ignore_case(name, "ENVELOPE")) {
            fetch.envelope = parse_envelope(cursor);
        } else if (is_body_item(name)) {
            fetch.sections.push_back(parse_body_section(cursor, name));
        } else {
            cursor.skip_value();  // BODYSTRUCTURE, X-GM-LABELS, EMAILID, PREVIEW, ...
        }
    }
    return fetch;
}

}  // namespace zmail::imap
