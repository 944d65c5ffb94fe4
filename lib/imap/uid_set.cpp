#include "imap/uid_set.hpp"

#include <algorithm>

#include "error.hpp"
#include "i18n.hpp"

namespace zmail::imap {
namespace {

/// `expected` is marked with N_() and translated here.
[[noreturn]] void bad_set(std::string_view text, const char* expected) {
    std::string shown(text.substr(0, 200));
    // TRANSLATORS: {} is what was expected, such as "a number or '*'"
    throw Error(ErrorKind::Protocol, tr("unexpected server response: expected {} in sequence set", translate(expected)),
                {}, shown);
}

// Reads one set element: an nz-number or '*'. Advances `pos`.
std::uint32_t read_element(std::string_view text, std::size_t& pos, std::optional<std::uint32_t> star) {
    if (pos < text.size() && text[pos] == '*') {
        ++pos;
        if (!star) bad_set(text, N_("a number (not '*')"));
        if (*star == 0) bad_set(text, N_("a non-empty mailbox for '*'"));
        return *star;
    }
    std::uint64_t value = 0;
    std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
        if (value > 0xFFFFFFFFull) bad_set(text, N_("a number below 2^32"));
        ++pos;
    }
    if (pos == start) bad_set(text, N_("a number or '*'"));
    if (value == 0) bad_set(text, N_("a non-zero number"));
    return static_cast<std::uint32_t>(value);
}

void append_range(std::string& out, std::uint32_t first, std::uint32_t last) {
    out += std::to_string(first);
    if (last != first) {
        out += ':';
        out += std::to_string(last);
    }
}

// Sorted, unique, zero-free ranges of `numbers`.
std::vector<SequenceRange> merged_ranges(std::vector<std::uint32_t>& numbers) {
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    std::vector<SequenceRange> ranges;
    for (std::uint32_t n : numbers) {
        if (n == 0) continue;
        if (!ranges.empty() && ranges.back().last != 0xFFFFFFFFu && ranges.back().last + 1 == n)
            ranges.back().last = n;
        else
            ranges.push_back({n, n});
    }
    return ranges;
}

}  // namespace

SequenceSet SequenceSet::parse(std::string_view text, std::optional<std::uint32_t> star) {
    SequenceSet set;
    std::size_t pos = 0;
    if (text.empty()) bad_set(text, N_("a number or '*'"));
    while (true) {
        std::uint32_t first = read_element(text, pos, star);
        std::uint32_t last = first;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            last = read_element(text, pos, star);
        }
        set.add(first, last);
        if (pos == text.size()) break;
        if (text[pos] != ',') bad_set(text, N_("',' or ':'"));
        ++pos;
    }
    return set;
}

SequenceSet SequenceSet::from_numbers(std::vector<std::uint32_t> numbers) {
    SequenceSet set;
    set.ranges_ = merged_ranges(numbers);
    return set;
}

void SequenceSet::add(std::uint32_t first, std::uint32_t last) {
    if (first == 0 || last == 0) return;
    if (first > last) std::swap(first, last);
    ranges_.push_back({first, last});
}

std::uint64_t SequenceSet::count() const {
    std::uint64_t total = 0;
    for (const auto& r : ranges_) total += std::uint64_t(r.last) - r.first + 1;
    return total;
}

bool SequenceSet::contains(std::uint32_t number) const {
    for (const auto& r : ranges_)
        if (number >= r.first && number <= r.last) return true;
    return false;
}

std::vector<std::uint32_t> SequenceSet::numbers(std::uint64_t limit) const {
    if (count() > limit)
        throw Error(ErrorKind::Protocol,
                    tr("unexpected server response: sequence set covers {} numbers, more than {}", count(), limit),
                    {}, to_string().substr(0, 200));
    std::vector<std::uint32_t> out;
    out.reserve(static_cast<std::size_t>(count()));
    for (const auto& r : ranges_) {
        for (std::uint64_t n = r.first; n <= r.last; ++n) out.push_back(static_cast<std::uint32_t>(n));
    }
    return out;
}

std::string SequenceSet::to_string() const {
    std::string out;
    for (const auto& r : ranges_) {
        if (!out.empty()) out += ',';
        append_range(out, r.first, r.last);
    }
    return out;
}

std::string format_sequence_set(std::vector<std::uint32_t> numbers) {
    return SequenceSet::from_numbers(std::move(numbers)).to_string();
}

std::vector<std::string> format_sequence_sets(std::vector<std::uint32_t> numbers, std::size_t max_length) {
    max_length = std::max<std::size_t>(max_length, 21);  // "4294967294:4294967295"
    std::vector<std::string> sets;
    std::string current;
    for (const auto& r : merged_ranges(numbers)) {
        std::string piece;
        append_range(piece, r.first, r.last);
        std::size_t needed = current.empty() ? piece.size() : current.size() + 1 + piece.size();
        if (needed > max_length) {
            sets.push_back(std::move(current));
            current.clear();
        }
        if (!current.empty()) current += ',';
        current += piece;
    }
    if (!current.empty()) sets.push_back(std::move(current));
    return sets;
}

bool is_valid_sequence_set(std::string_view text) {
    try {
        SequenceSet::parse(text, 1);
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace zmail::imap
