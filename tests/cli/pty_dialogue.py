#!/usr/bin/python3
"""Runs a command on a pseudo-terminal (stdin, stdout and stderr all the terminal) and answers it:

  pty_dialogue.py LOG COMMAND... -- EXPECT ANSWER [EXPECT ANSWER...]

waits for each EXPECT in the output (after the previous one), then types ANSWER and Enter
(ANSWER '-': types nothing). Writes everything the terminal showed to LOG. Exits 0 when every
EXPECT came and the command exited 0; else 1 (2 on a timeout).
"""
import os
import pty
import select
import sys
import time

TIMEOUT = 20


def main(argv):
    split = argv.index("--")
    log_path, command, pairs = argv[1], argv[2:split], argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen, position = b"", 0

    def read_some(deadline):
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
        if not ready:
            return False
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            raise EOFError
        seen += chunk
        return True

    status = 0
    try:
        for expect, answer in zip(pairs[0::2], pairs[1::2]):
            deadline = time.time() + TIMEOUT
            while seen.find(expect.encode(), position) < 0:
                if time.time() > deadline or not read_some(deadline):
                    status = 2
                    raise TimeoutError(expect)
            position = seen.find(expect.encode(), position) + len(expect)
            if answer != "-":
                time.sleep(0.05)  # the prompt is out; the program reads now
                os.write(fd, answer.encode() + b"\r")
        deadline = time.time() + TIMEOUT
        while read_some(deadline):
            pass
    except EOFError:
        pass
    except TimeoutError as e:
        seen += f"\n[pty_dialogue: timed out waiting for {e.args[0]!r}]\n".encode()
    finally:
        with open(log_path, "wb") as log:
            log.write(seen)
    if status:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        return status
    _, code = os.waitpid(pid, 0)
    return 0 if os.waitstatus_to_exitcode(code) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
