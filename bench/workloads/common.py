"""What every workload needs: the private mail server, users and corpora, measuring a command,
checking a client's Maildir, the delay proxy, and whether zmail has a subcommand yet."""

import json
import os
import pwd
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIR = os.path.dirname(BENCH_DIR)
MAILSERVER = os.path.join(SOURCE_DIR, "tests", "fixture", "mailserver.py")
CORPUS = os.path.join(BENCH_DIR, "corpus.py")
DELAY_PROXY = os.path.join(BENCH_DIR, "delay_proxy.py")
PYTHON = "/usr/bin/python3"
GNU_TIME = "/usr/bin/time"
# The certificate names localhost (and 127.0.0.1, which some peers do not check): connect by name.
HOST = "localhost"
# Unmeasured pause between the steps of a chain. Re-syncs do not follow a sync within the same
# second in real use, and mbsync sleeps a second when a Maildir directory changed in the current
# one (its guard against the Maildir timestamp race); without the pause that sleep is measured.
STEP_PAUSE = 2.0


class BenchError(Exception):
    pass


class Measurement:
    def __init__(self, seconds, rss_kb, returncode, log, wire_bytes=None):
        self.seconds = seconds
        self.rss_kb = rss_kb
        self.returncode = returncode
        self.log = log
        self.wire_bytes = wire_bytes  # through the delay proxy, both directions; None without it


class Outcome:
    """One measured step of one repetition: seconds and peak RSS, or why there is no number."""

    def __init__(self, seconds=None, rss_kb=None, status="ok", note="", wire_bytes=None):
        self.seconds = seconds
        self.rss_kb = rss_kb
        self.wire_bytes = wire_bytes
        self.status = status  # ok | error | not-implemented | missing
        self.note = note


class Account:
    """Where and as whom a tool logs in."""

    def __init__(self, bench, user, password, port):
        self.user = user
        self.password = password
        self.port = port
        self.remote = port not in bench.env["ports"].values()  # through the delay proxy: "a network"
        self.ca_file = bench.env["ca_file"]
        self.domain = bench.env["domain"]


def log_note(m):
    return "%s (log %s)" % (log_tail(m.log, 2), m.log)


def log_tail(path, lines=5):
    try:
        with open(path, errors="replace") as f:
            text = f.read()[-20000:]
    except OSError:
        return ""
    tail = [line for line in text.splitlines() if line.strip() and not line.startswith("$ ")][-lines:]
    return " | ".join(line.strip()[:160] for line in tail)


