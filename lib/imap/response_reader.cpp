#include "imap/response_reader.hpp"

#include <algorithm>

#include "error.hpp"
#include "i18n.hpp"
#include "imap/response_parser.hpp"

namespace zmail::imap {
namespace {

[[noreturn]] void too_large(std::string message, std::string_view text) {
    throw Error(ErrorKind::Protocol, std::move(message), {}, shorten_for_reply(text));
}

std::optional<std::uint32_t> parse_uint32(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > 0xFFFFFFFFull) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

}  // namespace

ResponseReader::ResponseReader(ReaderLimits limits) : limits_(limits) {
    // Token offsets are 32-bit; no sane response comes near this.
    constexpr std::size_t ceiling = std::size_t(1) << 30;
    limits_.max_line_length = std::min(limits_.max_line_length, ceiling);
    limits_.max_literal_bytes = std::min(limits_.max_literal_bytes, ceiling);
    limits_.max_response_bytes = std::min(limits_.max_response_bytes, ceiling);
}

bool ResponseReader::in_response() const { return in_token_response_ || in_literal_ || !line_.empty(); }

void ResponseReader::feed(std::string_view bytes) {
    if (pending_position_ == pending_.size()) {
        pending_.clear();
        pending_position_ = 0;
    } else if (pending_position_ > pending_.size() / 2) {
        pending_.erase(0, pending_position_);
        pending_position_ = 0;
    }
    pending_.append(bytes);
}

std::optional<Response> ResponseReader::next() {
    std::string_view input = std::string_view(pending_).substr(pending_position_);
    const std::size_t before = input.size();
    auto response = read(input);
    pending_position_ += before - input.size();
    if (pending_position_ == pending_.size()) {
        pending_.clear();
        pending_position_ = 0;
        if (pending_.capacity() > 1024 * 1024) pending_.shrink_to_fit();
    }
    return response;
}

std::optional<Response> ResponseReader::read(std::string_view& input) {
    if (failed_)
        throw Error(ErrorKind::Internal, tr("imap response reader used after an earlier error"));
    try {
        while (!input.empty()) {
            if (in_literal_) {
                consume_literal(input);
                continue;
            }
            const std::size_t newline = input.find('\n');
            const std::size_t piece = newline == std::string_view::npos ? input.size() : newline;
            // +1: the CR before the LF is not part of the line.
            if (line_.size() + piece > limits_.max_line_length + 1)
                throw Error(ErrorKind::Protocol, tr("server response line too long"), {},
                            shorten_for_reply(line_.empty() ? input : std::string_view(line_)));
            line_.append(input.substr(0, piece));
            if (newline == std::string_view::npos) {
                input = {};
                break;
            }
            input.remove_prefix(newline + 1);
            auto response = finish_line();
            line_.clear();
            if (response) return response;
        }
        return std::nullopt;
    } catch (...) {
        failed_ = true;
        throw;
    }
}

std::optional<Response> ResponseReader::finish_line() {
    std::string_view line = line_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!in_token_response_) {
        if (auto status = parse_status_line(line)) return status;
        reset_response();
        in_token_response_ = true;
    }
    if (raw_.text.size() + line.size() > limits_.max_response_bytes)
        too_large(tr("server response too large: more than {} bytes", limits_.max_response_bytes), raw_.text);
    const auto announcement = lex_line(line, raw_);
    walk_new_tokens();
    if (announcement) {
        start_literal(announcement->size);
        return std::nullopt;
    }
    if (depth_ != 0) {
        TokenCursor cursor(raw_, N_("response"));
        cursor.fail("')'");
    }
    Response response = parse_token_response(raw_);
    in_token_response_ = false;
    reset_response();
    return response;
}

void ResponseReader::reset_response() {
    raw_.clear();
    if (raw_.text.capacity() > 256 * 1024) raw_.text.shrink_to_fit();
    if (raw_.tokens.capacity() > 16 * 1024) raw_.tokens.shrink_to_fit();
    literal_bytes_ = 0;
    walked_ = 0;
    depth_ = 0;
    in_fetch_ = false;
    sequence_ = 0;
    depth_one_index_ = 0;
    name_token_ = 0;
    body_name_pending_ = false;
    uid_name_pending_ = false;
    uid_.reset();
}

