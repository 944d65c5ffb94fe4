// zmail fetch: POP3 download that never loses or duplicates a message.
//
// One run for one account: take the account's fetch lock, load the UIDL state and settle
// deliveries a killed run left pending, log in, list (UIDL, LIST), decide (plan.hpp), retrieve
// the new messages pipelined and deliver them in batches (delivery.hpp), record them, delete on
// the server what is recorded delivered (unless keep), QUIT and check its +OK, then forget UIDLs
// that are gone and compact the state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "fetch/delivery.hpp"
#include "fetch/plan.hpp"
#include "net/stream.hpp"

namespace zmail::fetch {

/// Everything one run needs besides the connection.
struct Request {
    std::string account;            ///< the account name (messages, ZMAIL_ACCOUNT, lock holder)
    std::string host;               ///< the POP3 server's host (messages, state file name)
    std::string user;               ///< the login user (state file name)
    std::string state_dir;          ///< the account's state directory
    Policy policy;
    DeliverySpec delivery;
    TargetSettings target;          ///< spool_dir empty: "<state_dir>/fetch/spool"
    bool dry_run = false;           ///< list what would happen; write nothing, delete nothing
    int lock_wait_seconds = 0;      ///< --wait: for the account's fetch lock and an mbox lock
    std::size_t batch_messages = 64;               ///< messages per durable batch
    std::uint64_t batch_bytes = 8 * 1024 * 1024;   ///< bytes per durable batch
    /// RETR/DELE commands in flight: at most about 4.4 KB of commands ("RETR 4294967295"), which
    /// the socket buffers always take, so writing them never blocks while the server waits for us.
    std::size_t pipeline_window = 256;
};

/// Where a run is, for a progress display.
struct Progress {
    std::size_t messages_done = 0;
    std::size_t messages_total = 0;
    std::uint64_t bytes_done = 0;   ///< octets received for the messages being fetched
    std::uint64_t bytes_total = 0;  ///< their sizes as LIST reported them
};

/// Receives what happens during a run. All methods have empty defaults.
class Observer {
public:
    virtual ~Observer() = default;
    /// The plan, once the listings are in (before anything is fetched or changed).
    virtual void planned(const Plan&) {}
    /// Called as bytes arrive (often: throttle the display).
    virtual void progress(const Progress&) {}
    /// True to receive a protocol trace through trace().
    virtual bool tracing() const { return false; }
    virtual void trace(std::string_view) {}
};

/// The outcome of a run. A run that stopped has `fatal`; the counts say how far it got.
struct Result {
    std::string account;
    bool dry_run = false;
    std::size_t fetched = 0;          ///< delivered this run
    std::uint64_t bytes = 0;          ///< their sizes as received (CRLF line ends)
    std::size_t recovered = 0;        ///< deliveries a killed run left pending, found complete
    std::size_t marked_seen = 0;      ///< scope new, first run: recorded without download
    std::size_t too_large = 0;        ///< left on the server: larger than max_size
    std::uint64_t max_size = 0;       ///< the limit that applied
    std::size_t deferred = 0;         ///< left for a later run by the per-run limit
    std::size_t deleted = 0;          ///< deleted on the server (QUIT confirmed)
    std::size_t on_server = 0;        ///< messages on the server when the run listed them
    std::size_t left_on_server = 0;   ///< messages still there afterwards
    std::optional<Plan> plan;         ///< the plan (always set once listed; dry runs print it)
    std::vector<Error> errors;        ///< per-message failures; the run went on
    std::optional<Error> fatal;       ///< the error that stopped the run
    /// 0, or the exit code of the fatal error, else of the first per-message error.
    int exit_code() const;
};

/// Opens the logged-in POP3 connection (called once per run, after the lock is taken).
using Connect = std::function<std::unique_ptr<net::Stream>()>;

/// Runs one fetch. Errors of the run (lock held, network, TLS, login, protocol, storage, disk
/// full) end up in Result::fatal, never thrown; messages not recorded delivered are never
/// deleted on the server. Only non-zmail exceptions (std::bad_alloc) escape.
Result run(const Request& request, const Connect& connect, Observer& observer);

}  // namespace zmail::fetch
