"""(h) large: one 50 MB message (a Japanese subject, a base64 attachment) from IMAP into an
empty Maildir: time and peak memory, which must not grow with the message.
(i) push: `zmail sync --watch` running; a message saved into 送信済み (not INBOX) on the
server, then the time until its file is in the Maildir; the median of 5. NOTIFY (Dovecot offers
it) watches every folder; mbsync has no push (it would wait for the next run from cron)."""

import base64
import os
import random
import signal
import subprocess
import time

from .common import Account, BenchError, Outcome, log_note, maildir_state
from .tools import Mbsync, ZmailSync

STEPS = ("large", "push")
LARGE_BYTES = 50 * 1000 * 1000
PUSHES = 5
PUSH_FOLDER = "送信済み"


def tools():
    return [ZmailSync(), Mbsync()]


def messages(scale):
    return 1


def large_message(seed):
    """About LARGE_BYTES of message: headers, a short text part, one base64 attachment."""
    rng = random.Random("large:%s" % seed)
    raw = rng.randbytes(LARGE_BYTES * 3 // 4 - 4096)
    encoded = base64.encodebytes(raw).replace(b"\n", b"\r\n")
    head = ("From: =?UTF-8?B?5bGx55Sw?= <yamada@example.jp>\r\nTo: bench@example.test\r\n"
            "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= 50 MB\r\nDate: Sun, 1 Dec 2024 10:00:00 +0900\r\n"
            "Message-ID: <large-%s@example.jp>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n\r\n資料を添付します。\r\n--b\r\n"
            "Content-Type: application/octet-stream; name=\"data.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" % seed).encode()
    return head + encoded + b"--b--\r\n"


def save(bench, user, folder, data):
    r = subprocess.run(bench.env["doveadm"] + ["save", "-u", user, "-m", folder], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        raise BenchError("doveadm save: %s" % r.stderr.decode(errors="replace"))


def new_user(bench, name):
    """A server user of its own, with the folder the pushes go to (no corpus)."""
    if name in bench.users:
        return bench.users[name]
    password = bench.user(name, 0, 1, "")
    bench.doveadm("mailbox", "create", "-u", name, PUSH_FOLDER)
    return password


def run_large(bench, tool, rtt_ms, rep):
    user = "large%s%d%d" % (tool.name, rtt_ms, rep)
    password = new_user(bench, user)
    save(bench, user, "INBOX", large_message(user))
    directory = bench.fresh_dir("%s-large-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    argv = tool.configure(bench, directory, Account(bench, user, password, bench.port("imaps", rtt_ms)))
    m = bench.measure(argv, "large-%s-rtt%d-rep%d" % (tool.name, rtt_ms, rep), extra_env=getattr(tool, "env", None))
    if m.returncode not in tool.ok_codes:
        return Outcome(status="error", note="exit %d: %s" % (m.returncode, log_note(m)))
    got = maildir_state(tool.maildir)
    if got[0] != 1:
        return Outcome(status="error", note="Maildir has %d messages, expected 1" % got[0])
    return Outcome(m.seconds, m.rss_kb, wire_bytes=m.wire_bytes)


def files_in(folder):
    return sum(len(os.listdir(os.path.join(folder, sub))) for sub in ("cur", "new")
               if os.path.isdir(os.path.join(folder, sub)))


def peak_rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_push(bench, tool, rtt_ms, rep):
    if not isinstance(tool, ZmailSync):
        return Outcome(status="n/a", note="no push: mail waits for the next run")
    user = "push%d%d" % (rtt_ms, rep)
    password = new_user(bench, user)
    directory = bench.fresh_dir("%s-push-rtt%d-rep%d" % (tool.name, rtt_ms, rep))
    tool.configure(bench, directory, Account(bench, user, password, bench.port("imaps", rtt_ms)))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.update(tool.env)
    log = open(os.path.join(bench.logs, "push-rtt%d-rep%d.log" % (rtt_ms, rep)), "wb")
    watcher = subprocess.Popen([bench.zmail, "-v", "sync", "--watch", "--interval", "600"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    folder = os.path.join(tool.maildir, PUSH_FOLDER)
    latencies = []
    try:
        deadline = time.monotonic() + 60
        while not os.path.isdir(os.path.join(folder, "cur")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(2)  # the first sync is done and the watch has begun
        for n in range(PUSHES):
            before = files_in(folder)
            message = ("From: bench@example.test\r\nSubject: push %d\r\nMessage-ID: <push-%s-%d@example.test>\r\n\r\n"
                       "body\r\n" % (n, user, n)).encode()
            save(bench, user, PUSH_FOLDER, message)
            saved = time.monotonic()
            while files_in(folder) == before:
                if time.monotonic() - saved > 30 or watcher.poll() is not None:
                    return Outcome(status="error", note="message %d not in the Maildir after 30 s (log %s)" % (
                        n, log.name))
                time.sleep(0.005)
            latencies.append(time.monotonic() - saved)
            time.sleep(0.5)
        rss = peak_rss_kb(watcher.pid)
    finally:
        watcher.send_signal(signal.SIGTERM)
        try:
            watcher.wait(timeout=10)
        except subprocess.TimeoutExpired:
            watcher.kill()
            watcher.wait()
        log.close()
    latencies.sort()
    return Outcome(latencies[len(latencies) // 2], rss)


def run_chain(bench, tool, rtt_ms, rep, count, wanted):
    outcomes = {}
    try:
        if "large" in wanted:
            outcomes["large"] = run_large(bench, tool, rtt_ms, rep)
        if "push" in wanted:
            outcomes["push"] = run_push(bench, tool, rtt_ms, rep)
    except BenchError as e:
        for step in wanted:
            outcomes.setdefault(step, Outcome(status="error", note=str(e)))
    return outcomes


def describe():
    return {"large": "IMAP sync of one 50 MB message into an empty Maildir",
            "push": "sync --watch: seconds from a message saved into a folder other than INBOX to its file "
                    "(median of %d)" % PUSHES}
