"""The programs compared: how to configure and run each against the private server.

Every tool gets its own directory (configuration, state, Maildir) under the client root and
runs as the unprivileged benchmark user. TLS is verified against the fixture's CA everywhere:
implicit TLS for POP3 (pop3s) and IMAP (imaps), STARTTLS for submission.
"""

import json
import os
import shutil

from .common import HOST, make_maildir

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DELIVER = os.path.join(BENCH_DIR, "workloads", "maildir-deliver")


class Tool:
    name = ""
    package = ""
    binary = ""
    ok_codes = (0,)

    def missing(self, bench):
        """None when the tool can run, else (status, note)."""
        if shutil.which(self.binary) is None:
            return "missing", "%s not installed (bench/run --install-peers)" % self.package
        return None


# ---------------------------------------------------------------- POP3 fetch


class Mpop(Tool):
    name, package, binary = "mpop", "mpop", "mpop"

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        make_maildir(self.maildir)
        rc = os.path.join(directory, "mpoprc")
        bench.write_private(rc, "\n".join([
            "defaults", "tls on", "tls_starttls off", "tls_trust_file %s" % account.ca_file,
            "account bench", "host %s" % HOST, "port %d" % account.port, "user %s" % account.user,
            "password %s" % account.password, "auth user", "keep on", "only_new on",
            "uidls_file %s" % os.path.join(directory, "uidls"),
            "delivery maildir %s" % self.maildir, ""]))
        bench.own(directory)
        return ["mpop", "--quiet", "-C", rc, "bench"]


class Fetchmail(Tool):
    """fetchmail has no Maildir writer of its own: each message goes to maildir-deliver (a POSIX
    sh script: mktemp in tmp/, cat, link into new/), the documented 'mda' way."""
    name, package, binary = "fetchmail", "fetchmail", "fetchmail"
    ok_codes = (0, 1)  # 1: no new mail

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        make_maildir(self.maildir)
        rc = os.path.join(directory, "fetchmailrc")
        bench.write_private(rc, "\n".join([
            "set no syslog",
            "poll %s protocol POP3 service %d uidl" % (HOST, account.port),
            '  user "%s" there with password "%s" is "bench" here' % (account.user, account.password),
            '  ssl sslcertck sslcertfile "%s"' % account.ca_file,
            "  keep",
            '  mda "%s %s"' % (DELIVER, self.maildir), ""]))
        os.makedirs(os.path.join(directory, "home"), exist_ok=True)
        bench.own(directory)
        self.env = {"FETCHMAILHOME": os.path.join(directory, "home")}
        return ["fetchmail", "--silent", "-f", rc, "--idfile", os.path.join(directory, "ids")]


class Getmail(Tool):
    name, package, binary = "getmail6", "getmail6", "getmail"

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        make_maildir(self.maildir)
        state = os.path.join(directory, "state")
        os.makedirs(state)
        bench.write_private(os.path.join(state, "getmailrc"), "\n".join([
            "[retriever]", "type = SimplePOP3SSLRetriever", "server = %s" % HOST, "port = %d" % account.port,
            "username = %s" % account.user, "password = %s" % account.password, "ca_certs = %s" % account.ca_file,
            # Also bounds getmail's wait for its delivery child: getmail6 6.18 can miss the
            # child's exit (https://github.com/getmail6/getmail6/issues/226) and then waits this long.
            "timeout = 30",
            "", "[destination]", "type = Maildir", "path = %s/" % self.maildir,
            "", "[options]", "read_all = false", "delete = false", "verbose = 0", ""]))
        bench.own(directory)
        return ["getmail", "--getmaildir", state, "--rcfile", "getmailrc"]


