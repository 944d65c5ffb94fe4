"""A scripted POP3 server that misbehaves on purpose, for zmail fetch's hostile-server tests.

Plaintext on 127.0.0.1 (the account needs pop.security none and pop.allow_plaintext true). It
answers libcurl's login (CAPA, then AUTH PLAIN with or without an initial response, or
USER/PASS), then serves a small maildrop with one fault, chosen by `mode`:

  ok               a well-behaved server (the control case)
  giant-uidl-line  a UIDL listing line of 200 KB
  giant-status     a 200 KB status line without an end in reply to RETR
  huge-data-line   a legal message whose body is one 8 MB line (must be delivered)
  truncated-retr   RETR sends part of a message and closes the connection (bad multi-line)
  garbage-listing  a UIDL listing with lines that are not "n uid"
  garbage-status   "HELLO" instead of +OK/-ERR in reply to RETR
  duplicate-uidls  two messages with the same UIDL
  no-uidl          no UIDL in CAPA, and -ERR for the UIDL command
  list-mismatch    LIST names fewer messages than UIDL
  quit-err         -ERR in reply to QUIT

Every command received is kept in `commands`.
"""

import socket
import sys
import threading

MESSAGES = [
    b"From: a@example.test\r\nSubject: one\r\nMessage-ID: <1@fake>\r\n\r\nfirst\r\n",
    b"From: b@example.test\r\nSubject: two\r\nMessage-ID: <2@fake>\r\n\r\nsecond\r\n..dot\r\n",
    b"From: c@example.test\r\nSubject: three\r\nMessage-ID: <3@fake>\r\n\r\nthird\r\n",
]
MODES = ["ok", "giant-uidl-line", "giant-status", "huge-data-line", "truncated-retr", "garbage-listing",
         "garbage-status", "duplicate-uidls", "no-uidl", "list-mismatch", "quit-err"]


class FakePop3:
    def __init__(self, mode):
        if mode not in MODES:
            raise ValueError("unknown mode %r" % mode)
        self.mode = mode
        self.messages = list(MESSAGES)
        if mode == "huge-data-line":
            self.messages[1] = b"Subject: huge\r\n\r\n" + b"x" * (8 * 1024 * 1024) + b"\r\n"
        self.uids = ["uid-one", "uid-two", "uid-three"]
        if mode == "duplicate-uidls":
            self.uids[2] = "uid-one"
        self.commands = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        try:
            self.listener.close()
        except OSError:
            pass

    def _accept_loop(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        reader = conn.makefile("rb")
        try:
            conn.sendall(b"+OK fake POP3 ready\r\n")
            while True:
                line = reader.readline(100000)
                if not line:
                    return
                command = line.rstrip(b"\r\n").decode(errors="replace")
                self.commands.append(command.split(" ")[0].upper() + ("" if " " not in command else " ..."
                                     if command.upper().startswith(("AUTH", "PASS")) else
                                     " " + command.split(" ", 1)[1]))
                if not self._answer(conn, reader, command):
                    return
        except OSError:
            return
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _capa(self):
        lines = [b"+OK capabilities", b"SASL PLAIN", b"USER", b"TOP", b"PIPELINING"]
        if self.mode != "no-uidl":
            lines.append(b"UIDL")
        return b"\r\n".join(lines) + b"\r\n.\r\n"

    def _answer(self, conn, reader, command):
        verb = command.split(" ")[0].upper()
        arg = command.split(" ", 1)[1] if " " in command else ""
        mode = self.mode
        if verb == "CAPA":
            conn.sendall(self._capa())
        elif verb == "AUTH":
            if arg.upper() == "PLAIN":
                conn.sendall(b"+ \r\n")
                reader.readline(100000)
            conn.sendall(b"+OK logged in\r\n")
        elif verb == "USER":
            conn.sendall(b"+OK\r\n")
        elif verb == "PASS":
            conn.sendall(b"+OK logged in\r\n")
        elif verb == "STAT":
            conn.sendall(b"+OK %d %d\r\n" % (len(self.messages), sum(len(m) for m in self.messages)))
        elif verb == "UIDL":
            if mode == "no-uidl":
                conn.sendall(b"-ERR unknown command\r\n")
            elif mode == "giant-uidl-line":
                conn.sendall(b"+OK\r\n1 " + b"A" * 200000 + b"\r\n.\r\n")
            elif mode == "garbage-listing":
                conn.sendall(b"+OK\r\n1 uid-one\r\nthis is not a listing\r\n3\r\n.\r\n")
            else:
                body = b"".join(b"%d %s\r\n" % (i + 1, u.encode()) for i, u in enumerate(self.uids))
                conn.sendall(b"+OK\r\n" + body + b".\r\n")
        elif verb == "LIST":
            entries = list(enumerate(self.messages))
            if mode == "list-mismatch":
                entries = entries[:1]
            body = b"".join(b"%d %d\r\n" % (i + 1, len(m)) for i, m in entries)
            conn.sendall(b"+OK\r\n" + body + b".\r\n")
        elif verb == "RETR":
            number = int(arg) if arg.isdigit() else 0
            if not 1 <= number <= len(self.messages):
                conn.sendall(b"-ERR no such message\r\n")
            elif mode == "giant-status":
                conn.sendall(b"+OK " + b"y" * 200000)
                return False
            elif mode == "garbage-status":
                conn.sendall(b"HELLO\r\n")
            elif mode == "truncated-retr" and number == 2:
                conn.sendall(b"+OK\r\n" + self.messages[1][:30])
                return False
            else:
                data = b"\r\n".join((b"." + l if l.startswith(b".") else l)
                                    for l in self.messages[number - 1].split(b"\r\n"))
                if not data.endswith(b"\r\n"):
                    data += b"\r\n"
                conn.sendall(b"+OK %d octets\r\n" % len(self.messages[number - 1]) + data + b".\r\n")
        elif verb == "DELE":
            conn.sendall(b"+OK marked\r\n")
        elif verb == "NOOP" or verb == "RSET":
            conn.sendall(b"+OK\r\n")
        elif verb == "QUIT":
            conn.sendall(b"-ERR cannot commit\r\n" if mode == "quit-err" else b"+OK bye\r\n")
            return False
        else:
            conn.sendall(b"-ERR unknown command\r\n")
        return True


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit("usage: fake_pop3.py MODE   (modes: %s)" % ", ".join(MODES))
    server = FakePop3(sys.argv[1]).start()
    print(server.port, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
