// Which folders an account syncs: sync.folders and sync.exclude patterns.
#pragma once

#include "profile/account.hpp"

#include <string_view>

namespace zmail::profile {

/// IMAP LIST-style match of a UTF-8 folder name ('/' between levels): '*' matches anything,
/// '%' anything but '/'. "INBOX" matches in any letter case.
bool folder_pattern_matches(std::string_view pattern, std::string_view folder);

/// True when `folder` matches one of sync.folders and none of sync.exclude.
bool folder_selected(const SyncPolicy& policy, std::string_view folder);

}  // namespace zmail::profile