void ResponseReader::walk_new_tokens() {
    for (; walked_ < raw_.tokens.size(); ++walked_) {
        const Token& token = raw_.tokens[walked_];
        switch (token.kind) {
        case TokenKind::OpenParen:
            if (depth_ == 0 && walked_ == 3) {
                // "* <number> FETCH (": the items at depth 1 are name/value pairs.
                const auto& t = raw_.tokens;
                auto number = parse_uint32(raw_.view(t[1]));
                if (t[0].kind == TokenKind::Atom && raw_.view(t[0]) == "*" && t[1].kind == TokenKind::Atom &&
                    number && t[2].kind == TokenKind::Atom && equals_ignore_case(raw_.view(t[2]), "FETCH")) {
                    in_fetch_ = true;
                    sequence_ = *number;
                }
            }
            ++depth_;
            break;
        case TokenKind::CloseParen:
            if (depth_ == 0) {
                TokenCursor cursor(raw_, N_("response"));
                cursor.fail(N_("'(' before ')'"));
            }
            --depth_;
            if (depth_ == 0) in_fetch_ = false;  // the FETCH list is closed; nothing more to stream
            if (in_fetch_ && depth_ == 1) element_at_depth_one(walked_);
            break;
        default:
            if (in_fetch_ && depth_ == 1) element_at_depth_one(walked_);
            break;
        }
    }
}

void ResponseReader::element_at_depth_one(std::size_t token_index) {
    Token& token = raw_.tokens[token_index];
    const bool is_value = depth_one_index_ % 2 == 1;
    ++depth_one_index_;
    if (!is_value) {
        const bool atom = token.kind == TokenKind::Atom;
        name_token_ = token_index;
        body_name_pending_ = atom && is_body_item(raw_.view(token));
        uid_name_pending_ = atom && equals_ignore_case(raw_.view(token), "UID");
        return;
    }
    if (uid_name_pending_ && token.kind == TokenKind::Atom) uid_ = parse_uint32(raw_.view(token));
    if (body_name_pending_ && token.kind == TokenKind::Quoted && sink_) stream_quoted(token);
    body_name_pending_ = false;
    uid_name_pending_ = false;
}

void ResponseReader::stream_quoted(Token& token) {
    const std::string bytes = unquote(raw_.view(token));
    const std::string name(raw_.view(raw_.tokens[name_token_]));
    token.kind = TokenKind::Streamed;
    token.offset = static_cast<std::uint32_t>(raw_.streamed_sizes.size());
    token.length = 0;
    raw_.streamed_sizes.push_back(bytes.size());
    sink_->body_begin({sequence_, uid_, name, bytes.size()});
    if (!bytes.empty()) sink_->body_data(bytes, 0);
    sink_->body_end();
}

void ResponseReader::start_literal(std::uint64_t size) {
    // Is this literal the value of a body item at depth 1 of a FETCH list? (depth_one_index_ odd)
    const bool stream = sink_ && in_fetch_ && depth_ == 1 && depth_one_index_ % 2 == 1 && body_name_pending_;
    if (stream) {
        const std::string name(raw_.view(raw_.tokens[name_token_]));
        raw_.tokens.push_back({static_cast<std::uint32_t>(raw_.streamed_sizes.size()), 0, TokenKind::Streamed});
        raw_.streamed_sizes.push_back(size);
        walked_ = raw_.tokens.size();
        element_at_depth_one(raw_.tokens.size() - 1);
        sink_->body_begin({sequence_, uid_, name, size});
        if (size == 0) {
            sink_->body_end();
            return;
        }
        in_literal_ = true;
        literal_streamed_ = true;
        literal_sink_ = sink_;
        literal_remaining_ = size;
        literal_offset_ = 0;
        return;
    }
    if (literal_bytes_ + size > limits_.max_literal_bytes)
        too_large(tr("server response too large: literal of {} bytes over the limit of {} bytes kept in memory", size,
                     limits_.max_literal_bytes),
                  raw_.text);
    if (raw_.text.size() + size > limits_.max_response_bytes)
        too_large(tr("server response too large: more than {} bytes", limits_.max_response_bytes), raw_.text);
    literal_bytes_ += size;
    raw_.tokens.push_back({static_cast<std::uint32_t>(raw_.text.size()), static_cast<std::uint32_t>(size),
                           TokenKind::Literal});
    walk_new_tokens();
    if (size == 0) return;
    in_literal_ = true;
    literal_streamed_ = false;
    literal_remaining_ = size;
}

void ResponseReader::consume_literal(std::string_view& input) {
    const std::size_t count =
        static_cast<std::size_t>(std::min<std::uint64_t>(literal_remaining_, input.size()));
    const std::string_view chunk = input.substr(0, count);
    input.remove_prefix(count);
    literal_remaining_ -= count;
    if (literal_streamed_) {
        const std::uint64_t offset = literal_offset_;
        literal_offset_ += count;
        if (literal_remaining_ == 0) in_literal_ = false;
        literal_sink_->body_data(chunk, offset);
        if (literal_remaining_ == 0) literal_sink_->body_end();
    } else {
        raw_.text.append(chunk);
        if (literal_remaining_ == 0) in_literal_ = false;
    }
}

}  // namespace zmail::imap
