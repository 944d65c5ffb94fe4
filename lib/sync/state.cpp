#include "sync/state.hpp"

#include <sys/stat.h>

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cerrno>
#include <cstdio>

namespace zmail::sync {

namespace {

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    size_t pos = 0;
    while (pos < line.size()) {
        size_t space = line.find(' ', pos);
        if (space == std::string_view::npos) space = line.size();
        if (space > pos) words.push_back(line.substr(pos, space - pos));
        pos = space + 1;
    }
    return words;
}

template <class Number>
bool parse_number(std::string_view text, Number& out, int base = 10) {
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// The state file writes flags as letters in this order, "-" for none. The letters happen to be
// Maildir's, but they are the state file's format and never change with a store.
constexpr std::array<std::pair<store::Flag, char>, 5> flag_letters{{
    {store::Draft, 'D'},
    {store::Flagged, 'F'},
    {store::Answered, 'R'},
    {store::Seen, 'S'},
    {store::Deleted, 'T'},
}};

std::string flag_word(store::Flags flags) {
    std::string letters;
    for (const auto& [flag, letter] : flag_letters)
        if (flags & flag) letters += letter;
    return letters.empty() ? "-" : letters;
}

bool parse_flag_word(std::string_view word, store::Flags& flags) {
    flags = 0;
    if (word == "-") return true;
    for (char c : word) {
        auto it = std::find_if(flag_letters.begin(), flag_letters.end(), [c](const auto& f) { return f.second == c; });
        if (it == flag_letters.end()) return false;
        flags |= it->first;
    }
    return true;
}

char side_letter(Side side) { return side == Far ? 'f' : 'n'; }

bool parse_side(std::string_view word, Side& side) {
    if (word == "f") side = Far;
    else if (word == "n") side = Near;
    else return false;
    return true;
}

std::string hex(std::uint64_t value) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
    return buffer;
}

}  // namespace

const char* side_name(Side side) { return side == Far ? "far" : "near"; }

void PairTable::add(const Pair& pair) {
    remove_far(pair.uid[Far]);
    if (auto it = near_to_far_.find(pair.uid[Near]); it != near_to_far_.end()) remove_far(it->second);
    by_far_[pair.uid[Far]] = pair;
    near_to_far_[pair.uid[Near]] = pair.uid[Far];
}

void PairTable::remove_far(std::uint32_t far_uid) {
    auto it = by_far_.find(far_uid);
    if (it == by_far_.end()) return;
    near_to_far_.erase(it->second.uid[Near]);
    by_far_.erase(it);
}

void PairTable::set_flags(std::uint32_t far_uid, store::Flags flags) {
    if (auto it = by_far_.find(far_uid); it != by_far_.end()) it->second.flags = flags;
}

void PairTable::clear() {
    by_far_.clear();
    near_to_far_.clear();
}

const Pair* PairTable::by_far(std::uint32_t uid) const {
    auto it = by_far_.find(uid);
    return it == by_far_.end() ? nullptr : &it->second;
}

const Pair* PairTable::by_near(std::uint32_t uid) const {
    auto it = near_to_far_.find(uid);
    return it == near_to_far_.end() ? nullptr : by_far(it->second);
}

SyncState::SyncState(std::string path) : journal_(std::move(path), sync_state_header) {}

void SyncState::load() {
    auto lines = journal_.load();
    existed_ = !lines.empty();
    for (size_t i = 0; i < lines.size(); ++i) apply(lines[i], i + 1);
}

void SyncState::clear_records() {
    pairs_.clear();
    pending_.clear();
    left_[Far].clear();
    left_[Near].clear();
    moving_.clear();
}

void SyncState::apply_pair(const Pair& p) {
    pairs_.add(p);
    std::erase_if(pending_, [&](const Pending& q) {
        return (q.target == Near && q.source_uid == p.uid[Far]) || (q.target == Far && q.source_uid == p.uid[Near]);
    });
    left_[Far].erase(p.uid[Far]);
    left_[Near].erase(p.uid[Near]);
}

void SyncState::apply_pending(const Pending& q) {
    std::erase_if(pending_, [&](const Pending& o) { return o.target == q.target && o.source_uid == q.source_uid; });
    pending_.push_back(q);
}

bool SyncState::apply_header(const std::vector<std::string_view>& words) {
    if (words[0] == "I") {
        if (words.size() != 2) return false;
        far_mailbox_id_ = std::string(words[1]);
        return true;
    }
    std::uint32_t far = 0, near = 0;
    std::uint64_t modseq = 0;
    if (words.size() != 4 || !parse_number(words[1], far) || !parse_number(words[2], near) ||
        !parse_number(words[3], modseq))
        return false;
    uid_validity_ = {far, near};
    far_modseq_ = modseq;
    return true;
}

