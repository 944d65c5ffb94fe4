"""A TCP proxy for plaintext POP3 that cuts the first connection at a chosen point.

Rules (for the first connection only; later connections pass through untouched, so the "next
clean run" can use the same port):
  ("bytes", N)                       forward N bytes from the server, then close both sides
  ("command", VERB, K, "before")     close both sides when the K-th client command VERB arrives,
                                     without forwarding it
  ("command", VERB, K, "after")      forward the K-th VERB, let the server act on it, but drop its
                                     reply and close both sides (e.g. QUIT committed, +OK lost)

Usage as a library: p = CutProxy(target_port, rule); p.start(); ... p.port ...; p.stop().
Run directly for manual tests: cut_proxy.py TARGET_PORT bytes 5000
"""

import select
import socket
import sys
import threading
import time


class CutProxy:
    def __init__(self, target_port, rule, target_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.rule = rule
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.cut = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self):
        self.thread.start()
        return self

    @property
    def triggered(self):
        return self.cut.is_set()

    def wait_triggered(self, timeout=5):
        """True once the cut point was reached. The client may exit before this proxy's thread has read
        its last command (zmail leaves a --keep session with QUIT and does not wait for the reply), so a
        test asks here rather than reading `triggered` the moment the client is gone."""
        return self.cut.wait(timeout)

    def stop(self):
        self.stopping = True
        try:
            self.listener.close()
        except OSError:
            pass

    def _accept_loop(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            rule = self.rule if self.connections == 1 else None
            threading.Thread(target=self._serve, args=(client, rule), daemon=True).start()

    def _serve(self, client, rule):
        try:
            server = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        try:
            self._pump(client, server, rule)
        except OSError:
            pass
        finally:
            for s in (client, server):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def _pump(self, client, server, rule):
        server_bytes = 0
        client_pending = b""
        seen = {}
        while True:
            readable, _, _ = select.select([client, server], [], [], 60)
            if not readable:
                return
            if server in readable:
                data = server.recv(65536)
                if not data:
                    return
                if rule and rule[0] == "bytes" and server_bytes + len(data) >= rule[1]:
                    client.sendall(data[:rule[1] - server_bytes])
                    self.cut.set()
                    return
                server_bytes += len(data)
                client.sendall(data)
            if client in readable:
                data = client.recv(65536)
                if not data:
                    return
                if not rule or rule[0] != "command":
                    server.sendall(data)
                    continue
                client_pending += data
                while b"\r\n" in client_pending:
                    line, client_pending = client_pending.split(b"\r\n", 1)
                    verb = line.split(b" ", 1)[0].decode(errors="replace").upper()
                    seen[verb] = seen.get(verb, 0) + 1
                    if verb == rule[1] and seen[verb] == rule[2]:
                        self.cut.set()
                        if rule[3] == "after":
                            server.sendall(line + b"\r\n")
                            self._drain(server)
                        return
                    server.sendall(line + b"\r\n")

    @staticmethod
    def _drain(server):
        """Waits for the server's reply to the last command and throws it away."""
        deadline = time.monotonic() + 3
        server.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                data = server.recv(65536)
            except socket.timeout:
                continue
            if not data or data.endswith(b"\r\n"):
                return


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: cut_proxy.py TARGET_PORT bytes N | command VERB K before|after")
    target = int(sys.argv[1])
    if sys.argv[2] == "bytes":
        proxy_rule = ("bytes", int(sys.argv[3]))
    else:
        proxy_rule = ("command", sys.argv[3].upper(), int(sys.argv[4]), sys.argv[5])
    proxy = CutProxy(target, proxy_rule).start()
    print(proxy.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()
