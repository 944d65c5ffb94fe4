"""(c) sync: N messages in 14 folders (Japanese and Chinese names among them) from IMAP into an
empty Maildir; (d) resync: again with nothing changed; (e) resync-changes: again after 1% of
the messages had their flags changed, 1% were expunged and 1% were added on the server.

One chain per repetition and tool: a fresh directory, sync, resync, change the server, resync;
after each step the Maildir must hold as many messages, and as many seen ones, as the server."""

import time

from .common import STEP_PAUSE, Account, Outcome, change_server, log_note, maildir_state
from .tools import Mbsync, Offlineimap, ZmailSync

STEPS = ("sync", "resync", "resync-changes")
BASE_MESSAGES = 20000
MIN_MESSAGES = 200
FOLDERS = 14
CHANGED_FRACTION = 0.01


def tools():
    return [ZmailSync(), Mbsync(), Offlineimap()]


def messages(scale):
    return max(MIN_MESSAGES, round(BASE_MESSAGES * scale))


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    user = "sync%d" % count
    password = bench.user(user, count, FOLDERS, "sync")
    directory = bench.fresh_dir("%s-sync-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    argv = tool.configure(bench, directory, Account(bench, user, password, bench.port("imaps", rtt_ms)))
    outcomes = {}
    for step in STEPS:
        if step == "resync-changes":
            if "resync-changes" not in wanted:
                break
            change_server(bench, user, CHANGED_FRACTION, "%s-%d-%d-%s" % (tool.name, rtt_ms, rep, count), bench.work)
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


def describe():
    return {"sync": "IMAP sync of N messages in %d folders into an empty Maildir" % FOLDERS,
            "resync": "IMAP sync again, nothing changed",
            "resync-changes": "IMAP sync after 1%% flags changed, 1%% expunged, 1%% added on the server"}
