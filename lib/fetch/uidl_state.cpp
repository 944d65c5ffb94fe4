#include "fetch/uidl_state.hpp"

#include "error.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <sys/stat.h>

namespace zmail::fetch {

namespace {

bool valid_uidl(std::string_view uidl) {
    if (uidl.empty() || uidl.size() > 70) return false;
    return std::all_of(uidl.begin(), uidl.end(), [](unsigned char c) { return c >= 0x21 && c <= 0x7e; });
}

}  // namespace

UidlState::UidlState(std::string path) : journal_(std::move(path), uidl_state_header) {}

void UidlState::load() {
    existed_ = journal_.exists();
    entries_.clear();
    std::vector<std::string> lines = journal_.load();
    entries_.reserve(lines.size());
    for (const std::string& line : lines) {
        auto bad = [&] {
            return Error(ErrorKind::Config,
                         tr("state file '{}' has a bad record: '{}'", journal_.path(), line.substr(0, 80)),
                         tr("it was changed by hand or by another program; restore it from a backup, or move it "
                            "away (then the next fetch treats every message on the server as new)"));
        };
        if (line.size() < 3 || line[1] != ' ') throw bad();
        const std::size_t space = line.find(' ', 2);
        const std::string_view record(line);
        const std::string_view uidl = record.substr(2, space == std::string::npos ? std::string::npos : space - 2);
        const std::string_view detail = space == std::string::npos ? std::string_view() : record.substr(space + 1);
        if (!valid_uidl(uidl)) throw bad();
        std::uint64_t size = 0;
        auto sized = [&] {  // "D uidl" or "D uidl SIZE"
            if (detail.empty()) return true;
            if (detail.size() > 15 || detail.find_first_not_of("0123456789") != std::string_view::npos) return false;
            size = std::stoull(std::string(detail));
            return true;
        };
        switch (line[0]) {
        case 'D':
            if (!sized()) throw bad();
            apply(UidlStatus::Delivered, uidl, {}, size);
            break;
        case 'S':
            if (!sized()) throw bad();
            apply(UidlStatus::Seen, uidl, {}, size);
            break;
        case 'P':
            if (detail.empty()) throw bad();
            apply(UidlStatus::Pending, uidl, std::string(detail));
            break;
        case 'A':
            if (!detail.empty()) throw bad();
            if (auto it = entries_.find(uidl); it != entries_.end()) it->second.absent = true;
            break;
        default: throw bad();
        }
    }
    changed_ = false;
}

void UidlState::apply(UidlStatus status, std::string_view uidl, std::string detail, std::uint64_t size) {
    auto it = entries_.find(uidl);
    const bool inserted = it == entries_.end();
    if (inserted) it = entries_.emplace(std::string(uidl), UidlEntry{}).first;
    if (size) it->second.size = size;
    if (!inserted && it->second.status == UidlStatus::Delivered) return;
    it->second.status = status;
    it->second.detail = std::move(detail);
}

const UidlEntry* UidlState::find(std::string_view uidl) const {
    auto it = entries_.find(uidl);
    return it == entries_.end() ? nullptr : &it->second;
}

bool UidlState::is_delivered(std::string_view uidl) const {
    const UidlEntry* e = find(uidl);
    return e && e->status == UidlStatus::Delivered;
}

bool UidlState::is_seen(std::string_view uidl) const {
    const UidlEntry* e = find(uidl);
    return e && e->status == UidlStatus::Seen;
}

std::vector<std::pair<std::string, std::string>> UidlState::pending() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [uidl, entry] : entries_)
        if (entry.status == UidlStatus::Pending) out.emplace_back(uidl, entry.detail);
    return out;
}

std::vector<std::string> UidlState::uidls() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& entry : entries_) out.push_back(entry.first);
    return out;
}

void UidlState::check_record(const std::string& uidl, std::string_view detail) {
    if (!valid_uidl(uidl)) throw Error(ErrorKind::Internal, tr("invalid UIDL '{}' for the state", uidl.substr(0, 80)));
    if (detail.find_first_of("\r\n") != std::string_view::npos)
        throw Error(ErrorKind::Internal, tr("state record for '{}' contains a line break", uidl));
}

void UidlState::record_pending(const std::string& uidl, const std::string& detail) {
    check_record(uidl, detail);
    if (detail.empty()) throw Error(ErrorKind::Internal, tr("pending state record for '{}' without detail", uidl));
    journal_.append("P " + uidl + " " + detail);
    apply(UidlStatus::Pending, uidl, detail);
    changed_ = true;
}

void UidlState::record_delivered(const std::string& uidl, std::uint64_t size) {
    check_record(uidl, {});
    journal_.append("D " + uidl + (size ? " " + std::to_string(size) : ""));
    apply(UidlStatus::Delivered, uidl, {}, size);
    changed_ = true;
}

void UidlState::record_seen(const std::string& uidl, std::uint64_t size) {
    check_record(uidl, {});
    journal_.append("S " + uidl + (size ? " " + std::to_string(size) : ""));
    apply(UidlStatus::Seen, uidl, {}, size);
    changed_ = true;
}

void UidlState::mark_delivered(const std::string& uidl) { apply(UidlStatus::Delivered, uidl, {}); }

void UidlState::forget(const std::string& uidl) {
    if (entries_.erase(uidl) > 0) changed_ = true;
}

void UidlState::sync() { journal_.sync(); }

void UidlState::compact(const std::function<Keep(const std::string& uidl, const UidlEntry& entry)>& keep) {
    std::vector<std::pair<std::string, std::string>> records;  // uidl, its lines (A after D or S)
    records.reserve(entries_.size());
    for (auto it = entries_.begin(); it != entries_.end();) {
        const Keep what = it->second.status == UidlStatus::Pending ? Keep::drop : keep(it->first, it->second);
        if (what == Keep::drop) {
            it = entries_.erase(it);
            continue;
        }
        it->second.absent = what == Keep::absent;
        std::string lines = (it->second.status == UidlStatus::Delivered ? "D " : "S ") + it->first;
        if (it->second.size) lines += " " + std::to_string(it->second.size);
        if (it->second.absent) lines += "\nA " + it->first;
        records.emplace_back(it->first, std::move(lines));
        ++it;
    }
    std::sort(records.begin(), records.end());
    std::vector<std::string> lines;
    lines.reserve(records.size());
    for (auto& record : records) lines.push_back(std::move(record.second));
    journal_.compact(lines);
    changed_ = false;
    existed_ = true;
}

std::size_t UidlState::absent() const {
    return static_cast<std::size_t>(
        std::count_if(entries_.begin(), entries_.end(), [](const auto& e) { return e.second.absent; }));
}

std::string uidl_state_path(const std::string& state_dir, const std::string& host, const std::string& user) {
    auto escape = [](const std::string& text) {
        static const char* hex = "0123456789ABCDEF";
        std::string out;
        for (unsigned char c : text) {
            if (c < 0x21 || c > 0x7e || c == '/' || c == '%') {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        return out;
    };
    return state_dir + "/fetch/" + escape(host) + "-" + escape(user) + ".uidl";
}

}  // namespace zmail::fetch
