#include "printer.hpp"

#include <cstdio>
#include <cstdlib>
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
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

void Printer::json_value(const nlohmann::json& value) {
    line(value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Printer::rows(const std::vector<std::pair<std::string, std::string>>& rows, int indent) {
    size_t width = 0;
    for (const auto& [name, value] : rows) width = std::max(width, name.size());
    for (const auto& [name, value] : rows)
        line(std::string(indent, ' ') + name + std::string(width - name.size() + 2, ' ') + value);
}

void Printer::note(std::string_view text) {
    if (style_.quiet) return;
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
}

void Printer::warning(std::string_view text) {
    std::string label = paint("warning:", "33", stderr_tty_);
    std::fprintf(stderr, "%s %.*s\n", label.c_str(), static_cast<int>(text.size()), text.data());
}

void Printer::hint(std::string_view text) {
    std::string label = paint("hint:", "36", stderr_tty_);
    std::fprintf(stderr, "%s %.*s\n", label.c_str(), static_cast<int>(text.size()), text.data());
}

void Printer::error(const Error& e) {
    std::string label = paint("zmail:", "31", stderr_tty_);
    std::string message = e.what();
    if (!e.server_reply.empty()) message += " (server: " + e.server_reply + ")";
    std::fprintf(stderr, "%s %s\n", label.c_str(), message.c_str());
    if (!e.hint.empty()) hint(e.hint);
}

void Printer::trace(std::string_view text) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
}

bool Printer::finish() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) return false;
    return true;
}

}  // namespace zmail::cli
