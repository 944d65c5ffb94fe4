#include "text/iso2022jp.hpp"

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "text/iconv_handle.hpp"

namespace zmail::text {

namespace {

constexpr char escape_byte = 0x1B;
constexpr char shift_out = 0x0E;  // CP50222: half-width katakana until shift in
constexpr char shift_in = 0x0F;

/// The character sets ISO-2022-JP text can switch G0 to.
enum class CharacterSet {
    Ascii,
    Roman,      // JIS X 0201 Roman: ASCII with yen sign and overline
    Katakana,   // JIS X 0201 Katakana
    Jis0208,    // JIS C 6226-1978 / JIS X 0208-1983/1990
    Jis0212,    // JIS X 0212 supplementary kanji
    Jis0213Plane1,
    Jis0213Plane2,
    Gb2312,     // ISO-2022-JP-2
    Ksc5601,    // ISO-2022-JP-2
};

/// What ISO-2022-JP-2 puts in G2 for single-shift (ESC N) use.
enum class UpperSet { None, Latin1, Greek };

struct Designation {
    std::string_view sequence;
    CharacterSet set;
};

// Longest sequences first: ESC & @ ESC $ B announces JIS X 0208-1990.
constexpr std::array<Designation, 16> designations{{
    {"\x1b&@\x1b$B", CharacterSet::Jis0208},
    {"\x1b$(D", CharacterSet::Jis0212},
    {"\x1b$(O", CharacterSet::Jis0213Plane1},
    {"\x1b$(Q", CharacterSet::Jis0213Plane1},
    {"\x1b$(P", CharacterSet::Jis0213Plane2},
    {"\x1b$(C", CharacterSet::Ksc5601},
    {"\x1b$(A", CharacterSet::Gb2312},
    {"\x1b$(B", CharacterSet::Jis0208},
    {"\x1b$(@", CharacterSet::Jis0208},
    {"\x1b$B", CharacterSet::Jis0208},
    {"\x1b$@", CharacterSet::Jis0208},
    {"\x1b$A", CharacterSet::Gb2312},
    {"\x1b(B", CharacterSet::Ascii},
    {"\x1b(J", CharacterSet::Roman},
    {"\x1b(H", CharacterSet::Roman},
    {"\x1b(I", CharacterSet::Katakana},
}};

/// The JIS row/cell pair as Shift_JIS bytes, for the CP932 lookup of Windows extensions.
std::string jis_to_shift_jis(unsigned char first, unsigned char second) {
    const unsigned lead = ((first + 1u) >> 1) + (first <= 0x5E ? 0x70u : 0xB0u);
    unsigned trail = 0;
    if (first & 1u) {
        trail = second + (second >= 0x60 ? 0x20u : 0x1Fu);
    } else {
        trail = second + 0x7Eu;
    }
    return {static_cast<char>(lead), static_cast<char>(trail)};
}

/// Opens iconv descriptors on first use, once per decode call.
class Converters {
public:
    IconvHandle& get(const char* from) {
        for (auto& [name, handle] : open_) {
            if (name == from) return *handle;
        }
        open_.emplace_back(from, std::make_unique<IconvHandle>("UTF-8", from));
        return *open_.back().second;
    }

private:
    std::vector<std::pair<std::string, std::unique_ptr<IconvHandle>>> open_;
};

class Decoder {
public:
    explicit Decoder(std::string_view bytes) : in_(bytes) {}

    Decoded run() {
        while (pos_ < in_.size()) step();
        return {std::move(out_), exact_};
    }

private:
    void step() {
        const char byte = in_[pos_];
        const auto value = static_cast<unsigned char>(byte);
        if (byte == escape_byte) return escape();
        if (byte == shift_out) { shifted_ = true; ++pos_; return; }
        if (byte == shift_in) { shifted_ = false; ++pos_; return; }
        if (value >= 0x80) return eight_bit();
        if (value < 0x21 || value == 0x7F) {
            out_ += byte;  // controls and space pass through in every mode
            ++pos_;
            return;
        }
        if (shifted_) return katakana(value);
        switch (set_) {
        case CharacterSet::Ascii: out_ += byte; ++pos_; return;
        case CharacterSet::Roman:
            if (value == 0x5C) append_utf8(out_, 0x00A5);
            else if (value == 0x7E) append_utf8(out_, 0x203E);
            else out_ += byte;
            ++pos_;
            return;
        case CharacterSet::Katakana: return katakana(value);
        default: return two_byte_run();
        }
    }

    void replace() {
        append_utf8(out_, replacement_character);
        exact_ = false;
    }

    void katakana(unsigned char value) {
        if (value <= 0x5F) append_utf8(out_, 0xFF61 + (value - 0x21));
        else replace();
        ++pos_;
    }

