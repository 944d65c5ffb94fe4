#include "net/connection.hpp"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "error.hpp"
#include "i18n.hpp"
#include "net/connection_errors.hpp"
#include "net/login_transcript.hpp"
#include "net/redact.hpp"
#include "text/base64.hpp"

namespace zmail::net {

namespace {

/// A raw line longer than this without a line ending is traced in pieces (message bodies).
constexpr std::size_t trace_line_limit = 4096;

const char* scheme(Protocol protocol, Security security) {
    const bool implicit = security == Security::tls;
    switch (protocol) {
    case Protocol::imap: return implicit ? "imaps" : "imap";
    case Protocol::pop3: return implicit ? "pop3s" : "pop3";
    case Protocol::smtp: return implicit ? "smtps" : "smtp";
    }
    return "imaps";
}

const char* login_options(Mechanism mechanism) {
    switch (mechanism) {
    case Mechanism::plain: return "AUTH=PLAIN";
    case Mechanism::login: return "AUTH=LOGIN";
    case Mechanism::xoauth2: return "AUTH=XOAUTH2";
    case Mechanism::oauthbearer: return "AUTH=OAUTHBEARER";
    }
    return "AUTH=PLAIN";
}

bool uses_token(Mechanism mechanism) { return mechanism == Mechanism::xoauth2 || mechanism == Mechanism::oauthbearer; }

bool valid_host(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == ':' || c == '_';
        if (!ok) return false;
    }
    return true;
}

bool valid_ehlo_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-';
        if (!ok) return false;
    }
    return true;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

/// curl_global_init, once per process: a function-local static, so concurrent first connections
/// wait for the one that initialises.
void global_init() {
    static const CURLcode initialised = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (initialised != CURLE_OK)
        throw Error(ErrorKind::Internal, tr("cannot initialise libcurl (error {})", static_cast<int>(initialised)));
}

std::chrono::microseconds time_info(CURL* curl, CURLINFO info) {
    curl_off_t value = 0;
    curl_easy_getinfo(curl, info, &value);
    return std::chrono::microseconds(value);
}

void check_options(ServerOptions& o) {
    if (o.host.empty())
        throw Error(ErrorKind::Config, tr("no server host given"), tr("set the host of the account"));
    if (!valid_host(o.host)) throw Error(ErrorKind::Config, tr("invalid server host '{}'", o.host));
    if (o.port == 0) o.port = default_port(o.protocol, o.security);
    if (o.port < 1 || o.port > 65535)
        throw Error(ErrorKind::Config, tr("invalid port {} for '{}'", o.port, o.host));
    const std::string where = o.host + ":" + std::to_string(o.port);
    if (o.security == Security::none && !o.allow_plaintext) {
        throw Error(ErrorKind::Config, tr("refusing to connect to '{}' without TLS", where),
                    tr("use security tls or starttls; to send the password unencrypted anyway, set {} to true",
                       allow_plaintext_key(o.protocol)));
    }
    if (o.user.empty()) throw Error(ErrorKind::Config, tr("no user name given for '{}'", where));
    if (o.secret.empty() && uses_token(o.mechanism))
        // TRANSLATORS: the first {} is the user name, the second the server (host:port)
        throw Error(ErrorKind::Config, tr("no access token given for '{}' at '{}'", o.user, where));
    if (o.secret.empty())
        // TRANSLATORS: the first {} is the user name, the second the server (host:port)
        throw Error(ErrorKind::Config, tr("no password given for '{}' at '{}'", o.user, where));
    if (has_line_break(o.user) || has_line_break(o.secret))
        throw Error(ErrorKind::Config, tr("the user name or password for '{}' contains a line break", where));
    if (o.protocol == Protocol::smtp && !valid_ehlo_name(o.ehlo_name))
        throw Error(ErrorKind::Config, tr("invalid EHLO name '{}'", o.ehlo_name), tr("use a plain host name"));
    if (!o.ca_file.empty()) {
        if (std::FILE* f = std::fopen(o.ca_file.c_str(), "r"))
            std::fclose(f);
        else
            throw Error(ErrorKind::Config, tr("cannot read CA file '{}': {}", o.ca_file, std::strerror(errno)));
    }
    if (o.connect_timeout_seconds <= 0) o.connect_timeout_seconds = 30;
    if (o.io_timeout_seconds <= 0) o.io_timeout_seconds = 120;
}

}  // namespace

