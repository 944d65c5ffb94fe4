// Small string helpers used across lib/ and cmd/: joining lists, excerpts of long server lines,
// sizes for people. Look here before writing another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::text {

/// `items` with `separator` between them ("a, b, c").
std::string join(const std::vector<std::string>& items, std::string_view separator);

/// How much of an offending server line goes into Error::server_reply.
inline constexpr std::size_t excerpt_length = 200;

/// The first excerpt_length bytes of `line`, with "..." when it was longer.
std::string excerpt(std::string_view line);

/// A size for people, in units of 1024: "512 B", "1 KB", "1.5 KB", "340 KB", "10 MB".
std::string human_size(std::uint64_t bytes);

}  // namespace zmail::text
