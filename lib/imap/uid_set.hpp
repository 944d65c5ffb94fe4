// IMAP sequence sets and UID sets (RFC 3501 9 "sequence-set", RFC 4315 "uid-set"):
// parsing "1:5,7,9:*" and compressing lists of numbers into the shortest set strings.
// Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::imap {

/// One range of a set, always first <= last ("4:2" is stored as 2..4). A single number n is n..n.
struct SequenceRange {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    bool operator==(const SequenceRange&) const = default;
};

/// A set of message sequence numbers or UIDs, as the ordered list of ranges it was written with.
/// The order matters for COPYUID/APPENDUID, where the n-th source UID maps to the n-th destination
/// UID, so parse() keeps it; from_numbers() builds the sorted, merged form.
class SequenceSet {
public:
    SequenceSet() = default;

    /// Parses a sequence set such as "1:5,7,9:*". `*` stands for `star` (the highest UID or message
    /// number the caller knows); when `star` is not given, `*` is an error. Zero is an error
    /// (numbers are nz-number). Throws zmail::Error{Protocol} naming what was expected.
    static SequenceSet parse(std::string_view text, std::optional<std::uint32_t> star = std::nullopt);

    /// The set of the given numbers, sorted, duplicates dropped, runs merged into ranges.
    /// Zeros are ignored.
    static SequenceSet from_numbers(std::vector<std::uint32_t> numbers);

    /// Appends a range (first and last in either order; zero is not allowed and is ignored).
    void add(std::uint32_t first, std::uint32_t last);

    const std::vector<SequenceRange>& ranges() const { return ranges_; }
    bool empty() const { return ranges_.empty(); }
    /// How many numbers the ranges cover (a number listed twice counts twice).
    std::uint64_t count() const;
    bool contains(std::uint32_t number) const;

    /// The numbers in listed order, each range ascending. Throws zmail::Error{Protocol} when there
    /// would be more than `limit` numbers (a server's "1:4294967295" must not exhaust memory).
    std::vector<std::uint32_t> numbers(std::uint64_t limit = 10'000'000) const;

    /// The set written as IMAP text, ranges in stored order ("1:5,7"); empty string for an empty set.
    std::string to_string() const;

    bool operator==(const SequenceSet&) const = default;

private:
    std::vector<SequenceRange> ranges_;
};

/// The shortest set text for the given numbers (sorted and de-duplicated first), e.g.
/// {1,2,3,5,7,8} -> "1:3,5,7:8". Empty input gives "".
std::string format_sequence_set(std::vector<std::uint32_t> numbers);

/// Like format_sequence_set(), but split into several sets, each at most `max_length` bytes, so a
/// command line carrying one stays short (servers limit lines to about 8000 bytes; the default
/// leaves room for the rest of the command). Every number ends up in exactly one set, in ascending
/// order across the sets. `max_length` below 21 is raised to 21 (one "a:b" range always fits).
std::vector<std::string> format_sequence_sets(std::vector<std::uint32_t> numbers,
                                              std::size_t max_length = 7000);

/// True when `text` is a syntactically valid sequence set to send: nz-numbers or `*`, joined by
/// ':' and ','. Used by the command encoder to refuse anything else.
bool is_valid_sequence_set(std::string_view text);

}  // namespace zmail::imap
