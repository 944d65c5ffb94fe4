// The one progress line a command draws on stderr while it works.
#pragma once

#include "printer.hpp"

#include <chrono>
#include <mutex>
#include <string>

namespace zmail::cli {

/// One line on stderr, redrawn in place: only when the Printer allows progress (a terminal,
/// neither --json nor -q), at most ten times a second unless the update is the last one.
/// Thread-safe. Cleared before anything else is printed and on destruction.
class ProgressLine {
public:
    explicit ProgressLine(Printer& out) : out_(out) {}
    ~ProgressLine() { clear(); }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    /// Whether a line would be drawn at all (so callers can skip building its text).
    bool shown() const { return out_.progress_allowed(); }
    /// Draws `text`; `last` draws it even right after the previous update.
    void show(const std::string& text, bool last = false);
    /// Removes the line.
    void clear();

private:
    Printer& out_;
    std::mutex mutex_;
    std::chrono::steady_clock::time_point last_{};
    bool drawn_ = false;
};

}  // namespace zmail::cli
