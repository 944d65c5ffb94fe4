#!/usr/bin/python3
"""Every --json output of zmail against its JSON Schema (schemas/*.json), with Debian's
python3-jsonschema, against the suite's Dovecot, SMTP receiver and authorization service.

  json_schema_check.py ENV_JSON ZMAIL SOURCE_DIR WORK_DIR USER

USER exists in Dovecot with the password USER-pw. Each command and verb of 'zmail
--list-commands' runs with --json on its success paths and on error paths (a wrong password, a
missing folder, a usage error, an unreachable server); each document it prints is validated
against its schema and every key in it must be snake_case. An error that stops a command before
it has a result prints nothing on stdout (zmail(1)): that is checked too. A command or verb
that none of the runs below covers, or a schema that no run used, fails the test.
"""

import json
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import jsonschema

# Verbs and modes each schema covers; None: the verb prints nothing, with --json too.
SCHEMAS = {
    ("fetch", ""): "fetch",
    ("sync", ""): "sync", ("sync", "--watch"): "sync-watch", ("sync", "--known-folders"): "sync-known-folders",
    ("send", ""): "send", ("send", "--dry-run"): "send-dry-run", ("send", "--flush"): "send-flush",
    ("folders", "list"): "folders-list", ("folders", "create"): "folders-create",
    ("folders", "rename"): "folders-rename", ("folders", "delete"): "folders-delete",
    ("folders", "subscribe"): "folders-subscribe", ("folders", "unsubscribe"): "folders-unsubscribe",
    ("settings", "presets"): "settings-presets", ("settings", "list"): "settings-list",
    ("settings", "show"): "settings-show", ("settings", "get"): "settings-get",
    ("settings", "default"): "settings-default", ("settings", "path"): "settings-path",
    ("settings", "keys"): "settings-keys", ("settings", "test"): "settings-test",
    ("settings", "login"): "settings-login",
    ("settings", "add"): "settings-add", ("settings", "set"): None, ("settings", "unset"): None,
    ("settings", "remove"): None,
}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
DATA_KEYS = {"authorize_params"}  # objects whose keys are data (a provider's parameter names), not fields


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


