#include "net/login_transcript.hpp"

#include "text/ascii.hpp"

#include <algorithm>
#include <cctype>

namespace zmail::net {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        std::size_t end = i;
        while (end < line.size() && line[end] != ' ') ++end;
        if (end > i) out.push_back(line.substr(i, end - i));
        i = end;
    }
    return out;
}

/// The command word of a client line: IMAP "tag COMMAND ...", POP3/SMTP "COMMAND ...".
std::string command_of(Protocol protocol, std::string_view line) {
    const auto w = words(line);
    const std::size_t index = protocol == Protocol::imap ? 1 : 0;
    return w.size() > index ? text::ascii_upper(w[index]) : std::string();
}

bool smtp_code_line(std::string_view line) {
    return line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
           std::isdigit(static_cast<unsigned char>(line[1])) && std::isdigit(static_cast<unsigned char>(line[2]));
}

}  // namespace

void LoginTranscript::client(std::string_view line) {
    const std::string command = command_of(protocol_, line);
    if (command == "CAPABILITY" || command == "CAPA" || command == "EHLO" || command == "HELO") {
        collecting_ = Collecting::capabilities;
        capabilities_.clear();
        capabilities_after_login_ = false;
    } else if (command == "AUTHENTICATE" || command == "AUTH" || command == "LOGIN" || command == "USER" ||
               command == "PASS" || command == "APOP") {
        collecting_ = Collecting::login;
        login_attempted_ = true;
        if (capabilities_after_login_) {  // another login: what the last one announced is void
            capabilities_.clear();
            capabilities_after_login_ = false;
        }
        login_reply_.clear();
        sasl_challenge_.clear();
    } else if (collecting_ != Collecting::login) {
        collecting_ = Collecting::nothing;
    }
    // While logging in, client lines are SASL responses: the exchange stays open.
}

bool LoginTranscript::final_line(std::string_view line) const {
    switch (protocol_) {
    case Protocol::imap: return !line.starts_with("* ") && !line.starts_with("+");
    case Protocol::pop3:
        if (collecting_ == Collecting::capabilities) return line == "." || line.starts_with("-ERR");
        return line.starts_with("+OK") || line.starts_with("-ERR");
    case Protocol::smtp:
        if (!smtp_code_line(line)) return false;
        if (line.size() > 3 && line[3] == '-') return false;
        return !(collecting_ == Collecting::login && line.starts_with("334"));
    }
    return true;
}

void LoginTranscript::server(std::string_view line) {
    last_server_line_ = std::string(line);
    if (greeting_.empty()) {
        greeting_ = std::string(line);
        return;
    }
    switch (collecting_) {
    case Collecting::nothing: break;
    case Collecting::capabilities:
        capabilities_.emplace_back(line);
        if (final_line(line)) collecting_ = Collecting::nothing;
        break;
    case Collecting::login:
        // IMAP servers announce the capabilities after login (untagged or in the tagged OK).
        if (protocol_ == Protocol::imap &&
            (line.starts_with("* CAPABILITY ") || line.find(" OK [CAPABILITY ") != std::string_view::npos)) {
            capabilities_ = {std::string(line)};
            capabilities_after_login_ = true;
        }
        if (line.starts_with("+ ") && protocol_ != Protocol::smtp && line.size() > 2)
            sasl_challenge_ = std::string(line.substr(2));
        if (protocol_ == Protocol::smtp && line.starts_with("334 ") && line.size() > 4)
            sasl_challenge_ = std::string(line.substr(4));
        if (final_line(line)) {
            login_reply_ = std::string(line);
            collecting_ = Collecting::nothing;
        }
        break;
    }
}

void LoginTranscript::text(std::string_view line) {
    last_text_ = std::string(line);
    // libcurl 7.88.1: "Uses proxy env variable all_proxy == 'socks5h://127.0.0.1:9050'"; it also
    // says so for no_proxy, which means no proxy for this host
    static constexpr std::string_view marker = "Uses proxy env variable ";
    if (!line.starts_with(marker)) return;
    line.remove_prefix(marker.size());
    const std::size_t end = line.find(" == ");
    if (end == std::string_view::npos) return;
    const std::string_view name = line.substr(0, end);
    const std::string_view value = line.substr(end + 4);
    if (text::ascii_upper(name) == "NO_PROXY" || value.empty() || value == "''") return;
    proxy_ = std::string(name);
}

bool LoginTranscript::has_capability(std::string_view name) const {
    const std::string wanted = text::ascii_upper(name);
    auto line_has = [&](std::string_view line) {
        for (std::string_view word : words(line)) {
            if (smtp_code_line(word) && word.size() > 3 && (word[3] == '-' || word[3] == ' ')) word.remove_prefix(4);
            while (!word.empty() && (word.front() == '[' || word.front() == '(')) word.remove_prefix(1);
            while (!word.empty() && (word.back() == ']' || word.back() == ')')) word.remove_suffix(1);
            if (text::ascii_upper(word) == wanted) return true;
        }
        return false;
    };
    if (capabilities_.empty()) return line_has(greeting_);
    return std::any_of(capabilities_.begin(), capabilities_.end(), line_has);
}

}  // namespace zmail::net
