// Crash-safe state: a snapshot file plus an append-only journal (mbsync's scheme).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace zmail::state {

/// A state file made of text lines. Changes are appended to a journal beside it (only Journal
/// knows its name) and made durable
/// with sync(); compact() folds everything into a new snapshot written atomically. Journal
/// entries must be idempotent: after a crash between writing the snapshot and removing the
/// journal, the journal is replayed on top of the new snapshot. A torn last journal line (no
/// newline: the process died while writing it) is ignored.
class Journal {
public:
    /// `header` is the first line of the snapshot ("zmail-uidl 1"); a snapshot with another
    /// header is an Error{Config} (written by a newer zmail, or not ours).
    Journal(std::string path, std::string header);
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    /// Reads the snapshot's lines then the journal's complete lines, in order. A missing file
    /// means no lines. Throws Error{Storage,Permission,Config}.
    std::vector<std::string> load();
    /// Lines like load() gives, read without changing anything and without throwing: for a quick
    /// look at a state that is not loaded (a snapshot with another header counts as empty; a
    /// missing or unreadable file gives no lines; a torn last journal line is left out).
    static std::vector<std::string> peek(const std::string& path, const std::string& header);
    /// Like peek(), with only the first line of the snapshot (where a header record is kept):
    /// what changed since the snapshot, without reading all of it.
    static std::vector<std::string> peek_first(const std::string& path, const std::string& header);
    /// Whether the state has files on disk (a snapshot, a journal or both).
    bool exists() const;
    /// Removes the snapshot and the journal, durably. Throws Error{Storage}.
    void remove();
    /// Appends one line (without newline) to the journal buffer. Lines hold no '\n'.
    void append(std::string_view line);
    /// Writes buffered lines and fdatasyncs the journal. Throws Error{Storage} (Temporary when
    /// the disk is full): the caller must then stop before acting on the unrecorded state.
    void sync();
    /// Replaces the snapshot with `lines` (atomically) and removes the journal.
    void compact(const std::vector<std::string>& lines);
    /// Number of lines appended to the journal since the last compaction (to decide when to compact).
    std::size_t journal_lines() const { return journal_lines_; }
    const std::string& path() const { return path_; }

private:
    void open_journal();
    static std::vector<std::string> peek_lines(const std::string& path, const std::string& header, bool first_only);
    std::string path_, journal_path_, header_, buffer_;
    int fd_ = -1;
    std::size_t journal_lines_ = 0;
};

}  // namespace zmail::state