struct Connection::State {
    ServerOptions options;
    CURL* curl = nullptr;
    char errbuf[CURL_ERROR_SIZE] = {};
    Redactor redactor;
    LoginTranscript transcript;
    LoginReport report;
    std::vector<std::string> secrets;  // forms of the secret a trace must never show
    std::string client_partial;        // raw traffic not yet traced (no line ending yet)
    std::string server_partial;
    int io_timeout_seconds = 120;
    bool logged_in = false;
    // Our own clock for the steps: libcurl 7.88.1 moves CONNECT_TIME to the end of STARTTLS.
    std::chrono::steady_clock::time_point started;
    std::chrono::microseconds connected_after{0};
    std::chrono::microseconds tls_after{0};

    explicit State(ServerOptions o) : options(std::move(o)), transcript(options.protocol) {}
    ~State() {
        if (curl) curl_easy_cleanup(curl);
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    std::string peer() const {
        const bool ipv6 = options.host.find(':') != std::string::npos;
        return (ipv6 ? "[" + options.host + "]" : options.host) + ":" + std::to_string(options.port);
    }

    void trace(std::string_view prefix, std::string_view line) {
        if (!options.trace) return;
        std::string out(prefix);
        out += scrub_secrets(line, secrets);
        options.trace(out);
    }

    void warn(std::string_view message) {
        if (options.warning) options.warning(message);
        if (options.trace) options.trace(std::string("* zmail warning: ") + std::string(message));
        if (!options.warning && !options.trace)
            std::fputs((tr("zmail: warning: {}", message) + "\n").c_str(), stderr);
    }

    std::chrono::microseconds since_start() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    }

    /// libcurl says "SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384" after every handshake,
    /// STARTTLS included (where CURLINFO_TLS_SSL_PTR finds no SSL object in 7.88.1).
    void note_tls_parameters(std::string_view line) {
        static constexpr std::string_view marker = "SSL connection using ";
        if (!line.starts_with(marker)) return;
        line.remove_prefix(marker.size());
        const std::size_t slash = line.find(" / ");
        tls_after = since_start();
        report.tls_version = std::string(line.substr(0, slash));
        report.tls_cipher = slash == std::string_view::npos ? "" : std::string(line.substr(slash + 3));
    }

    /// One line from libcurl's debug callback.
    void debug_line(curl_infotype type, std::string_view line) {
        switch (type) {
        case CURLINFO_TEXT:
            if (logged_in && line.starts_with("reached ")) return;  // noise libcurl logs on every recv
            transcript.text(line);
            if (line.starts_with("Connected to ") && connected_after.count() == 0) connected_after = since_start();
            note_tls_parameters(line);
            trace("* ", redact_bearer_tokens(line));
            break;
        case CURLINFO_HEADER_IN:
            transcript.server(line);
            trace("S: ", redactor.server_line(line));
            break;
        case CURLINFO_HEADER_OUT:
            transcript.client(line);
            trace("C: ", redactor.client_line(line));
            break;
        default: break;  // TLS records and transfer data: nothing for a connect-only handle
        }
    }

    /// Raw traffic over write/read_some, traced line by line.
    void trace_raw(std::string& partial, std::string_view bytes, bool from_client) {
        if (!options.trace) return;
        partial.append(bytes);
        std::size_t start = 0;
        for (;;) {
            const std::size_t nl = partial.find('\n', start);
            std::size_t end = nl;
            if (nl == std::string::npos) {
                if (partial.size() - start < trace_line_limit) break;
                end = start + trace_line_limit;
            }
            std::string_view line(partial.data() + start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (from_client)
                trace("C: ", redactor.client_line(line));
            else
                trace("S: ", redactor.server_line(line));
            start = nl == std::string::npos ? end : nl + 1;
        }
        partial.erase(0, start);
    }

    curl_socket_t socket() {
        curl_socket_t fd = CURL_SOCKET_BAD;
        if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK || fd == CURL_SOCKET_BAD)
            throw Error(ErrorKind::Network, tr("connection to '{}' is closed", peer()));
        return fd;
    }

    /// Waits until the socket is readable (or writable); Temporary error after the I/O timeout.
    void wait(short events, std::chrono::steady_clock::time_point deadline) {
        const curl_socket_t fd = socket();
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                throw Error(ErrorKind::Temporary,
                            events == POLLIN
                                ? tr("no reply from '{}' within {} seconds", peer(), io_timeout_seconds)
                                : tr("no progress sending to '{}' within {} seconds", peer(), io_timeout_seconds),
                            tr("the server or the network may be slow; try again later"));
            }
            pollfd p{fd, events, 0};
            const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000 * 60)));
            if (rc > 0) return;
            if (rc < 0 && errno != EINTR)
                throw Error(ErrorKind::Network, tr("cannot wait for '{}': {}", peer(), std::strerror(errno)));
        }
    }

    /// CURLOPT_DEBUGFUNCTION: split what libcurl reports into lines.
    static int debug_callback(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
        auto* state = static_cast<State*>(userp);
        std::string_view text(data, size);
        try {
            while (!text.empty()) {
                const std::size_t nl = text.find('\n');
                std::string_view line = text.substr(0, nl);
                text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                state->debug_line(type, line);
            }
        } catch (...) {
            // A throwing trace sink must not unwind through libcurl; the line is lost.
        }
        return 0;
    }

    std::chrono::steady_clock::time_point deadline() const {
        return std::chrono::steady_clock::now() + std::chrono::seconds(io_timeout_seconds);
    }

    template <typename T>
    void set(CURLoption option, T value) {
        if (const CURLcode rc = curl_easy_setopt(curl, option, value); rc != CURLE_OK)
            throw Error(ErrorKind::Internal, tr("cannot set up libcurl: {}", curl_easy_strerror(rc)));
    }

    // The steps of the login, in order (see Connection::Connection).
    void open_handle();
    void set_connection_options();
    void set_tls_options();
    void set_login_options();
    void log_in();
    void record_report();
    [[noreturn]] void fail(const FailedLogin& failed);
};

