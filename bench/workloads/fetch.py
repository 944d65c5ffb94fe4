"""(a) fetch: N messages by POP3 into an empty Maildir, leaving them on the server;
(b) refetch: the same again with nothing new (only the UIDL bookkeeping is left to do).

One chain per repetition and tool: a fresh directory, fetch (measured), refetch (measured),
each followed by a count of the Maildir's files."""

import time

from .common import STEP_PAUSE, Account, Outcome, log_note, maildir_state
from .tools import Fetchmail, Getmail, Mpop, ZmailFetch

STEPS = ("fetch", "refetch")
BASE_MESSAGES = 5000
MIN_MESSAGES = 50


def tools():
    return [ZmailFetch(), Mpop(), Fetchmail(), Getmail()]


def messages(scale):
    return max(MIN_MESSAGES, round(BASE_MESSAGES * scale))


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    user = "fetch%d" % count
    password = bench.user(user, count, 1, "fetch")
    directory = bench.fresh_dir("%s-fetch-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    argv = tool.configure(bench, directory, Account(bench, user, password, bench.port("pop3s", rtt_ms)))
    outcomes = {}
    for step in STEPS:
        if step != STEPS[0]:
            time.sleep(STEP_PAUSE)
        label = "%s-%s-rtt%d-rep%d" % (step, tool.name, rtt_ms, rep)
        m = bench.measure(argv, label, extra_env=getattr(tool, "env", None))
        got, _ = maildir_state(tool.maildir)
        if m.returncode not in tool.ok_codes:
            outcomes[step] = Outcome(status="error", note="exit %d: %s" % (m.returncode, log_note(m)))
        elif got != count:
            outcomes[step] = Outcome(status="error", note="%d messages in the Maildir, expected %d (log %s)" % (
                got, count, m.log))
        else:
            outcomes[step] = Outcome(m.seconds, m.rss_kb, wire_bytes=m.wire_bytes)
        if outcomes[step].status != "ok":
            break  # the next step would measure something else
    return {step: o for step, o in outcomes.items() if step in wanted}


def describe():
    return {"fetch": "POP3 fetch of N messages into an empty Maildir, keep on server",
            "refetch": "POP3 fetch again, nothing new"}
