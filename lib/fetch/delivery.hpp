// Where fetched messages go: a Maildir folder, an mbox file or a mail delivery agent (MDA).
// Each target takes messages in batches, so durability costs a few syncs per batch rather than
// several per message, and reports through a Ledger when a message is pending and delivered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace zmail::fetch {

/// The delivery setting: "maildir", "maildir:FOLDER", "mbox:PATH" or "mda:COMMAND".
struct DeliverySpec {
    enum class Kind { maildir, mbox, mda } kind = Kind::maildir;
    std::string folder = "INBOX";  ///< maildir: the folder below the account's Maildir root
    std::string path;              ///< mbox: the file (~ expanded)
    std::string command;           ///< mda: run with /bin/sh -c
    /// "maildir:INBOX", "mbox:/home/me/mbox", "mda:procmail".
    std::string describe() const;
};

/// Parses a delivery setting. Throws Error{Usage} naming `setting_name` ("--deliver",
/// "fetch.delivery") for an unknown kind or an empty folder, path or command.
DeliverySpec parse_delivery(std::string_view text, const std::string& setting_name);

/// One message being received from the server. write() gets the bytes exactly as the server sent
/// them (CRLF line ends, dot-unstuffed); the target converts them as its format requires.
/// Destroying a message that was not committed discards it (removes its temporary file).
class IncomingMessage {
public:
    explicit IncomingMessage(std::string uidl) : uidl_(std::move(uidl)) {}
    virtual ~IncomingMessage() = default;
    /// Throws Error{Storage} (Temporary for a full disk).
    virtual void write(std::string_view chunk) = 0;
    /// The whole message has arrived. Throws like write().
    virtual void finish() = 0;
    const std::string& uidl() const { return uidl_; }
    /// Bytes received from the server so far.
    std::uint64_t size() const { return size_; }

protected:
    std::uint64_t size_ = 0;

private:
    std::string uidl_;
};

/// How a target reports progress of a batch to the state. The engine implements it over the
/// UIDL state; tests implement it to crash at chosen points.
class Ledger {
public:
    virtual ~Ledger() = default;
    /// Appends "P uidl detail" (buffered).
    virtual void pending(const std::string& uidl, const std::string& detail) = 0;
    /// Makes every record so far durable. Throws Error{Storage,Temporary}.
    virtual void sync() = 0;
    /// Appends "D uidl" (buffered; the engine syncs before any DELE).
    virtual void delivered(const std::string& uidl) = 0;
    /// The message was not delivered and the run goes on (an MDA refused it).
    virtual void failed(const std::string& uidl, const Error& error) = 0;
};

/// A delivery target. Not thread-safe.
class Target {
public:
    virtual ~Target() = default;
    /// Starts receiving a message. Throws Error{Storage,Temporary}.
    virtual std::unique_ptr<IncomingMessage> open(const std::string& uidl) = 0;
    /// Delivers finished messages durably, in order, reporting each through `ledger`: for Maildir
    /// and mbox, pending() for all, one sync(), then the messages become visible, then
    /// delivered(); for an MDA, delivered() and sync() right after each exits 0, failed() for
    /// the others. The batch is emptied. A thrown Error (Storage, Temporary: disk full, lock
    /// not obtained) means the messages not reported delivered were not delivered.
    virtual void commit(std::vector<std::unique_ptr<IncomingMessage>>& batch, Ledger& ledger) = 0;
    /// For messages: "Maildir '/home/me/Mail/work'", "mbox '/home/me/mbox'", "MDA 'procmail'".
    virtual std::string describe() const = 0;
};

/// What the targets need beyond the spec.
struct TargetSettings {
    std::string account;             ///< ZMAIL_ACCOUNT for an MDA
    std::string recipient;           ///< %T and ZMAIL_RECIPIENT for an MDA: the account's address
    std::string maildir_root;        ///< the account's Maildir root
    std::string layout = "fs";       ///< "fs" or "maildir++" (sync.layout)
    std::string spool_dir;           ///< private directory for temporary copies (mbox, MDA)
    int lock_wait_seconds = 0;       ///< how long to wait for an mbox lock
};

/// Makes the target. Creates the Maildir folder (and spool directory) when missing. Throws
/// Error{Storage} when they cannot be created, Error{Protocol} for an unsafe folder name.
std::unique_ptr<Target> make_target(const DeliverySpec& spec, const TargetSettings& settings);

/// The pending-record detail is "maildir PATH" (the final file in new/) or
/// "mbox OFFSET LENGTH SHA256 PATH" (the region appended). Says whether that delivery happened:
/// the Maildir file exists (in new/, or in cur/ with flags since added), or the mbox region has
/// that length and hash. With `repair`, an mbox that ends inside the region (a run killed while
/// appending) is truncated back to the region's start, under the mbox lock (waiting
/// `lock_wait_seconds`), but only when those bytes are provably the killed run's own: the message's
/// spool copy, kept in `spool_dir` under the region's offset and hash until the append is
/// recorded, begins with exactly them. Anything else (another program appended, no spool copy) is
/// never cut: the fragment stays and the message is fetched again.
/// Throws Error{Config} for a detail it cannot read, Error{Storage} when the file cannot be
/// read, Error{Temporary} when the mbox stays locked.
bool pending_was_delivered(const std::string& detail, bool repair, int lock_wait_seconds,
                           const std::string& spool_dir = {});
/// Removes the spool copies a killed run left in `spool_dir` (call after pending_was_delivered()
/// has settled every pending record, under the fetch lock).
void remove_spool_leftovers(const std::string& spool_dir);

}  // namespace zmail::fetch
