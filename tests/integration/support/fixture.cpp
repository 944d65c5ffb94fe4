#include "fixture.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace zmail::test {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string fixture_dir() { return ZMAIL_FIXTURE_DIR; }

std::string mailserver_script() { return std::string(ZMAIL_SOURCE_DIR) + "/tests/fixture/mailserver.py"; }

std::string unique_suffix() {
    static std::atomic<int> counter{0};
    return std::to_string(::getpid()) + "n" + std::to_string(++counter);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

int ServerEnv::port(const std::string& name) const {
    const auto it = ports.find(name);
    if (it == ports.end()) throw std::runtime_error("the fixture has no port '" + name + "'");
    return it->second;
}

const ServerEnv& server_env() {
    static const ServerEnv env = [] {
        const fs::path path = fs::path(fixture_dir()) / "env.json";
        if (!fs::exists(path))
            throw std::runtime_error(path.string() + " is missing: is the mailserver fixture running? "
                                     "(ctest starts it; by hand: tests/fixture/mailserver.py start " +
                                     fixture_dir() + ")");
        const auto j = nlohmann::json::parse(read_file(path));
        ServerEnv e;
        e.host = j.at("host");
        e.alt_host = j.at("alt_host");
        e.mismatch_host = j.at("mismatch_host");
        e.ports = j.at("ports").get<std::map<std::string, int>>();
        e.ca_file = j.at("ca_file");
        e.other_ca_file = j.at("other_ca_file");
        e.dovecot_config = j.at("dovecot_config");
        e.doveadm = j.at("doveadm").get<std::vector<std::string>>();
        e.received_dir = j.at("received_dir");
        e.aliases_dir = j.value("aliases_dir", "");
        e.mail_dir = j.value("mail_dir", "");
        e.users = j.at("users").get<std::map<std::string, std::string>>();
        e.domain = j.at("domain");
        return e;
    }();
    return env;
}

std::string password_for(const std::string& user) {
    const auto& users = server_env().users;
    if (const auto it = users.find(user); it != users.end()) return it->second;
    return user + "-secret";
}

std::string address_of(const std::string& user) { return user + "@" + server_env().domain; }

std::string create_user() {
    const std::string user = "u" + unique_suffix();
    const auto r = run_command({"/usr/bin/python3", mailserver_script(), "adduser", fixture_dir(), user,
                                password_for(user)});
    if (r.exit_code != 0) throw std::runtime_error("mailserver.py adduser " + user + " failed: " + r.err);
    return user;
}

net::ServerOptions server_options(net::Protocol protocol, net::Security security, const std::string& user) {
    const auto& env = server_env();
    const bool implicit = security == net::Security::tls;
    std::string port_name;
    switch (protocol) {
    case net::Protocol::imap: port_name = implicit ? "imaps" : "imap"; break;
    case net::Protocol::pop3: port_name = implicit ? "pop3s" : "pop3"; break;
    case net::Protocol::smtp: port_name = implicit ? "submissions" : "submission"; break;
    }
    net::ServerOptions o;
    o.protocol = protocol;
    o.host = env.host;
    o.port = env.port(port_name);
    o.security = security;
    o.ca_file = env.ca_file;
    o.user = user;
    o.secret = password_for(user);
    o.connect_timeout_seconds = 10;
    o.io_timeout_seconds = 20;
    return o;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                          const std::string& input) {
    if (argv.empty()) throw std::runtime_error("run_command: empty command");
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    for (const auto& [k, v] : environment) merged[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
    std::vector<char*> env_ptrs, arg_ptrs;
    for (auto& s : env_strings) env_ptrs.push_back(s.data());
    env_ptrs.push_back(nullptr);
    std::vector<std::string> args = argv;
    for (auto& s : args) arg_ptrs.push_back(s.data());
    arg_ptrs.push_back(nullptr);

    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::signal(SIGPIPE, SIG_DFL);
        ::execvpe(arg_ptrs[0], arg_ptrs.data(), env_ptrs.data());
        const std::string msg = "cannot run " + argv[0] + ": " + std::strerror(errno) + "\n";
        [[maybe_unused]] auto ignored = ::write(2, msg.data(), msg.size());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    set_nonblocking(in_pipe[1]);

    // Feed stdin and drain stdout/stderr together so no pipe fills up.
    CommandResult result;
    std::size_t written = 0;
    int in_fd = in_pipe[1];
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    int out_fd = out_pipe[0], err_fd = err_pipe[0];
    while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
        pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        char buffer[65536];
        for (int i = 0; i < 2; ++i) {
            int& fd = i == 0 ? out_fd : err_fd;
            if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fd);
                fd = -1;
            }
        }
        if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

std::string run_doveadm(const std::vector<std::string>& args) {
    std::vector<std::string> argv = server_env().doveadm;
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run_command(argv);
    if (r.exit_code != 0) {
        std::string joined;
        for (const auto& a : args) joined += " " + a;
        throw std::runtime_error("doveadm" + joined + " failed (" + std::to_string(r.exit_code) + "): " + r.err);
    }
    return r.out;
}

void save_message(const std::string& user, const std::string& mailbox, const std::string& bytes) {
    std::vector<std::string> argv = server_env().doveadm;
    argv.insert(argv.end(), {"save", "-u", user, "-m", mailbox});
    const auto r = run_command(argv, {}, bytes);
    if (r.exit_code != 0)
        throw std::runtime_error("doveadm save -u " + user + " -m " + mailbox + " failed: " + r.err);
}

std::vector<ReceivedMessage> received_messages() {
    std::vector<ReceivedMessage> out;
    const fs::path dir = server_env().received_dir;
    std::vector<std::string> ids;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        if (name.size() == 11 && name.ends_with(".json")) ids.push_back(name.substr(0, 6));
    }
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
        ReceivedMessage m;
        m.id = id;
        m.envelope = nlohmann::json::parse(read_file(dir / (id + ".json")));
        m.content = read_file(dir / (id + ".eml"));
        m.mail_from = m.envelope.value("mail_from", "");
        m.rcpt_tos = m.envelope.value("rcpt_tos", std::vector<std::string>{});
        if (m.envelope.contains("xclient_login") && m.envelope["xclient_login"].is_string())
            m.xclient_login = m.envelope["xclient_login"];
        out.push_back(std::move(m));
    }
    return out;
}

std::string make_scratch_dir(const std::string& label) {
    const fs::path dir = fs::path(fixture_dir()) / "scratch" / (label + "-" + unique_suffix());
    fs::create_directories(dir);
    return dir.string();
}

namespace {

const std::string& zmail_home() {
    static const std::string home = [] {
        const std::string dir = make_scratch_dir("zmail");
        fs::create_directories(fs::path(dir) / "config");
        fs::create_directories(fs::path(dir) / "state");
        return dir;
    }();
    return home;
}

}  // namespace

std::string default_zmail_config() { return zmail_home() + "/config/zmail/config.json"; }

CommandResult run_zmail(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment,
                        const std::string& input) {
    std::map<std::string, std::string> env = {
        {"ZMAIL_CONFIG", default_zmail_config()},
        {"HOME", zmail_home()},
        {"XDG_CONFIG_HOME", zmail_home() + "/config"},
        {"XDG_STATE_HOME", zmail_home() + "/state"},
        {"NO_COLOR", "1"},
    };
    for (const auto& [k, v] : environment) env[k] = v;
    std::vector<std::string> argv{ZMAIL_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, env, input);
}

}  // namespace zmail::test
