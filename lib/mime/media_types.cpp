#include "mime/media_types.hpp"

#include "text/ascii.hpp"

#include <fstream>
#include <sstream>

namespace zmail::mime {

namespace {

// Used only when /etc/mime.types cannot be read (install the package media-types).
constexpr const char* builtin_table = R"(application/pdf pdf
application/zip zip
application/gzip gz
application/json json
application/msword doc
application/vnd.ms-excel xls
application/vnd.ms-powerpoint ppt
application/vnd.openxmlformats-officedocument.wordprocessingml.document docx
application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx
application/vnd.openxmlformats-officedocument.presentationml.presentation pptx
application/x-tar tar
image/jpeg jpg jpeg
image/png png
image/gif gif
image/svg+xml svg
image/webp webp
message/rfc822 eml
text/plain txt text log
text/csv csv
text/html html htm
audio/mpeg mp3
video/mp4 mp4
)";

}  // namespace

MediaTypes::MediaTypes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::stringstream buffer;
        buffer << in.rdbuf();
        if (in.good() || in.eof()) {
            parse(buffer.str());
            from_file_ = !by_extension_.empty();
        }
    }
    if (!from_file_) {
        by_extension_.clear();
        parse(builtin_table);
    }
}

MediaTypes MediaTypes::from_text(std::string_view text) {
    MediaTypes table{Empty{}};
    table.parse(text);
    table.from_file_ = true;
    return table;
}

void MediaTypes::parse(std::string_view text) {
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::string type;
        std::size_t pos = 0;
        while (pos < line.size()) {
            while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' || line[pos] == '\r')) ++pos;
            std::size_t end = pos;
            while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
            if (end == pos) break;
            std::string word = text::ascii_lower(line.substr(pos, end - pos));
            if (type.empty()) {
                if (word.find('/') == std::string::npos) break;  // not a type line
                type = word;
            } else {
                by_extension_.try_emplace(word, type);  // the first line naming an extension wins
            }
            pos = end;
        }
    }
}

std::string MediaTypes::lookup(std::string_view filename) const {
    if (const std::size_t slash = filename.rfind('/'); slash != std::string_view::npos)
        filename = filename.substr(slash + 1);
    const std::size_t dot = filename.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == filename.size()) return "application/octet-stream";
    const auto found = by_extension_.find(text::ascii_lower(filename.substr(dot + 1)));
    return found == by_extension_.end() ? "application/octet-stream" : found->second;
}

}  // namespace zmail::mime
