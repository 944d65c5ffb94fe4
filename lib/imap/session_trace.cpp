#include "imap/session_trace.hpp"

#include <algorithm>
#include <optional>

#include "imap/response.hpp"
#include "net/redact.hpp"

namespace zmail::imap {
namespace {

constexpr std::size_t max_shown_line = 1000;
constexpr std::size_t tail_size = 64;
constexpr std::uint64_t max_inline_literal = 200;

/// The size of a "{n}", "{n+}" or "~{n}" at the end of `line`, and where the announcement starts.
std::optional<std::pair<std::uint64_t, std::size_t>> literal_at_end(std::string_view line) {
    if (line.empty() || line.back() != '}') return std::nullopt;
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '+') line.remove_suffix(1);
    std::size_t digits = 0;
    while (digits < line.size() && digits < 20 && line[line.size() - 1 - digits] >= '0' &&
           line[line.size() - 1 - digits] <= '9')
        ++digits;
    if (digits == 0 || digits > 19 || digits == line.size() || line[line.size() - 1 - digits] != '{')
        return std::nullopt;
    std::uint64_t size = 0;
    for (char c : line.substr(line.size() - digits)) size = size * 10 + static_cast<std::uint64_t>(c - '0');
    std::size_t start = line.size() - 1 - digits;
    if (start > 0 && line[start - 1] == '~') --start;
    return std::make_pair(size, start);
}

bool printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

}  // namespace

bool ends_with_body_item(std::string_view before_literal) {
    while (!before_literal.empty() && before_literal.back() == ' ') before_literal.remove_suffix(1);
    if (before_literal.empty()) return false;
    // "]<123>": a partial body.
    if (before_literal.back() == '>') {
        const std::size_t open = before_literal.rfind('<');
        if (open == std::string_view::npos || open == 0) return false;
        before_literal = before_literal.substr(0, open);
    }
    if (!before_literal.empty() && before_literal.back() == ']') return true;
    const std::size_t space = before_literal.find_last_of(" (");
    const std::string_view word = space == std::string_view::npos ? before_literal : before_literal.substr(space + 1);
    return equals_ignore_case(word, "RFC822") || equals_ignore_case(word, "RFC822.TEXT") ||
           equals_ignore_case(word, "RFC822.HEADER");
}

void ResponseTracer::append(std::string_view piece) {
    line_size_ += piece.size();
    if (line_.size() < max_shown_line)
        line_.append(piece.substr(0, max_shown_line - line_.size()));
    if (piece.size() >= tail_size) {
        tail_.assign(piece.substr(piece.size() - tail_size));
    } else {
        tail_.append(piece);
        if (tail_.size() > tail_size) tail_.erase(0, tail_.size() - tail_size);
    }
}

void ResponseTracer::end_line() {
    if (!tail_.empty() && tail_.back() == '\r') {
        tail_.pop_back();
        --line_size_;
        if (line_.size() > line_size_) line_.pop_back();
    }
    const auto literal = literal_at_end(tail_);
    const bool body = literal && ends_with_body_item(std::string_view(tail_).substr(0, literal->second));
    std::string shown = "S: " + line_;
    if (line_size_ > line_.size()) shown += " ... (" + std::to_string(line_size_) + " bytes)";
    emit_(shown);
    line_.clear();
    tail_.clear();
    line_size_ = 0;
    if (!literal || literal->first == 0) return;
    literal_size_ = literal_left_ = literal->first;
    literal_inline_ = !body && literal->first <= max_inline_literal;
    literal_text_.clear();
    if (!literal_inline_)
        emit_("S: <" + std::to_string(literal->first) + " bytes of " + (body ? "message" : "literal") + " data>");
}

void ResponseTracer::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        if (literal_left_ > 0) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, bytes.size()));
            if (literal_inline_) literal_text_.append(bytes.substr(0, n));
            literal_left_ -= n;
            bytes.remove_prefix(n);
            if (literal_left_ == 0 && literal_inline_) {
                if (printable(literal_text_)) {
                    append(literal_text_);
                } else {
                    emit_("S: <" + std::to_string(literal_size_) + " bytes of literal data>");
                }
                literal_text_.clear();
            }
            continue;
        }
        const std::size_t newline = bytes.find('\n');
        append(bytes.substr(0, newline));
        if (newline == std::string_view::npos) return;
        bytes.remove_prefix(newline + 1);
        end_line();
    }
}

void trace_client_bytes(std::string_view bytes, const std::function<void(std::string_view)>& emit) {
    while (!bytes.empty()) {
        const std::size_t newline = bytes.find('\n');
        std::string_view line = bytes.substr(0, newline);
        bytes = newline == std::string_view::npos ? std::string_view() : bytes.substr(newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.size() > max_shown_line) {
            emit("C: " + net::redact_client_command(line.substr(0, max_shown_line)) + " ... (" +
                 std::to_string(line.size()) + " bytes)");
        } else {
            emit("C: " + net::redact_client_command(line));
        }
    }
}

}  // namespace zmail::imap
