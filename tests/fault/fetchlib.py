"""Shared helpers for the zmail fetch fault tests (tests/fault/*.py).

The tests run against the private Dovecot of tests/fixture/mailserver.py (the CTest fixture
'mailserver'); each scenario uses a fresh user whose Maildir on the server is filled directly,
and a fresh zmail profile, state directory and local Maildir in a scratch directory.

Environment: ZMAIL (the binary), ZMAIL_SOURCE_DIR, ZMAIL_FIXTURE_DIR, as CTest sets them for
tests/cli/*_test.sh. Standard library only; run with Debian's /usr/bin/python3.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

MAIL_UID = 11000  # the fixture's mail user


class Failure(Exception):
    pass


class Fixture:
    def __init__(self):
        self.zmail = os.environ["ZMAIL"]
        self.source_dir = os.environ["ZMAIL_SOURCE_DIR"]
        self.dir = os.environ["ZMAIL_FIXTURE_DIR"]
        with open(os.path.join(self.dir, "env.json")) as f:
            self.env = json.load(f)
        self.scratch = tempfile.mkdtemp(prefix="fetch-fault-", dir=os.path.join(self.dir))
        os.chmod(self.scratch, 0o755)
        self.counter = 0

    def cleanup(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

    def port(self, name):
        return self.env["ports"][name]

    def doveadm(self, *args):
        r = subprocess.run(self.env["doveadm"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=60)
        if r.returncode != 0:
            raise Failure("doveadm %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace")))
        return r.stdout.decode(errors="replace")

    def new_user(self, label):
        self.counter += 1
        user = "f%s%d%s" % (os.getpid(), self.counter, label)
        password = user + "-pw"
        subprocess.run(["/usr/bin/python3", os.path.join(self.source_dir, "tests", "fixture", "mailserver.py"),
                        "adduser", self.dir, user, password], check=True, timeout=60)
        return user, password

    def put_messages(self, user, messages):
        """Writes messages (bytes, LF line ends) straight into the user's Maildir on the server,
        as a mail delivery agent would; Dovecot picks them up on the next login."""
        home = os.path.join(self.env["mail_dir"], user)
        maildir = os.path.join(home, "Maildir")
        for sub in ("", "cur", "new", "tmp"):
            path = os.path.join(maildir, sub)
            os.makedirs(path, exist_ok=True)
            os.chown(path, MAIL_UID, MAIL_UID)
            os.chmod(path, 0o700)
        stamp = int(time.time())
        for i, message in enumerate(messages):
            name = "%d.M%dP%d.fixture,S=%d" % (stamp, i, os.getpid(), len(message))
            tmp = os.path.join(maildir, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(message)
            os.chown(tmp, MAIL_UID, MAIL_UID)
            os.rename(tmp, os.path.join(maildir, "new", name))

    def server_count(self, user):
        out = self.doveadm("mailbox", "status", "-u", user, "messages", "INBOX")
        return int(out.split("messages=")[1].split()[0])


def make_messages(count, seed, large_every=0):
    """Distinct messages (LF line ends) with lines POP3 and mbox treat specially."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        lines = ["From: sender%d@example.test" % i, "To: rcpt@example.test",
                 "Subject: fault test %d =?UTF-8?B?5pel5pys6Kqe?=" % i,
                 "Message-ID: <%d.%d@fault.test>" % (seed, i), "X-Seq: %d" % i, ""]
        body_lines = rng.randint(3, 120)
        if large_every and i % large_every == 0:
            body_lines = 1500
        for k in range(body_lines):
            choice = rng.random()
            if choice < 0.05:
                lines.append(".")
            elif choice < 0.1:
                lines.append(".dot %d" % k)
            elif choice < 0.15:
                lines.append("From the body %d" % k)
            else:
                lines.append("line %d of %d: 日本語 中文 %s" % (k, i, "x" * rng.randint(0, 60)))
        out.append(("\n".join(lines) + "\n").encode())
    return out


