#!/usr/bin/python3
"""zmail fetch killed with SIGKILL at random moments (seeded): after the next successful run every
message is in the Maildir exactly once and the server holds exactly what the policy says.

  kill_trials.py [TRIALS] [SEED]      defaults: 36 trials, seed 20251122

Each trial uses a fresh user with its own messages and a fresh client; trials alternate between
keep and delete, and between Maildir and mbox delivery for every fourth trial. The delay is drawn
between 0 and 1.3 times the duration of an uninterrupted run, measured once beforehand, so kills
land in login, listing, retrieval, the durable batches, DELE, QUIT and compaction alike. A third
of the trials kill the recovery run too before the final run.
"""

import os
import random
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fetchlib  # noqa: E402
from fetchlib import Client, Failure, check_exactly_once, check_server  # noqa: E402

MESSAGES = 160


def mbox_messages(path):
    """The messages of an mbox written by zmail, unquoted (mboxrd), as the server holds them."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    messages, current = [], None
    for line in lines:
        if line.startswith(b"From "):
            if current is not None:
                messages.append(current)
            current = []
        elif current is not None:
            current.append(line[1:] if line.startswith(b">") and line.lstrip(b">").startswith(b"From ") else line)
    if current is not None:
        messages.append(current)
    out = []
    for body in messages:
        while body and body[-1] == b"":  # the separator line (and the split's empty tail)
            body = body[:-1]
        out.append(b"\n".join(body) + b"\n")
    return sorted(out)


def measure(fixture):
    user, password = fixture.new_user("calib")
    fixture.put_messages(user, fetchlib.make_messages(MESSAGES, seed=1, large_every=25))
    client = Client(fixture, user, password, fixture.port("pop3s"), label="calibrate")
    started = time.monotonic()
    client.run_checked("fetch", "--delete")
    return time.monotonic() - started


def trial(fixture, number, rng, duration):
    keep = number % 2 == 0
    use_mbox = number % 4 == 3
    user, password = fixture.new_user("kill")
    messages = fetchlib.make_messages(MESSAGES, seed=1000 + number, large_every=25)
    fixture.put_messages(user, messages)
    client = Client(fixture, user, password, fixture.port("pop3s"), label="kill%d" % number)
    args = ["fetch", "--keep" if keep else "--delete"]
    mbox = os.path.join(client.dir, "inbox.mbox")
    if use_mbox:
        args += ["--deliver", "mbox:" + mbox]
    kills = 2 if rng.random() < 1 / 3 else 1
    delays = []
    for _ in range(kills):
        delay = rng.uniform(0, duration * 1.3)
        delays.append(delay)
        process = client.popen(*args)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate()
    final = client.run(*args, "--wait", "10")
    if final.returncode != 0:
        raise Failure("trial %d (delays %s): final run exited %d: %s" % (
            number, ["%.3f" % d for d in delays], final.returncode, final.err))
    what = "trial %d (%s, %s, killed after %s s)" % (number, "keep" if keep else "delete",
                                                     "mbox" if use_mbox else "maildir",
                                                     ", ".join("%.3f" % d for d in delays))
    if use_mbox:
        got = mbox_messages(mbox)
        if got != sorted(messages):
            dupes = len(got) - len(set(got))
            raise Failure("%s: mbox holds %d messages, expected %d (%d duplicates)" % (
                what, len(got), len(messages), dupes))
    else:
        check_exactly_once(client, messages, what)
    check_server(fixture, user, len(messages) if keep else 0, what)
    again = client.run(*args)
    if again.returncode != 0 or (not use_mbox and len(client.local_messages()) != len(messages)):
        raise Failure("%s: a further run changed the Maildir or failed: %s" % (what, again.err))


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 36
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 20251122
    rng = random.Random(seed)
    fixture = fetchlib.Fixture()
    failed = 0
    try:
        duration = max(measure(fixture), 0.05)
        print("an uninterrupted run of %d messages takes %.3f s; seed %d" % (MESSAGES, duration, seed), flush=True)
        for number in range(trials):
            try:
                trial(fixture, number, rng, duration)
                print("ok    trial %d" % number, flush=True)
            except Exception as e:
                failed += 1
                print("FAIL  %s" % e, flush=True)
    finally:
        fixture.cleanup()
    print("%d of %d trials failed" % (failed, trials))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
