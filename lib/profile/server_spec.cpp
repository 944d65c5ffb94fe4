#include "profile/server_spec.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "profile/schema.hpp"

namespace zmail::profile {

ServerSpec parse_server_spec(const std::string& protocol, const std::string& spec) {
    ServerSpec out;
    out.server = nlohmann::json::object();
    std::string host = spec;
    const auto colon = spec.rfind(':');
    if (colon != std::string::npos && spec.find(']') == std::string::npos) {
        host = spec.substr(0, colon);
        const std::string port_text = spec.substr(colon + 1);
        const nlohmann::json port = parse_value(*find_key(protocol + ".port"), port_text);
        out.server["port"] = port;
        const int p = port.get<int>();
        if (p == 993 || p == 995 || p == 465) out.server["security"] = "tls";
        else if (p == 143 || p == 110 || p == 587 || p == 25) out.server["security"] = "starttls";
        // TRANSLATORS: a port number, then imap, pop or smtp twice
        else out.note = tr("note: port {} is not a well-known {} port; set the security with 'zmail settings set "
                           "NAME {}.security tls|starttls|none'",
                           port_text, protocol, protocol);
    }
    if (host.empty()) throw Error(ErrorKind::Usage, tr("missing host in --{} '{}'", protocol, spec));
    out.server["host"] = host;
    return out;
}

}  // namespace zmail::profile
