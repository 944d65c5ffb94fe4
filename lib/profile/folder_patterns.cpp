#include "profile/folder_patterns.hpp"

#include <cctype>

namespace zmail::profile {

namespace {

bool is_inbox_prefix(std::string_view s) {
    if (s.size() < 5) return false;
    for (size_t i = 0; i < 5; ++i)
        if (std::toupper(static_cast<unsigned char>(s[i])) != "INBOX"[i]) return false;
    return s.size() == 5 || s[5] == '/';
}

std::string canonical(std::string_view s) {
    if (is_inbox_prefix(s)) return "INBOX" + std::string(s.substr(5));
    return std::string(s);
}

bool match(std::string_view p, std::string_view f) {
    while (!p.empty()) {
        char c = p.front();
        if (c == '*' || c == '%') {
            p.remove_prefix(1);
            for (size_t i = 0; i <= f.size(); ++i) {
                if (match(p, f.substr(i))) return true;
                if (i < f.size() && c == '%' && f[i] == '/') return false;
            }
            return false;
        }
        if (f.empty() || f.front() != c) return false;
        p.remove_prefix(1);
        f.remove_prefix(1);
    }
    return f.empty();
}

}  // namespace

bool folder_pattern_matches(std::string_view pattern, std::string_view folder) {
    return match(canonical(pattern), canonical(folder));
}

bool folder_selected(const SyncPolicy& policy, std::string_view folder) {
    bool included = false;
    for (const auto& p : policy.folders) included = included || folder_pattern_matches(p, folder);
    if (!included) return false;
    for (const auto& p : policy.exclude)
        if (folder_pattern_matches(p, folder)) return false;
    return true;
}

}  // namespace zmail::profile
