#include "imap/session_account.hpp"

#include "net/account_options.hpp"

#include <memory>

namespace zmail::imap {

AccountSession open_account_session(const profile::Profile& profile, const profile::Account& account,
                                    const AccountSessionOptions& options) {
    net::ServerOptions server = net::account_server_options(profile, account, net::Protocol::imap);
    // lib/net traces the login; after it the session traces the protocol itself (summarising
    // message bodies), so the connection's raw trace stops there to avoid every line twice.
    auto logged_in = std::make_shared<bool>(false);
    if (options.trace)
        server.trace = [trace = options.trace, logged_in](std::string_view line) {
            if (!*logged_in) trace(line);
        };
    server.warning = options.warning;
    int io_timeout = server.io_timeout_seconds;
    AccountSession s;
    s.connection = std::make_unique<net::Connection>(std::move(server));
    *logged_in = true;
    SessionOptions session_options;
    session_options.trace = options.trace;
    session_options.send_id = account.imap_id;
    session_options.enable_condstore = options.enable_condstore;
    session_options.enable_qresync = options.enable_qresync;
    // RFC 6855: folder names as UTF-8, and messages with UTF-8 headers as they are (Courier)
    session_options.enable_utf8 = true;
    session_options.ask_namespace = true;
    // RFC 4978: worth it over a network, not on this machine (auto), or as the account says
    const bool loopback = s.connection->report().loopback();
    session_options.compress = account.imap_compress == "always" || (account.imap_compress == "auto" && !loopback);
    if (s.connection->report().capabilities_after_login && s.connection->report().capabilities.size() == 1)
        session_options.capabilities = Capabilities::announced(s.connection->report().capabilities.front());
    net::Connection* connection = s.connection.get();
    session_options.set_io_timeout = [connection](std::chrono::seconds t) { connection->set_io_timeout(t); };
    session_options.io_timeout = std::chrono::seconds(io_timeout);
    s.session = std::make_unique<Session>(*s.connection, std::move(session_options));
    s.session->start();
    return s;
}

}  // namespace zmail::imap
