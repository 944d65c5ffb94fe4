// MIME parameters (Content-Type, Content-Disposition) with RFC 2231 extensions:
// filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf, continuations filename*0*=, filename*1*=, and
// the RFC 2047-in-quotes form filename="=?UTF-8?B?...?=" that Outlook and Gmail send.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::text {

/// One decoded parameter.
struct Parameter {
    std::string name;   ///< lower case, without RFC 2231 '*' and section markers
    std::string value;  ///< UTF-8; may contain any character (sanitize before using as a file name)
};

/// A header value of the form "main-value; name=value; ...".
struct ParameterizedValue {
    std::string value;                  ///< "text/plain", "attachment": lower case, comments removed
    std::vector<Parameter> parameters;  ///< in order of first appearance, names unique

    /// The value of parameter `name` (any case), or std::nullopt.
    std::optional<std::string> find(std::string_view name) const;
};

/// Parse a Content-Type or Content-Disposition value (folded or not). Lenient, never throws:
/// - RFC 2231 continuations are joined in section order, percent-decoded where marked with
///   '*', and converted from the charset given in the first section;
/// - when both name= and name*= are present, the RFC 2231 form wins;
/// - a plain value holding encoded words ("=?UTF-8?B?...?=") is decoded as RFC 2047;
/// - raw 8-bit values are taken as UTF-8 when valid, else from `fallback_charset`
///   (e.g. "GB18030"), else with U+FFFD;
/// - unterminated quotes run to the end, parameters without '=' are skipped, the first of
///   duplicate names wins. All names and values come out as valid UTF-8.
ParameterizedValue parse_parameterized(std::string_view header_value, std::string_view fallback_charset = {});

/// Format one parameter to follow "; " in a header. Printable ASCII values stay readable
/// as a quoted string (name="report.pdf", name="say \"hi\""); other values use RFC 2231 with UTF-8:
/// name*=UTF-8''%E3%81%82.txt, split into name*0*=UTF-8''...;\r\n name*1*=... sections so that
/// each line, starting with one blank and ending with ';', fits in 78 characters. Sections
/// are split between characters. Throws zmail::Error{Data} when `value` is not valid UTF-8,
/// Error{Internal} when `name` is not a plain token.
std::string encode_parameter(std::string_view name, std::string_view value);

/// Format one parameter the way Outlook and Gmail do for readers that do not know RFC 2231:
/// name="=?UTF-8?B?...?= =?UTF-8?B?...?=" (printable ASCII values as in encode_parameter).
/// Use for Content-Type's name= next to an RFC 2231 filename*= in Content-Disposition.
/// Same errors as encode_parameter.
std::string encode_parameter_rfc2047(std::string_view name, std::string_view value);

}  // namespace zmail::text
