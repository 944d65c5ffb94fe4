#!/usr/bin/python3
"""zmail sync against one private server (env.json of mailserver.py or other_servers.py): the folder
names of every server layout, both ways, standard library only.

  other_server_sync.py ENV_JSON ZMAIL WORK_DIR

As user bob, over implicit TLS with the suite's CA: folders with Japanese and Chinese names, spaces,
'&', quotes, a leading dot (on a server whose delimiter is not '.') and the other layouts' delimiter
inside a level are made on the server (IMAP, with the personal prefix) and here (Maildir
directories in the folder-name codec's form), with messages and flags. Then:
  1. the first sync makes every folder on the other side, byte for byte with flags;
  2. the next sync does nothing and downloads no message;
  3. flags changed on either side cross over;
  4. messages moved between folders on either side are moved on the other, with no message
     downloaded (nor uploaded, where the server has MOVE);
  5. folders renamed on either side (one a parent, its child moving with it) are renamed on the
     other side, with no message downloaded or uploaded;
  6. folders deleted on either side are deleted on the other (sync.delete_folders and
     --allow-mass-delete);
  7. a local folder the server cannot hold is an error for that folder only, and nothing is made
     of it on the server;
  8. a last sync does nothing and downloads no message;
  9. zmail sync --watch (sync.jobs 3) brings a message appended to a folder other than INBOX
     long before its interval: over NOTIFY where the server offers it, else from a connection
     IDLE in that folder.
After each step both sides hold the same folders with the same messages and flags.
"""

import base64
import imaplib
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from other_server_smoke import SmokeFailure as Failure, check, mutf7, ok, quoted  # noqa: E402

USER = "bob"
LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}


def decode_mutf7(name):
    def run(m):
        if m.group(1) == "":
            return "&"
        data = m.group(1).replace(",", "/")
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-16-be")
    return re.sub(r"&([^-]*)-", run, name)


