// Fuzzes sequence-set parsing and formatting: parse arbitrary text; format arbitrary numbers into
// chunks; check round trips and the length limit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "imap/uid_set.hpp"

using namespace zmail::imap;

namespace {

void check(bool condition) {
    if (!condition) __builtin_trap();
}

void fuzz_parse(std::string_view text, std::optional<std::uint32_t> star) {
    SequenceSet set;
    try {
        set = SequenceSet::parse(text, star);
    } catch (const zmail::Error& e) {
        check(e.kind == zmail::ErrorKind::Protocol);
        return;
    }
    check(!set.empty());
    for (const auto& range : set.ranges()) check(range.first >= 1 && range.first <= range.last);
    // Written out and read again, the set is the same.
    const std::string written = set.to_string();
    check(SequenceSet::parse(written) == set);
    check(is_valid_sequence_set(written));
    if (set.count() <= 100000) {
        const auto numbers = set.numbers(100000);
        check(numbers.size() == set.count());
        for (std::uint32_t n : numbers) check(set.contains(n));
        // Compressing gives a set with the same members.
        const auto merged = SequenceSet::parse(format_sequence_set(numbers));
        for (std::uint32_t n : numbers) check(merged.contains(n));
        for (const auto& range : merged.ranges()) {
            check(set.contains(range.first));
            check(set.contains(range.last));
        }
    } else {
        try {
            set.numbers(100000);
            check(false);
        } catch (const zmail::Error&) {
        }
    }
}

void fuzz_format(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return;
    const std::size_t max_length = data[0] % 64;
    std::vector<std::uint32_t> numbers;
    for (std::size_t i = 1; i + 4 <= size; i += 4) {
        std::uint32_t n;
        std::memcpy(&n, data + i, 4);
        if (data[i] & 1) n %= 64;  // many small, clustered numbers make ranges
        numbers.push_back(n);
    }
    std::vector<std::uint32_t> expected = numbers;
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    expected.erase(std::remove(expected.begin(), expected.end(), 0u), expected.end());

    std::vector<std::uint32_t> back;
    for (const auto& chunk : format_sequence_sets(numbers, max_length)) {
        check(!chunk.empty());
        check(chunk.size() <= std::max<std::size_t>(max_length, 21));
        const auto part = SequenceSet::parse(chunk).numbers(1u << 24);
        back.insert(back.end(), part.begin(), part.end());
    }
    check(back == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
    case 0: fuzz_parse(text, std::nullopt); break;
    case 1: fuzz_parse(text, std::uint32_t(data[0]) * 16777259u); break;
    default: fuzz_format(data + 1, size - 1); break;
    }
    return 0;
}
