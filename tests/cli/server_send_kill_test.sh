#!/bin/bash
# zmail send --flush killed with SIGKILL at random moments never loses or doubles a message.
#
# Each trial queues N messages (the SMTP port closed, so `send --queue` keeps them), opens the
# port, starts `zmail send --flush` and kills it after a random delay spread over the time a
# whole flush takes, then flushes again to the end. Checked after every trial:
#   - the receiver has each message at most once;
#   - each message it does not have is still in the queue (pending or "uncertain");
#   - at most one message is uncertain (the one whose end went out when the kill came); it is
#     resolved the way its user would: --drop-uncertain when it arrived, --resend-uncertain
#     when it did not;
#   - then every message arrived exactly once, the queue is empty, and the Sent folder holds
#     exactly one copy of each (save_sent always: the copy is part of what a flush finishes).
# Needs the mail server fixture (ZMAIL_FIXTURE_DIR) and ZMAIL.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
: "${ZMAIL_FIXTURE_DIR:?set ZMAIL_FIXTURE_DIR to the running mail server fixture}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
default_trials=12
[[ ${ZMAIL_SANITIZED:-0} == 1 ]] && default_trials=4  # ASan: the paths, not the count
trials=${ZMAIL_KILL_TRIALS:-$default_trials}
messages=${ZMAIL_KILL_MESSAGES:-20}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$ZMAIL" "$ZMAIL_FIXTURE_DIR" "$source_dir" "$tmp" "$trials" "$messages" <<'PYTHON'
import collections
import json
import os
import random
import socket
import subprocess
import sys
import time

zmail, fixture, source, tmp, trials, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
env_json = json.load(open(os.path.join(fixture, "env.json")))
user = "kill%d" % os.getpid()
password = "pw-%d" % os.getpid()
subprocess.run(["/usr/bin/python3", os.path.join(source, "tests/fixture/mailserver.py"), "adduser", fixture, user,
                password], check=True, stdout=subprocess.DEVNULL)
address = "%s@%s" % (user, env_json["domain"])
config = os.path.join(tmp, "config.json")
state = os.path.join(tmp, "state")
queue = os.path.join(state, "queue")
env = dict(os.environ, ZMAIL_CONFIG=config, XDG_STATE_HOME=os.path.join(tmp, "xdg"), ZMAIL_PW=password,
           HOME=tmp, NO_COLOR="1")
failures = []


def fail(text):
    print("FAIL: " + text, file=sys.stderr)
    failures.append(text)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(smtp_port):
    doc = {"version": 1, "default": "k", "accounts": {"k": {
        "preset": "custom", "address": address, "user": user, "ca_file": env_json["ca_file"],
        "password": {"env": "ZMAIL_PW"}, "state_dir": state,
        "smtp": {"host": env_json["host"], "port": smtp_port, "security": "starttls"},
        "imap": {"host": env_json["host"], "port": env_json["ports"]["imaps"], "security": "tls"},
        "send": {"save_sent": "always"}}}}
    with open(config + ".tmp", "w") as f:
        json.dump(doc, f)
    os.chmod(config + ".tmp", 0o600)
    os.replace(config + ".tmp", config)


