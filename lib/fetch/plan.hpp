// What one fetch run will do, decided from the server's listings, the UIDL state and the policy.
// Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fetch/uidl_state.hpp"
#include "pop3/listing.hpp"

namespace zmail::fetch {

/// The fetch policy of one run (the account's, overridden on the command line).
struct Policy {
    bool keep = true;              ///< leave messages on the server
    bool scope_new = false;        ///< on the first run, record everything as seen instead of fetching it
    std::uint64_t max_size = 0;    ///< leave larger messages on the server; 0: no limit
    std::uint64_t limit = 0;       ///< fetch at most this many messages this run; 0: no limit
};

/// One message in the maildrop.
struct ServerMessage {
    std::uint32_t number = 0;  ///< the message number in this session
    std::string uidl;
    std::uint64_t size = 0;    ///< octets as LIST reported them (CRLF line ends)
};

struct Plan {
    std::vector<ServerMessage> download;   ///< to retrieve and deliver, in the server's order
    std::vector<ServerMessage> mark_seen;  ///< scope new, first run: record without downloading
    std::vector<ServerMessage> too_large;  ///< larger than max_size: left on the server
    std::vector<ServerMessage> deferred;   ///< beyond the per-run limit: left for a later run
    std::vector<ServerMessage> delivered;  ///< delivered by an earlier run and still on the server
    std::size_t on_server = 0;             ///< messages in the maildrop
    std::uint64_t download_bytes = 0;      ///< sum of download[].size
    bool first_run_scope_new = false;      ///< no state yet and scope new
};

/// Decides the run. `state` must be loaded, its pending entries resolved. A message counts as
/// new unless its UIDL is Delivered (or Seen, with scope new). Throws Error{Protocol} when the
/// listing gives one UIDL to several messages (nothing can be tracked or deleted safely then)
/// or when UIDL and LIST name different messages.
Plan make_plan(const pop3::UidlListing& uidls, const std::vector<pop3::ListEntry>& sizes, const UidlState& state,
               const Policy& policy, const std::string& server);

}  // namespace zmail::fetch
