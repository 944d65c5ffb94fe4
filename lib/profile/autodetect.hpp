// The account settings from the mail address alone: the address's domain for the big providers,
// else the domain's MX records (who receives its mail), else its RFC 6186 SRV records.
#pragma once

#include "error.hpp"
#include "profile/dns_lookup.hpp"
#include "profile/presets.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zmail::profile {

/// A server found in SRV records.
struct DetectedServer {
    std::string host;
    int port = 0;
    std::string security;  ///< "tls" (_imaps, _pop3s, _submissions) or "starttls"
    bool found() const { return !host.empty(); }
};

/// What autodetection found, and why.
struct Detection {
    enum class Source { None, Domain, Mx, Srv } source = Source::None;
    std::string preset;                  ///< the preset to use ("custom" for SRV); empty: nothing found
    DetectedServer imap, pop, smtp;      ///< Source::Srv only
    std::string reason;                  ///< one line, e.g. "MX mx.zoho.jp: Zoho Mail organisation ..."
    std::vector<std::string> looked_at;  ///< what was tried, for the error when nothing was found
    bool found() const { return !preset.empty(); }
};

/// "domain", "mx", "srv" or "none" (for --json).
const char* source_name(Detection::Source source);

/// The domain of `address` in lower case, without a trailing dot. Throws Error{Usage} when the
/// address has no '@' or nothing after it.
std::string address_domain(const std::string& address);

/// The preset a mail domain belongs to (gmail.com -> gmail, zoho.jp -> zoho-jp), or "".
/// Only presets in `presets` are named.
std::string domain_preset(const std::string& domain, const std::vector<Preset>& presets);

/// The preset of a domain whose mail goes to the MX host `host` (mx.zoho.jp -> zoho-org-jp,
/// aspmx.l.google.com -> gmail, *.mail.protection.outlook.com -> outlook), or "".
std::string mx_preset(const std::string& host, const std::vector<Preset>& presets);

/// Detects the settings for `address`: the domain table, then the MX records, then the SRV
/// records (_imaps, _imap, _pop3s, _pop3, _submissions, _submission). A failed lookup is not an
/// error: it is noted in `looked_at` and the next rule runs (after a lookup that got no answer
/// at all, no more are tried). Throws Error{Usage} for an address without a domain.
Detection detect_settings(const std::string& address, const std::vector<Preset>& presets, const DnsSource& dns);

/// The error for a Detection that found nothing: what was tried, and to give --preset or servers.
Error nothing_detected(const std::string& address, const Detection& detection);

/// The detection as JSON for `settings add --json`: source, preset, reason and any servers.
nlohmann::json detection_to_json(const Detection& detection);

/// The account JSON's servers for a Source::Srv detection ({"imap": {host, port, security}, ...}).
void add_detected_servers(const Detection& detection, nlohmann::json& account);

}  // namespace zmail::profile