def zmail_profile(bench, directory, account, servers, settings):
    """A private zmail profile store with one default account "bench" (password in a file only
    the benchmark user can read, state beside the Maildir); returns the environment to run with."""
    password_file = os.path.join(directory, "password")
    bench.write_private(password_file, account.password + "\n")
    entry = {"preset": "custom", "address": "%s@%s" % (account.user, account.domain), "user": account.user}
    entry.update(servers)
    entry.update({"ca_file": account.ca_file, "password": {"file": password_file},
                  "state_dir": os.path.join(directory, "state")})
    entry.update(settings)
    config = {"version": 1, "default": "bench", "accounts": {"bench": entry}}
    config_file = os.path.join(directory, "config.json")
    bench.write_private(config_file, json.dumps(config, indent=2) + "\n")
    os.makedirs(os.path.join(directory, "home"), exist_ok=True)
    bench.own(directory)
    return {"HOME": os.path.join(directory, "home"), "ZMAIL_CONFIG": config_file}


class ZmailFetch(Tool):
    """zmail's POP3 fetch: one account in a private profile store (ZMAIL_CONFIG), password from a
    file only the benchmark user can read, Maildir++ layout so INBOX is the Maildir root like the
    peers', state beside it, keep on the server. The runner checks `zmail fetch --help` first."""
    name, binary = "zmail", "zmail"
    options = ["--keep", "--deliver"]

    def missing(self, bench):
        return bench.zmail_missing("fetch", self.options)

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        make_maildir(self.maildir)
        self.env = zmail_profile(bench, directory, account,
                                 {"pop": {"host": HOST, "port": account.port, "security": "tls"}},
                                 {"maildir": self.maildir, "fetch": {"keep": True}, "sync": {"layout": "maildir++"}})
        return [bench.zmail, "fetch", "--keep", "--deliver", "maildir"]


# ---------------------------------------------------------------- IMAP sync


class Mbsync(Tool):
    name, package, binary = "mbsync", "isync", "mbsync"

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        os.makedirs(self.maildir)
        rc = os.path.join(directory, "mbsyncrc")
        bench.write_private(rc, "\n".join([
            "IMAPAccount far", "Host %s" % HOST, "Port %d" % account.port, "User %s" % account.user,
            "Pass %s" % account.password, "SSLType IMAPS", "CertificateFile %s" % account.ca_file, "",
            "IMAPStore far", "Account far", "",
            "MaildirStore near", "Path %s/" % self.maildir, "Inbox %s/INBOX" % self.maildir, "SubFolders Verbatim", "",
            "Channel bench", "Far :far:", "Near :near:", "Patterns *", "Create Near", "Expunge Both",
            "SyncState *", ""]))
        bench.own(directory)
        return ["mbsync", "-q", "-c", rc, "bench"]


class Offlineimap(Tool):
    name, package, binary = "offlineimap3", "offlineimap3", "offlineimap"

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        os.makedirs(self.maildir)
        metadata = os.path.join(directory, "metadata")
        os.makedirs(metadata)
        rc = os.path.join(directory, "offlineimaprc")
        bench.write_private(rc, "\n".join([
            "[general]", "accounts = bench", "metadata = %s" % metadata, "ui = quiet", "",
            "[Account bench]", "localrepository = near", "remoterepository = far", "utf8foldernames = yes", "",
            "[Repository near]", "type = Maildir", "localfolders = %s" % self.maildir, "sep = /", "",
            "[Repository far]", "type = IMAP", "remotehost = %s" % HOST, "remoteport = %d" % account.port,
            "ssl = yes", "sslcacertfile = %s" % account.ca_file, "remoteuser = %s" % account.user,
            "remotepass = %s" % account.password, ""]))
        bench.own(directory)
        return ["offlineimap", "-c", rc, "-u", "quiet"]


