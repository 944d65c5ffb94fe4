#!/usr/bin/python3
"""zmail sync killed with SIGKILL at random moments, and with its connection cut at random points,
against the fixture's Dovecot: after the next clean run no message is lost or doubled on either
side, flags agree, and a further run changes nothing.

  sync_faults.py [KILL_TRIALS] [CUT_TRIALS] [SEED]      defaults: 32, 32, 20251122

Each trial uses a fresh user and a fresh client. Half the trials interrupt the first sync of a
full INBOX and a Japanese-named folder into an empty Maildir; the other half first sync cleanly,
then change both sides (new mail, flags, deletions on the server and here, and one message new
on both sides as an Fcc copy and the server's Sent copy are, and messages moved from INBOX to
送信済み on both sides, which sync follows as moves) and interrupt the sync that carries those changes; in half of those, 送信済み is also renamed, on the server in one
trial and here (its directory) in the next, so the interrupted run also follows a rename. Kill delays are drawn between 0 and 1.3 times an uninterrupted
run (measured once per mode); a third of the kill trials kill the recovery run too. Cuts happen
after a random number of bytes from the server (tests/fault/cut_proxy.py) on the plaintext IMAP
port, which the fixture's Dovecot accepts from 127.0.0.1. Transfers commit every 16 messages
(ZMAIL_TEST_SYNC_BATCH), so those commits fall inside a download that streams on.
"""

import base64
import imaplib
import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cut_proxy import CutProxy  # noqa: E402
import fetchlib  # noqa: E402
from fetchlib import Failure  # noqa: E402

FOLDERS = ("INBOX", "送信済み")
INITIAL = {"INBOX": 90, "送信済み": 20}


def imap_utf7(name):
    """Modified UTF-7 of a mailbox name (RFC 3501 5.1.3)."""
    out, run = [], []

    def flush():
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


class SyncClient(fetchlib.ZmailProfile):
    """The IMAP side: sync the folders the trials fill."""

    run_timeout = 180

    def __init__(self, fixture, user, password, port, security, label):  # noqa: PLR0913
        super().__init__(fixture, user, password, "imap", port, security, label)
        # batches of 16: the durable steps of a transfer (pending recorded, files shown, pairs
        # recorded) happen inside the message stream of one FETCH, where kills and cuts land
        self.env["ZMAIL_TEST_SYNC_BATCH"] = "16"
        # only the folders the trial fills (the fixture also creates Sent, Drafts, ...)
        self.run_checked("settings", "set", "work", "sync.folders", "INBOX,送信済み*")

    def popen(self, *args):
        return subprocess.Popen(self.command(*args), env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def folder_dir(self, folder):
        return os.path.join(self.maildir, folder)

    def local(self, folder):
        """[(content, flags)] of the local folder (LF line ends, flags as Maildir letters)."""
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.folder_dir(folder), sub)
            if not os.path.isdir(d):
                continue
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    flags = name.rpartition(":2,")[2] if ":2," in name else ""
                    out.append((f.read(), "".join(c for c in sorted(flags) if c in "DFRST")))
        return out

    def local_files(self, folder):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.folder_dir(folder), sub)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in sorted(os.listdir(d))]
        return out


def server(fixture, user, password, folders=FOLDERS):
    """{folder: [(content, flags)]} read over IMAP (LF line ends, flags as Maildir letters)."""
    letters = {b"\\Draft": "D", b"\\Flagged": "F", b"\\Answered": "R", b"\\Seen": "S", b"\\Deleted": "T"}
    imap = imaplib.IMAP4("127.0.0.1", fixture.port("imap"))
    imap.login(user, password)
    out = {}
    try:
        for folder in folders:
            typ, _ = imap.select('"%s"' % imap_utf7(folder), readonly=True)
            if typ != "OK":
                out[folder] = []
                continue
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            messages = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head, body = item
                flags_part = head.split(b"FLAGS (", 1)[1].split(b")", 1)[0] if b"FLAGS (" in head else b""
                flags = "".join(sorted(letters[f] for f in flags_part.split() if f in letters))
                messages.append((body.replace(b"\r\n", b"\n"), flags))
            out[folder] = messages
    finally:
        imap.logout()
    return out


