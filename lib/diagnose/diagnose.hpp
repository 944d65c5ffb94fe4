// `zmail settings test`: check each service of an account step by step and say what is wrong.
#pragma once

#include "error.hpp"
#include "profile/account.hpp"
#include "profile/profile.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
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
    /// What the server offers that zmail cares about, e.g. {"CONDSTORE": true, ...}; SMTP "SIZE" is a number.
    nlohmann::json offers = nlohmann::json::object();
    std::string error, error_kind, server_reply;  ///< empty when ok
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

nlohmann::json to_json(const ServiceReport& report);

}  // namespace zmail::diagnose
