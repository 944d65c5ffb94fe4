"""(f) send: N messages (default 200) through the server's submission port (STARTTLS, AUTH
PLAIN) to an outside recipient; the SMTP receiver behind Dovecot must get every one of them
with its body unchanged (the bodies hold lines like "." and "From ", so dot-stuffing counts)."""

import collections
import hashlib
import os
import subprocess

from .common import CORPUS, PYTHON, Account, BenchError, Outcome, log_note
from .tools import Msmtp, ZmailSend

STEPS = ("send",)
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


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    messages_dir = eml_dir(bench, count)
    directory = bench.fresh_dir("%s-send-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    account = Account(bench, SENDER, bench.env["users"][SENDER], bench.port("submission", rtt_ms))
    config = tool.configure(bench, directory, account)
    if isinstance(tool, Msmtp):
        argv = tool.send_command(config, messages_dir, RECIPIENT)
    else:
        argv = tool.send_command(bench, messages_dir, RECIPIENT)
    received_dir = bench.env["received_dir"]
    before = set(os.listdir(received_dir))
    m = bench.measure(argv, "send-%s-rtt%d-rep%d" % (tool.name, rtt_ms, rep), extra_env=getattr(tool, "env", None))
    if m.returncode not in tool.ok_codes:
        return {"send": Outcome(status="error", note="exit %d: %s" % (m.returncode, log_note(m)))}
    arrived = sorted(n for n in set(os.listdir(received_dir)) - before if n.endswith(".json"))
    if len(arrived) != count:
        return {"send": Outcome(status="error", note="receiver got %d messages, expected %d" % (len(arrived), count))}
    sent = body_digests(os.path.join(messages_dir, n) for n in os.listdir(messages_dir) if n.endswith(".eml"))
    got = body_digests(os.path.join(received_dir, n[:-5] + ".eml") for n in arrived)
    if sent != got:
        return {"send": Outcome(status="error", note="%d message bodies arrived changed" % sum((sent - got).values()))}
    return {"send": Outcome(m.seconds, m.rss_kb)}


def body_digests(paths):
    """How often each body (everything after the header, line endings made LF) occurs."""
    digests = collections.Counter()
    for path in paths:
        with open(path, "rb") as f:
            data = f.read().replace(b"\r\n", b"\n")
        digests[hashlib.sha256(data.partition(b"\n\n")[2]).hexdigest()] += 1
    return digests


def describe():
    return {"send": "N messages through submission (STARTTLS), one process per message"}
