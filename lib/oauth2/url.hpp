// URL pieces for OAuth2 (RFC 6749): percent-encoding, form bodies, query strings. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zmail::oauth2 {

using Fields = std::vector<std::pair<std::string, std::string>>;

/// RFC 3986 percent-encoding: everything but ALPHA DIGIT - . _ ~ is escaped.
std::string percent_encode(std::string_view text);

/// application/x-www-form-urlencoded decoding of one value ('+' is a space). Bad escapes are
/// kept as they are.
std::string form_decode(std::string_view text);

/// "a=1&b=2" from fields, each name and value percent-encoded (form bodies and query strings).
std::string form_encode(const Fields& fields);

/// The fields of a query string or form body ("a=1&b=%20"), decoded; a later repeat of a name
/// is ignored (RFC 6749 3.1: parameters must not repeat).
std::map<std::string, std::string> parse_query(std::string_view query);

/// `base` with the fields added as its query ('?' or '&' as `base` needs).
std::string with_query(const std::string& base, const Fields& fields);

/// True for http(s) URLs to this machine (127.0.0.0/8, ::1, localhost).
bool is_loopback_url(std::string_view url);

}  // namespace zmail::oauth2
