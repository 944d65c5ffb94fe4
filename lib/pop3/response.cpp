#include "pop3/response.hpp"

#include <cstring>

#include "error.hpp"
#include "i18n.hpp"
#include "text/strings.hpp"

namespace zmail::pop3 {

namespace {

using text::excerpt;
using text::excerpt_length;

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c != prefix[i]) return false;
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view upper) {
    return a.size() == upper.size() && starts_with_ignoring_case(a, upper);
}

std::string_view trim_leading_spaces(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return text;
}

/// RFC 2449 codes are hierarchical ("SYS/TEMP"); the first two levels decide.
ResponseCode classify_code(std::string_view code) {
    std::string_view top = code.substr(0, code.find('/'));
    std::string_view rest = top.size() < code.size() ? code.substr(top.size() + 1) : std::string_view{};
    std::string_view second = rest.substr(0, rest.find('/'));
    if (equals_ignoring_case(top, "IN-USE")) return ResponseCode::InUse;
    if (equals_ignoring_case(top, "LOGIN-DELAY")) return ResponseCode::LoginDelay;
    if (equals_ignoring_case(top, "AUTH")) return ResponseCode::Auth;
    if (equals_ignoring_case(top, "SYS")) {
        if (equals_ignoring_case(second, "TEMP")) return ResponseCode::SysTemp;
        if (equals_ignoring_case(second, "PERM")) return ResponseCode::SysPerm;
    }
    return ResponseCode::Other;
}

}  // namespace

StatusLine parse_status_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    StatusLine status;
    status.line = std::string(line);
    std::string_view rest;
    if (starts_with_ignoring_case(line, "+OK")) {
        status.ok = true;
        rest = line.substr(3);
    } else if (starts_with_ignoring_case(line, "-ERR")) {
        rest = line.substr(4);
    } else {
        throw Error(ErrorKind::Protocol, tr("malformed reply: expected '+OK' or '-ERR'"), {}, excerpt(line));
    }
    rest = trim_leading_spaces(rest);
    if (!rest.empty() && rest.front() == '[') {
        std::size_t close = rest.find(']');
        if (close != std::string_view::npos) {
            status.code_text = std::string(rest.substr(1, close - 1));
            status.code = classify_code(status.code_text);
            rest = trim_leading_spaces(rest.substr(close + 1));
        }
    }
    status.text = std::string(rest);
    return status;
}

void ReplyReader::start(ReplyShape shape) {
    shape_ = shape;
    phase_ = Phase::StatusLine;
    line_state_ = LineState::LineStart;
    pending_.clear();
    status_ = StatusLine{};
    lines_.clear();
    sink_ = nullptr;
    data_bytes_ = 0;
}

void ReplyReader::set_sink(DataSink sink) { sink_ = std::move(sink); }

std::size_t ReplyReader::feed(std::string_view bytes) {
    switch (phase_) {
    case Phase::StatusLine: return feed_status(bytes);
    case Phase::Body: return feed_body(bytes);
    case Phase::Done: return 0;
    }
    return 0;
}

std::size_t ReplyReader::feed_status(std::string_view bytes) {
    std::size_t newline = bytes.find('\n');
    std::size_t take = newline == std::string_view::npos ? bytes.size() : newline + 1;
    if (pending_.size() + take > max_line_length) {
        phase_ = Phase::Done;
        throw Error(ErrorKind::Protocol, tr("reply line longer than {} bytes", max_line_length), {},
                    excerpt(pending_ + std::string(bytes.substr(0, excerpt_length))));
    }
    pending_.append(bytes.substr(0, take));
    if (newline == std::string_view::npos) return take;
    status_ = parse_status_line(pending_);
    pending_.clear();
    phase_ = (shape_ == ReplyShape::SingleLine || !status_.ok) ? Phase::Done : Phase::Body;
    return take;
}

void ReplyReader::emit(std::string_view chunk) {
    if (chunk.empty()) return;
    data_bytes_ += chunk.size();
    if (shape_ == ReplyShape::Lines) {
        if (pending_.size() + chunk.size() > max_line_length) {
            throw Error(ErrorKind::Protocol, tr("listing line longer than {} bytes", max_line_length), {},
                        excerpt(pending_));
        }
        pending_.append(chunk);
    } else if (sink_) {
        sink_(chunk);
    }
}

void ReplyReader::finish_listing_line() {
    // The line ends in CRLF by construction.
    pending_.resize(pending_.size() - 2);
    lines_.push_back(std::move(pending_));
    pending_.clear();
}

// The state machine over data lines. `run` is the start of the bytes still to be passed on
// verbatim; a leading "." is never passed on, so the run is cut there.
std::size_t ReplyReader::feed_body(std::string_view bytes) {
    const char* data = bytes.data();
    const std::size_t size = bytes.size();
    std::size_t i = 0;
    std::size_t run = 0;
    while (i < size) {
        switch (line_state_) {
        case LineState::LineStart:
            if (data[i] == '.') {
                emit(bytes.substr(run, i - run));
                ++i;
                run = i;
                line_state_ = LineState::Dot;
            } else {
                line_state_ = LineState::Middle;
            }
            break;
        case LineState::Dot:
            if (data[i] == '\r') {
                ++i;  // held back: it is either part of the terminator or data
                run = i;
                line_state_ = LineState::DotCr;
            } else {
                line_state_ = LineState::Middle;
            }
            break;
        case LineState::DotCr:
            if (data[i] == '\n') {
                phase_ = Phase::Done;
                return i + 1;
            }
            emit("\r");
            line_state_ = LineState::MiddleCr;
            break;
        case LineState::Middle:
        case LineState::MiddleCr: {
            const void* found = std::memchr(data + i, '\n', size - i);
            if (found == nullptr) {
                line_state_ = data[size - 1] == '\r' ? LineState::MiddleCr : LineState::Middle;
                i = size;
                break;
            }
            std::size_t newline = static_cast<std::size_t>(static_cast<const char*>(found) - data);
            bool crlf = newline > i ? data[newline - 1] == '\r' : line_state_ == LineState::MiddleCr;
            i = newline + 1;
            if (!crlf) {
                line_state_ = LineState::Middle;
                break;
            }
            line_state_ = LineState::LineStart;
            if (shape_ == ReplyShape::Lines) {
                emit(bytes.substr(run, i - run));
                run = i;
                finish_listing_line();
            }
            break;
        }
        }
    }
    emit(bytes.substr(run, i - run));
    return i;
}

}  // namespace zmail::pop3
