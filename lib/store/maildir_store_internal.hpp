// What the parts of MaildirStore (maildir_store*.cpp) share; not for other users.
#pragma once

#include <cstdint>
#include <string>

#include "error.hpp"

namespace zmail::store {

/// The hints of the Maildir store's storage errors: a failed sync loses nothing and can be rerun.
/// Translated once, at the first use.
const StorageHints& maildir_store_hints();

/// The file in each folder holding its UIDVALIDITY and next UID.
inline constexpr const char* uid_file_name = ".zmail-uidvalidity";

/// Whether `path` is a directory (following symbolic links).
bool is_directory(const std::string& path);

}  // namespace zmail::store
