"""(f) send: N messages (default 200) through the server's submission port (STARTTLS, AUTH
PLAIN) to an outside recipient; the SMTP receiver behind Dovecot must get every one of them
with its body unchanged (the bodies hold lines like "." and "From ", so dot-stuffing counts).

  send   one process per message, the recipient as an argument, as mail user agents call a
         sendmail: msmtp, and zmail in sendmail mode.
  flush  the same N messages sent from a queue: `zmail send --flush` over one connection (the
         queue filled first, unmeasured, with `zmail send --queue` while the port is closed);
         msmtp's queue runner (msmtp-runqueue.sh in Debian's msmtp package) runs msmtp once per
         queued message, the same loop as `send`, so msmtp's row runs that loop again."""

import collections
import hashlib
import os
import socket
import subprocess

from .common import CORPUS, PYTHON, Account, BenchError, Outcome, log_note
from .tools import Msmtp, ZmailSend

STEPS = ("send", "flush")
BASE_MESSAGES = 200
MIN_MESSAGES = 20
SENDER = "alice"
RECIPIENT = "bench-recipient@example.net"


def tools():
    return [ZmailSend(), Msmtp()]


def messages(scale):
    return max(MIN_MESSAGES, round(BASE_MESSAGES * scale))


def eml_dir(bench, count):
    path = os.path.join(bench.work, "send-%d" % count)
    if not os.path.isdir(path):
        r = subprocess.run([PYTHON, CORPUS, "--eml-dir", path, "--messages", str(count), "--seed", "send",
                            "--address", "%s@%s" % (SENDER, bench.env["domain"]), "--max-size", "2000000",
                            "--large", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        if r.returncode != 0:
            raise BenchError("cannot make messages to send: %s" % r.stdout.decode(errors="replace"))
        bench.own(path)
    return path


def closed_port():
    """A loopback port nothing listens on (zmail queues while the server cannot be reached)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measured(bench, tool, argv, label, count, messages_dir):
    """Runs argv; the receiver must get `count` new messages with the bodies of messages_dir."""
    received_dir = bench.env["received_dir"]
    before = set(os.listdir(received_dir))
    m = bench.measure(argv, label, extra_env=getattr(tool, "env", None))
    if m.returncode not in tool.ok_codes:
        return Outcome(status="error", note="exit %d: %s" % (m.returncode, log_note(m)))
    arrived = sorted(n for n in set(os.listdir(received_dir)) - before if n.endswith(".json"))
    if len(arrived) != count:
        return Outcome(status="error", note="receiver got %d messages, expected %d" % (len(arrived), count))
    sent = body_digests(os.path.join(messages_dir, n) for n in os.listdir(messages_dir) if n.endswith(".eml"))
    got = body_digests(os.path.join(received_dir, n[:-5] + ".eml") for n in arrived)
    if sent != got:
        return Outcome(status="error", note="%d message bodies arrived changed" % sum((sent - got).values()))
    return Outcome(m.seconds, m.rss_kb, wire_bytes=m.wire_bytes)


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    messages_dir = eml_dir(bench, count)
    directory = bench.fresh_dir("%s-send-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    account = Account(bench, SENDER, bench.env["users"][SENDER], bench.port("submission", rtt_ms))
    config = tool.configure(bench, directory, account)
    label = "%s-rtt%d-rep%d" % (tool.name, rtt_ms, rep)
    if isinstance(tool, Msmtp):
        loop = tool.send_command(config, messages_dir, RECIPIENT)
    else:
        loop = tool.send_command(bench, messages_dir, RECIPIENT)
    out = {}
    if "send" in wanted:
        out["send"] = measured(bench, tool, loop, "send-" + label, count, messages_dir)
    if "flush" in wanted:
        if isinstance(tool, ZmailSend):
            m = bench.measure(tool.queue_command(bench, messages_dir, RECIPIENT, closed_port()), "queue-" + label,
                              extra_env=tool.env)
            if m.returncode != 0:
                out["flush"] = Outcome(status="error", note="queueing: exit %d: %s" % (m.returncode, log_note(m)))
                return out
            argv = tool.flush_command(bench)
        else:
            argv = loop  # what msmtp-runqueue.sh does: msmtp once per queued message
        out["flush"] = measured(bench, tool, argv, "flush-" + label, count, messages_dir)
    return out


def body_digests(paths):
    """How often each body (everything after the header, line endings made LF) occurs."""
    digests = collections.Counter()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        digests[hashlib.sha256(data.partition(b"\n\n")[2]).hexdigest()] += 1
    return digests


def describe():
    return {"send": "N messages through submission (STARTTLS), one process per message",
            "flush": "N queued messages: zmail send --flush over one connection; msmtp once per message "
                     "(as msmtp-runqueue.sh runs it)"}