def message(tag):
    """A message with ASCII headers (Cyrus rewrites 8-bit header bytes) and a Japanese body."""
    return ("From: Alice <alice@example.test>\r\nTo: Bob <bob@example.test>\r\n"
            "Subject: =?UTF-8?B?%s?=\r\nDate: Sat, 05 Dec 2026 09:00:00 +0000\r\n"
            "Message-ID: <%s@sync.example.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            "=E6=9C=AC=E6=96=87 %s\r\n" % (base64.b64encode(("件名 " + tag).encode()).decode(), tag, tag)).encode()


def escape_level(level):
    """The folder-name codec's directory name of a level (fs layout), for the names used here."""
    out = bytearray()
    for i, b in enumerate(level.encode()):
        if b in b"%/" or b < 0x20 or b == 0x7f or (i == 0 and (b == ord(".") or level in ("cur", "new", "tmp"))):
            out += b"%%%02X" % b
        else:
            out.append(b)
    return out.decode()


def unescape_level(name):
    return re.sub(rb"%([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), name.encode()).decode()


class Server:
    def __init__(self, env):
        self.env = env
        self.delimiter, self.prefix = env["delimiter"], env["personal_prefix"]
        context = ssl.create_default_context(cafile=env["ca_file"])
        self.imap = imaplib.IMAP4_SSL(env["host"], env["ports"]["imaps"], ssl_context=context, timeout=30)
        self.ok(self.imap.login(USER, env["users"][USER]), "LOGIN")

    ok = staticmethod(ok)

    def name(self, levels):
        if levels == ("INBOX",):
            return "INBOX"
        return self.prefix + self.delimiter.join(mutf7(level) for level in levels)

    def create(self, levels):
        typ, data = self.imap.create(quoted(self.name(levels)))
        return typ == "OK", data

    def append(self, levels, body, flags):
        self.ok(self.imap.append(quoted(self.name(levels)), flags, None, body), "APPEND to %r" % (levels,))

    def rename(self, old, new):
        self.ok(self.imap.rename(quoted(self.name(old)), quoted(self.name(new))), "RENAME %r" % (old,))

    def delete(self, levels):
        self.ok(self.imap.delete(quoted(self.name(levels))), "DELETE %r" % (levels,))

    def folders(self):
        """{levels: selectable} of the personal namespace."""
        out = {}
        data = self.ok(self.imap.list('""', "*"), "LIST")
        i = 0
        while i < len(data):
            item = data[i]
            if isinstance(item, tuple):  # the name came as a literal
                head, raw = item[0], item[1]
                i += 1
            else:
                head, raw = item, None
            i += 1
            m = re.match(rb'\(([^)]*)\) (?:"(?:[^"\\]|\\.)"|NIL) ?(.*)$', head)
            if not m:
                raise Failure("LIST line: %r" % head)
            if raw is None:
                rest = m.group(2)
                raw = re.sub(rb'\\(.)', rb"\1", rest[1:-1]) if rest.startswith(b'"') else rest
            name = decode_mutf7(raw.decode())
            selectable = b"\\noselect" not in m.group(1).lower() and b"\\nonexistent" not in m.group(1).lower()
            if name.upper() == "INBOX":
                out[("INBOX",)] = selectable
            elif name.startswith(self.prefix):
                out[tuple(name[len(self.prefix):].split(self.delimiter))] = selectable
        return out

    def subscribed(self):
        names = set()
        for item in self.ok(self.imap.lsub('""', "*"), "LSUB"):
            line = item[1] if isinstance(item, tuple) else item
            m = re.search(rb'(?:"((?:[^"\\]|\\.)*)"|(\S+))$', line)
            if m:
                names.add(re.sub(rb"\\(.)", rb"\1", m.group(1)).decode() if m.group(1) is not None
                          else m.group(2).decode())
        return names

    def messages(self, levels):
        """Sorted [(body with LF line ends, flag letters)]."""
        self.ok(self.imap.select(quoted(self.name(levels)), readonly=True), "SELECT %r" % (levels,))
        typ, data = self.imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        out = []
        for item in data or []:
            if not isinstance(item, tuple):
                continue
            head, body = item[0].decode(), item[1]
            flags = re.search(r"FLAGS \(([^)]*)\)", head)
            letters = "".join(sorted(LETTERS[f] for f in (flags.group(1).split() if flags else []) if f in LETTERS))
            out.append((body.replace(b"\r\n", b"\n"), letters))
        self.imap.close()
        return sorted(out)

    def move(self, levels, tag, to):
        """Moves a message the way every server allows (COPY, STORE \\Deleted, EXPUNGE)."""
        self.ok(self.imap.select(quoted(self.name(levels))), "SELECT %r" % (levels,))
        typ, data = self.imap.uid("SEARCH", "HEADER", "Message-ID", "<%s@sync.example.test>" % tag)
        uids = data[0].split()
        check(len(uids) == 1, "found message %s on the server" % tag)
        self.ok(self.imap.uid("COPY", uids[0], quoted(self.name(to))), "COPY")
        self.ok(self.imap.uid("STORE", uids[0], "+FLAGS", "(\\Deleted)"), "STORE")
        self.ok(self.imap.expunge(), "EXPUNGE")
        self.imap.close()

    def set_flag(self, levels, tag, flag):
        self.ok(self.imap.select(quoted(self.name(levels))), "SELECT %r" % (levels,))
        typ, data = self.imap.uid("SEARCH", "HEADER", "Message-ID", "<%s@sync.example.test>" % tag)
        uids = data[0].split()
        check(len(uids) == 1, "found message %s on the server" % tag)
        self.ok(self.imap.uid("STORE", uids[0], "+FLAGS", "(%s)" % flag), "STORE")
        self.imap.close()


class Local:
    def __init__(self, root):
        self.root = root

    def path(self, levels):
        return os.path.join(self.root, *(escape_level(level) for level in levels))

    def create(self, levels):
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(self.path(levels), sub), exist_ok=True)

    def add(self, levels, body, letters):
        name = "%d.%s.sync-test:2,%s" % (time.time_ns(), re.sub(r"\W", "", body[-12:].decode(errors="ignore")), letters)
        with open(os.path.join(self.path(levels), "cur", name), "wb") as f:
            f.write(body.replace(b"\r\n", b"\n"))

    def folders(self):
        out = {}
        for dirpath, dirs, _ in os.walk(self.root):
            dirs[:] = [d for d in dirs if d not in ("cur", "new", "tmp")]
            if dirpath != self.root and all(os.path.isdir(os.path.join(dirpath, s)) for s in ("cur", "new", "tmp")):
                rel = os.path.relpath(dirpath, self.root)
                out[tuple(unescape_level(p) for p in rel.split(os.sep))] = True
        return out

    def messages(self, levels):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.path(levels), sub)
            for name in os.listdir(d):
                with open(os.path.join(d, name), "rb") as f:
                    letters = name.rpartition(":2,")[2] if ":2," in name else ""
                    out.append((f.read(), "".join(sorted(c for c in letters if c in "DFRST"))))
        return sorted(out)

    def move(self, levels, tag, to):
        d = os.path.join(self.path(levels), "cur")
        for name in os.listdir(d):
            with open(os.path.join(d, name), "rb") as f:
                if ("<%s@" % tag).encode() in f.read():
                    os.rename(os.path.join(d, name), os.path.join(self.path(to), "cur", name))
                    return
        raise Failure("message %s not here" % tag)

    def add_flag(self, levels, tag, letter):
        d = os.path.join(self.path(levels), "cur")
        for name in os.listdir(d):
            with open(os.path.join(d, name), "rb") as f:
                if ("<%s@" % tag).encode() not in f.read():
                    continue
            base, _, letters = name.partition(":2,")
            os.rename(os.path.join(d, name), os.path.join(d, base + ":2," + "".join(sorted(set(letters + letter)))))
            return
        raise Failure("message %s not here" % tag)


