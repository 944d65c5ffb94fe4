// Quoted-printable (RFC 2045 section 6.7) for message bodies.
#pragma once

#include <string>
#include <string_view>

namespace zmail::text {

/// Encode a text body. Line breaks (CRLF, or a bare LF) become CRLF hard breaks; a bare CR
/// is encoded as =0D. Lines are cut with soft breaks ("=" CRLF) so that no output line is
/// longer than 76 characters, never inside an =XX triple. '=', bytes >= 0x80, control
/// characters other than TAB, and a space or TAB before a line break or at the end are
/// encoded; so are a '.' starting a line and the 'F' of a line starting "From " so that
/// SMTP dot handling and mbox "From " escaping cannot touch the body.
std::string quoted_printable_encode(std::string_view text);

}  // namespace zmail::text
