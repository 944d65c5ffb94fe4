"""(c) sync: N messages in 20 folders (Japanese and Chinese names among them) from IMAP into an
empty Maildir; (d) resync: again with nothing changed; (e) resync-changes: again after 1% of
the messages had their flags changed, 1% were expunged and 1% were added on the server;
(f) move-server: again after INBOX's largest messages (up to 200, at most 40% of INBOX) were moved
to Archive on the server; (g) move-local: again after as many were moved to Archive here, the way
mutt moves them (copied under a new name, then deleted).

One chain per repetition and tool: a fresh directory, sync, resync, change the server, resync,
move there, resync, move here, resync; after each step the Maildir must hold as many messages, and
as many seen ones, as the server. Each chain has its own server user with the same corpus."""

import os
import time

from .common import STEP_PAUSE, Account, Outcome, change_server, log_note, maildir_state
from .tools import Mbsync, Offlineimap, ZmailSync, ZmailSyncJobs

STEPS = ("sync", "resync", "resync-changes", "move-server", "move-local")
MOVED = 200
BASE_MESSAGES = 20000
MIN_MESSAGES = 200
FOLDERS = 20
CHANGED_FRACTION = 0.01


def tools():
    return [ZmailSync(), ZmailSyncJobs(), Mbsync(), Offlineimap()]


def messages(scale):
    return max(MIN_MESSAGES, round(BASE_MESSAGES * scale))


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    # one server user per tool and repetition, each loaded with the same corpus: the changes and
    # moves of one chain never reach another's, so every run starts alike and moves the same messages
    user = "sync%d%s%d" % (count, tool.name, rep)
    password = bench.user(user, count, FOLDERS, "sync")
    directory = bench.fresh_dir("%s-sync-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    argv = tool.configure(bench, directory, Account(bench, user, password, bench.port("imaps", rtt_ms)))
    outcomes = {}
    last = max(STEPS.index(s) for s in wanted)
    for step in STEPS[:last + 1]:
        if step == "resync-changes":
            change_server(bench, user, CHANGED_FRACTION, "%s-%d-%d-%s" % (tool.name, rtt_ms, rep, count), bench.work)
        elif step == "move-server":
            moved, size = move_on_server(bench, user)
            bench.say("moved %d messages (%.1f MB) from INBOX to Archive on the server" % (moved, size / 1e6))
        elif step == "move-local":
            moved, size = move_here(tool.maildir)
            bench.say("moved %d messages (%.1f MB) from INBOX to Archive here" % (moved, size / 1e6))
        expected = bench.server_state(user)
        if step != STEPS[0]:
            time.sleep(STEP_PAUSE)
        label = "%s-%s-rtt%d-rep%d" % (step, tool.name, rtt_ms, rep)
        m = bench.measure(argv, label, extra_env=getattr(tool, "env", None))
        got = maildir_state(tool.maildir)
        if m.returncode not in tool.ok_codes:
            outcomes[step] = Outcome(status="error", note="exit %d: %s" % (m.returncode, log_note(m)))
        elif got != expected:
            outcomes[step] = Outcome(status="error", note="Maildir has %d messages (%d seen), server %d (%d seen)"
                                     " (log %s)" % (got + expected + (m.log,)))
        else:
            outcomes[step] = Outcome(m.seconds, m.rss_kb, wire_bytes=m.wire_bytes)
        if outcomes[step].status != "ok":
            break
    return {step: o for step, o in outcomes.items() if step in wanted}


def move_count(inbox):
    return min(MOVED, int(inbox * 0.4))


def move_on_server(bench, user):
    """Moves INBOX's largest messages to Archive with doveadm; returns (count, bytes)."""
    listing = bench.doveadm("-f", "tab", "fetch", "-u", user, "uid size.virtual", "mailbox", "INBOX").splitlines()[1:]
    sizes = sorted(((int(size), uid) for uid, size in (line.split("\t") for line in listing)), reverse=True)
    chosen = sizes[:move_count(len(sizes))]
    if chosen:
        bench.doveadm("move", "-u", user, "Archive", "mailbox", "INBOX", "uid", ",".join(uid for _, uid in chosen))
    return len(chosen), sum(size for size, _ in chosen)


def move_here(maildir):
    """Moves the largest files of the Maildir's INBOX to its Archive as mutt does (a copy under a new
    name, then the old one deleted); returns (count, bytes)."""
    inbox, archive = os.path.join(maildir, "INBOX"), os.path.join(maildir, "Archive", "cur")
    files = [os.path.join(inbox, sub, name) for sub in ("cur", "new") for name in os.listdir(os.path.join(inbox, sub))]
    chosen = sorted(files, key=os.path.getsize, reverse=True)[:move_count(len(files))]
    total = 0
    for n, path in enumerate(chosen):
        flags = path.rpartition(":2,")[2] if ":2," in path else ""
        with open(path, "rb") as f:
            data = f.read()
        target = os.path.join(archive, "%d.M%dP%d.mutt:2,%s" % (int(time.time()), n, os.getpid(), flags))
        with open(target, "wb") as f:
            f.write(data)
        stat = os.stat(path)
        os.chown(target, stat.st_uid, stat.st_gid)
        os.unlink(path)
        total += len(data)
    return len(chosen), total


def describe():
    return {"sync": "IMAP sync of N messages in %d folders into an empty Maildir" % FOLDERS,
            "resync": "IMAP sync again, nothing changed",
            "resync-changes": "IMAP sync after 1%% flags changed, 1%% expunged, 1%% added on the server",
            "move-server": "IMAP sync after up to %d of INBOX's largest messages moved to Archive on the server" % MOVED,
            "move-local": "IMAP sync after up to %d of INBOX's largest messages moved to Archive here" % MOVED}
