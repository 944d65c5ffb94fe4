#include "progress_line.hpp"

#include <cstdio>

namespace zmail::cli {

void ProgressLine::show(const std::string& text, bool last) {
    if (!shown()) return;
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && !last) return;
    last_ = now;
    std::fprintf(stderr, "\r%s\033[K", text.c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressLine::clear() {
    std::lock_guard lock(mutex_);
    if (!drawn_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace zmail::cli