class ZmailProfile:
    """One zmail profile with the account 'work', its state directory and local Maildir, in a
    fresh directory of the fixture's scratch area; `service` is "pop" or "imap"."""

    run_timeout = 120

    def __init__(self, fixture, user, password, service, port, security, label):  # noqa: PLR0913
        self.fixture = fixture
        fixture.counter += 1
        self.dir = os.path.join(fixture.scratch, "%s-%d" % (label, fixture.counter))
        os.makedirs(self.dir)
        self.maildir = os.path.join(self.dir, "Mail")
        self.env = dict(os.environ, ZMAIL_CONFIG=os.path.join(self.dir, "config.json"), HOME=self.dir,
                        XDG_STATE_HOME=os.path.join(self.dir, "state"), NO_COLOR="1", ZMAIL_FAULT_PASSWORD=password)
        self.env.pop("NETRC", None)
        self.run_checked("settings", "add", "work", "--preset", "custom", "--address", user + "@example.test",
                         "--user", user, "--" + service, "127.0.0.1:%d" % port, "--ca-file", fixture.env["ca_file"],
                         "--password-env", "ZMAIL_FAULT_PASSWORD", "--maildir", self.maildir)
        self.run_checked("settings", "set", "work", service + ".security", security)
        if security == "none":
            self.run_checked("settings", "set", "work", service + ".allow_plaintext", "true")
        self.state_dir = os.path.join(self.dir, "state", "zmail", "work")

    def command(self, *args):
        return [self.fixture.zmail] + list(args)

    def run(self, *args, timeout=None, prefix=()):
        r = subprocess.run(list(prefix) + self.command(*args), env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout or self.run_timeout)
        r.out = r.stdout.decode(errors="replace")
        r.err = r.stderr.decode(errors="replace")
        return r

    def run_checked(self, *args):
        r = self.run(*args)
        if r.returncode != 0:
            raise Failure("zmail %s exited %d: %s" % (" ".join(args), r.returncode, r.err))
        return r


class Client(ZmailProfile):
    """The POP3 side: fetch into the Maildir's INBOX."""

    def __init__(self, fixture, user, password, port, security="tls", label="client", owner=None):  # noqa: PLR0913
        super().__init__(fixture, user, password, "pop", port, security, label)
        self.inbox = os.path.join(self.maildir, "INBOX")
        if owner is not None:
            for root, dirs, files in os.walk(self.dir):
                for name in dirs + files:
                    os.chown(os.path.join(root, name), owner, owner)
            os.chown(self.dir, owner, owner)

    def popen(self, *args):
        return subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def local_messages(self):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.inbox, sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    out.append(f.read())
        return sorted(out)


def check_exactly_once(client, messages, what):
    """Every message in the client's Maildir exactly once, nothing else."""
    got = client.local_messages()
    want = sorted(messages)
    if got == want:
        return
    missing = len([m for m in want if m not in got])
    extra = len(got) - (len(want) - missing)
    duplicates = len(got) - len(set(got))
    raise Failure("%s: Maildir holds %d messages, expected %d (%d missing, %d extra, %d duplicates)" % (
        what, len(got), len(want), missing, extra, duplicates))


def check_server(fixture, user, expected, what):
    count = fixture.server_count(user)
    if count != expected:
        raise Failure("%s: the server holds %d messages, expected %d" % (what, count, expected))


def check_clean_error(result, codes, what, needle=None):
    """A clean failure: an expected exit code, no crash, one 'zmail:' line, the needle."""
    if result.returncode not in codes:
        raise Failure("%s: exit %d, expected one of %s\nstderr: %s" % (what, result.returncode, codes, result.err))
    if result.err.count("zmail:") < 1:
        raise Failure("%s: no 'zmail:' error line\nstderr: %s" % (what, result.err))
    if needle and needle not in result.err:
        raise Failure("%s: stderr lacks %r\nstderr: %s" % (what, needle, result.err))


def main(scenarios):
    """Runs (name, function(fixture)) pairs; prints one line each; exit 1 if any failed."""
    fixture = Fixture()
    failed = 0
    try:
        for name, function in scenarios:
            started = time.monotonic()
            try:
                function(fixture)
                print("ok    %-50s %.1fs" % (name, time.monotonic() - started), flush=True)
            except Exception as e:  # report every scenario, not only the first failure
                failed += 1
                print("FAIL  %-50s %s" % (name, e), flush=True)
    finally:
        fixture.cleanup()
    if failed:
        print("%d of %d scenarios failed" % (failed, len(scenarios)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit("fetchlib.py is a library for the tests in tests/fault/")
