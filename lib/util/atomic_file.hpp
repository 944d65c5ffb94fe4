// Crash-safe file writes and small file helpers.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "error.hpp"

namespace zmail::util {

/// Replaces `path` with `content` atomically: writes a temp file beside it, fsyncs it, renames
/// it over `path` and fsyncs the directory. After a crash the file is either the old or the new
/// version, never a mix. Creates missing parent directories with mode 0700.
/// Throws zmail::Error{Storage} naming the path and the system error (ENOSPC, EACCES, ...).
void write_file_atomically(const std::string& path, std::string_view content, mode_t mode = 0600);

/// Reads a whole file. Throws Error{Permission} when it cannot be read for lack of rights,
/// Error{Storage} for other failures. `missing_ok` returns false instead of throwing for ENOENT.
bool read_file(const std::string& path, std::string& out, bool missing_ok = false);

/// Writes all of `bytes` to `fd`, retrying after EINTR and short writes. Throws
/// throw_storage_error(operation, path, errno, hints) when a write fails (`operation` is English,
/// marked with N_).
void write_all(int fd, std::string_view bytes, std::string_view operation, const std::string& path,
               const StorageHints& hints = {});

/// fsyncs `directory` (after a rename, link or unlink in it), so the change survives a crash.
/// Throws Error{Storage} (Temporary for a full disk) with `hints`.
void fsync_directory(const std::string& directory, const StorageHints& hints = {});

/// fsyncs the directory that holds `path` (after a rename or a link into it). Throws like fsync_directory().
void fsync_parent_directory(const std::string& path, const StorageHints& hints = {});

/// Creates `path` and its parents with `mode` if missing. Throws Error{Storage}.
void make_directories(const std::string& path, mode_t mode = 0700);

/// "~/x" -> "$HOME/x"; other strings unchanged.
std::string expand_home(std::string_view path);

/// The directory part of a path ("a/b/c" -> "a/b", "c" -> ".").
std::string parent_directory(const std::string& path);

}  // namespace zmail::util
