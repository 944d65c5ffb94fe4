#include "printer.hpp"

#include "i18n.hpp"
#include "util/no_core_dumps.hpp"

#include <iterator>
#include <signal.h>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace zmail::cli {

Printer::Printer(OutputStyle style)
    : style_(std::move(style)), stdout_tty_(::isatty(STDOUT_FILENO)), stderr_tty_(::isatty(STDERR_FILENO)) {}

std::string Printer::paint(std::string_view text, const char* code, bool tty) const {
    bool on = style_.color == "always" ||
              (style_.color == "auto" && tty && !std::getenv("NO_COLOR") && std::getenv("TERM") &&
               std::string_view(std::getenv("TERM")) != "dumb");
    if (!on) return std::string(text);
    return std::string("\033[") + code + "m" + std::string(text) + "\033[0m";
}

std::string Printer::bold(std::string_view text) const { return paint(text, "1", stdout_tty_); }
std::string Printer::dim(std::string_view text) const { return paint(text, "2", stdout_tty_); }

void Printer::line(std::string_view text) {
    raw(text);
    std::fputc('\n', stdout);
}

void Printer::raw(std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
}

void Printer::json_value(const nlohmann::json& value) {
    line(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

size_t display_width(std::string_view text) {
    size_t width = 0;
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        char32_t cp = c;
        size_t length = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (length > 1 && i + length <= text.size()) {
            cp = c & (0x7f >> length);
            for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3f);
        }
        i += length;
        bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
                    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
                    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
                    (cp >= 0x20000 && cp <= 0x3fffd);
        width += wide ? 2 : 1;
    }
    return width;
}

void Printer::rows(const std::vector<std::pair<std::string, std::string>>& rows, int indent) {
    size_t width = 0;
    for (const auto& [name, value] : rows) width = std::max(width, display_width(name));
    for (const auto& [name, value] : rows) {
        std::string text = std::string(indent, ' ') + name;
        if (!value.empty()) text += std::string(width - display_width(name) + 2, ' ') + value;
        line(text);
    }
}

void Printer::note(std::string_view text) {
    if (style_.quiet) return;
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
}

void Printer::instruct(std::string_view text) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
    std::fflush(stderr);
}

void Printer::warning(std::string_view text) {
    std::string label = paint(tr("warning:"), "33", stderr_tty_);
    std::fprintf(stderr, "%s %.*s\n", label.c_str(), static_cast<int>(text.size()), text.data());
}

void Printer::hint(std::string_view text) {
    std::string label = paint(tr("hint:"), "36", stderr_tty_);
    std::fprintf(stderr, "%s %.*s\n", label.c_str(), static_cast<int>(text.size()), text.data());
}

void Printer::error(const Error& e) {
    std::string label = paint("zmail:", "31", stderr_tty_);
    std::string message = e.what();
    // TRANSLATORS: zmail's error message, then the server's reply in its own words
    if (!e.server_reply.empty()) message = tr("{} (server: {})", message, e.server_reply);
    std::fprintf(stderr, "%s %s\n", label.c_str(), message.c_str());
    if (!e.hint.empty()) hint(e.hint);
}

bool Printer::can_ask() const { return ::isatty(STDIN_FILENO) && stderr_tty_; }

bool Printer::confirm(std::string_view question, bool yes_by_default) {
    if (!can_ask()) return false;
    std::fprintf(stderr, "%.*s %s ", static_cast<int>(question.size()), question.data(),
                 yes_by_default ? "[Y/n]" : "[y/N]");
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    if (!answer.empty() && answer.back() == '\r') answer.pop_back();
    if (answer.empty()) return yes_by_default;
    return answer == "y" || answer == "Y" || answer == "yes";
}

std::optional<std::string> Printer::ask(std::string_view question) {
    if (!can_ask()) return std::nullopt;
    std::fprintf(stderr, "%.*s ", static_cast<int>(question.size()), question.data());
    std::fflush(stderr);
    std::string answer;
    if (!std::getline(std::cin, answer)) return std::nullopt;
    if (!answer.empty() && answer.back() == '\r') answer.pop_back();
    return answer;
}

namespace {

// The terminal's settings while echo is off, for the signal handler to put back.
termios saved_terminal;
volatile sig_atomic_t echo_is_off = 0;
constexpr int terminating_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_echo_and_die(int signal) {
    if (echo_is_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    ::signal(signal, SIG_DFL);
    ::raise(signal);
}

/// Echo off on standard input for its lifetime; back on at the end of the scope or on a signal.
class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
        struct sigaction action {};
        action.sa_handler = restore_echo_and_die;
        sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(terminating_signals); ++i)
            ::sigaction(terminating_signals[i], &action, &previous_[i]);
        termios quiet = saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        echo_is_off = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        active_ = true;
    }
    ~EchoOff() {
        if (!active_) return;
        if (echo_is_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
        echo_is_off = 0;
        for (std::size_t i = 0; i < std::size(terminating_signals); ++i)
            ::sigaction(terminating_signals[i], &previous_[i], nullptr);
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    struct sigaction previous_[std::size(terminating_signals)] {};
    bool active_ = false;
};

}  // namespace

std::string Printer::read_secret(std::string_view prompt) {
    util::no_core_dumps();
    std::string secret;
    if (::isatty(STDIN_FILENO)) {
        {
            EchoOff quiet;
            std::fprintf(stderr, "%.*s: ", static_cast<int>(prompt.size()), prompt.data());
            std::fflush(stderr);
            std::getline(std::cin, secret);
        }
        std::fprintf(stderr, "\n");
    } else {
        std::getline(std::cin, secret);
    }
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    return secret;
}

void Printer::trace(std::string_view text) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
}

bool Printer::finish() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) return false;
    return true;
}

}  // namespace zmail::cli
