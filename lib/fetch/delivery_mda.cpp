// Delivery through a mail delivery agent (procmail, maildrop, a script): /bin/sh -c COMMAND with
// the message on standard input (LF line ends, seekable), %F and %T in COMMAND replaced by the
// envelope sender and recipient (quoted), ZMAIL_ACCOUNT, ZMAIL_UIDL, ZMAIL_SENDER and
// ZMAIL_RECIPIENT in the environment. Exit status 0 means delivered; anything else leaves the message on the server.
// What the MDA does with the message cannot be checked afterwards, so a crash between its exit
// and the state record means the message is delivered again next time (a duplicate, never a loss).
#include "fetch/spool.hpp"

#include "fetch/mda_command.hpp"
#include "i18n.hpp"
#include "maildir/maildir.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace zmail::fetch {

namespace {

class MdaMessage final : public IncomingMessage {
public:
    MdaMessage(const std::string& spool_dir, std::string uidl) : IncomingMessage(std::move(uidl)), spool_(spool_dir) {}

    void write(std::string_view chunk) override {
        size_ += chunk.size();
        converted_.clear();
        converter_.convert(chunk, converted_);
        spool_.append(converted_);
    }

    void finish() override {
        converted_.clear();
        converter_.finish(converted_);
        spool_.append(converted_);
        spool_.flush();
    }

    const SpoolFile& spool() const { return spool_; }

private:
    SpoolFile spool_;
    maildir::LineEndConverter converter_;
    std::string converted_;
};

/// "MDA 'procmail' exited with status 75 for message 'UIDL'".
std::string mda_failure(const std::string& command, int status, const std::string& uidl) {
    if (WIFEXITED(status))
        return tr("MDA '{}' exited with status {} for message '{}'", command, WEXITSTATUS(status), uidl);
    if (WIFSIGNALED(status)) {
        const int number = WTERMSIG(status);
        const char* name = ::strsignal(number);
        // TRANSLATORS: the command, the signal's number and name, then the message's UIDL
        if (name) return tr("MDA '{}' was killed by signal {} ({}) for message '{}'", command, number, name, uidl);
        return tr("MDA '{}' was killed by signal {} for message '{}'", command, number, uidl);
    }
    return tr("MDA '{}' ended with status {} for message '{}'", command, status, uidl);
}

class MdaTarget final : public Target {
public:
    MdaTarget(std::string command, std::string account, std::string recipient, std::string spool_dir)
        : command_(std::move(command)), account_(std::move(account)), recipient_(std::move(recipient)),
          spool_dir_(std::move(spool_dir)) {}

    std::unique_ptr<IncomingMessage> open(const std::string& uidl) override {
        return std::make_unique<MdaMessage>(spool_dir_, uidl);
    }

    void commit(std::vector<std::unique_ptr<IncomingMessage>>& batch, Ledger& ledger) override {
        for (auto& message : batch) {
            const auto* m = static_cast<const MdaMessage*>(message.get());
            const int status = run(*m);
            if (status == 0) {
                ledger.delivered(m->uidl());
                ledger.sync();
            } else {
                ledger.failed(m->uidl(),
                              Error(ErrorKind::Temporary, mda_failure(command_, status, m->uidl()),
                                    tr("the message stays on the server and is tried again on the next fetch")));
            }
        }
        batch.clear();
    }

    std::string describe() const override { return "MDA '" + command_ + "'"; }

private:
    /// Runs the MDA on one message; returns its wait status (0: delivered).
    int run(const MdaMessage& message) const {
        // everything the child needs is prepared before fork(): afterwards only async-signal-safe calls
        std::string head(64 * 1024, '\0');
        head.resize(message.spool().read_at(0, head.data(), head.size()));
        const std::string sender = envelope_sender(head);
        const std::string command = mda_command(command_, sender, recipient_);
        std::vector<std::string> environment;
        for (char** e = environ; *e; ++e) {
            std::string_view entry(*e);
            if (entry.rfind("ZMAIL_ACCOUNT=", 0) == 0 || entry.rfind("ZMAIL_UIDL=", 0) == 0 ||
                entry.rfind("ZMAIL_SENDER=", 0) == 0 || entry.rfind("ZMAIL_RECIPIENT=", 0) == 0)
                continue;
            environment.emplace_back(entry);
        }
        environment.push_back("ZMAIL_ACCOUNT=" + account_);
        environment.push_back("ZMAIL_UIDL=" + message.uidl());
        environment.push_back("ZMAIL_SENDER=" + sender);
        environment.push_back("ZMAIL_RECIPIENT=" + recipient_);
        std::vector<char*> envp;
        for (std::string& entry : environment) envp.push_back(entry.data());
        envp.push_back(nullptr);
        const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
        const int input = message.spool().fd();

        const pid_t pid = ::fork();
        if (pid < 0) throw Error(ErrorKind::Temporary, tr("cannot start the MDA: {}", std::strerror(errno)));
        if (pid == 0) {
            // stdin: the message from its start; stdout: our stderr, so it never mixes with --json
            if (::dup2(input, 0) < 0 || ::lseek(0, 0, SEEK_SET) != 0 || ::dup2(2, 1) < 0) ::_exit(127);
            ::close_range(3, ~0U, 0);
            ::signal(SIGPIPE, SIG_DFL);
            ::execve(argv[0], const_cast<char* const*>(argv), envp.data());
            ::_exit(127);
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0) {
            if (errno != EINTR)
                throw Error(ErrorKind::Internal, tr("cannot wait for the MDA: {}", std::strerror(errno)));
        }
        return status;
    }

    std::string command_, account_, recipient_, spool_dir_;
};

}  // namespace

std::unique_ptr<Target> make_mda_target(std::string command, std::string account, std::string recipient,
                                        std::string spool_dir) {
    return std::make_unique<MdaTarget>(std::move(command), std::move(account), std::move(recipient),
                                       std::move(spool_dir));
}

}  // namespace zmail::fetch
