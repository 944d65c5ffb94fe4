// `zmail settings test`: check each service of an account step by step and say what is wrong.
#pragma once

#include "error.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace zmail::diagnose {

/// One step of one service: resolve, connect, tls, login, capabilities.
struct Step {
    std::string name;
    bool ok = false;
    double milliseconds = 0;
    std::string detail;  ///< what was found ("127.0.0.1", "TLSv1.3 TLS_AES_256_GCM_SHA384", ...)
};

/// The result for one service (imap, pop3, smtp).
struct ServiceReport {
    std::string service;
    std::string endpoint;  ///< host:port (security)
    std::vector<Step> steps;
    bool ok = false;
    /// What the server offers that zmail cares about, by capability name, e.g. {"CONDSTORE": true, ...};
    /// SMTP "SIZE" is a number. to_json() names them in snake_case (condstore, special_use).
    nlohmann::json offers = nlohmann::json::object();
    std::string error, server_reply;              ///< empty when ok
    ErrorKind kind = ErrorKind::Internal;         ///< the failure's kind when not ok (for the exit code)
    std::vector<std::string> hints;               ///< likely cause and fix, most likely first
};

/// The services `account` has configured, in the order they are tested (imap, pop3, smtp).
std::vector<std::string> configured_services(const profile::Account& account);

/// Tests one service ("imap", "pop3" or "smtp") of `account`. `progress` (may be empty) is called
/// as each step ends. Never throws for a failing server: the report says what failed.
ServiceReport test_service(const profile::Profile& profile, const profile::Account& account,
                           const std::string& service,
                           const std::function<void(const ServiceReport&, const Step&)>& progress,
                           int timeout_seconds = 15);

/// Tests every configured service of `account`. `progress` (may be empty) is called as each step
/// ends, for a live display. Never throws for a failing server; throws Error{Config} only when the
/// account itself cannot be used (no password source and no server at all).
std::vector<ServiceReport> test_account(const profile::Profile& profile, const profile::Account& account,
                                        const std::function<void(const ServiceReport&, const Step&)>& progress,
                                        int timeout_seconds = 15);

/// The report for --json: service, endpoint, ok, steps, offers (snake_case names), hints. The
/// failure is the caller's to add, as the one JSON error object of the command line.
nlohmann::json to_json(const ServiceReport& report);

/// The --json field of a capability the report names: "CONDSTORE" -> "condstore", "SPECIAL-USE"
/// -> "special_use", "LITERAL+" -> "literal_plus", "8BITMIME" -> "eight_bit_mime".
std::string offer_field(std::string_view capability);

}  // namespace zmail::diagnose
