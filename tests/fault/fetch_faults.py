#!/usr/bin/python3
"""zmail fetch under faults, against the fixture's Dovecot (see fetchlib.py):

- the connection cut by a proxy at many points (during RETR, between RETR and DELE, before and
  after QUIT): after the next clean run every message is in the Maildir exactly once and the
  server holds exactly what the policy says;
- a full disk (a small tmpfs; without mount rights a file-size limit instead): exit 73 or 75,
  nothing deleted, and the next run with room completes exactly once;
- a failing MDA, an mbox locked by another process, a Maildir zmail may not write to (run as
  nobody): a clear error, nothing deleted;
- hostile servers (tests/fault/fake_pop3.py): a clean error, no crash, no hang.
"""

import fcntl
import os
import resource
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cut_proxy import CutProxy  # noqa: E402
from fake_pop3 import FakePop3  # noqa: E402
import fetchlib  # noqa: E402
from fetchlib import Client, Failure, check_clean_error, check_exactly_once, check_server  # noqa: E402

COUNT = 24  # messages per cut scenario: several batches and pipeline windows


def cut_scenario(rule, keep, expect_failure=True):
    def scenario(fixture):
        user, password = fixture.new_user("cut")
        messages = fetchlib.make_messages(COUNT, seed=hash(rule) & 0xffff, large_every=7)
        fixture.put_messages(user, messages)
        proxy = CutProxy(fixture.port("pop3"), rule).start()
        try:
            client = Client(fixture, user, password, proxy.port, security="none", label="cut")
            policy = "--keep" if keep else "--delete"
            first = client.run("fetch", policy, timeout=60)
            if not proxy.wait_triggered():
                raise Failure("the proxy never reached its cut point %s" % (rule,))
            if expect_failure:
                check_clean_error(first, (69, 75), "cut run")
            elif first.returncode not in (0, 69):
                raise Failure("cut run exited %d: %s" % (first.returncode, first.err))
            second = client.run("fetch", policy, timeout=60)
            if second.returncode != 0:
                raise Failure("clean run exited %d: %s" % (second.returncode, second.err))
            check_exactly_once(client, messages, "after the clean run")
            check_server(fixture, user, COUNT if keep else 0, "after the clean run")
        finally:
            proxy.stop()
    return scenario


def disk_full(fixture):
    user, password = fixture.new_user("full")
    messages = fetchlib.make_messages(40, seed=7, large_every=3)  # about 1 MB
    fixture.put_messages(user, messages)
    client = Client(fixture, user, password, fixture.port("pop3s"), label="full")
    os.makedirs(client.maildir)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", client.maildir],
                             stderr=subprocess.PIPE).returncode == 0
    try:
        if mounted:
            result = client.run("fetch", "--delete")
            expected_text = "No space left on device"
        else:
            # no mount rights: the same failure path through a file-size limit (EFBIG)
            limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))  # noqa: E731
            result = subprocess.run(client.command("fetch", "--delete"), env=client.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, preexec_fn=limit, timeout=120)
            result.out, result.err = result.stdout.decode(), result.stderr.decode()
            expected_text = "File too large"
        check_clean_error(result, (73, 75), "full disk", expected_text)
        check_server(fixture, user, len(messages), "after the full disk")
        if mounted:
            subprocess.run(["mount", "-o", "remount,size=16m", client.maildir], check=True)
        else:
            pass  # the next run has no limit
        again = client.run("fetch", "--delete")
        if again.returncode != 0:
            raise Failure("run with room exited %d: %s" % (again.returncode, again.err))
        check_exactly_once(client, messages, "after the run with room")
        check_server(fixture, user, 0, "after the run with room")
    finally:
        if mounted:
            subprocess.run(["umount", client.maildir])


def failing_mda(fixture):
    user, password = fixture.new_user("mda")
    messages = fetchlib.make_messages(5, seed=11)
    fixture.put_messages(user, messages)
    client = Client(fixture, user, password, fixture.port("pop3s"), label="mda")
    result = client.run("fetch", "--delete", "--deliver", "mda:cat >/dev/null; echo refusing >&2; exit 75")
    check_clean_error(result, (75,), "failing MDA", "exited with status 75")
    if result.err.splitlines().count("refusing") != 5:
        raise Failure("the MDA's stderr did not come through: %s" % result.err)
    check_server(fixture, user, 5, "after the failing MDA")


