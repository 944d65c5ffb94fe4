// libFuzzer target: the folder-name codec (lib/imap/folder_name). The first byte picks the server
// layout and the Maildir layout; the rest is both a server name and a local path. Properties:
// - a server name that is accepted maps to levels that map back to the same server name (INBOX's
//   letter case aside), and those levels to a local path that comes back to the same levels;
// - a local path that is accepted is canonical: its levels make exactly that path again;
// - nothing throws.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "imap/folder_name.hpp"
#include "imap/mailbox_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace zmail::imap;
    if (size == 0) return 0;
    const std::uint8_t mode = data[0];
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    ServerNaming naming;
    naming.delimiter = "/.\0:"[mode & 3];
    naming.personal_prefix = (mode & 4) && naming.delimiter ? std::string("INBOX") + naming.delimiter : "";
    naming.utf8 = (mode & 8) != 0;
    const Layout layout = (mode & 16) ? Layout::maildir_plus : Layout::fs;

    auto levels = levels_from_server(input, naming);
    if (levels) {
        auto raw = server_from_levels(*levels.value, naming);
        if (!raw) std::abort();
        const std::string_view again = *raw.value;
        // equal, but for the letter case of a leading INBOX
        const bool equal = again == input || (again.size() >= 5 && again.size() == input.size() &&
                                              is_inbox(input.substr(0, 5)) && again.substr(5) == input.substr(5));
        if (!equal) std::abort();
        auto back = levels_from_path(path_from_levels(*levels.value, layout), layout);
        if (!back || *back.value != *levels.value) std::abort();
    }
    auto local = levels_from_path(input, layout);
    if (local && path_from_levels(*local.value, layout) != input) std::abort();
    return 0;
}
