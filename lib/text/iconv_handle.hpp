// A small RAII wrapper around a glibc iconv conversion descriptor, and the conversion loops
// the charset code builds on. Internal to lib/text.
#pragma once

#include <iconv.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace zmail::text {

/// Owns one iconv descriptor converting from `from` to `to`. Not copyable; not thread-safe
/// (one descriptor carries shift state), so make one per conversion, not a global.
class IconvHandle {
public:
    IconvHandle(const char* to, const char* from);
    ~IconvHandle();
    IconvHandle(IconvHandle&& other) noexcept;
    IconvHandle& operator=(IconvHandle&&) = delete;
    IconvHandle(const IconvHandle&) = delete;
    IconvHandle& operator=(const IconvHandle&) = delete;

    /// False when iconv does not know one of the charsets.
    bool valid() const { return descriptor_ != reinterpret_cast<iconv_t>(-1); }

    /// Return to the initial shift state, dropping any pending input state.
    void reset();

    /// Convert as much of `input` as possible, appending to `out`. Stops at the first
    /// invalid or incomplete sequence; returns how many input bytes were consumed.
    std::size_t convert_prefix(std::string_view input, std::string& out);

    /// Append whatever returns the output to its initial shift state (ESC ( B for ISO-2022-JP).
    void flush(std::string& out);

    /// Whole conversion from the initial state, flushed. Returns false (with `out`
    /// unspecified) at the first sequence that cannot be converted.
    bool convert_strict(std::string_view input, std::string& out);

    /// Whole conversion into UTF-8 replacing each bad sequence by U+FFFD. Returns true when
    /// nothing had to be replaced.
    bool convert_lossy(std::string_view input, std::string& out);

private:
    iconv_t descriptor_;
};

}  // namespace zmail::text
