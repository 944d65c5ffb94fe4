#include "net/redact.hpp"

#include <algorithm>
#include <cctype>

namespace zmail::net {

namespace {

struct Word {
    std::size_t begin = 0;
    std::size_t end = 0;  // one past the last character
};

/// The first `count` space-separated words of `line` (fewer if the line is shorter).
std::vector<Word> leading_words(std::string_view line, std::size_t count) {
    std::vector<Word> words;
    std::size_t i = 0;
    while (words.size() < count) {
        while (i < line.size() && line[i] == ' ') ++i;
        if (i >= line.size()) break;
        Word w{i, i};
        while (w.end < line.size() && line[w.end] != ' ') ++w.end;
        words.push_back(w);
        i = w.end;
    }
    return words;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
           });
}

bool is_one_of(std::string_view word, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return equals_ignoring_case(word, n); });
}

/// Keeps `line` up to `keep_end` and replaces everything after it (if anything is there).
std::string keep_then_redact(std::string_view line, std::size_t keep_end) {
    std::string out(line.substr(0, keep_end));
    std::string_view rest = line.substr(keep_end);
    if (rest.find_first_not_of(' ') != std::string_view::npos) {
        out += ' ';
        out += redacted_placeholder;
    }
    return out;
}

/// A server line that keeps an authentication exchange open: a continuation or untagged data.
bool continues_exchange(std::string_view line) {
    if (line == "+" || line.starts_with("+ ")) return true;  // IMAP, POP3 continuation
    if (line.starts_with("* ")) return true;                 // IMAP untagged (e.g. CAPABILITY)
    if (line.size() >= 3 && line.starts_with("334") && (line.size() == 3 || line[3] == ' ' || line[3] == '-'))
        return true;  // SMTP continuation
    return false;
}

}  // namespace

std::string redact_client_command(std::string_view line, bool* starts_authentication) {
    if (starts_authentication) *starts_authentication = false;
    const auto words = leading_words(line, 3);
    if (words.empty()) return std::string(line);
    auto text = [&](std::size_t i) { return line.substr(words[i].begin, words[i].end - words[i].begin); };

    // POP3 / SMTP: the command is the first word.
    const std::string_view first = text(0);
    if (is_one_of(first, {"AUTH"})) {
        if (starts_authentication) *starts_authentication = true;
        // Keep the mechanism name, hide the initial response.
        return words.size() >= 2 ? keep_then_redact(line, words[1].end) : std::string(line);
    }
    if (is_one_of(first, {"USER", "PASS", "APOP"})) return keep_then_redact(line, words[0].end);

    // IMAP: "tag COMMAND ...".
    if (words.size() >= 2) {
        const std::string_view command = text(1);
        if (is_one_of(command, {"AUTHENTICATE"})) {
            if (starts_authentication) *starts_authentication = true;
            return words.size() >= 3 ? keep_then_redact(line, words[2].end) : std::string(line);
        }
        if (is_one_of(command, {"LOGIN"})) {
            if (starts_authentication) *starts_authentication = true;  // literals may follow
            return keep_then_redact(line, words[1].end);
        }
    }
    return redact_bearer_tokens(line);
}

std::string Redactor::client_line(std::string_view line) {
    if (authenticating_) {
        if (line == "*") return std::string(line);  // the client cancels the exchange
        return std::string(redacted_placeholder);
    }
    bool starts = false;
    std::string out = redact_client_command(line, &starts);
    authenticating_ = starts;
    return out;
}

std::string Redactor::server_line(std::string_view line) {
    if (authenticating_ && !continues_exchange(line)) authenticating_ = false;
    return redact_bearer_tokens(line);
}

std::string redact_bearer_tokens(std::string_view line) {
    static constexpr std::string_view bearer = "bearer";
    std::string out;
    std::size_t i = 0;
    while (i < line.size()) {
        const std::size_t rest = line.size() - i;
        if (rest > bearer.size() && equals_ignoring_case(line.substr(i, bearer.size()), bearer) &&
            (line[i + bearer.size()] == ' ' || line[i + bearer.size()] == '=') &&
            (i == 0 || !std::isalnum(static_cast<unsigned char>(line[i - 1])))) {
            std::size_t j = i + bearer.size();
            while (j < line.size() && (line[j] == ' ' || line[j] == '=')) ++j;
            std::size_t token_end = j;
            while (token_end < line.size() && line[token_end] != ' ' && line[token_end] != '\x01' &&
                   line[token_end] != '"' && line[token_end] != ',')
                ++token_end;
            out.append(line.substr(i, j - i));
            if (token_end > j) out += redacted_placeholder;
            i = token_end;
            continue;
        }
        out += line[i++];
    }
    return out;
}

std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets) {
    std::string out(text);
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        std::size_t at = 0;
        while ((at = out.find(secret, at)) != std::string::npos) {
            out.replace(at, secret.size(), redacted_placeholder);
            at += redacted_placeholder.size();
        }
    }
    return out;
}

}  // namespace zmail::net