void SyncState::apply(std::string_view line, std::size_t number) {
    auto words = split_words(line);
    auto bad = [&] {
        return Error(ErrorKind::Config,
                     tr("sync state file '{}' has a bad record (line {} counting the journal after the snapshot): "
                        "'{}'",
                        journal_.path(), number, line),
                     tr("move the file away; the next sync re-matches the folder by Message-ID without losing mail"));
    };
    if (words.empty()) throw bad();
    std::string_view kind = words[0];
    auto uid = [&](size_t i) {
        std::uint32_t value = 0;
        if (i >= words.size() || !parse_number(words[i], value) || value == 0) throw bad();
        return value;
    };
    auto side = [&](size_t i) {
        Side s = Far;
        if (i >= words.size() || !parse_side(words[i], s)) throw bad();
        return s;
    };
    auto flags = [&](size_t i) {
        store::Flags f = 0;
        if (i >= words.size() || !parse_flag_word(words[i], f)) throw bad();
        return f;
    };
    auto expect = [&](size_t count) {
        if (words.size() != count) throw bad();
    };
    if (kind == "H" || kind == "I") {
        if (!apply_header(words)) throw bad();
    } else if (kind == "R") {
        expect(1);
        clear_records();
    } else if (kind == "+") {
        expect(4);
        Pair p;
        p.uid = {uid(1), uid(2)};
        p.flags = flags(3);
        apply_pair(p);
    } else if (kind == "=") {
        expect(3);
        pairs_.set_flags(uid(1), flags(2));
    } else if (kind == "-") {
        expect(2);
        pairs_.remove_far(uid(1));
        moving_.erase(uid(1));
    } else if (kind == "M") {
        expect(2);
        moving_.insert(uid(1));
    } else if (kind == "P" || kind == "Q") {
        Pending q;
        q.target = side(1);
        q.source_uid = uid(2);
        if (kind == "P") {
            expect(4);
            q.target_uid = uid(3);
        } else {
            expect(6);
            q.min_uid = uid(3);
            if (!parse_number(words[4], q.header_hash, 16) || !parse_number(words[5], q.size)) throw bad();
        }
        apply_pending(q);
    } else if (kind == "x") {
        expect(3);
        Side t = side(1);
        std::uint32_t source = uid(2);
        std::erase_if(pending_, [&](const Pending& o) { return o.target == t && o.source_uid == source; });
    } else if (kind == "L") {
        expect(3);
        left_[side(1)].insert(uid(2));
    } else if (kind == "l") {
        expect(3);
        left_[side(1)].erase(uid(2));
    } else {
        throw bad();
    }
}

void SyncState::record(const std::string& line) {
    apply(line, 0);
    if (!dry_run_) journal_.append(line);
}

void SyncState::set_header(std::uint32_t far_validity, std::uint32_t near_validity, std::uint64_t far_modseq) {
    if (existed_ && uid_validity_[Far] == far_validity && uid_validity_[Near] == near_validity &&
        far_modseq_ == far_modseq)
        return;
    existed_ = true;
    record("H " + std::to_string(far_validity) + " " + std::to_string(near_validity) + " " +
           std::to_string(far_modseq));
}

void SyncState::reset() { record("R"); }

void SyncState::set_far_mailbox_id(const std::string& id) {
    if (id.empty() || id == far_mailbox_id_ || id.find_first_of(" \r\n") != std::string::npos) return;
    record("I " + id);
}

void SyncState::add_pair(std::uint32_t far_uid, std::uint32_t near_uid, store::Flags flags) {
    record("+ " + std::to_string(far_uid) + " " + std::to_string(near_uid) + " " + flag_word(flags));
}

void SyncState::set_flags(std::uint32_t far_uid, store::Flags flags) {
    record("= " + std::to_string(far_uid) + " " + flag_word(flags));
}

void SyncState::remove_pair(std::uint32_t far_uid) { record("- " + std::to_string(far_uid)); }

void SyncState::add_pending(const Pending& p) {
    std::string line = std::string(p.target_uid ? "P " : "Q ") + side_letter(p.target) + " " +
                       std::to_string(p.source_uid) + " ";
    if (p.target_uid) line += std::to_string(p.target_uid);
    else line += std::to_string(std::max<std::uint32_t>(p.min_uid, 1)) + " " + hex(p.header_hash) + " " +
                 std::to_string(p.size);
    record(line);
}