/// A libcurl handle, and the forms of the secret the trace must hide.
void Connection::State::open_handle() {
    const ServerOptions& o = options;
    io_timeout_seconds = o.io_timeout_seconds;
    secrets = {o.secret, text::base64_encode(o.secret),
               text::base64_encode(std::string(1, '\0') + o.user + '\0' + o.secret),
               text::base64_encode("user=" + o.user + "\x01" + "auth=Bearer " + o.secret + "\x01\x01")};
    curl = curl_easy_init();
    if (!curl) throw Error(ErrorKind::Internal, tr("cannot create a libcurl handle"));
}

/// Where to connect and how long to wait. libcurl resolves the name, applies the proxy the
/// environment names (all_proxy, imaps_proxy, ..., unless no_proxy lists the host) and tries
/// the addresses with happy eyeballs.
void Connection::State::set_connection_options() {
    const ServerOptions& o = options;
    std::string url = std::string(scheme(o.protocol, o.security)) + "://" + peer() + "/";
    if (o.protocol == Protocol::smtp) url += o.ehlo_name;
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "imap,imaps,pop3,pop3s,smtp,smtps");
    set(CURLOPT_CONNECT_ONLY, 1L);
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ERRORBUFFER, errbuf);
    set(CURLOPT_VERBOSE, 1L);  // the debug callback records the greeting and the server's replies
    set(CURLOPT_DEBUGFUNCTION, &State::debug_callback);
    set(CURLOPT_DEBUGDATA, this);
    set(CURLOPT_CONNECTTIMEOUT, static_cast<long>(o.connect_timeout_seconds));
    set(CURLOPT_SERVER_RESPONSE_TIMEOUT, static_cast<long>(o.io_timeout_seconds));
    set(CURLOPT_TIMEOUT, static_cast<long>(o.connect_timeout_seconds + 4 * o.io_timeout_seconds));
    set(CURLOPT_TCP_KEEPALIVE, 1L);
}

/// STARTTLS or implicit TLS, at least TLS 1.2, the CA to trust and whether to verify at all.
void Connection::State::set_tls_options() {
    const ServerOptions& o = options;
    if (o.security == Security::starttls) set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!o.ca_file.empty()) {
        set(CURLOPT_CAINFO, o.ca_file.c_str());
        set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
    }
    if (!o.tls_verify) {
        set(CURLOPT_SSL_VERIFYPEER, 0L);
        set(CURLOPT_SSL_VERIFYHOST, 0L);
        if (o.security != Security::none)
            warn(tr("TLS certificate verification is off for '{}': anyone on the network path can read and "
                    "change this connection, password included",
                    peer()));
    }
}

/// The user, the secret and the pinned SASL mechanism.
void Connection::State::set_login_options() {
    const ServerOptions& o = options;
    set(CURLOPT_USERNAME, o.user.c_str());
    if (uses_token(o.mechanism))
        set(CURLOPT_XOAUTH2_BEARER, o.secret.c_str());
    else
        set(CURLOPT_PASSWORD, o.secret.c_str());
    set(CURLOPT_LOGIN_OPTIONS, login_options(o.mechanism));
    set(CURLOPT_SASL_IR, 1L);  // initial response with the AUTH command: one round trip less
}

/// Connects and logs in; throws LoginFailure when that fails.
void Connection::State::log_in() {
    started = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(curl);
    record_report();
    if (rc != CURLE_OK) {
        long verify_result = 0;
        curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &verify_result);
        fail(FailedLogin{options, peer(), static_cast<int>(rc), curl_easy_strerror(rc), errbuf, verify_result,
                         transcript, report.timings.connect.count() > 0});
    }
    if (!transcript.login_attempted()) {
        // libcurl skips SMTP AUTH silently when the server offers none: never go on unauthenticated.
        fail(FailedLogin{options, peer(), static_cast<int>(CURLE_LOGIN_DENIED), "", "", 0, transcript, true});
    }
    logged_in = true;
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 0L);  // the login deadline must not limit the session
    if (!options.trace) curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
}

