// The media type of an attachment from its file name, as Debian's /etc/mime.types (package
// media-types) lists it: "report.pdf" -> "application/pdf".
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace zmail::mime {

/// Where Debian keeps the extension table.
inline constexpr const char* system_mime_types_path = "/etc/mime.types";

/// An extension -> media type table. Copyable; lookups never throw.
class MediaTypes {
public:
    /// Reads `path` ("type/subtype ext ext ..." lines, '#' comments). A file that is missing
    /// or unreadable gives the small built-in table (pdf, txt, jpg, png, zip, ...) instead.
    explicit MediaTypes(const std::string& path = system_mime_types_path);

    /// A table from the text of a mime.types file (for tests); the built-in table is not added.
    static MediaTypes from_text(std::string_view text);

    /// The media type for `filename` by its last extension, case-insensitive
    /// ("Scan.PDF" -> "application/pdf"); "application/octet-stream" when unknown or there is
    /// no extension. Only the part after the last '/' counts.
    std::string lookup(std::string_view filename) const;

    /// True when the table came from a file (not the built-in fallback).
    bool from_file() const { return from_file_; }

private:
    struct Empty {};
    explicit MediaTypes(Empty) {}
    void parse(std::string_view text);
    std::unordered_map<std::string, std::string> by_extension_;
    bool from_file_ = false;
};

}  // namespace zmail::mime