    void escape() {
        const std::string_view rest = in_.substr(pos_);
        for (const Designation& d : designations) {
            if (rest.starts_with(d.sequence)) {
                set_ = d.set;
                pos_ += d.sequence.size();
                return;
            }
        }
        if (rest.starts_with("\x1b.A")) { upper_ = UpperSet::Latin1; pos_ += 3; return; }
        if (rest.starts_with("\x1b.F")) { upper_ = UpperSet::Greek; pos_ += 3; return; }
        if (rest.size() >= 3 && rest[1] == 'N' && upper_ != UpperSet::None) {
            const auto value = static_cast<unsigned char>(rest[2]);
            if (value >= 0x20 && value < 0x80) {
                const std::string high(1, static_cast<char>(value | 0x80));
                std::string greek;
                if (upper_ == UpperSet::Latin1) {
                    append_utf8(out_, value | 0x80u);
                } else if (converters_.get("ISO-8859-7").convert_strict(high, greek)) {
                    out_ += greek;
                } else {
                    replace();
                }
                pos_ += 3;
                return;
            }
        }
        replace();  // unknown escape: drop the ESC, keep what follows
        ++pos_;
    }

    /// Raw 8-bit bytes have no place in ISO-2022-JP; keep them if they are UTF-8.
    void eight_bit() {
        const Utf8Step step = next_utf8(in_, pos_);
        if (step.valid) out_.append(in_.substr(pos_, step.length));
        else append_utf8(out_, replacement_character);
        exact_ = false;
        pos_ += step.length;
    }

    static bool is_graphic(char byte) {
        const auto value = static_cast<unsigned char>(byte);
        return value >= 0x21 && value <= 0x7E;
    }

    /// Collect the run of complete two-byte characters at pos_ and convert it.
    void two_byte_run() {
        std::string run;
        while (pos_ + 1 < in_.size() && is_graphic(in_[pos_]) && is_graphic(in_[pos_ + 1])) {
            run += in_.substr(pos_, 2);
            pos_ += 2;
        }
        if (!run.empty()) {
            convert_run(run);
            return;
        }
        replace();  // a lone first byte: truncated character
        ++pos_;
    }

    /// The EUC form of the current set: a prefix byte (or none) and the bytes with bit 8 set.
    const char* euc_charset(std::string& prefix) const {
        switch (set_) {
        case CharacterSet::Jis0212: prefix = "\x8f"; return "EUC-JP";
        case CharacterSet::Jis0213Plane1: return "EUC-JISX0213";
        case CharacterSet::Jis0213Plane2: prefix = "\x8f"; return "EUC-JISX0213";
        case CharacterSet::Gb2312: return "GB18030";
        case CharacterSet::Ksc5601: return "CP949";
        default: return "EUC-JP";
        }
    }

    void convert_run(std::string_view run) {
        std::string prefix;
        const char* charset = euc_charset(prefix);
        const std::size_t width = prefix.size() + 2;
        std::string euc;
        euc.reserve(run.size() / 2 * width);
        for (std::size_t i = 0; i < run.size(); i += 2) {
            euc += prefix;
            euc += static_cast<char>(run[i] | 0x80);
            euc += static_cast<char>(run[i + 1] | 0x80);
        }
        IconvHandle& primary = converters_.get(charset);
        primary.reset();
        std::size_t offset = 0;
        while (offset < euc.size()) {
            offset += primary.convert_prefix(std::string_view(euc).substr(offset), out_);
            if (offset >= euc.size()) break;
            const std::size_t index = offset / width;  // the character iconv refused
            primary.flush(out_);
            primary.reset();
            fallback(static_cast<unsigned char>(run[index * 2]),
                     static_cast<unsigned char>(run[index * 2 + 1]));
            offset = (index + 1) * width;
        }
        primary.flush(out_);
    }

    /// A character the standard table lacks: the CP932 (Windows) extensions for JIS X 0208
    /// and JIS X 0213 plane 1 rows, eucJP-ms for JIS X 0212, otherwise U+FFFD.
    void fallback(unsigned char first, unsigned char second) {
        std::string converted;
        bool found = false;
        if (set_ == CharacterSet::Jis0208 || set_ == CharacterSet::Jis0213Plane1) {
            found = converters_.get("CP932").convert_strict(jis_to_shift_jis(first, second), converted);
        } else if (set_ == CharacterSet::Jis0212) {
            const std::string euc{'\x8f', static_cast<char>(first | 0x80), static_cast<char>(second | 0x80)};
            found = converters_.get("EUC-JP-MS").convert_strict(euc, converted);
        }
        if (found && !converted.empty()) out_ += converted;
        else replace();
    }

    std::string_view in_;
    std::size_t pos_ = 0;
    std::string out_;
    bool exact_ = true;
    CharacterSet set_ = CharacterSet::Ascii;
    UpperSet upper_ = UpperSet::None;
    bool shifted_ = false;
    Converters converters_;
};

}  // namespace

Decoded decode_iso2022jp(std::string_view bytes) {
    return Decoder(bytes).run();
}

}  // namespace zmail::text