def save(fixture, user, folder, message):
    r = subprocess.run(fixture.env["doveadm"] + ["save", "-u", user, "-m", folder], input=message,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise Failure("doveadm save failed: %s" % r.stderr.decode(errors="replace"))


def prepare(fixture, label, seed):
    user, password = fixture.new_user(label)
    fixture.doveadm("mailbox", "create", "-u", user, "送信済み")
    inbox = fetchlib.make_messages(INITIAL["INBOX"], seed=seed, large_every=15)
    fixture.put_messages(user, inbox)
    sent = fetchlib.make_messages(INITIAL["送信済み"], seed=seed + 500000, large_every=0)
    for m in sent:
        save(fixture, user, "送信済み", m)
    return user, password, {"INBOX": inbox, "送信済み": sent}


RENAMED = "送信済み-2026"


def change_both_sides(fixture, user, client, rng, seed, rename=None):
    """Changes on both sides after a clean sync; returns the expected contents {folder: set}.
    rename: None, "server" or "local": 送信済み is renamed to RENAMED there as well."""
    expected = {f: set(c for c, _ in client.local(f)) for f in FOLDERS}
    # server: new mail, flags, expunges
    for i, m in enumerate(fetchlib.make_messages(8, seed=seed + 900000)):
        folder = FOLDERS[i % 2]
        save(fixture, user, folder, m)
        expected[folder].add(m)
    fixture.doveadm("flags", "add", "-u", user, "\\Flagged", "mailbox", "INBOX", "uid", "3:12")
    fixture.doveadm("flags", "add", "-u", user, "\\Seen", "mailbox", "送信済み", "uid", "1:5")
    gone = server(fixture, user, client.env["ZMAIL_FAULT_PASSWORD"])
    expunged = rng.sample(range(20, 40), 4)
    for uid in expunged:
        fixture.doveadm("expunge", "-u", user, "mailbox", "INBOX", "uid", str(uid))
    still = server(fixture, user, client.env["ZMAIL_FAULT_PASSWORD"])
    for folder in FOLDERS:
        before = set(c for c, _ in gone[folder])
        after = set(c for c, _ in still[folder])
        expected[folder] -= before - after
    # here: new files, flags, deletions
    for i, m in enumerate(fetchlib.make_messages(8, seed=seed + 800000)):
        folder = FOLDERS[i % 2]
        name = "1700000000.M%dP%d.reader" % (i, seed)
        path = os.path.join(client.folder_dir(folder), "cur" if i % 3 else "new", name + (":2,S" if i % 3 else ""))
        with open(path, "wb") as f:
            f.write(m)
        expected[folder].add(m)
    # an Fcc twin (mutt's record=+Sent and the provider's copy): new on both sides, paired
    twin = fetchlib.make_messages(1, seed=seed + 700000)[0]
    save(fixture, user, "送信済み", twin)
    with open(os.path.join(client.folder_dir("送信済み"), "cur", "1700000001.M1P%d.fcc:2,S" % seed), "wb") as f:
        f.write(twin)
    expected["送信済み"].add(twin)
    files = client.local_files("INBOX")
    for path in rng.sample(files, 6):
        with open(path, "rb") as f:
            content = f.read()
        if content not in expected["INBOX"]:
            continue  # expunged on the server already
        os.unlink(path)
        expected["INBOX"].discard(content)
    for path in client.local_files("送信済み")[:4]:
        base = path.rpartition(":2,")[0] if ":2," in path else path
        os.rename(path, base.replace("/new/", "/cur/") + ":2,FR")
    move_both_sides(fixture, user, client, expected)
    if rename == "server":
        fixture.doveadm("mailbox", "rename", "-u", user, "送信済み", RENAMED)
    elif rename == "local":
        os.rename(client.folder_dir("送信済み"), client.folder_dir(RENAMED))
    if rename:
        expected[RENAMED] = expected.pop("送信済み")
        expected["送信済み"] = set()  # gone from both sides
    return expected


def move_both_sides(fixture, user, client, expected):
    """Moves from INBOX to 送信済み: three on the server, three here (two files renamed as they are,
    one copied under a new name as mutt does, flagged); updates `expected`."""
    password = client.env["ZMAIL_FAULT_PASSWORD"]
    before = set(c for c, _ in server(fixture, user, password)["INBOX"])
    fixture.doveadm("move", "-u", user, "送信済み", "mailbox", "INBOX", "uid", "60:62")
    after = set(c for c, _ in server(fixture, user, password)["INBOX"])
    for content in before - after:
        expected["INBOX"].discard(content)
        expected["送信済み"].add(content)
    moved = 0
    for path in client.local_files("INBOX"):
        with open(path, "rb") as f:
            content = f.read()
        if content not in expected["INBOX"] or moved == 3:
            continue
        target = os.path.join(client.folder_dir("送信済み"), "cur")
        if moved < 2:
            os.rename(path, os.path.join(target, os.path.basename(path)))
        else:
            with open(os.path.join(target, "1700000002.M1P1.mutt:2,F"), "wb") as f:
                f.write(content)
            os.unlink(path)
        expected["INBOX"].discard(content)
        expected["送信済み"].add(content)
        moved += 1


def check(fixture, user, password, client, expected, what):
    far = server(fixture, user, password, list(expected))
    for folder in expected:
        here = client.local(folder)
        there = far[folder]
        for side, messages in (("here", here), ("on the server", there)):
            contents = [c for c, _ in messages]
            if len(contents) != len(set(contents)):
                raise Failure("%s: %s: %d messages doubled %s" % (what, folder, len(contents) - len(set(contents)),
                                                                    side))
            if set(contents) != expected[folder]:
                missing = len(expected[folder] - set(contents))
                extra = len(set(contents) - expected[folder])
                raise Failure("%s: %s %s: %d missing, %d unexpected" % (what, folder, side, missing, extra))
        if dict(here) != dict(there):
            differ = sum(1 for c, f in here if dict(there).get(c) != f)
            raise Failure("%s: %s: flags differ for %d messages" % (what, folder, differ))


def finish(client, fixture, user, password, expected, what):
    final = client.run("sync", "--wait", "20")
    if final.returncode != 0:
        raise Failure("%s: clean run exited %d: %s" % (what, final.returncode, final.err))
    check(fixture, user, password, client, expected, what)
    again = client.run("--json", "sync")
    if again.returncode != 0:
        raise Failure("%s: a further run exited %d: %s" % (what, again.returncode, again.err))
    report = json.loads(again.out)[0]
    if report["renamed"]:
        raise Failure("%s: a further run still renamed %s" % (what, report["renamed"]))
    for folder in report["folders"]:
        for key in ("new", "flags", "deleted"):
            if folder[key]["local"] or folder[key]["server"]:
                raise Failure("%s: a further run still changed %s: %s" % (what, folder["folder"], folder))


def setup_trial(fixture, number, label, two_way, rng):
    user, password, initial = prepare(fixture, label, 1000 + number)
    client = SyncClient(fixture, user, password, fixture.port("imaps"), "tls", "%s%d" % (label, number))
    expected = {f: set(m for m in initial[f]) for f in FOLDERS}
    if two_way:
        client.run_checked("sync")
        rename = {1: None, 3: "server", 5: None, 7: "local"}[number % 8]
        expected = change_both_sides(fixture, user, client, rng, 1000 + number, rename)
    return user, password, client, expected


def measure(fixture, two_way):
    rng = random.Random(1)
    user, password, client, _ = setup_trial(fixture, 99999 if two_way else 99998, "calib", two_way, rng)
    started = time.monotonic()
    client.run_checked("sync")
    return max(time.monotonic() - started, 0.05)


def kill_trial(fixture, number, rng, durations):
    two_way = number % 2 == 1
    user, password, client, expected = setup_trial(fixture, number, "kill", two_way, rng)
    kills = 2 if rng.random() < 1 / 3 else 1
    delays = []
    for _ in range(kills):
        delay = rng.uniform(0, durations[two_way] * 1.3)
        delays.append(delay)
        process = client.popen("sync")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
    what = "kill trial %d (%s, killed after %s s)" % (number, "two-way" if two_way else "first sync",
                                                      ", ".join("%.3f" % d for d in delays))
    finish(client, fixture, user, password, expected, what)


def cut_trial(fixture, number, rng):
    two_way = number % 2 == 1
    user, password, client, expected = setup_trial(fixture, 5000 + number, "cut", two_way, rng)
    limit = 40000 if two_way else 600000
    cut_at = rng.randrange(50, limit)
    proxy = CutProxy(fixture.port("imap"), ("bytes", cut_at)).start()
    try:
        client.run_checked("settings", "set", "work", "imap.port", str(proxy.port))
        client.run_checked("settings", "set", "work", "imap.security", "none")
        client.run_checked("settings", "set", "work", "imap.allow_plaintext", "true")
        first = client.run("sync")
        what = "cut trial %d (%s, cut after %d bytes%s)" % (number, "two-way" if two_way else "first sync", cut_at,
                                                           "" if proxy.triggered else ", never reached")
        # (0: the cut came after the work was done, during LOGOUT)
        if proxy.triggered and first.returncode not in (0, 69, 75):
            raise Failure("%s: the cut run exited %d: %s" % (what, first.returncode, first.err))
        if proxy.triggered and first.returncode != 0 and "zmail:" not in first.err:
            raise Failure("%s: no error line: %s" % (what, first.err))
        finish(client, fixture, user, password, expected, what)
    finally:
        proxy.stop()


def main():
    default = 8 if os.environ.get("ZMAIL_SANITIZED") == "1" else 32  # ASan: the paths, not the count
    kill_trials = int(sys.argv[1]) if len(sys.argv) > 1 else default
    cut_trials = int(sys.argv[2]) if len(sys.argv) > 2 else default
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20251122
    rng = random.Random(seed)
    fixture = fetchlib.Fixture()
    failed = 0
    try:
        durations = {False: measure(fixture, False), True: measure(fixture, True)}
        print("uninterrupted runs take %.3f s (first sync) and %.3f s (two-way); seed %d" % (
            durations[False], durations[True], seed), flush=True)
        trials = [("kill", n) for n in range(kill_trials)] + [("cut", n) for n in range(cut_trials)]
        for kind, number in trials:
            try:
                if kind == "kill":
                    kill_trial(fixture, number, rng, durations)
                else:
                    cut_trial(fixture, number, rng)
                print("ok    %s trial %d" % (kind, number), flush=True)
            except Exception as e:  # report every trial, not only the first failure
                failed += 1
                print("FAIL  %s trial %d: %s" % (kind, number, e), flush=True)
    finally:
        fixture.cleanup()
    print("%d of %d trials failed" % (failed, kill_trials + cut_trials))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