def bad_keys(value, path="$"):
    """The paths of keys that are not snake_case."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not SNAKE_CASE.match(key):
                found.append("%s.%s" % (path, key))
            if key not in DATA_KEYS:
                found += bad_keys(item, "%s.%s" % (path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += bad_keys(item, "%s[%d]" % (path, i))
    return found


class Schemas:
    def __init__(self, directory):
        self.by_name = {}
        for name in sorted(os.listdir(directory)):
            if name.endswith(".json"):
                with open(os.path.join(directory, name)) as f:
                    schema = json.load(f)
                jsonschema.Draft202012Validator.check_schema(schema)
                check(re.fullmatch(r"https://zmail\.invalid/schemas/v[0-9]+/" + re.escape(name), schema["$id"]),
                      "%s: $id %s does not carry the version and the file's name" % (name, schema["$id"]))
                self.by_name[name[:-5]] = schema
        store = {s["$id"]: s for s in self.by_name.values()}
        self.validators = {name: jsonschema.Draft202012Validator(
            s, resolver=jsonschema.RefResolver(s["$id"], s, store=store)) for name, s in self.by_name.items()}
        self.used = set()

    def validate(self, name, document, what):
        errors = sorted(self.validators[name].iter_errors(document), key=lambda e: list(e.absolute_path))
        check(not errors, "%s: not valid against %s.json: %s\n%s" % (
            what, name, "; ".join("%s at %s" % (e.message[:300], "/".join(map(str, e.absolute_path)))
                                  for e in errors[:5]), json.dumps(document, indent=1, ensure_ascii=False)[:3000]))
        keys = bad_keys(document)
        check(not keys, "%s: keys not in snake_case: %s" % (what, keys))
        self.used.add(name)


class Suite:
    def __init__(self, env_path, zmail, source, work, user):
        with open(env_path) as f:
            self.env = json.load(f)
        self.zmail, self.work, self.user = zmail, work, user
        self.schemas = Schemas(os.path.join(source, "schemas"))
        self.context = ssl.create_default_context(cafile=self.env["ca_file"])
        self.base_env = dict(os.environ, HOME=work, ZMAIL_CONFIG=os.path.join(work, "config.json"),
                             XDG_STATE_HOME=os.path.join(work, "state"), NO_COLOR="1", LC_ALL="C.UTF-8",
                             ZMAIL_TEST_PW=user + "-pw", ZMAIL_WRONG_PW="not-the-password")
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):
            self.base_env.pop(name, None)
        self.exercised = set()  # (command, verb or mode) that printed a valid document or nothing, as documented
        self.documents = 0

    def port(self, name):
        return "127.0.0.1:%d" % self.env["ports"][name]

    def zmail_run(self, args, stdin=None):
        return subprocess.run([self.zmail] + list(args), input=stdin, capture_output=True, text=True,
                              env=self.base_env, timeout=120)

    def run(self, what, args, code=0, stdin=None, prints=True):
        """zmail --json ARGS: exit CODE and the document of `what` (a key of SCHEMAS) on stdout;
        nothing when `prints` is false (settings default ACCOUNT sets it)."""
        r = self.zmail_run(["--json"] + args, stdin)
        label = "zmail --json " + " ".join(args)
        check(r.returncode == code, "%s: exit %d, expected %d\n%s%s" % (label, r.returncode, code, r.stdout,
                                                                        r.stderr))
        schema = SCHEMAS[what] if prints else None
        if schema is None:
            check(r.stdout == "", "%s printed on stdout: %s" % (label, r.stdout))
        else:
            try:
                document = json.loads(r.stdout)
            except ValueError as e:
                raise Failure("%s: stdout is not one JSON document (%s): %r" % (label, e, r.stdout[:500]))
            self.schemas.validate(schema, document, label)
            self.documents += 1
            if code == 0:
                self.exercised.add(what)
            return document
        if code == 0:
            self.exercised.add(what)
        return None

    def stopped(self, args, code, stdin=None):
        """An error that stops a command before it has a result: exit CODE, nothing on stdout, one
        'zmail: ' line (or CLI11's usage text) on stderr."""
        r = self.zmail_run(["--json"] + args, stdin)
        label = "zmail --json " + " ".join(args)
        check(r.returncode == code, "%s: exit %d, expected %d\n%s" % (label, r.returncode, code, r.stderr))
        check(r.stdout == "", "%s: an error printed on stdout: %s" % (label, r.stdout))
        check(r.stderr.strip(), "%s: no error on stderr" % label)

    # ------------------------------------------------------------ set-up
    def setup(self):
        common = ["--preset", "custom", "--address", self.user + "@example.test", "--user", self.user,
                  "--ca-file", self.env["ca_file"]]
        self.run(("settings", "add"), ["settings", "add", "t"] + common + [
            "--imap", self.port("imaps"), "--pop", self.port("pop3s"), "--smtp", self.port("submissions"),
            "--password-env", "ZMAIL_TEST_PW", "--maildir", os.path.join(self.work, "Mail")])
        self.run(("settings", "add"), ["settings", "add", "bad"] + common + [
            "--imap", self.port("imaps"), "--pop", self.port("pop3s"), "--smtp", self.port("submissions"),
            "--password-env", "ZMAIL_WRONG_PW", "--maildir", os.path.join(self.work, "BadMail")])
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
        self.run(("settings", "add"), ["settings", "add", "down"] + common + [
            "--smtp", "127.0.0.1:%d" % closed, "--password-env", "ZMAIL_TEST_PW"])
        self.run(("settings", "set"), ["settings", "set", "down", "smtp.security", "tls"])
        self.run(("settings", "set"), ["settings", "set", "t", "fetch.keep", "true"])
        for i in range(3):
            self.run(("send", ""), ["send", "-a", "t", "--to", self.user + "@example.test", "--subject",
                                    "schema %d" % i, "--body", "body %d" % i])
        print("ok set-up: accounts added, mail sent to the test user")

    # ------------------------------------------------------------ commands
    def settings(self):
        self.run(("settings", "presets"), ["settings", "presets"])
        self.run(("settings", "presets"), ["settings", "presets", "gmail"])
        self.stopped(["settings", "presets", "no-such-preset"], 64)
        self.run(("settings", "list"), ["settings", "list"])
        shown = self.run(("settings", "show"), ["settings", "show", "t"])
        check(shown["default"] is True, "t is the default account")
        self.stopped(["settings", "show", "nobody"], 78)
        for key in ("imap.port", "name", "oauth2.client_id", "sync.folders", "fetch.keep", "imap.compress"):
            self.run(("settings", "get"), ["settings", "get", "t", key])
        self.stopped(["settings", "get", "t", "password.plain"], 64)
        self.stopped(["settings", "get", "t", "no.such.key"], 64)
        check(self.run(("settings", "default"), ["settings", "default"]) == "t", "settings default")
        self.run(("settings", "default"), ["settings", "default", "t"], prints=False)
        empty = ["--config", os.path.join(self.work, "empty.json")]
        check(self.run(("settings", "default"), empty + ["settings", "default"]) is None, "no default is null")
        check(self.run(("settings", "list"), empty + ["settings", "list"]) == [], "no account is []")
        self.run(("settings", "path"), ["settings", "path"])
        self.run(("settings", "keys"), ["settings", "keys"])
        self.run(("settings", "unset"), ["settings", "unset", "t", "fetch.keep"])
        self.run(("settings", "set"), ["settings", "set", "t", "fetch.keep", "true"])
        self.stopped(["settings", "set", "t", "imap.port", "not-a-number"], 64)
        self.stopped(["settings", "add", "x", "--preset", "custom"], 64)  # no --address, no terminal to ask
        report = self.run(("settings", "test"), ["settings", "test", "t"])
        check(report["ok"] and len(report["services"]) == 3, "settings test t: %s" % report)
        report = self.run(("settings", "test"), ["settings", "test", "bad", "--timeout", "10"], code=77)
        check(all(s["error"] and s["error"]["kind"] == "auth" for s in report["services"]), "wrong password")
        report = self.run(("settings", "test"), ["settings", "test", "down", "--timeout", "5"], code=69)
        check(report["services"][0]["error"]["kind"] == "network", "closed port: %s" % report)
        self.run(("settings", "add"), ["settings", "add", "gone", "--preset", "gmail", "--address", "g@gmail.com"])
        self.run(("settings", "remove"), ["settings", "remove", "gone"])
        print("ok settings: every verb, unknown preset, account and key, a secret, a bad value, a wrong password")

    def login(self):
        o = self.env["oauth_url"]
        self.run(("settings", "add"), ["settings", "add", "o", "--preset", "custom", "--address",
                                       self.user + "@example.test", "--user", self.user, "--imap", self.port("imaps"),
                                       "--ca-file", self.env["ca_file"]])
        for key, value in (("auth.mechanism", "xoauth2"), ("oauth2.client_id", "zmail-test"),
                           ("oauth2.authorize_url", o + "/authorize"), ("oauth2.token_url", o + "/token"),
                           ("oauth2.device_url", o + "/device"), ("oauth2.scope", "mail offline_access")):
            self.run(("settings", "set"), ["settings", "set", "o", key, value])
        p = subprocess.Popen([self.zmail, "--json", "settings", "login", "o", "--no-browser", "--timeout", "60"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.base_env)
        url = None
        while url is None:
            line = p.stderr.readline()
            if not line:
                break
            if line.startswith("https://"):
                url = line.strip()
        if url:
            opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context))
            try:
                with opener.open(url, timeout=30) as r:
                    r.read()
            except urllib.error.HTTPError:
                pass
        out, err = p.communicate(timeout=90)
        check(p.returncode == 0, "settings login: exit %s: %s" % (p.returncode, err))
        self.schemas.validate("settings-login", json.loads(out), "zmail --json settings login o")
        self.exercised.add(("settings", "login"))
        report = self.run(("settings", "test"), ["settings", "test", "o"])
        check(report["oauth2"]["signed_in"], "settings test o: the token state")
        self.stopped(["settings", "login", "t"], 64)  # t does not sign in with OAuth2
        print("ok settings login (OAuth2 through the fixture's authorization service) and the token state")

    def folders(self):
        listed = self.run(("folders", "list"), ["folders", "list"])
        check(any(f["name"] == "INBOX" for f in listed), "INBOX listed")
        self.run(("folders", "list"), ["folders", "list", "--counts", "--subscribed"])
        self.run(("folders", "create"), ["folders", "create", "Schema/テスト"])
        self.run(("folders", "rename"), ["folders", "rename", "Schema/テスト", "Schema/Renamed"])
        self.run(("folders", "unsubscribe"), ["folders", "unsubscribe", "Schema/Renamed"])
        self.run(("folders", "subscribe"), ["folders", "subscribe", "Schema/Renamed"])
        self.run(("folders", "delete"), ["folders", "delete", "Schema/Renamed", "--yes"])
        self.stopped(["folders", "delete", "Nowhere", "--yes"], 69)          # a missing folder
        self.stopped(["folders", "rename", "Nowhere", "Elsewhere"], 69)
        self.stopped(["folders", "delete", "Schema"], 64)                    # no --yes, no terminal
        self.stopped(["-a", "bad", "folders", "list"], 77)                   # a wrong password
        self.stopped(["folders", "list", "--no-such-option"], 64)            # CLI11
        self.stopped(["folders"], 64)                                        # no verb
        print("ok folders: every verb, a missing folder, a wrong password, usage errors")

    def fetch(self):
        self.run(("fetch", ""), ["fetch", "t", "--dry-run"])
        result = self.run(("fetch", ""), ["fetch", "t"])
        check(result[0]["fetched"] >= 3, "fetched the mail sent: %s" % result)
        self.run(("fetch", ""), ["fetch", "t", "--dry-run", "--delete"])
        results = self.run(("fetch", ""), ["fetch", "t", "bad"], code=77)  # the run goes on after bad
        check([r["account"] for r in results] == ["t", "bad"] and results[1]["error"]["kind"] == "auth",
              "fetch t bad: %s" % results)
        self.run(("fetch", ""), ["fetch", "bad"], code=77)
        self.run(("fetch", ""), ["fetch", "t", "down"], code=78)  # down has no POP3 server
        self.stopped(["fetch", "nobody"], 78)
        self.stopped(["fetch", "t", "--all"], 64)
        self.stopped(["fetch", "--limit", "-1"], 64)
        print("ok fetch: a run, dry runs, several accounts with a wrong password and no POP3 server, usage")

    def sync(self):
        self.run(("sync", ""), ["sync", "t", "--dry-run"])
        self.run(("sync", ""), ["sync", "t"])
        self.run(("sync", ""), ["sync", "t", "--folder", "INBOX", "--pull"])
        self.run(("sync", ""), ["sync", "bad"], code=77)
        self.run(("sync", ""), ["sync", "t", "bad"], code=77)
        known = self.run(("sync", "--known-folders"), ["sync", "t", "--known-folders"])
        check("INBOX" in known[0], "known folders: %s" % known)
        self.stopped(["sync", "t", "--jobs", "99"], 64)
        self.run(("sync", ""), ["sync", "t", "bad", "--watch"], code=64)  # an error per account
        self.watch()
        print("ok sync: runs, a dry run, a wrong password, --known-folders, --watch, usage errors")

    def watch(self):
        """sync --watch prints a document per run: the first one, then it is stopped."""
        p = subprocess.Popen([self.zmail, "--json", "sync", "t", "--watch", "--interval", "600"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.base_env)
        text, document, deadline = b"", None, time.monotonic() + 90
        try:
            while document is None:
                ready, _, _ = select.select([p.stdout], [], [], max(0.0, deadline - time.monotonic()))
                check(ready, "sync --watch printed no document in 90 seconds: %r" % text[-500:])
                chunk = os.read(p.stdout.fileno(), 65536)
                check(chunk, "sync --watch ended before its first document: %r" % text[-500:])
                text += chunk
                try:
                    document, _ = json.JSONDecoder().raw_decode(text.decode().strip())
                except ValueError:
                    continue
        finally:
            p.send_signal(signal.SIGTERM)
            p.communicate(timeout=30)
        self.schemas.validate("sync-watch", document, "zmail --json sync t --watch")
        self.exercised.add(("sync", "--watch"))

    def send(self):
        to = self.user + "@example.test"
        report = self.run(("send", ""), ["send", "--to", to, "--subject", "日本語の件名", "--body", "本文"])
        check(report["sent"] and report["accepted"] == [to], "composed: %s" % report)
        message = "From: %s\r\nTo: %s\r\nSubject: ready\r\n\r\nready-made\r\n" % (to, to)
        self.run(("send", ""), ["send", "-a", "t", "-t"], stdin=message)
        self.run(("send", ""), ["send", "-a", "t", to], stdin=message)
        self.run(("send", "--dry-run"), ["send", "--dry-run", "--to", to, "--subject", "x", "--body", "y"])
        self.run(("send", "--dry-run"), ["send", "-a", "t", "--dry-run", "-t"], stdin=message)
        queued = self.run(("send", ""), ["send", "-a", "down", "--queue", "--to", to, "--subject", "later",
                                         "--body", "queued"])
        check(queued["queued"] and not queued["sent"], "queued: %s" % queued)
        flushed = self.run(("send", "--flush"), ["send", "--flush"], code=75)  # down is offline: kept
        check(flushed[0]["remaining"] == 1 and flushed[0]["stopped"]["kind"] == "network", "flush: %s" % flushed)
        self.run(("settings", "set"), ["settings", "set", "down", "smtp.port", str(self.env["ports"]["submissions"])])
        flushed = self.run(("send", "--flush"), ["send", "--flush", "-a", "down"])
        check(flushed[0]["sent"] == 1 and flushed[0]["messages"][0]["state"] == "sent", "flush: %s" % flushed)
        check(self.run(("send", "--flush"), ["send", "--flush"]) == [], "an empty queue is []")
        self.stopped(["send", "-a", "bad", "--to", to, "--subject", "x", "--body", "y"], 77)  # a wrong password
        self.stopped(["send", "--resend-uncertain"], 64)
        self.stopped(["send"], 64, stdin="")
        self.stopped(["send", "--to", to, "--attach", os.path.join(self.work, "missing.pdf"), "--body", "x"], 65)
        print("ok send: composed, ready-made, --dry-run, --queue, --flush, a wrong password, usage, bad data")

    # ------------------------------------------------------------ coverage
    def coverage(self):
        listed = self.zmail_run(["--list-commands"])
        check(listed.returncode == 0, "--list-commands")
        wanted = set()
        for line in listed.stdout.splitlines():
            command = line.split("\t")[0]
            help_text = self.zmail_run(["help", command]).stdout
            verbs = re.findall(r"^  (\S+) ", help_text.split("\nSubcommands:\n", 1)[1], re.M) \
                if "\nSubcommands:\n" in help_text else []
            wanted |= {(command, verb) for verb in verbs} if verbs else {(command, "")}
        modes = {key for key in SCHEMAS if key[1].startswith("--")}
        missing = sorted((wanted | modes) - self.exercised)
        check(not missing, "commands and verbs no run covered (add them here, with a schema): %s" % missing)
        unknown = sorted(wanted - set(SCHEMAS))
        check(not unknown, "commands and verbs without a schema (or None) in SCHEMAS: %s" % unknown)
        unused = sorted(set(self.schemas.by_name) - self.schemas.used - {"common"})
        check(not unused, "schemas no output was checked against: %s" % unused)
        print("ok every command and verb covered (%d), every schema used (%d), %d documents valid" % (
            len(wanted), len(self.schemas.used), self.documents))


def main(argv):
    suite = Suite(*argv[1:6])
    try:
        suite.setup()
        suite.settings()
        suite.folders()
        suite.fetch()
        suite.sync()
        suite.send()
        suite.login()
        suite.coverage()
    except Failure as e:
        print("FAIL " + str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
