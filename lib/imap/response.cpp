#include "imap/response.hpp"

#include <charconv>

#include "error.hpp"
#include "i18n.hpp"
#include "imap/lexer.hpp"

namespace zmail::imap {
namespace {

struct CodeName {
    const char* name;
    CodeKind kind;
};

constexpr CodeName code_names[] = {
    {"ALERT", CodeKind::Alert},
    {"PARSE", CodeKind::Parse},
    {"PERMANENTFLAGS", CodeKind::PermanentFlags},
    {"READ-ONLY", CodeKind::ReadOnly},
    {"READ-WRITE", CodeKind::ReadWrite},
    {"TRYCREATE", CodeKind::TryCreate},
    {"UIDNEXT", CodeKind::UidNext},
    {"UIDVALIDITY", CodeKind::UidValidity},
    {"UNSEEN", CodeKind::Unseen},
    {"HIGHESTMODSEQ", CodeKind::HighestModseq},
    {"NOMODSEQ", CodeKind::NoModseq},
    {"MODIFIED", CodeKind::Modified},
    {"APPENDUID", CodeKind::AppendUid},
    {"COPYUID", CodeKind::CopyUid},
    {"UIDNOTSTICKY", CodeKind::UidNotSticky},
    {"CLOSED", CodeKind::Closed},
    {"CAPABILITY", CodeKind::Capability},
    {"BADCHARSET", CodeKind::BadCharset},
    {"ALREADYEXISTS", CodeKind::AlreadyExists},
    {"NONEXISTENT", CodeKind::Nonexistent},
    {"SERVERBUG", CodeKind::ServerBug},
    {"CLIENTBUG", CodeKind::ClientBug},
    {"INUSE", CodeKind::InUse},
    {"LIMIT", CodeKind::Limit},
    {"MAILBOXID", CodeKind::MailboxId},
    {"OVERQUOTA", CodeKind::OverQuota},
    {"CANNOT", CodeKind::Cannot},
    {"NOPERM", CodeKind::NoPerm},
    {"UNAVAILABLE", CodeKind::Unavailable},
    {"AUTHENTICATIONFAILED", CodeKind::AuthenticationFailed},
    {"AUTHORIZATIONFAILED", CodeKind::AuthorizationFailed},
    {"EXPIRED", CodeKind::Expired},
    {"PRIVACYREQUIRED", CodeKind::PrivacyRequired},
    {"CONTACTADMIN", CodeKind::ContactAdmin},
    {"EXPUNGEISSUED", CodeKind::ExpungeIssued},
    {"CORRUPTION", CodeKind::Corruption},
};

[[noreturn]] void bad_code(std::string_view name, std::string_view arguments) {
    throw Error(ErrorKind::Protocol, tr("unexpected server response: malformed response code '{}'", name),
                {}, shorten_for_reply("[" + std::string(name) + " " + std::string(arguments) + "]"));
}

std::uint64_t code_number(std::string_view name, std::string_view text, std::uint64_t max) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > max)
        bad_code(name, text);
    return value;
}

// Splits on spaces, dropping one pair of surrounding parentheses: "(\Seen \*)" -> {"\Seen", "\*"}.
std::vector<std::string> code_atoms(std::string_view text) {
    if (text.size() >= 2 && text.front() == '(' && text.back() == ')') text = text.substr(1, text.size() - 2);
    std::vector<std::string> atoms;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        if (end > pos) atoms.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return atoms;
}

// Splits "a b c" into exactly `count` space-separated words, or fails.
std::vector<std::string_view> code_words(std::string_view name, std::string_view text, std::size_t count) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        words.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    if (words.size() != count) bad_code(name, text);
    return words;
}

SequenceSet code_set(std::string_view name, std::string_view arguments, std::string_view text) {
    try {
        return SequenceSet::parse(text);
    } catch (const Error&) {
        bad_code(name, arguments);
    }
}

}  // namespace

const char* status_name(Status status) {
    switch (status) {
    case Status::Ok: return "OK";
    case Status::No: return "NO";
    case Status::Bad: return "BAD";
    case Status::Bye: return "BYE";
    case Status::Preauth: return "PREAUTH";
    }
    return "?";
}

bool ListData::has_flag(std::string_view flag) const {
    for (const auto& f : flags)
        if (equals_ignore_case(f, flag)) return true;
    return false;
}

const BodySection* FetchData::section(std::string_view name) const {
    for (const auto& s : sections)
        if (equals_ignore_case(s.name, name)) return &s;
    return nullptr;
}

const StatusResponse* Response::tagged() const {
    const auto* s = std::get_if<StatusResponse>(&data);
    return s && !s->tag.empty() ? s : nullptr;
}

ResponseCode parse_response_code(std::string_view name, std::string_view arguments) {
    ResponseCode code;
    code.name = to_upper(name);
    code.arguments = std::string(arguments);
    code.kind = CodeKind::Other;
    for (const auto& entry : code_names)
        if (code.name == entry.name) code.kind = entry.kind;
    constexpr std::uint64_t max32 = 0xFFFFFFFFull;
    switch (code.kind) {
    case CodeKind::UidNext:
    case CodeKind::UidValidity:
    case CodeKind::Unseen: code.number = code_number(code.name, arguments, max32); break;
    case CodeKind::HighestModseq: code.number = code_number(code.name, arguments, ~std::uint64_t(0)); break;
    case CodeKind::PermanentFlags:
    case CodeKind::Capability:
    case CodeKind::BadCharset: code.atoms = code_atoms(arguments); break;
    case CodeKind::MailboxId:
        // "(F2212ea87-...)": one objectid of 1 to 255 letters, digits, '-' and '_'
        code.atoms = code_atoms(arguments);
        if (code.atoms.size() != 1 || code.atoms[0].size() > 255 ||
            code.atoms[0].find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
                std::string::npos)
            bad_code(code.name, arguments);
        break;
    case CodeKind::Modified: code.set = code_set(code.name, arguments, arguments); break;
    case CodeKind::AppendUid: {
        auto words = code_words(code.name, arguments, 2);
        code.number = code_number(code.name, words[0], max32);
        code.set = code_set(code.name, arguments, words[1]);
        break;
    }
    case CodeKind::CopyUid: {
        auto words = code_words(code.name, arguments, 3);
        code.number = code_number(code.name, words[0], max32);
        code.set = code_set(code.name, arguments, words[1]);
        code.destination = code_set(code.name, arguments, words[2]);
        if (code.set.count() != code.destination.count()) bad_code(code.name, arguments);
        break;
    }
    default: break;
    }
    return code;
}

}  // namespace zmail::imap