void SyncState::settle_pending(Side target, std::uint32_t source_uid) {
    record(std::string("x ") + side_letter(target) + " " + std::to_string(source_uid));
}

void SyncState::leave(Side side, std::uint32_t uid) {
    record(std::string("L ") + side_letter(side) + " " + std::to_string(uid));
}

void SyncState::unleave(Side side, std::uint32_t uid) {
    record(std::string("l ") + side_letter(side) + " " + std::to_string(uid));
}

void SyncState::mark_moving(std::uint32_t far_uid) { record("M " + std::to_string(far_uid)); }

void SyncState::sync() {
    if (!dry_run_) journal_.sync();
}

std::vector<std::string> SyncState::snapshot_lines() const {
    std::vector<std::string> lines;
    lines.reserve(pairs_.size() + pending_.size() + 1);
    lines.push_back("H " + std::to_string(uid_validity_[Far]) + " " + std::to_string(uid_validity_[Near]) + " " +
                    std::to_string(far_modseq_));
    if (!far_mailbox_id_.empty()) lines.push_back("I " + far_mailbox_id_);
    for (const auto& [far, p] : pairs_.all())
        lines.push_back("+ " + std::to_string(far) + " " + std::to_string(p.uid[Near]) + " " + flag_word(p.flags));
    for (const auto& p : pending_) {
        std::string line = std::string(p.target_uid ? "P " : "Q ") + side_letter(p.target) + " " +
                           std::to_string(p.source_uid) + " ";
        if (p.target_uid) line += std::to_string(p.target_uid);
        else line += std::to_string(std::max<std::uint32_t>(p.min_uid, 1)) + " " + hex(p.header_hash) + " " +
                     std::to_string(p.size);
        lines.push_back(line);
    }
    for (Side s : {Far, Near})
        for (auto uid : left_[s]) lines.push_back(std::string("L ") + side_letter(s) + " " + std::to_string(uid));
    for (auto uid : moving_) lines.push_back("M " + std::to_string(uid));
    return lines;
}

void SyncState::compact() {
    if (dry_run_ || journal_.journal_lines() == 0) return;
    journal_.compact(snapshot_lines());
}

void SyncState::compact_when_worth_it() {
    // a folder's first state is a snapshot at once: the state files' names are how the folders
    // synced before are known (known_folders())
    struct stat st {};
    if (::stat(journal_.path().c_str(), &st) != 0 ||
        journal_.journal_lines() > std::max<std::size_t>(64, (pairs_.size() + pending_.size()) / 4))
        compact();
}

void SyncState::fold() {
    if (!dry_run_) journal_.compact(snapshot_lines());
}

void move_state(const std::string& from_path, const std::string& to_path) {
    {
        SyncState state(from_path);
        state.load();
        state.fold();
    }
    {
        SyncState stale(to_path);
        stale.remove_files();
    }
    if (::rename(from_path.c_str(), to_path.c_str()) != 0)
        throw_storage_error(N_("rename"), from_path, errno);
    util::fsync_parent_directory(to_path);
}

void SyncState::remove_files() {
    if (dry_run_) return;
    journal_.remove();
    clear_records();
    existed_ = false;
}

StateHeader peek_state_header(const std::string& path) {
    StateHeader header;
    auto take = [&](std::string_view line) {
        auto words = split_words(line);
        if (words.size() == 4 && words[0] == "H") {
            parse_number(words[1], header.uid_validity[Far]);
            parse_number(words[2], header.uid_validity[Near]);
            parse_number(words[3], header.far_modseq);
        }
    };
    // the snapshot starts with its H record; later ones are in the journal
    for (const std::string& line : state::Journal::peek_first(path, sync_state_header))
        if (line[0] == 'H') take(line);
    return header;
}

std::string state_file_name(std::string_view folder) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out;
    for (size_t i = 0; i < folder.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(folder[i]);
        bool plain = (c >= 0x80) || std::isalnum(c) || c == '-' || c == '_' || c == ' ' || (c == '.' && i > 0) ||
                     c == '+' || c == ',' || c == '=' || c == '@' || c == '&';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out + ".state";
}

std::string folder_of_state_file(std::string_view name) {
    constexpr std::string_view suffix = ".state";
    if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return {};
    name.remove_suffix(suffix.size());
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] != '%') {
            out += name[i];
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= name.size() || !parse_number(name.substr(i + 1, 2), value, 16)) return {};
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

}  // namespace zmail::sync
