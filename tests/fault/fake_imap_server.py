#!/usr/bin/python3
"""A scripted fake IMAP server for zmail's fault tests (plaintext, 127.0.0.1 only).

  fake_imap_server.py SCENARIO

Prints the port it listens on (one line), accepts one connection, does the login dialogue
libcurl performs (greeting with CAPABILITY, CAPABILITY, AUTHENTICATE PLAIN with or without an
initial response, or LOGIN), answers the session's CAPABILITY, then misbehaves on the next
command as SCENARIO says:

  cut_literal   a FETCH response whose literal is cut off, then close
  cut_line      half a response line, then close
  garbage       an HTTP reply instead of IMAP
  giant_line    an untagged line of 17 MiB without an end, then wait
  stall         no answer at all
  stall_literal half a literal, then no more bytes
  bye           an untagged BYE, then close
  bad_tag       a tagged OK for a tag that was never sent
  ok            answers NOOP and LOGOUT properly (a control case)
  xoauth2_only  offers only AUTH=XOAUTH2 (as Outlook does) and takes a second connection (a
                client that asked for OAUTHBEARER first), then behaves as ok

Standard library only; exits after the connection ends or after 60 seconds.
"""

import socket
import sys
import time

CAPABILITIES = b"IMAP4rev1 IDLE UIDPLUS LITERAL+ ID ENABLE"


def read_line(conn, buffer):
    while b"\r\n" not in buffer[0]:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError
        buffer[0] += chunk
    line, _, rest = buffer[0].partition(b"\r\n")
    buffer[0] = rest
    return line.decode("latin-1")


def login(conn, buffer, mechanisms=b"AUTH=PLAIN AUTH=LOGIN"):
    conn.sendall(b"* OK [CAPABILITY IMAP4rev1 " + mechanisms + b" SASL-IR] fake ready\r\n")
    while True:
        line = read_line(conn, buffer)
        words = line.split(" ")
        tag, command = words[0], (words[1].upper() if len(words) > 1 else "")
        if command == "CAPABILITY":
            conn.sendall(b"* CAPABILITY IMAP4rev1 " + mechanisms + b" SASL-IR\r\n" + tag.encode() + b" OK done\r\n")
        elif command == "AUTHENTICATE":
            if len(words) < 4:  # no initial response: ask for it
                conn.sendall(b"+ \r\n")
                read_line(conn, buffer)
                if words[2].upper() == "LOGIN":
                    conn.sendall(b"+ UGFzc3dvcmQ6\r\n")
                    read_line(conn, buffer)
            conn.sendall(tag.encode() + b" OK Logged in\r\n")
            return
        elif command == "LOGIN":
            conn.sendall(tag.encode() + b" OK Logged in\r\n")
            return
        else:
            conn.sendall(tag.encode() + b" BAD not before login\r\n")


def serve(conn, scenario):
    buffer = [b""]
    if scenario == "xoauth2_only":
        login(conn, buffer, b"AUTH=XOAUTH2")
        scenario = "ok"
    else:
        login(conn, buffer)
    line = read_line(conn, buffer)  # the session's CAPABILITY
    tag = line.split(" ")[0].encode()
    conn.sendall(b"* CAPABILITY " + CAPABILITIES + b"\r\n" + tag + b" OK Capability completed.\r\n")
    line = read_line(conn, buffer)
    tag = line.split(" ")[0].encode()
    if scenario == "cut_literal":
        conn.sendall(b"* 1 FETCH (UID 1 FLAGS () BODY[] {1000}\r\n" + b"x" * 300)
        return
    if scenario == "cut_line":
        conn.sendall(b"* 1 FETCH (UID 1 FLA")
        return
    if scenario == "garbage":
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        time.sleep(5)
        return
    if scenario == "giant_line":
        chunk = b"x" * (1024 * 1024)
        conn.sendall(b"* OK ")
        try:
            for _ in range(17):
                conn.sendall(chunk)
        except OSError:
            return
        time.sleep(30)
        return
    if scenario == "stall":
        time.sleep(30)
        return
    if scenario == "stall_literal":
        conn.sendall(b"* 1 FETCH (UID 1 BODY[] {1000}\r\n" + b"y" * 10)
        time.sleep(30)
        return
    if scenario == "bye":
        conn.sendall(b"* BYE Server shutting down for maintenance\r\n")
        return
    if scenario == "bad_tag":
        conn.sendall(b"Q99 OK who asked?\r\n")
        time.sleep(5)
        return
    # "ok": behave until LOGOUT.
    while True:
        words = line.split(" ")
        command = words[1].upper() if len(words) > 1 else ""
        if command == "LOGOUT":
            conn.sendall(b"* BYE Logging out\r\n" + tag + b" OK Logout completed.\r\n")
            return
        conn.sendall(tag + b" OK " + command.encode() + b" completed.\r\n")
        line = read_line(conn, buffer)
        tag = line.split(" ")[0].encode()


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(60)
    print(listener.getsockname()[1], flush=True)
    try:
        conn, _ = listener.accept()
        if argv[1] == "xoauth2_only":
            # the first client never gets to AUTHENTICATE: it wanted a mechanism not offered
            buffer = [b""]
            try:
                login(conn, buffer, b"AUTH=XOAUTH2")
            except (EOFError, OSError):
                pass
            conn.close()
            conn, _ = listener.accept()
    except socket.timeout:
        return 1
    conn.settimeout(60)
    try:
        serve(conn, argv[1])
    except (EOFError, OSError):
        pass
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
