#!/usr/bin/python3
"""Smoke test of one private server (env.json of mailserver.py or other_servers.py), standard library only.

  other_server_smoke.py ENV_JSON [--idle] [--pop3-utf8]

Over implicit TLS checked against the suite's CA: logs in, checks NAMESPACE gives the delimiter and
personal prefix env.json names, creates a folder with a Japanese name (modified UTF-7) and a child,
APPENDs a message, finds both in LIST, SELECTs the child and FETCHes the message back byte for byte.
Over POP3S: RETR of a message APPENDed to INBOX is byte for byte the same; --pop3-utf8: CAPA lists
UTF8. --idle: a second connection's APPEND to INBOX wakes an IDLE on the first within 5 s.
Prints the server's folder name on the last line ("folder: NAME") for the caller.
"""

import base64
import imaplib
import json
import poplib
import re
import socket
import ssl
import sys
import time

MESSAGE = (b"From: Alice <alice@example.test>\r\n"
           b"To: Bob <bob@example.test>\r\n"
           b"Subject: =?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?=\r\n"
           b"Date: Fri, 04 Dec 2026 12:00:00 +0000\r\n"
           b"Message-ID: <smoke-%d@example.test>\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n"
           b"\r\n"
           b"=E6=97=A5=E6=9C=AC=E8=AA=9E\r\n"
           b"..a line that starts with a dot\r\n"
           b"end\r\n")


class SmokeFailure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise SmokeFailure(what)
    print("ok   %s" % what)


def mutf7(text):
    """RFC 3501 modified UTF-7."""
    out, run = [], []

    def flush():
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in text:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def quoted(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ok(response, what):
    typ, data = response
    if typ != "OK":
        raise SmokeFailure("%s: %s %r" % (what, typ, data))
    return data


def connect_imap(env, context):
    imap = imaplib.IMAP4_SSL(env["host"], env["ports"]["imaps"], ssl_context=context, timeout=20)
    ok(imap.login("alice", env["users"]["alice"]), "LOGIN")
    return imap


def imap_checks(env, context, idle):
    imap = connect_imap(env, context)
    print("info capabilities: %s" % " ".join(imap.capabilities))
    delimiter, prefix = env["delimiter"], env["personal_prefix"]
    namespace = ok(imap.namespace(), "NAMESPACE")[0].decode()
    print("info namespace: %s" % namespace)
    personal = re.match(r'\(\("([^"]*)" "(.)"\)', namespace)
    check(personal and personal.groups() == (prefix, delimiter),
          "NAMESPACE personal (%r, %r)" % (prefix, delimiter))

    parent = prefix + mutf7("日本語")
    child = parent + delimiter + mutf7("テスト")
    ok(imap.create(quoted(parent)), "CREATE parent")
    ok(imap.create(quoted(child)), "CREATE child")
    check(child.isascii() and "&" in child, "folder name %s is modified UTF-7" % child)

    message = MESSAGE % int(time.time())
    ok(imap.append(quoted(child), None, None, message), "APPEND")
    listed = ok(imap.list(), "LIST")
    print("info LIST:")
    names = []
    for line in listed:
        print("       %s" % line.decode(errors="replace"))
        m = re.match(rb'\(([^)]*)\) (?:"(.)"|NIL) (?:"((?:[^"\\]|\\.)*)"|(\S+))$', line)
        if m:
            names.append((m.group(3) or m.group(4)).decode())
    check(parent in names and child in names, "LIST has %s and %s" % (parent, child))

    data = ok(imap.select(quoted(child)), "SELECT")
    check(data[0] == b"1", "SELECT %s: 1 message" % child)
    typ, fetched = imap.uid("FETCH", "1:*", "(BODY.PEEK[])")
    ok((typ, fetched), "UID FETCH")
    body = fetched[0][1]
    check(body == message, "FETCH gives the APPENDed message byte for byte (%d bytes)" % len(message))
    ok(imap.close(), "CLOSE")
    if idle:
        idle_check(env, context, imap)
    imap.logout()
    return child


def idle_check(env, context, imap):
    ok(imap.select("INBOX"), "SELECT INBOX")
    exists = int(imap.untagged_responses.get("EXISTS", [b"0"])[-1])
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    check(imap.readline().startswith(b"+"), "IDLE accepted")
    other = connect_imap(env, context)
    ok(other.append("INBOX", None, None, MESSAGE % 0), "APPEND from a second connection")
    other.logout()
    imap.sock.settimeout(5)
    try:
        line = imap.readline()
    except (socket.timeout, TimeoutError):
        line = b""
    imap.sock.settimeout(20)
    check(line.strip() == b"* %d EXISTS" % (exists + 1), "IDLE woke with %r" % line.strip())
    imap.send(b"DONE\r\n")
    while not imap.readline().startswith(tag):
        pass


def pop3_checks(env, context, utf8):
    imap = connect_imap(env, context)
    message = MESSAGE % (int(time.time()) + 1)
    ok(imap.append("INBOX", None, None, message), "APPEND to INBOX for POP3")
    imap.logout()
    pop = poplib.POP3_SSL(env["host"], env["ports"]["pop3s"], context=context, timeout=20)
    capa = pop.capa()
    print("info POP3 CAPA: %s" % " ".join(sorted(capa)))
    if utf8:
        check("UTF8" in capa, "POP3 CAPA lists UTF8")
    pop.user("alice")
    pop.pass_(env["users"]["alice"])
    count, _ = pop.stat()
    check(count >= 1, "POP3 STAT: %d messages" % count)
    found = False
    for number in range(1, count + 1):
        _, lines, _ = pop.retr(number)
        # poplib removes the dot-stuffing and the line ends
        if b"\r\n".join(lines) + b"\r\n" == message:
            found = True
    check(found, "POP3 RETR gives the APPENDed message byte for byte")
    pop.quit()


def main(argv):
    with open(argv[1]) as f:
        env = json.load(f)
    context = ssl.create_default_context(cafile=env["ca_file"])
    print("info server: %s (delimiter %r, personal prefix %r)" % (
        env.get("server"), env["delimiter"], env["personal_prefix"]))
    try:
        child = imap_checks(env, context, "--idle" in argv)
        pop3_checks(env, context, "--pop3-utf8" in argv)
    except (SmokeFailure, imaplib.IMAP4.error, poplib.error_proto, OSError) as e:
        print("FAIL %s" % e)
        return 1
    print("folder: %s" % child)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