def locked_mbox(fixture):
    user, password = fixture.new_user("mbox")
    messages = fetchlib.make_messages(5, seed=13)
    fixture.put_messages(user, messages)
    client = Client(fixture, user, password, fixture.port("pop3s"), label="mbox")
    mbox = os.path.join(client.dir, "inbox.mbox")
    with open(mbox, "w") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        result = client.run("fetch", "--delete", "--deliver", "mbox:" + mbox, "--wait", "1")
        check_clean_error(result, (75,), "locked mbox", "cannot lock mbox")
        check_server(fixture, user, 5, "after the locked mbox")
        if os.path.getsize(mbox) != 0:
            raise Failure("the locked mbox was written to")
    result = client.run("fetch", "--delete", "--deliver", "mbox:" + mbox)
    if result.returncode != 0:
        raise Failure("unlocked mbox run exited %d: %s" % (result.returncode, result.err))
    with open(mbox, "rb") as f:
        text = f.read()
    if text.count(b"\nFrom MAILER-DAEMON ") + text.startswith(b"From MAILER-DAEMON ") != 5:
        raise Failure("the mbox does not hold 5 messages")
    check_server(fixture, user, 0, "after the unlocked mbox")


def unwritable_maildir(fixture):
    user, password = fixture.new_user("perm")
    messages = fetchlib.make_messages(5, seed=17)
    fixture.put_messages(user, messages)
    nobody = 65534
    client = Client(fixture, user, password, fixture.port("pop3s"), label="perm", owner=nobody)
    os.makedirs(os.path.join(client.inbox, "new"))
    for sub in ("cur", "tmp"):
        os.makedirs(os.path.join(client.inbox, sub))
    for root, dirs, files in os.walk(client.maildir):
        os.chown(root, 0, 0)
        os.chmod(root, 0o755)
    as_nobody = ["setpriv", "--reuid=%d" % nobody, "--regid=%d" % nobody, "--clear-groups", "--"]
    result = client.run("fetch", "--delete", prefix=as_nobody)
    check_clean_error(result, (73,), "unwritable Maildir", "Permission denied")
    check_server(fixture, user, 5, "after the unwritable Maildir")
    if client.local_messages():
        raise Failure("messages appeared in the unwritable Maildir")


def hostile(mode, codes, needle=None, delivered=0):
    def scenario(fixture):
        server = FakePop3(mode).start()
        try:
            client = Client(fixture, "hostile", "secret", server.port, security="none", label="hostile")
            result = client.run("fetch", "--delete", timeout=30)
            if codes == (0,):
                if result.returncode != 0:
                    raise Failure("exit %d: %s" % (result.returncode, result.err))
            else:
                check_clean_error(result, codes, mode, needle)
            got = len(client.local_messages())
            if got != delivered:
                raise Failure("%d messages delivered, expected %d" % (got, delivered))
            deletes = [c for c in server.commands if c.startswith("DELE")]
            if codes != (0,) and mode != "quit-err" and deletes:
                raise Failure("DELE sent although the run failed: %s" % deletes)
        finally:
            server.stop()
    return scenario


def scenarios():
    out = []
    for keep in (False, True):
        policy = "keep" if keep else "delete"
        cuts = [
            ("command", "UIDL", 1, "before"),
            ("command", "RETR", 1, "before"),
            ("command", "RETR", 9, "before"),
            ("command", "RETR", 17, "after"),
            ("bytes", 3000),
            ("bytes", 40000),
            ("bytes", 120000),
            ("bytes", 250000),
        ]
        if not keep:
            cuts += [("command", "DELE", 1, "before"), ("command", "DELE", 12, "after"),
                     ("command", "QUIT", 1, "before"), ("command", "QUIT", 1, "after")]
        for rule in cuts:
            out.append(("cut %s, %s" % (" ".join(str(x) for x in rule), policy), cut_scenario(rule, keep)))
    # with keep, a lost QUIT changes nothing on the server: no failure needed
    out.append(("cut command QUIT 1 after, keep", cut_scenario(("command", "QUIT", 1, "after"), True, False)))
    out += [
        ("disk full", disk_full),
        ("failing MDA", failing_mda),
        ("mbox locked by another process", locked_mbox),
        ("Maildir not writable", unwritable_maildir),
        ("hostile: control (well-behaved)", hostile("ok", (0,), delivered=3)),
        ("hostile: giant UIDL line", hostile("giant-uidl-line", (69,), "line")),
        ("hostile: giant status line", hostile("giant-status", (69,))),
        ("hostile: 8 MB data line is legal", hostile("huge-data-line", (0,), delivered=3)),
        ("hostile: truncated RETR", hostile("truncated-retr", (69,), delivered=1)),
        ("hostile: garbage UIDL listing", hostile("garbage-listing", (69,), "UIDL")),
        ("hostile: garbage status line", hostile("garbage-status", (69,))),
        ("hostile: duplicate UIDLs", hostile("duplicate-uidls", (69,), "same UIDL")),
        ("hostile: no UIDL", hostile("no-uidl", (69,), "does not support UIDL")),
        ("hostile: LIST and UIDL disagree", hostile("list-mismatch", (69,), "LIST")),
        ("hostile: -ERR to QUIT", hostile("quit-err", (69,), "deletions not committed", delivered=3)),
    ]
    return out


if __name__ == "__main__":
    selected = sys.argv[1:]
    chosen = [s for s in scenarios() if not selected or any(word in s[0] for word in selected)]
    sys.exit(fetchlib.main(chosen))