class Zmail:
    def __init__(self, zmail, work, env, root):
        self.zmail = zmail
        self.env = dict(os.environ, ZMAIL_CONFIG=os.path.join(work, "config.json"), HOME=work, NO_COLOR="1",
                        XDG_STATE_HOME=os.path.join(work, "state"), ZMAIL_SYNC_PW=env["users"][USER])
        self.checked("settings", "add", "t", "--preset", "custom", "--address", USER + "@example.test",
                     "--user", USER, "--imap", "%s:%d" % (env["host"], env["ports"]["imaps"]),
                     "--ca-file", env["ca_file"], "--password-env", "ZMAIL_SYNC_PW", "--maildir", root)
        self.checked("settings", "set", "t", "imap.security", "tls")

    def run(self, *args):
        return subprocess.run([self.zmail, *args], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=120)

    def checked(self, *args):
        r = self.run(*args)
        if r.returncode != 0:
            raise Failure("zmail %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
        return r

    def sync(self, *args, expect=0):
        """One traced sync: (its JSON report, the bodies downloaded, the messages uploaded)."""
        r = self.run("-v", "-v", "sync", "--json", *args)
        trace = r.stderr.decode(errors="replace")
        if r.returncode != expect:
            # the commands and the server's tagged answers, not the message data
            print("\n".join(line for line in trace.splitlines() if re.match(r"(C: |S: [A-Z]\d+ |zmail: |hint: )", line)))
            raise Failure("zmail sync %s: exit %d, expected %d" % (" ".join(args), r.returncode, expect))
        report = json.loads(r.stdout)
        report = report[0] if isinstance(report, list) else report
        bodies = len(re.findall(r"^S: \* \d+ FETCH .*BODY\[\]", trace, re.M))
        uploads = len(re.findall(r"^C: \S+ APPEND ", trace, re.M))
        return report, bodies, uploads


def same_everywhere(server, local, names, what):
    on_server, here = server.folders(), local.folders()
    missing = ["/".join(levels) for levels in names if levels not in on_server or levels not in here]
    check(not missing, "%s: all %d folders of the test on both sides %s" % (what, len(names), missing or ""))
    # every folder with messages on either side has the same messages and flags on the other
    for levels in sorted(set(on_server) | set(here)):
        if not on_server.get(levels, False):
            continue
        theirs = server.messages(levels)
        ours = local.messages(levels) if levels in here else []
        if theirs != ours:
            raise Failure("%s: folder %s differs: server %r, here %r" % (what, "/".join(levels), theirs, ours))
    print("ok   %s: %d folders hold the same messages and flags on both sides" % (what, len(on_server)))


def quiet(zmail, what):
    report, bodies, uploads = zmail.sync()
    changed = [f["folder"] for f in report["folders"]
               if any(f["new"].values()) or any(f["flags"].values()) or any(f["deleted"].values())
               or any(f["moved"].values())]
    check(not changed and not report["renamed"] and bodies == 0 and uploads == 0,
          "%s: nothing to do, no message downloaded or uploaded" % what)


def scenario(env, zmail_path, work):
    delimiter = env["delimiter"]
    other = "." if delimiter != "." else "/"
    server, local = Server(env), Local(os.path.join(work, "Mail"))
    os.makedirs(local.root)
    zmail = Zmail(zmail_path, work, env, local.root)

    # (made on the server, made here): the same kind of name on each side
    kinds = [(("送信済み",), ("受信箱2",)), (("客户", "北京"), ("项目", "上海")), (("With Space",), ("Local Space",)),
             (("A&B",), ("C&D",)), (('Quote"d',), ('Say "hi"',)), (("It's",), ("Bob's",)),
             (("S%s1" % other,), ("L%s1" % other,))]
    if delimiter != ".":  # a leading dot: a level on its own only where '.' is not the delimiter
        kinds.append(((".archive",), (".hidden",)))
    made, local_names, refused = [], [], []
    for n, (levels, here) in enumerate(kinds):
        created, reply = server.create(levels)
        if not created:  # the server's rule ('/' or '"' in a name): step 7 checks zmail says so
            print("info the server refuses to create %r: %r" % (levels, reply))
            refused.append(here)
            continue
        server.append(levels, message("s%d-1" % n), "(\\Seen)")
        server.append(levels, message("s%d-2" % n), "(\\Flagged \\Answered)")
        made.append(levels)
        local_names.append(here)
    server.append(("INBOX",), message("inbox-1"), None)
    # raw UTF-8 headers (RFC 6532), both ways, where the server keeps them as they are (Cyrus
    # rewrites 8-bit header bytes on APPEND: there the probe differs and only ASCII is used)
    raw = ("From: =?UTF-8?B?5bGx55Sw?= <yamada@example.test>\r\nSubject: 日本語の件名 %s\r\n"
           "Message-ID: <%s@sync.example.test>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n本文\r\n")
    server.append(("INBOX",), (raw % ("s", "utf8-s")).encode(), None)
    utf8_kept = any(b"\xe6\x97\xa5\xe6\x9c\xac" in body for body, _ in server.messages(("INBOX",)))
    print("info the server %s raw UTF-8 headers" % ("keeps" if utf8_kept else "rewrites"))
    for n, levels in enumerate(local_names):
        local.create(levels)
        local.add(levels, message("l%d-1" % n), "S")
        local.add(levels, message("l%d-2" % n), "FR")
    if utf8_kept:
        local.add(("受信箱2",), (raw % ("l", "utf8-l")).encode(), "S")
    names = made + local_names + [("INBOX",)]

    report, bodies, _ = zmail.sync()
    errors = [(f["folder"], f["error"]) for f in report["folders"] if f["error"]]
    check(not errors and report["error"] is None, "first sync: no folder failed %r" % errors)
    check(bodies == 2 * len(made) + 2, "first sync: every server message downloaded once (%d)" % bodies)
    same_everywhere(server, local, names, "first sync")
    subscribed = server.subscribed()
    unsubscribed = [levels for levels in local_names if server.name(levels) not in subscribed]
    check(not unsubscribed, "the folders zmail created on the server are subscribed %s" % (unsubscribed or ""))
    quiet(zmail, "second sync")

    server.set_flag(("送信済み",), "s0-1", "\\Flagged")
    local.add_flag(("受信箱2",), "l0-1", "F")
    report, bodies, uploads = zmail.sync()
    check(bodies == 0 and uploads == 0, "flags: no message crossed")
    same_everywhere(server, local, names, "flags both ways")

    # moves (folders synced in name order: from 受信箱2, which comes before the others): one on
    # the server followed here without a download; one here, a UID MOVE where the server has
    # MOVE, else COPY, STORE \\Deleted and UID EXPUNGE where it has UIDPLUS (else uploaded there
    # and deleted here)
    server.move(("受信箱2",), "l0-2", ("送信済み",))
    local.move(("受信箱2",), "l0-1", ("项目", "上海"))
    report, bodies, uploads = zmail.sync()
    capabilities = server.ok(server.imap.capability(), "CAPABILITY")[0].upper().split()
    movable = b"MOVE" in capabilities or b"UIDPLUS" in capabilities
    moved = {side: sum(f["moved"][side] for f in report["folders"]) for side in ("local", "server")}
    print("info moves: %r (server %s MOVE, %s UIDPLUS)" % (moved, "has" if b"MOVE" in capabilities else "lacks",
                                                          "has" if b"UIDPLUS" in capabilities else "lacks"))
    check(bodies == 0 and moved["local"] == 1, "a move on the server: the file moved here, nothing downloaded")
    check(uploads == (0 if movable else 1) and moved["server"] == (1 if movable else 0),
          "a move here: %s" % ("moved on the server, nothing uploaded" if movable else "uploaded and deleted"))
    same_everywhere(server, local, names, "moves")
    quiet(zmail, "after the moves")

    # renames: a leaf and a parent (its child moves with it) on each side
    renames = {("送信済み",): ("送信済み-2026",), ("Local Space",): ("Local Space 2",)}
    server.rename(("送信済み",), renames[("送信済み",)])
    server.rename(("客户",), ("客户-旧",))
    shutil.move(local.path(("Local Space",)), local.path(renames[("Local Space",)]))
    shutil.move(local.path(("项目",)), local.path(("项目X",)))
    renames[("客户", "北京")] = ("客户-旧", "北京")
    renames[("项目", "上海")] = ("项目X", "上海")
    report, bodies, uploads = zmail.sync()
    moved = {(r["from"], r["to"], r["on"]) for r in report["renamed"]}
    print("info renamed: %r" % sorted(moved))
    check(bodies == 0 and uploads == 0, "renames: no message downloaded or uploaded")
    check(not any(f["new"]["local"] or f["new"]["server"] or f["deleted"]["local"] or f["deleted"]["server"]
                  for f in report["folders"]), "renames: no message added or deleted anywhere")
    names = [renames.get(levels, levels) for levels in names]
    gone = set(renames)
    on_server, here = server.folders(), local.folders()
    check(not (gone & set(on_server)) and not (gone & set(here)), "renames: the old names are gone on both sides")
    same_everywhere(server, local, names, "renames")
    quiet(zmail, "after the renames")

    # deletions on either side
    deleted = {("A&B",), ("C&D",)}
    server.delete(("A&B",))
    shutil.rmtree(local.path(("C&D",)))
    zmail.checked("settings", "set", "t", "sync.delete_folders", "true")
    report, bodies, uploads = zmail.sync("--allow-mass-delete")
    check(bodies == 0 and uploads == 0, "deletions: no message crossed")
    on_server, here = server.folders(), local.folders()
    check(not (deleted & set(on_server)) and not (deleted & set(here)), "deletions: gone on both sides")
    names = [levels for levels in names if levels not in deleted]
    same_everywhere(server, local, names, "deletions")

    # local folders the server cannot hold (its delimiter in a level; a name it refuses): an
    # error for each alone, nothing made of them on the server, the next run the same
    bad = refused + ([("2023%sreceipts" % delimiter,)] if delimiter != "/" else [])
    for levels in bad:
        local.create(levels)
        local.add(levels, message("bad-%d" % len(levels[0])), "")
    if bad:
        report, bodies, uploads = zmail.sync(expect=69)
        failed = {f["folder"]: f for f in report["folders"] if f["error"]}
        for f in failed.values():
            print("info %s: %s (hint: %s)" % (f["folder"], f["error"]["message"], f["error"].get("hint")))
        check(set(failed) == {"/".join(escape_level(level) for level in levels) for levels in bad},
              "a local folder the server cannot hold is an error for that folder alone")
        check(uploads == 0 and not any(f["folder_created"]["server"] for f in failed.values()),
              "none is reported created on the server, none uploaded")
        on_server = server.folders()
        check(not any(levels in on_server for levels in bad) and ("2023", "receipts") not in on_server,
              "nothing was made of them on the server")
        for levels in bad:
            shutil.rmtree(local.path(levels))
    quiet(zmail, "last sync")
    watch(zmail, server, local)


def watch(zmail, server, local):
    zmail.checked("settings", "set", "t", "sync.jobs", "3")
    proc = subprocess.Popen([zmail.zmail, "sync", "--watch", "--interval", "600", "--json"], env=zmail.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        text = ""
        while True:  # the first run's report (pretty-printed JSON)
            line = proc.stdout.readline().decode()
            check(line != "", "--watch reports its first run")
            text += line
            try:
                first = json.loads(text)
                break
            except ValueError:
                continue
        first = first[0] if isinstance(first, list) else first
        # the first folder after INBOX in sync order: one of the two the watchers IDLE in
        target = next(tuple(unescape_level(level) for level in f["folder"].split("/"))
                      for f in first["folders"] if f["folder"] != "INBOX" and not f["error"])
        time.sleep(3)  # the watchers are connecting; one that is late syncs once it has selected
        before = len(local.messages(target))
        appended = time.monotonic()
        server.append(target, message("watched"), "")
        while len(local.messages(target)) == before and time.monotonic() - appended < 60:
            time.sleep(0.05)
        took = time.monotonic() - appended
        check(len(local.messages(target)) == before + 1,
              "--watch: a message appended to %s is here long before the interval" % "/".join(target))
        print("info --watch: appended to the file in the Maildir in %.2f s" % took)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    check(proc.returncode in (0, -15, 143), "--watch ends cleanly on SIGTERM (%s)" % proc.returncode)


def main(argv):
    with open(argv[1]) as f:
        env = json.load(f)
    print("info sync against %s (delimiter %r, personal prefix %r)" % (
        env.get("server"), env["delimiter"], env["personal_prefix"]))
    try:
        scenario(env, argv[2], argv[3])
    except (Failure, imaplib.IMAP4.error, OSError, ValueError) as e:
        print("FAIL %s" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