/// What the login showed: timings, the address, the proxy, the server's lines.
void Connection::State::record_report() {
    report.timings = {time_info(curl, CURLINFO_NAMELOOKUP_TIME_T),
                      connected_after.count() > 0 ? connected_after : time_info(curl, CURLINFO_CONNECT_TIME_T),
                      tls_after, since_start()};
    char* address = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_PRIMARY_IP, &address) == CURLE_OK && address) report.address = address;
    report.proxy = transcript.proxy();
    report.greeting = transcript.greeting();
    report.capabilities = transcript.capabilities();
    report.capabilities_after_login = transcript.capabilities_after_login();
    report.login_reply = transcript.login_reply();
}

void Connection::State::fail(const FailedLogin& failed) {
    throw LoginFailure(login_error(failed), login_step(failed), report);  // ~State closes the handle
}

Connection::Connection(ServerOptions options) {
    check_options(options);
    global_init();
    bool switched = false, renewed = false;
    for (;;) {
        state_ = std::make_unique<State>(options);
        state_->open_handle();
        state_->set_connection_options();
        state_->set_tls_options();
        state_->set_login_options();
        try {
            state_->log_in();
            return;
        } catch (const LoginFailure& failure) {
            if (failure.kind != ErrorKind::Auth) throw;
            const LoginTranscript& t = state_->transcript;
            if (uses_token(options.mechanism) && !t.login_attempted() && !switched) {
                // XOAUTH2 and OAUTHBEARER carry the same token: use the one the server offers
                const Mechanism other =
                    options.mechanism == Mechanism::xoauth2 ? Mechanism::oauthbearer : Mechanism::xoauth2;
                const auto offered = offered_mechanisms(t);
                const std::string name = other == Mechanism::xoauth2 ? "XOAUTH2" : "OAUTHBEARER";
                if (std::find(offered.begin(), offered.end(), name) == offered.end()) throw;
                state_->trace("* ", "zmail: the server offers " + name + ", not " +
                                        (other == Mechanism::xoauth2 ? "OAUTHBEARER" : "XOAUTH2") + "; using it");
                options.mechanism = other;
                switched = true;
                continue;
            }
            if (!options.renew_secret || !t.login_attempted() || renewed) throw;
            state_->trace("* ", "zmail: the server refused the access token; renewing it once");
            options.secret = options.renew_secret(options.secret);
            renewed = true;
        }
    }
}

Connection::~Connection() = default;
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;

void Connection::write(std::string_view bytes) {
    State& s = *state_;
    s.trace_raw(s.client_partial, bytes, true);
    const auto deadline = s.deadline();
    while (!bytes.empty()) {
        std::size_t sent = 0;
        const CURLcode rc = curl_easy_send(s.curl, bytes.data(), bytes.size(), &sent);
        if (rc == CURLE_OK) {
            bytes.remove_prefix(sent);
        } else if (rc == CURLE_AGAIN) {
            s.wait(POLLOUT, deadline);
        } else {
            throw Error(ErrorKind::Network, tr("cannot send to '{}': {}", s.peer(), curl_easy_strerror(rc)),
                        tr("the connection was lost; try again"));
        }
    }
}

std::size_t Connection::read_some(char* buffer, std::size_t size) {
    State& s = *state_;
    if (size == 0) return 0;
    const auto deadline = s.deadline();
    for (;;) {
        std::size_t received = 0;
        const CURLcode rc = curl_easy_recv(s.curl, buffer, size, &received);
        if (rc == CURLE_OK) {
            if (received == 0)
                throw Error(ErrorKind::Network, tr("'{}' closed the connection", s.peer()),
                            tr("the server may have timed out the session; try again"));
            s.trace_raw(s.server_partial, std::string_view(buffer, received), false);
            return received;
        }
        if (rc != CURLE_AGAIN)
            throw Error(ErrorKind::Network, tr("cannot read from '{}': {}", s.peer(), curl_easy_strerror(rc)),
                        tr("the connection was lost; try again"));
        // Nothing buffered (libcurl drains TLS records first): wait for the socket.
        s.wait(POLLIN, deadline);
    }
}

std::string Connection::peer() const { return state_->peer(); }

const LoginReport& Connection::report() const { return state_->report; }

void Connection::set_io_timeout(std::chrono::seconds timeout) {
    state_->io_timeout_seconds = timeout.count() > 0 ? static_cast<int>(timeout.count()) : 1;
}

}  // namespace zmail::net
