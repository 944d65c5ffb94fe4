#include "text/charset.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

#include "text/iconv_handle.hpp"
#include "text/iso2022jp.hpp"

namespace zmail::text {

namespace {

/// How text in one family of charsets is decoded.
enum class Plan {
    Utf8,       // validate, replace bad sequences
    Ascii,      // US-ASCII labels: UTF-8 when it is, else Windows-1252 (mislabelled 8-bit mail)
    Iso2022Jp,  // our own decoder (iso2022jp.cpp)
    Chain,      // iconv: try each charset strictly, then `lossy` with replacements
    Unknown,
};

struct Route {
    Plan plan;
    std::array<const char*, 3> chain{};  // strict attempts, in order; nullptr ends the list
    const char* lossy = nullptr;         // the charset used when no attempt is exact
    const char* encoder = nullptr;       // iconv name used by from_utf8
    const char* canonical = nullptr;     // the name written in MIME headers
};

struct Alias {
    std::initializer_list<std::string_view> names;
    Route route;
};

const std::array<Alias, 12>& aliases() {
    static const std::array<Alias, 12> table{{
        {{"utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8"},
         {Plan::Utf8, {}, nullptr, "UTF-8", "UTF-8"}},
        {{"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "cp367", "ibm367", "csascii",
          "iso-ir-6"},
         {Plan::Ascii, {}, nullptr, "ANSI_X3.4-1968", "US-ASCII"}},
        {{"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", "iso-ir-100",
          "csisolatin1", "iso_8859-1:1987"},
         {Plan::Chain, {"WINDOWS-1252", "ISO-8859-1"}, "ISO-8859-1", "ISO-8859-1", "ISO-8859-1"}},
        {{"gb2312", "euc-cn", "x-euc-cn", "csgb2312", "gb_2312-80", "chinese", "iso-ir-58",
          "csiso58gb231280"},
         {Plan::Chain, {"GB18030"}, "GB18030", "GB2312", "GB2312"}},
        {{"gbk", "x-gbk", "cp936", "ms936", "windows-936"},
         {Plan::Chain, {"GB18030"}, "GB18030", "GBK", "GBK"}},
        {{"gb18030"}, {Plan::Chain, {"GB18030"}, "GB18030", "GB18030", "GB18030"}},
        {{"big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "x-big5", "cp950", "windows-950"},
         {Plan::Chain, {"BIG5", "CP950", "BIG5-HKSCS"}, "BIG5-HKSCS", "BIG5", "Big5"}},
        {{"big5-hkscs", "big5hkscs"},
         {Plan::Chain, {"BIG5-HKSCS", "CP950"}, "BIG5-HKSCS", "BIG5-HKSCS", "Big5-HKSCS"}},
        {{"shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j",
          "cswindows31j", "cp932", "ms932", "x-ms-cp932", "ibm-943"},
         {Plan::Chain, {"CP932"}, "CP932", "CP932", "Shift_JIS"}},
        {{"euc-jp", "eucjp", "x-euc-jp", "cseucpkdfmtjapanese", "ujis", "x-euc", "eucjp-ms",
          "euc-jp-ms"},
         {Plan::Chain, {"EUC-JP", "EUC-JP-MS"}, "EUC-JP-MS", "EUC-JP", "EUC-JP"}},
        {{"iso-2022-jp", "csiso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "csiso2022jp2",
          "iso-2022-jp-3", "iso-2022-jp-ms", "cp50220", "cp50221", "cp50222", "x-cp50220",
          "x-cp50221", "x-cp50222"},
         {Plan::Iso2022Jp, {}, nullptr, "ISO-2022-JP", "ISO-2022-JP"}},
        {{"euc-kr", "cseuckr", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601", "korean",
          "csksc56011987", "iso-ir-149", "cp949", "uhc", "windows-949", "x-windows-949"},
         {Plan::Chain, {"CP949"}, "CP949", "EUC-KR", "EUC-KR"}},
    }};
    return table;
}

/// Lower-case the name, drop surrounding blanks and quotes and an RFC 2231 "*language".
std::string normalize(std::string_view name) {
    const auto is_trim = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\''; };
    while (!name.empty() && is_trim(name.front())) name.remove_prefix(1);
    while (!name.empty() && is_trim(name.back())) name.remove_suffix(1);
    if (const auto star = name.find('*'); star != std::string_view::npos) name = name.substr(0, star);
    std::string out(name);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    });
    return out;
}

