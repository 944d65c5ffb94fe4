#include "profile/credentials.hpp"

#include "error.hpp"
#include "i18n.hpp"
#include "util/atomic_file.hpp"
#include "util/no_core_dumps.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

namespace zmail::profile {

namespace {

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// The key that holds the command `what` names. `what` is English (N_ marks it; shown translated).
const char* command_key(const std::string& what) {
    if (what == N_("password command")) return "password.command";
    if (what == N_("OAuth2 client secret command")) return "oauth2.client_secret_command";
    if (what == N_("OAuth2 load command")) return "oauth2.load_command";
    return "oauth2.token_command";  // "OAuth2 token command"
}

std::string run_secret_command(const std::string& command, const std::string& what, const std::string& account) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        // TRANSLATORS: the first {} is a command's role, e.g. "password command"; the second the account
        throw Error(ErrorKind::Config, tr("cannot run the {} of account '{}'", translate(what.c_str()), account));
    std::string output;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    int status = ::pclose(pipe);
    if (status != 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        throw Error(ErrorKind::Config,
                    // TRANSLATORS: a command's role, e.g. "password command"; then the account, the exit status
                    tr("the {} of account '{}' failed (exit {})", translate(what.c_str()), account, code),
                    tr("run the command by hand to see why: zmail settings get {} {}", account, command_key(what)));
    }
    std::string secret = first_line(output);
    if (secret.empty())
        // TRANSLATORS: the first {} is a command's role, e.g. "password command"; the second the account
        throw Error(ErrorKind::Config, tr("the {} of account '{}' printed nothing", translate(what.c_str()), account));
    return secret;
}

std::string from_environment(const std::string& variable, const std::string& account, const char* key) {
    const char* value = std::getenv(variable.c_str());
    if (!value || !*value)
        throw Error(ErrorKind::Config, tr("environment variable '{}' for account '{}' is not set", variable, account),
                    tr("export it before running zmail, or change {}", key));
    return value;
}

std::vector<std::string> netrc_tokens(std::string_view text) {
    std::vector<std::string> tokens;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i >= text.size()) break;
        if (text[i] == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        std::string token;
        if (text[i] == '"') {
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) ++i;
                token += text[i++];
            }
            ++i;
        } else {
            while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) token += text[i++];
        }
        tokens.push_back(token);
    }
    return tokens;
}

}  // namespace

std::string run_command_for_secret(const std::string& command, const std::string& what, const std::string& account) {
    return run_secret_command(command, what, account);
}

std::string password_file_for(const std::string& config_path, const std::string& account) {
    return util::parent_directory(config_path) + "/passwords/" + account;
}

void write_password_file(const std::string& path, std::string_view secret) {
    util::no_core_dumps();
    util::make_directories(util::parent_directory(path), 0700);
    std::string content(secret);
    content += '\n';
    util::write_file_atomically(path, content, 0600);
    std::fill(content.begin(), content.end(), '\0');
}

std::string netrc_lookup(std::string_view netrc_text, const std::string& host, const std::string& user) {
    auto tokens = netrc_tokens(netrc_text);
    std::string fallback;
    for (size_t i = 0; i < tokens.size(); ++i) {
        bool is_default = tokens[i] == "default";
        if (tokens[i] != "machine" && !is_default) continue;
        std::string machine = is_default ? "" : (i + 1 < tokens.size() ? tokens[i + 1] : "");
        std::string login, password;
        size_t j = i + (is_default ? 1 : 2);
        for (; j + 1 < tokens.size() && tokens[j] != "machine" && tokens[j] != "default"; j += 2) {
            if (tokens[j] == "login") login = tokens[j + 1];
            else if (tokens[j] == "password") password = tokens[j + 1];
            else if (tokens[j] == "macdef") break;
        }
        bool user_fits = login.empty() || login == user;
        if (!is_default && machine == host && user_fits && !password.empty()) return password;
        if (is_default && user_fits && fallback.empty()) fallback = password;
        i = j - 1;
    }
    return fallback;
}

std::string obtain_client_secret(const Profile& profile, const Account& account) {
    util::no_core_dumps();
    using Kind = CredentialSource::Kind;
    const auto& source = account.oauth2.client_secret;
    switch (source.kind) {
    case Kind::Command: return run_secret_command(source.value, N_("OAuth2 client secret command"), account.name);
    case Kind::Environment: return from_environment(source.value, account.name, "oauth2.client_secret_env");
    case Kind::Plain: return profile.stored(account.name, "oauth2.client_secret")->get<std::string>();
    default: return {};
    }
}

void run_with_input(const std::string& command, std::string_view input, const std::string& what) {
    FILE* pipe = ::popen(command.c_str(), "w");
    // TRANSLATORS: {} is the command's role, e.g. "OAuth2 save command of account 'work'"
    if (!pipe) throw Error(ErrorKind::Storage, tr("cannot run the {}", translate(what.c_str())));
    std::fwrite(input.data(), 1, input.size(), pipe);
    std::fputc('\n', pipe);
    int status = ::pclose(pipe);
    if (status != 0) {
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        // TRANSLATORS: the first {} is the command's role, e.g. "OAuth2 save command of account 'work'"
        throw Error(ErrorKind::Storage, tr("the {} failed (exit {})", translate(what.c_str()), code),
                    tr("run the command by hand to see why"));
    }
}

std::string obtain_secret(const Profile& profile, const Account& account, const std::string& host) {
    util::no_core_dumps();  // before the secret is in memory
    using Kind = CredentialSource::Kind;
    const auto& source = account.credentials;
    switch (source.kind) {
    case Kind::Command: return run_secret_command(source.value, N_("password command"), account.name);
    case Kind::OAuth2Command: return run_secret_command(source.value, N_("OAuth2 token command"), account.name);
    case Kind::Environment: return from_environment(source.value, account.name, "password.env");
    case Kind::Netrc: {
        const char* env = std::getenv("NETRC");
        std::string path = env && *env ? env : util::expand_home("~/.netrc");
        std::string text;
        util::read_file(path, text, true);
        std::string password = netrc_lookup(text, host, account.user);
        if (password.empty())
            throw Error(ErrorKind::Config, tr("no password for '{}' in '{}'", host, path),
                        tr("add a line: machine {} login {} password ...", host, account.user));
        return password;
    }
    case Kind::File: {
        struct stat st {};
        if (::stat(source.value.c_str(), &st) != 0 && errno == ENOENT)
            throw Error(ErrorKind::Config,
                        tr("password file '{}' of account '{}' does not exist", source.value, account.name),
                        tr("create it (chmod 600), or change password.file"));
        if (st.st_mode & 077)
            throw Error(ErrorKind::Permission,
                        tr("refusing to read password file '{}': others can read it", source.value),
                        tr("run 'chmod 600 {}'", source.value));
        std::string text;
        util::read_file(source.value, text);
        std::string secret = first_line(text);
        if (secret.empty()) throw Error(ErrorKind::Config, tr("password file '{}' is empty", source.value));
        return secret;
    }
    case Kind::Plain: return profile.stored(account.name, "password.plain")->get<std::string>();
    case Kind::OAuth2Tokens:
        throw Error(ErrorKind::Internal, tr("the OAuth2 tokens of account '{}' come from lib/oauth2", account.name));
    case Kind::None: break;
    }
    throw Error(ErrorKind::Config, tr("account '{}' has no password source", account.name),
                tr("set one, e.g. zmail settings set {} password.command 'pass show mail/{}'", account.name,
                   account.name));
}

}  // namespace zmail::profile
