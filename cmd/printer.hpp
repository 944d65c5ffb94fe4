// The one output path: data to stdout (text or --json), diagnostics to stderr.
#pragma once

#include "error.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zmail::cli {

struct OutputStyle {
    bool json = false;
    bool quiet = false;
    int verbose = 0;
    std::string color = "auto";  ///< auto, always, never
};

/// Columns a UTF-8 string takes on a terminal (East Asian wide characters count 2).
size_t display_width(std::string_view text);

class Printer {
public:
    explicit Printer(OutputStyle style);

    bool json() const { return style_.json; }
    bool quiet() const { return style_.quiet; }
    int verbose() const { return style_.verbose; }
    bool stdout_is_tty() const { return stdout_tty_; }
    bool stderr_is_tty() const { return stderr_tty_; }
    /// Progress bars and spinners: only on a terminal, never with --json or -q.
    bool progress_allowed() const { return stderr_tty_ && !style_.quiet && !style_.json; }

    /// A line of data on stdout.
    void line(std::string_view text);
    /// Bytes of data on stdout as they are (a message for --dry-run).
    void raw(std::string_view bytes);
    /// A JSON document on stdout.
    void json_value(const nlohmann::json& value);
    /// Name/value rows aligned in two columns on stdout.
    void rows(const std::vector<std::pair<std::string, std::string>>& rows, int indent = 0);

    /// Diagnostics on stderr. note() is suppressed by -q; warning() and error() are not.
    void note(std::string_view text);
    void warning(std::string_view text);
    void hint(std::string_view text);
    /// What the user must read to go on (a URL to open, a code to type): stderr, even with -q.
    void instruct(std::string_view text);
    void error(const Error& error);
    /// Asks `question` on the terminal ("[y/N]"); false without a terminal or on any other answer.
    /// With `yes_by_default` ("[Y/n]"), an empty answer is yes.
    bool confirm(std::string_view question, bool yes_by_default = false);
    /// Whether standard input and standard error are a terminal, so that asking is allowed.
    bool can_ask() const;
    /// Asks `question` on the terminal and reads a line (echoed); nullopt at end of input or
    /// without a terminal.
    std::optional<std::string> ask(std::string_view question);
    /// A secret: asked on the terminal without echo when standard input is one (echo comes back
    /// on every path, also after SIGINT, SIGTERM, SIGHUP or SIGQUIT), else the first line of
    /// standard input. Never from the argument list (ps, /proc, shell history see it).
    /// Empty when nothing was given.
    std::string read_secret(std::string_view prompt);
    /// Protocol trace and -v details on stderr.
    void trace(std::string_view text);

    std::string bold(std::string_view text) const;
    std::string dim(std::string_view text) const;

    /// Flushes stdout; returns false if writing it failed (e.g. a closed pipe, a full disk).
    bool finish();

private:
    std::string paint(std::string_view text, const char* code, bool tty) const;
    OutputStyle style_;
    bool stdout_tty_, stderr_tty_;
};

}  // namespace zmail::cli