/// iconv is only handed names made of these characters, so no "//TRANSLIT" games.
bool is_plain_charset_name(std::string_view name) {
    if (name.empty() || name.size() > 40) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
               c == ':';
    });
}

/// The route for a name: from the alias table, else straight to iconv when it knows the name.
/// `direct` receives the upper-cased name for iconv when the table does not list it.
Route find_route(const std::string& name, std::string& direct) {
    for (const Alias& alias : aliases()) {
        for (std::string_view candidate : alias.names) {
            if (candidate == name) return alias.route;
        }
    }
    if (!is_plain_charset_name(name)) return {Plan::Unknown};
    direct = name;
    std::transform(direct.begin(), direct.end(), direct.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    });
    if (!IconvHandle("UTF-8", direct.c_str()).valid()) return {Plan::Unknown};
    return {Plan::Chain, {direct.c_str()}, direct.c_str(), direct.c_str(), direct.c_str()};
}

Decoded decode_utf8(std::string_view bytes) {
    if (is_valid_utf8(bytes)) return {std::string(bytes), true};
    return {sanitize_utf8(bytes), false};
}

Decoded decode_chain(std::string_view bytes, const Route& route) {
    std::string out;
    for (const char* charset : route.chain) {
        if (charset == nullptr) break;
        out.clear();
        if (IconvHandle("UTF-8", charset).convert_strict(bytes, out)) return {sanitize_utf8(out), true};
    }
    out.clear();
    IconvHandle lossy("UTF-8", route.lossy);
    const bool exact = lossy.convert_lossy(bytes, out);
    return {sanitize_utf8(out), exact && lossy.valid()};
}

}  // namespace

Decoded decode_to_utf8(std::string_view bytes, std::string_view charset) {
    const std::string name = normalize(charset);
    std::string direct;
    const Route route = find_route(name, direct);
    switch (route.plan) {
    case Plan::Utf8: return decode_utf8(bytes);
    case Plan::Iso2022Jp: {
        Decoded decoded = decode_iso2022jp(bytes);
        if (!is_valid_utf8(decoded.text)) decoded = {sanitize_utf8(decoded.text), false};
        return decoded;
    }
    case Plan::Ascii:
        if (is_valid_utf8(bytes)) return {std::string(bytes), is_ascii(bytes)};
        return decode_chain(bytes, {Plan::Chain, {"WINDOWS-1252"}, "WINDOWS-1252"});
    case Plan::Chain:
        if (is_ascii(bytes) && direct.empty()) return {std::string(bytes), true};  // table charsets are ASCII supersets
        return decode_chain(bytes, route);
    case Plan::Unknown: break;
    }
    Decoded decoded = decode_utf8(bytes);
    decoded.exact = decoded.exact && is_ascii(bytes);
    return decoded;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
    return decode_to_utf8(bytes, charset).text;
}

std::optional<std::string> from_utf8(std::string_view utf8, std::string_view charset) {
    if (!is_valid_utf8(utf8)) return std::nullopt;
    const std::string name = normalize(charset);
    std::string direct;
    const Route route = find_route(name, direct);
    if (route.plan == Plan::Unknown) return std::nullopt;
    if (route.plan == Plan::Utf8) return std::string(utf8);
    if (route.plan == Plan::Ascii) {
        if (is_ascii(utf8)) return std::string(utf8);
        return std::nullopt;
    }
    std::string out;
    if (!IconvHandle(route.encoder, "UTF-8").convert_strict(utf8, out)) return std::nullopt;
    // Only bytes that read back as the same text: this refuses one-way mappings and, for
    // ISO-2022-JP, text holding ESC, SO or SI that a reader would take as a shift.
    if (decode_to_utf8(out, charset).text != utf8) return std::nullopt;
    return out;
}

bool can_encode_to(std::string_view charset) {
    const std::string name = normalize(charset);
    std::string direct;
    const Route route = find_route(name, direct);
    if (route.plan == Plan::Unknown) return false;
    if (route.plan == Plan::Utf8 || route.plan == Plan::Ascii) return true;
    return IconvHandle(route.encoder, "UTF-8").valid();
}

std::string canonical_charset_name(std::string_view charset) {
    const std::string name = normalize(charset);
    std::string direct;
    const Route route = find_route(name, direct);
    if (route.plan != Plan::Unknown && route.canonical != nullptr && direct.empty()) return route.canonical;
    std::string upper = name;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    });
    return upper;
}

}  // namespace zmail::text