def zmail_run(*args, stdin=None):
    return subprocess.run([zmail, *args], env=env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def received_ids():
    """Message-ID -> how many times the receiver kept it (complete messages only)."""
    counts = collections.Counter()
    directory = env_json["received_dir"]
    for name in os.listdir(directory):
        if not (name.endswith(".json") and len(name) == 11):
            continue
        with open(os.path.join(directory, name[:-5] + ".eml"), "rb") as f:
            for line in f:
                if line.lower().startswith(b"message-id:"):
                    counts[line.split(b":", 1)[1].strip().decode()] += 1
                    break
                if line in (b"\r\n", b"\n"):
                    break
    return counts


def sent_copies(message_id):
    r = subprocess.run(env_json["doveadm"] + ["search", "-u", user, "mailbox", "Sent", "HEADER", "Message-ID",
                                              message_id], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        fail("doveadm search failed: %s" % r.stderr.decode())
        return -1
    return len(r.stdout.splitlines())


def queue_files():
    return sorted(n for n in os.listdir(queue) if n != ".lock") if os.path.isdir(queue) else []


def fill_queue(trial):
    write_config(closed_port())
    ids = []
    for i in range(count):
        mid = "<kill-%d-%d-%d@%s>" % (os.getpid(), trial, i, env_json["domain"])
        message = ("From: %s\nTo: sink-%d@example.net\nSubject: kill trial %d message %d\nMessage-ID: %s\n\n"
                   "line\n.\nbody %d\n" % (address, i, trial, i, mid, i)).encode()
        r = zmail_run("send", "--queue", "-t", stdin=message)
        if r.returncode != 0:
            fail("queueing failed (%d): %s" % (r.returncode, r.stderr.decode()))
        ids.append(mid)
    write_config(env_json["ports"]["submission"])
    return ids


def flush_json(*extra):
    r = zmail_run("--json", "send", "--flush", *extra)
    try:
        return r.returncode, json.loads(r.stdout or b"[]")
    except ValueError:
        fail("flush printed no JSON (%d): %s" % (r.returncode, r.stderr.decode()))
        return r.returncode, []


# Calibrate: how long does a whole flush of N messages take here?
ids = fill_queue(-1)
started = time.monotonic()
code, _ = flush_json()
duration = time.monotonic() - started
if code != 0:
    fail("calibration flush exited %d" % code)
print("a flush of %d messages takes %.2f s" % (count, duration))

stats = collections.Counter()
for trial in range(trials):
    ids = fill_queue(trial)
    flush = subprocess.Popen([zmail, "send", "--flush"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0.0, duration * 0.9))
    flush.kill()
    status = flush.wait()
    stats["killed" if status == -9 else "finished before the kill"] += 1
    stats["entries left by the kill"] += len([n for n in queue_files() if not n.endswith(".eml")])

    code, report = flush_json()
    got = received_ids()
    uncertain = [m for r in report for m in r["messages"] if m["state"] == "uncertain"]
    pending = [m for r in report for m in r["messages"] if m["state"] == "pending"]
    for mid in ids:
        if got[mid] > 1:
            fail("trial %d: %s arrived %d times" % (trial, mid, got[mid]))
    missing = [mid for mid in ids if got[mid] == 0]
    kept = {m["message_id"] for m in uncertain + pending}
    for mid in missing:
        if mid not in kept:
            fail("trial %d: %s was lost (not received, not in the queue)" % (trial, mid))
    if pending:
        fail("trial %d: %d messages still pending after a full flush (exit %d)" % (trial, len(pending), code))
    if len(uncertain) > 1:
        fail("trial %d: %d uncertain messages; a kill can leave one at most" % (trial, len(uncertain)))
    if uncertain:
        stats["uncertain"] += 1
        arrived = got[uncertain[0]["message_id"]] == 1
        stats["uncertain and had arrived" if arrived else "uncertain and had not arrived"] += 1
        code, _ = flush_json("--drop-uncertain" if arrived else "--resend-uncertain")
        if code != 0:
            fail("trial %d: resolving the uncertain message exited %d" % (trial, code))
    elif code != 0:
        fail("trial %d: the second flush exited %d" % (trial, code))

    got = received_ids()
    for mid in ids:
        if got[mid] != 1:
            fail("trial %d: %s arrived %d times in the end" % (trial, mid, got[mid]))
        copies = sent_copies(mid)
        if copies != 1:
            fail("trial %d: %s has %d copies in Sent" % (trial, mid, copies))
    if queue_files():
        fail("trial %d: the queue is not empty: %s" % (trial, queue_files()))

print("trials: %d; %s" % (trials, ", ".join("%s: %d" % kv for kv in sorted(stats.items()))))
if failures:
    print("%d failure(s)" % len(failures), file=sys.stderr)
    sys.exit(1)
print("server_send_kill_test: all passed")
PYTHON