class ZmailSync(Tool):
    """zmail's IMAP <-> Maildir sync: one account in a private profile store (ZMAIL_CONFIG), password
    from a file only the benchmark user can read, folders as directories below the Maildir root
    (INBOX is Maildir/INBOX, like mbsync's "SubFolders Verbatim" above), state beside it; the
    default settings of a custom account (one connection). The runner checks `zmail sync --help`."""
    name, binary = "zmail", "zmail"
    options = ["--jobs"]
    jobs = []

    def missing(self, bench):
        return bench.zmail_missing("sync", self.options)

    def configure(self, bench, directory, account):
        self.maildir = os.path.join(directory, "Maildir")
        os.makedirs(self.maildir)
        password_file = os.path.join(directory, "password")
        bench.write_private(password_file, account.password + "\n")
        config = {
            "version": 1,
            "default": "bench",
            "accounts": {"bench": {
                "preset": "custom", "address": "%s@%s" % (account.user, account.domain), "user": account.user,
                # through the delay proxy the server is "remote": compress as with a real one (zmail
                # leaves COMPRESS off on loopback)
                "imap": {"host": HOST, "port": account.port, "security": "tls",
                         "compress": "always" if account.remote else "auto"}, "ca_file": account.ca_file,
                "password": {"file": password_file}, "maildir": self.maildir,
                "state_dir": os.path.join(directory, "state")}},
        }
        config_file = os.path.join(directory, "config.json")
        bench.write_private(config_file, json.dumps(config, indent=2) + "\n")
        os.makedirs(os.path.join(directory, "home"), exist_ok=True)
        bench.own(directory)
        self.env = {"HOME": os.path.join(directory, "home"), "ZMAIL_CONFIG": config_file}
        return [bench.zmail, "sync"] + self.jobs


class ZmailSyncJobs(ZmailSync):
    """The same with up to four connections (--jobs 4: the default of the providers' presets; a
    second connection opens only while the work left is worth a login)."""
    name = "zmail-j4"
    jobs = ["--jobs", "4"]


# ---------------------------------------------------------------- submission


class Msmtp(Tool):
    """One msmtp process per message (how mail user agents call it)."""
    name, package, binary = "msmtp", "msmtp", "msmtp"

    def configure(self, bench, directory, account):
        rc = os.path.join(directory, "msmtprc")
        bench.write_private(rc, "\n".join([
            "defaults", "tls on", "tls_starttls on", "tls_trust_file %s" % account.ca_file,
            "account bench", "host %s" % HOST, "port %d" % account.port, "auth plain",
            "user %s" % account.user, "password %s" % account.password,
            "from %s@%s" % (account.user, account.domain), ""]))
        bench.own(directory)
        return rc

    def send_command(self, rc, eml_dir, recipient):
        loop = 'for f in "$1"/*.eml; do msmtp -C "$2" -a bench -- "$3" < "$f" || exit 1; done'
        return ["sh", "-c", loop, "sh", eml_dir, rc, recipient]


class ZmailSend(Tool):
    """zmail send the sendmail way, one process per message like msmtp: the ready message on
    standard input, the recipient as argument, -i so a line with only '.' is text, no Sent copy.
    For flush, the same messages are queued first (`send --queue` while the SMTP port is closed,
    unmeasured), then one `zmail send --flush` sends them all over one connection."""
    name, binary = "zmail", "zmail"
    options = ["--no-save-sent", "--queue", "--flush"]

    def missing(self, bench):
        return bench.zmail_missing("send", self.options)

    def profile(self, bench, port):
        return zmail_profile(bench, self.directory, self.account,
                             {"smtp": {"host": HOST, "port": port, "security": "starttls"}},
                             {"send": {"save_sent": "never"}})

    def configure(self, bench, directory, account):
        self.directory, self.account = directory, account
        self.env = self.profile(bench, account.port)
        return None

    def send_command(self, bench, eml_dir, recipient):
        loop = 'for f in "$1"/*.eml; do "$2" send -i --no-save-sent -- "$3" < "$f" || exit 1; done'
        return ["sh", "-c", loop, "sh", eml_dir, bench.zmail, recipient]

    def queue_command(self, bench, eml_dir, recipient, closed_port):
        """Points the account at a closed port and queues every message (`--queue` exits 0)."""
        self.env = self.profile(bench, closed_port)
        loop = 'for f in "$1"/*.eml; do "$2" -q send -i --queue -- "$3" < "$f" || exit 1; done'
        return ["sh", "-c", loop, "sh", eml_dir, bench.zmail, recipient]

    def flush_command(self, bench):
        """Points the account back at the server; one `zmail send --flush`."""
        self.env = self.profile(bench, self.account.port)
        return [bench.zmail, "send", "--flush"]
