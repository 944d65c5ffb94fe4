#include "oauth2/session_login.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "oauth2/grant.hpp"
#include "oauth2/redirect.hpp"
#include "oauth2/session_pkce.hpp"
#include "oauth2/url.hpp"
#include "util/atomic_file.hpp"
#include "util/lock_file.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

extern char** environ;

namespace zmail::oauth2 {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

class Socket {
public:
    explicit Socket(int fd = -1) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

/// Waits for `fd` to become readable until `deadline`; false when the time is up.
bool wait_readable(int fd, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd, POLLIN, 0};
        const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) throw Error(ErrorKind::Internal, tr("poll: {}", std::strerror(errno)));
    }
}

void send_page(int fd, const char* status, const std::string& words) {
    const std::string body = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>zmail</title></head><body><p>" +
                             words + "</p></body></html>\n";
    const std::string reply = std::string("HTTP/1.1 ") + status +
                              "\r\nContent-Type: text/html; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < reply.size()) {
        const ssize_t n = ::send(fd, reply.data() + sent, reply.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the browser went away; nothing to do
        sent += static_cast<std::size_t>(n);
    }
}

/// A listening socket on 127.0.0.1 and a free port (RFC 8252 7.3).
struct Listener {
    Socket socket;
    int port = 0;

    Listener() : socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (socket.get() < 0) throw Error(ErrorKind::Internal, tr("socket: {}", std::strerror(errno)));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(socket.get(), 8) != 0 ||
            ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
            throw Error(ErrorKind::Unavailable,
                        tr("cannot listen on 127.0.0.1 for the sign-in: {}", std::strerror(errno)),
                        tr("use --device to sign in without a browser on this machine"));
        port = ntohs(address.sin_port);
    }

    /// The next request to the redirect URI that carries an answer (a code, an error or a state);
    /// other requests (a browser's /favicon.ico) get 404 and are not counted.
    /// nullopt when the deadline passes first. `answer` writes the page.
    template <class Answer>
    bool serve(Clock::time_point deadline, Answer answer) {
        while (wait_readable(socket.get(), deadline)) {
            Socket client(::accept4(socket.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (client.get() < 0) {
                ::usleep(100 * 1000);  // EMFILE and the like: do not spin
                continue;
            }
            std::string received;
            const auto request_deadline = std::min(deadline, Clock::now() + std::chrono::seconds(10));
            char buffer[4096];
            while (!redirect_request_complete(received) && received.size() < redirect_request_limit &&
                   wait_readable(client.get(), request_deadline)) {
                const ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
                if (n <= 0) break;
                received.append(buffer, static_cast<std::size_t>(n));
            }
            auto request = parse_redirect_request(received);
            if (!request || request->method != "GET" || request->path != "/" ||
                (!request->query.count("code") && !request->query.count("error") && !request->query.count("state"))) {
                send_page(client.get(), "404 Not Found", tr("Not here."));
                continue;
            }
            if (answer(client.get(), *request)) return true;
        }
        return false;
    }
};

/// xdg-open URL in the background when there is a display; its pid, or 0 when it cannot be tried.
pid_t open_in_browser(const std::string& url) {
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((!display || !*display) && (!wayland || !*wayland)) return 0;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    std::string program = "xdg-open";
    char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
    const int rc = posix_spawnp(&pid, "xdg-open", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : 0;
}

Tokens exchange(const profile::Profile& profile, const profile::Account& account, Fields fields,
                const HttpOptions& http, const std::string& doing) {
    for (auto& f : client_fields(profile, account)) fields.push_back(std::move(f));
    const HttpAnswer reply = post_form(account.oauth2.token_url, fields, http);
    const TokenAnswer answer = parse_token_answer(reply.status, reply.body);
    if (answer.error) throw grant_error(account, *answer.error, doing);
    Tokens t = tokens_from_grant(*answer.grant, {}, now_seconds());
    if (t.refresh_token.empty())
        throw Error(ErrorKind::Auth, tr("the provider signed account '{}' in without a refresh token", account.name),
                    tr("zmail could not renew the access token: check that oauth2.scope asks for offline access "
                       "(Microsoft: offline_access)"));
    return t;
}

Tokens browser_login(const profile::Profile& profile, const profile::Account& account, const LoginOptions& o) {
    if (account.oauth2.authorize_url.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no oauth2.authorize_url", account.name),
                    account.oauth2.device_url.empty() ? tr("set oauth2.authorize_url") : tr("use --device"));
    client_fields(profile, account);  // a missing client ID is said before the browser opens
    Listener listener;
    const std::string redirect_uri = "http://127.0.0.1:" + std::to_string(listener.port) + "/";
    const std::string verifier = random_url_safe(32);
    const std::string state = random_url_safe(16);
    Fields query{{"response_type", "code"},
                 {"client_id", account.oauth2.client_id},
                 {"redirect_uri", redirect_uri},
                 {"scope", account.oauth2.scope},
                 {"state", state},
                 {"code_challenge", code_challenge(verifier)},
                 {"code_challenge_method", "S256"}};
    if (!account.user.empty()) query.emplace_back("login_hint", account.user);
    for (const auto& p : account.oauth2.authorize_params) query.push_back(p);
    const std::string url = with_query(account.oauth2.authorize_url, query);
    const pid_t browser = o.open_browser ? open_in_browser(url) : 0;
    const bool opened = browser > 0;
    if (o.tell) {
        o.tell(opened ? tr("Your browser should open to sign in. If it does not, open this URL:")
                      : tr("Open this URL in a browser on this machine to sign in:"));
        o.tell(url);
        o.tell(tr("Waiting {} seconds for the sign-in...", o.timeout_seconds));
    }
    RedirectResult result;
    bool answered = listener.serve(Clock::now() + std::chrono::seconds(o.timeout_seconds),
                                   [&](int fd, const RedirectRequest& request) {
                                       result = read_redirect(request, state);
                                       if (!result.state_matches)
                                           send_page(fd, "400 Bad Request",
                                                     tr("This sign-in is not the one zmail is waiting for. Nothing "
                                                        "was stored."));
                                       else if (!result.error.empty())
                                           send_page(fd, "200 OK", tr("The sign-in was refused. Nothing was stored."));
                                       else
                                           send_page(fd, "200 OK", tr("zmail is signed in. You can close this page."));
                                       return true;
                                   });
    if (browser > 0) ::waitpid(browser, nullptr, WNOHANG);  // xdg-open has usually handed over by now
    if (!answered)
        throw Error(ErrorKind::Temporary, tr("no sign-in arrived within {} seconds", o.timeout_seconds),
                    tr("run '{}' again (--timeout SECONDS to wait longer), or with --device to sign in from another "
                       "machine",
                       login_command(account)));
    if (!result.state_matches)
        throw Error(ErrorKind::Auth,
                    tr("the sign-in answer that arrived is not for this login (its state does not match)"),
                    tr("nothing was stored; run '{}' again and use the URL it prints; another program may be "
                       "answering on this machine",
                       login_command(account)));
    if (!result.error.empty())
        throw Error(ErrorKind::Auth, tr("the provider did not sign account '{}' in", account.name),
                    tr("run '{}' again and accept the request", login_command(account)),
                    result.error + (result.description.empty() ? "" : ": " + result.description));
    if (result.code.empty())
        throw Error(ErrorKind::Protocol, tr("the sign-in answer carried no authorization code"),
                    tr("run '{}' again", login_command(account)));
    return exchange(profile, account,
                    {{"grant_type", "authorization_code"},
                     {"code", result.code},
                     {"redirect_uri", redirect_uri},
                     {"code_verifier", verifier}},
                    o.http, N_("exchanging the authorization code"));
}

Tokens device_login(const profile::Profile& profile, const profile::Account& account, const LoginOptions& o) {
    if (account.oauth2.device_url.empty())
        throw Error(ErrorKind::Config, tr("account '{}' has no oauth2.device_url", account.name),
                    tr("sign in with a browser (without --device), or set oauth2.device_url"));
    Fields fields = client_fields(profile, account);
    Fields request{{"client_id", account.oauth2.client_id}, {"scope", account.oauth2.scope}};
    for (const auto& f : fields)
        if (f.first == "client_secret") request.push_back(f);
    const HttpAnswer reply = post_form(account.oauth2.device_url, request, o.http);
    GrantError refused;
    auto device = parse_device_answer(reply.status, reply.body, refused);
    if (!device) throw grant_error(account, refused, N_("asking for a device code"));
    if (o.tell) {
        // TRANSLATORS: the first {} is a URL, the second a short code the user types there
        o.tell(tr("To sign in, open {} on any device and enter the code {}", device->verification_uri,
                  device->user_code));
        o.tell(tr("Waiting {} seconds for the sign-in...", device->expires_in));
    }
    const auto expires = Clock::now() + std::chrono::seconds(device->expires_in);
    std::int64_t interval = device->interval;
    for (;;) {
        if (Clock::now() + std::chrono::seconds(interval) > expires) break;
        std::this_thread::sleep_for(std::chrono::seconds(interval));
        Fields poll{{"grant_type", "urn:ietf:params:oauth:grant-type:device_code"},
                    {"device_code", device->device_code}};
        for (const auto& f : fields) poll.push_back(f);
        HttpAnswer answer_reply;
        try {
            answer_reply = post_form(account.oauth2.token_url, poll, o.http);
        } catch (const Error& e) {
            if (e.kind != ErrorKind::Network && e.kind != ErrorKind::Temporary) throw;
            interval = std::min<std::int64_t>(interval * 2, 60);  // RFC 8628 3.5: back off, keep going
            continue;
        }
        const TokenAnswer answer = parse_token_answer(answer_reply.status, answer_reply.body);
        if (answer.grant) {
            Tokens t = tokens_from_grant(*answer.grant, {}, now_seconds());
            if (t.refresh_token.empty())
                throw Error(ErrorKind::Auth,
                            tr("the provider signed account '{}' in without a refresh token", account.name),
                            tr("check that oauth2.scope asks for offline access (Microsoft: offline_access)"));
            return t;
        }
        const std::string& error = answer.error->error;
        if (error == "authorization_pending") continue;
        if (error == "slow_down") {
            interval += 5;  // RFC 8628 3.5
            continue;
        }
        if (error == "access_denied")
            throw Error(ErrorKind::Auth, tr("the sign-in of account '{}' was declined", account.name),
                        tr("run '{} --device' again and accept the request", login_command(account)),
                        error + (answer.error->description.empty() ? "" : ": " + answer.error->description));
        if (error == "expired_token") break;
        throw grant_error(account, *answer.error, N_("waiting for the device sign-in"));
    }
    throw Error(ErrorKind::Temporary, tr("the device code expired before the sign-in finished"),
                tr("run '{} --device' again and enter the new code in time", login_command(account)));
}

}  // namespace

LoginResult login(const profile::Profile& profile, const profile::Account& account, const LoginOptions& options) {
    if (!account.oauth2.configured())
        throw Error(ErrorKind::Config, tr("account '{}' has no OAuth2 token endpoint", account.name),
                    tr("use a preset that has one (outlook, gmail), or set oauth2.token_url and oauth2.authorize_url"));
    TokenStore store(account);
    Tokens tokens = options.device ? device_login(profile, account, options) : browser_login(profile, account, options);
    util::make_directories(account.state_dir);
    util::LockFile lock(account.state_dir + "/oauth2.lock", "zmail OAuth2 token refresh", 60);  // not mid-refresh
    store.save(tokens);
    return {tokens, store.describe()};
}

}  // namespace zmail::oauth2
