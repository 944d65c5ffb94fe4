// `zmail fetch` for one account: the account's settings with the command line's overrides
// applied, the POP3 connection made from them, one run (fetch.hpp).
#pragma once

#include "fetch/fetch.hpp"
#include "net/server.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace zmail::fetch {

/// What the command line adds to the account's fetch settings; unset fields keep them.
struct Overrides {
    std::optional<bool> keep;                ///< --keep / --delete
    std::string scope;                       ///< --scope all|new
    std::optional<std::uint64_t> max_size;   ///< --max-size (parse_size())
    std::optional<std::uint64_t> limit;      ///< --limit
    std::string deliver;                     ///< --deliver
    bool dry_run = false;
    int lock_wait_seconds = 0;               ///< --wait
};

/// The request one run of `account` makes (fetch.* settings with `overrides` applied). Throws
/// Error{Usage} for a bad --deliver, Error{Config} for a bad setting.
Request make_request(const profile::Account& account, const Overrides& overrides);

/// One fetch of `account`: connects to its POP3 server (lib/net) once the lock is taken and runs
/// (run()). Errors of the run are in Result::fatal; Error{Usage,Config} for a bad request is thrown.
Result fetch_account(const profile::Profile& profile, const profile::Account& account, const Request& request,
                     const net::LineSink& warning, Observer& observer);

/// "10485760", "10M", "512k" (powers of 1024); 0 means no limit. Throws Error{Usage} naming
/// `option`.
std::uint64_t parse_size(const std::string& text, const std::string& option);

}  // namespace zmail::fetch