class Bench:
    """The benchmark's working directory, its mail server and the measuring of commands."""

    def __init__(self, work_dir, client_dir, zmail, run_as, timeout, verbose):
        self.work = work_dir
        self.client_root = client_dir
        self.fixture = os.path.join(work_dir, "server")
        self.logs = os.path.join(work_dir, "logs")
        self.zmail = zmail
        self.timeout = timeout
        self.verbose = verbose
        self.env = None
        self.users = {}
        self.proxies = {}
        self.rate_kbit = 0  # bandwidth of the delay proxy per connection and direction (0: none)
        self.log_counter = 0
        self.uid = self.gid = None
        if run_as and os.geteuid() == 0:
            entry = pwd.getpwnam(run_as)
            self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.home = os.path.join(work_dir, "home")
        for d in (self.logs, self.home, self.client_root):
            os.makedirs(d, exist_ok=True)
        for d in (work_dir, self.client_root):
            os.chmod(d, 0o755)
        self.own(self.home)
        self.gnu_time = os.access(GNU_TIME, os.X_OK)
        self._zmail_help = {}

    def say(self, text):
        if self.verbose:
            sys.stderr.write("bench: %s\n" % text)
            sys.stderr.flush()

    # -- the mail server

    def start_server(self):
        r = subprocess.run([PYTHON, MAILSERVER, "start", self.fixture], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120)
        if r.returncode != 0:
            raise BenchError("cannot start the mail server:\n" + r.stdout.decode(errors="replace"))
        with open(os.path.join(self.fixture, "env.json")) as f:
            self.env = json.load(f)
        # The peers (running as an unprivileged user) must read the CA certificate.
        for d in (self.fixture, os.path.dirname(self.env["ca_file"])):
            os.chmod(d, 0o755)

    def stop_server(self):
        for proxy in self.proxies.values():
            stop_proxy(proxy)
        self.proxies = {}
        if os.path.exists(os.path.join(self.fixture, "env.json")):
            subprocess.run([PYTHON, MAILSERVER, "stop", self.fixture], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)

    def doveadm(self, *args, stdin=None):
        r = subprocess.run(self.env["doveadm"] + list(args), input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=600)
        if r.returncode != 0:
            raise BenchError("doveadm %s failed: %s" % (" ".join(args[:3]), r.stderr.decode(errors="replace")))
        return r.stdout.decode("utf-8", errors="replace")

    def user(self, name, messages, folders, seed):
        """A server user holding a corpus of the given shape (none for 0 messages); created and
        loaded once."""
        if name in self.users:
            return self.users[name]
        password = name + "-pass"
        r = subprocess.run([PYTHON, MAILSERVER, "adduser", self.fixture, name, password],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise BenchError("cannot add user %s: %s" % (name, r.stdout.decode(errors="replace")))
        if not messages:
            self.users[name] = password
            return password
        self.say("loading %d messages in %d folder(s) for %s" % (messages, folders, name))
        r = subprocess.run([PYTHON, CORPUS, "--load", self.fixture, "--user", name, "--messages", str(messages),
                            "--folders", str(folders), "--seed", str(seed)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
        if r.returncode != 0:
            raise BenchError("cannot load the corpus for %s: %s" % (name, r.stdout.decode(errors="replace")))
        self.users[name] = password
        return password

    def server_state(self, user):
        """(messages, seen messages) over all of the user's mailboxes."""
        total = 0
        for line in self.doveadm("-f", "tab", "mailbox", "status", "-u", user, "messages", "*").splitlines()[1:]:
            total += int(line.rpartition("\t")[2])
        seen = len(self.doveadm("search", "-u", user, "SEEN").splitlines())
        return total, seen

    # -- ports, directly or through the delay proxy

    def port(self, name, rtt_ms):
        port = self.env["ports"][name]
        if not rtt_ms:
            return port
        if rtt_ms not in self.proxies:
            targets = ["127.0.0.1:%d" % self.env["ports"][n] for n in ("pop3s", "imaps", "submission")]
            self.proxies[rtt_ms] = start_proxy(rtt_ms, targets, lifetime=min(86400, self.timeout * 50),
                                               rate_kbit=self.rate_kbit, stats=os.path.join(self.work, "proxy-%d.stats" % rtt_ms))
        return self.proxies[rtt_ms]["127.0.0.1:%d" % port]

    # -- client directories

    def own(self, path):
        if self.uid is None:
            return
        os.chown(path, self.uid, self.gid)
        for directory, subdirs, files in os.walk(path):
            for n in subdirs + files:
                os.lchown(os.path.join(directory, n), self.uid, self.gid)

    def fresh_dir(self, name):
        path = os.path.join(self.client_root, name)
        if os.path.exists(path):
            shutil.rmtree(path)
        os.makedirs(path)
        return path

    def clear_clients(self):
        """Removes every client directory (each chain starts from a fresh one anyway)."""
        for name in os.listdir(self.client_root):
            shutil.rmtree(os.path.join(self.client_root, name), ignore_errors=True)

    def write_private(self, path, text):
        """A configuration file readable only by the user the tools run as (it holds a password)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(path, 0o600)
        self.own(path)

    # -- measuring

    def measure(self, argv, label, stdin_path=None, extra_env=None):
        """Runs argv (as the unprivileged user), bounded by the timeout; wall seconds and peak RSS.

        Peak RSS is the largest resident set of the process or any child it waited for, as
        GNU time reports it; without /usr/bin/time it comes from wait4 and includes the few
        MB of the forked runner (noted in the results)."""
        self.log_counter += 1
        log = os.path.join(self.logs, "%03d-%s.log" % (self.log_counter, re.sub(r"[^A-Za-z0-9_.-]", "_", label)))
        rss_file = log + ".rss"
        command = list(argv)
        if self.uid is not None:
            command = ["setpriv", "--reuid=%d" % self.uid, "--regid=%d" % self.gid, "--clear-groups", "--"] + command
        if self.gnu_time:
            command = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file, "--"] + command
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home, "LANG": "C.UTF-8",
               "LC_ALL": "C.UTF-8", "TMPDIR": self.home}
        env.update(extra_env or {})
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        wire_before = self.wire_total()
        with open(log, "wb") as out:
            out.write(("$ %s\n" % " ".join(argv)).encode())
            out.flush()
            start = time.monotonic()
            p = subprocess.Popen(command, stdin=stdin, stdout=out, stderr=subprocess.STDOUT, env=env,
                                 cwd=self.home, start_new_session=True)
            timed_out = []

            def kill():
                timed_out.append(True)
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

            timer = threading.Timer(self.timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(p.pid, 0)
            finally:
                timer.cancel()
            seconds = time.monotonic() - start
            p.returncode = os.waitstatus_to_exitcode(status)
        if stdin_path:
            stdin.close()
        rss_kb = usage.ru_maxrss
        if self.gnu_time:
            try:
                with open(rss_file) as f:
                    rss_kb = int(f.read().split()[-1])
            except (OSError, ValueError, IndexError):
                pass
        if timed_out:
            raise BenchError("%s: killed after %d s (log %s)" % (label, self.timeout, log))
        wire = None
        if self.proxies:
            time.sleep(0.2)  # the proxy writes its counts as connections close
            wire = self.wire_total() - wire_before
        return Measurement(seconds, rss_kb, p.returncode, log, wire or None)

    def wire_total(self):
        """Bytes that crossed every delay proxy so far, both directions."""
        total = 0
        for mapping in self.proxies.values():
            try:
                with open(mapping["_stats"]) as f:
                    total += sum(int(x) for x in f.read().split())
            except (OSError, ValueError):
                pass
        return total

    # -- zmail

    def zmail_help(self, subcommand=None):
        """The text of `zmail --help` (or `zmail SUBCOMMAND --help`), '' when there is no binary."""
        key = subcommand or ""
        if key not in self._zmail_help:
            text = ""
            if self.zmail and os.access(self.zmail, os.X_OK):
                argv = [self.zmail] + ([subcommand] if subcommand else []) + ["--help"]
                try:
                    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
                    text = r.stdout.decode("utf-8", errors="replace")
                except (OSError, subprocess.TimeoutExpired):
                    text = ""
            self._zmail_help[key] = text
        return self._zmail_help[key]

    def zmail_missing(self, subcommand, options):
        """None when zmail has the subcommand and every option; otherwise why it cannot run."""
        if not self.zmail or not os.access(self.zmail, os.X_OK):
            return "not-implemented", "no zmail binary at %s" % self.zmail
        top = self.zmail_help()
        if not re.search(r"^\s+%s\b" % re.escape(subcommand), top, re.M):
            return "not-implemented", "zmail has no '%s' subcommand yet" % subcommand
        text = self.zmail_help(subcommand)
        lacking = [o for o in options if o not in text]
        if lacking:
            return "not-implemented", "zmail %s lacks %s" % (subcommand, ", ".join(lacking))
        return None


# ---------------------------------------------------------------- Maildir checks


def maildir_state(root):
    """(messages, seen) in every cur/ and new/ below root; files flagged T (trashed) do not count."""
    total = seen = 0
    for directory, subdirs, files in os.walk(root):
        if os.path.basename(directory) not in ("cur", "new"):
            continue
        for name in files:
            flags = name.rpartition(":2,")[2] if ":2," in name else ""
            if "T" in flags:
                continue
            total += 1
            seen += "S" in flags
    return total, seen


def make_maildir(path):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)


# ---------------------------------------------------------------- server-side changes


def change_server(bench, user, fraction, seed, work):
    """Flips \\Seen (and sets \\Flagged) on `fraction` of the messages, expunges as many others and
    adds as many new ones (doveadm save); returns how many of each."""
    rng = random.Random("change:%s" % seed)
    listing = bench.doveadm("-f", "tab", "fetch", "-u", user, "mailbox uid flags", "ALL").splitlines()[1:]
    messages = []
    for line in listing:
        mailbox, uid, flags = line.split("\t")
        messages.append((mailbox, int(uid), flags))
    messages.sort()
    count = max(1, round(len(messages) * fraction))
    chosen = rng.sample(messages, min(len(messages), 2 * count))
    flip, expunge = chosen[:count], chosen[count:]

    def by_mailbox(items):
        groups = {}
        for mailbox, uid, flags in items:
            groups.setdefault(mailbox, []).append(str(uid))
        return sorted(groups.items())

    seen = [m for m in flip if "\\Seen" in m[2]]
    unseen = [m for m in flip if "\\Seen" not in m[2]]
    for mailbox, uids in by_mailbox(unseen):
        bench.doveadm("flags", "add", "-u", user, "\\Seen \\Flagged", "mailbox", mailbox, "uid", ",".join(uids))
    for mailbox, uids in by_mailbox(seen):
        bench.doveadm("flags", "remove", "-u", user, "\\Seen", "mailbox", mailbox, "uid", ",".join(uids))
    for mailbox, uids in by_mailbox(expunge):
        bench.doveadm("expunge", "-u", user, "mailbox", mailbox, "uid", ",".join(uids))

    new_dir = os.path.join(work, "new-messages-%s" % seed)
    if os.path.exists(new_dir):
        shutil.rmtree(new_dir)
    r = subprocess.run([PYTHON, CORPUS, "--eml-dir", new_dir, "--messages", str(count), "--seed", "new-%s" % seed,
                        "--max-size", "300000", "--large", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=600)
    if r.returncode != 0:
        raise BenchError("cannot make new messages: %s" % r.stdout.decode(errors="replace"))
    mailboxes = sorted({m[0] for m in messages})
    for name in sorted(os.listdir(new_dir)):
        with open(os.path.join(new_dir, name), "rb") as f:
            bench.doveadm("save", "-u", user, "-m", rng.choice(mailboxes), stdin=f.read())
    shutil.rmtree(new_dir)
    return {"flags": count, "expunged": len(expunge), "added": count}


# ---------------------------------------------------------------- the delay proxy


def start_proxy(rtt_ms, targets, lifetime, rate_kbit=0, stats=None):
    argv = [PYTHON, DELAY_PROXY, "--rtt-ms", str(rtt_ms), "--lifetime", str(int(lifetime))]
    if rate_kbit:
        argv += ["--rate-kbit", str(rate_kbit)]
    if stats:
        argv += ["--stats", stats]
    for t in targets:
        argv += ["--target", t]
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    line = p.stdout.readline()
    if not line:
        p.kill()
        p.wait(timeout=10)
        raise BenchError("the delay proxy did not start")
    mapping = json.loads(line)
    mapping["_process"] = p
    mapping["_stats"] = stats
    return mapping


def stop_proxy(mapping):
    p = mapping["_process"]
    try:
        p.stdin.close()  # end of file on its stdin makes the proxy exit
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=10)


def median(values):
    return statistics.median(values) if values else None


def make_temp_dir(parent):
    return tempfile.mkdtemp(prefix="zmail-bench-", dir=parent)
