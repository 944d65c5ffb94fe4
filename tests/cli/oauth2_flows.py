#!/usr/bin/python3
"""zmail's OAuth2 against the suite's Dovecot and authorization service (standard library only).

  oauth2_flows.py ENV_JSON ZMAIL WORK_DIR USER

USER exists in Dovecot with the password oauth-pass-1 (used here only to put mail on the server
and count it). Every step prints "ok ..." or stops with "FAIL ..." and exit status 1.
"""

import imaplib
import json
import os
import re
import ssl
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request

PASSWORD = "oauth-pass-1"
CLIENT_SECRET = "s3cret-client-secret"


class Failure(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failure(what)


class Suite:
    def __init__(self, env_path, zmail, work, user):
        with open(env_path) as f:
            self.env = json.load(f)
        self.zmail, self.work, self.user = zmail, work, user
        self.context = ssl.create_default_context(cafile=self.env["ca_file"])
        self.outputs = []    # every stdout and stderr zmail printed
        self.secrets = set()  # every token, code and secret seen
        self.codes = []
        home = os.path.join(work, "home")
        os.makedirs(home)
        self.base_env = dict(os.environ, HOME=home, ZMAIL_CONFIG=os.path.join(work, "config.json"),
                             XDG_STATE_HOME=os.path.join(work, "state"), NO_COLOR="1", LC_ALL="C.UTF-8")
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):
            self.base_env.pop(name, None)
        self.maildir = os.path.join(work, "Mail")

    # ------------------------------------------------------------ helpers
    def admin(self, path, body=None):
        url = self.env["oauth_admin_url"] + path
        get = path.startswith("/admin/stats") or path.startswith("/admin/issued") or path.startswith("/device/approve")
        data = None if get else json.dumps(body or {}).encode()
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def stats(self):
        return self.admin("/admin/stats")

    def run(self, *args, stdin=None, extra_env=None):
        env = dict(self.base_env, **(extra_env or {}))
        r = subprocess.run([self.zmail] + list(args), input=stdin, capture_output=True, text=True, env=env,
                           timeout=120)
        self.outputs += [r.stdout, r.stderr]
        return r

    def ok_run(self, *args, **kw):
        r = self.run(*args, **kw)
        check(r.returncode == 0, "zmail %s: exit %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def token_file(self, account):
        return os.path.join(self.work, "state", "zmail", account, "oauth2-tokens.json")

    def tokens(self, account):
        with open(self.token_file(account)) as f:
            t = json.load(f)
        self.secrets.update(v for k, v in t.items() if k.endswith("_token") and v)
        return t

    def imap(self):
        c = imaplib.IMAP4_SSL(self.env["host"], self.env["ports"]["imaps"], ssl_context=self.context)
        c.login(self.user, PASSWORD)
        return c

    def server_counts(self):
        c = self.imap()
        counts = {}
        for folder in ("INBOX", "Work"):
            typ, data = c.select(folder, readonly=True)
            counts[folder] = int(data[0]) if typ == "OK" else None
        c.logout()
        return counts

    def append(self, folder, subject):
        c = self.imap()
        c.create(folder)
        message = ("From: a@example.test\r\nTo: %s@example.test\r\nSubject: %s\r\nMessage-ID: <%s.%f@t>\r\n\r\n"
                   "body\r\n" % (self.user, subject, subject.replace(" ", "-"), time.time()))
        typ, _ = c.append(folder, None, None, message.encode())
        check(typ == "OK", "append to " + folder)
        c.logout()

    def local_files(self):
        out = set()
        for root, _, files in os.walk(self.maildir):
            for name in files:
                if "/tmp" not in root:
                    out.add(os.path.relpath(os.path.join(root, name), self.maildir).split(":2,")[0])
        return out

    def local_count(self, folder):
        n = 0
        for sub in ("cur", "new"):
            d = os.path.join(self.maildir, folder, sub)
            n += len(os.listdir(d)) if os.path.isdir(d) else 0
        return n

    def add_account(self, name, client="zmail-test", mechanism="xoauth2"):
        o = self.env["oauth_url"]
        self.ok_run("settings", "add", name, "--preset", "custom", "--address", self.user + "@example.test",
                    "--user", self.user, "--imap", "127.0.0.1:%d" % self.env["ports"]["imaps"],
                    "--pop", "127.0.0.1:%d" % self.env["ports"]["pop3s"],
                    "--smtp", "127.0.0.1:%d" % self.env["ports"]["submissions"], "--ca-file", self.env["ca_file"],
                    "--maildir", self.maildir)
        for key, value in (("auth.mechanism", mechanism), ("oauth2.client_id", client),
                           ("oauth2.authorize_url", o + "/authorize"), ("oauth2.token_url", o + "/token"),
                           ("oauth2.device_url", o + "/device"), ("oauth2.scope", "mail offline_access")):
            self.ok_run("settings", "set", name, key, value)

    def login(self, account, *args, follow=True, extra_env=None):
        """zmail settings login with a 'browser' (urllib) that follows the printed URL."""
        env = dict(self.base_env, **(extra_env or {}))
        p = subprocess.Popen([self.zmail, "settings", "login", account, "--no-browser"] + list(args),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        url = None
        seen = []
        while url is None:
            line = p.stderr.readline()
            if not line:
                break
            seen.append(line)
            if line.startswith("https://"):
                url = line.strip()
        with open("/proc/%d/cmdline" % p.pid, "rb") as f:
            check(CLIENT_SECRET.encode() not in f.read(), "the client secret is in zmail's argument list")
        if url and follow:
            suite = self

            class Recorder(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, req, fp, code, msg, headers, newurl):
                    query = urllib.parse.parse_qs(urllib.parse.urlsplit(newurl).query)
                    suite.secrets.update(query.get("code", []))
                    return super().redirect_request(req, fp, code, msg, headers, newurl)

            opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context), Recorder)
            try:
                with opener.open(url, timeout=30) as r:
                    r.read()
            except urllib.error.HTTPError:
                pass  # zmail's page for a refused or mismatched sign-in
        out, err = p.communicate(timeout=120)
        err = "".join(seen) + err
        self.outputs += [out, err]
        return p.returncode, out, err, url

    # ------------------------------------------------------------ steps
    def browser_flow_and_every_protocol(self):
        self.admin("/admin/reset")
        self.append("INBOX", "first")
        self.append("INBOX", "second")
        self.append("Work", "third")
        self.add_account("o")
        rc, out, err, url = self.login("o")
        check(rc == 0, "login: exit %d: %s" % (rc, err))
        check("code_challenge_method=S256" in url and "state=" in url and "redirect_uri=http%3A%2F%2F127.0.0.1%3A"
              in url, "the authorization URL: " + url)
        mode = stat.S_IMODE(os.stat(self.token_file("o")).st_mode)
        check(mode == 0o600, "token file mode %o" % mode)
        check(self.tokens("o")["refresh_token"], "no refresh token stored")
        for mechanism in ("xoauth2", "oauthbearer"):
            self.ok_run("settings", "set", "o", "auth.mechanism", mechanism)
            r = self.ok_run("settings", "test", "o", "--json")
            d = json.loads(r.stdout)
            services = {s["service"]: s for s in d["services"]}
            check(set(services) == {"imap", "pop3", "smtp"} and all(s["ok"] for s in services.values()),
                  mechanism + ": " + r.stdout)
            check(d["oauth2"]["signed_in"] and d["oauth2"]["access_valid"], "token state: %s" % d["oauth2"])
            self.ok_run("-v", "-v", "settings", "test", "o")
        r = self.ok_run("send", "-a", "o", "--to", "bob@example.test", "--subject", "sent with a token",
                        stdin="hello\n")
        print("ok browser sign-in (PKCE, loopback redirect); XOAUTH2 and OAUTHBEARER on IMAP, POP3 and SMTP")

    def renewal_after_refusal_and_rotation(self):
        self.ok_run("settings", "set", "o", "auth.mechanism", "xoauth2")
        before = self.tokens("o")
        start = self.stats()
        self.admin("/admin/expire-access")
        self.ok_run("-v", "-v", "sync", "o")
        after = self.tokens("o")
        end = self.stats()
        check(end["refresh"] == start["refresh"] + 1, "one refresh: %s -> %s" % (start, end))
        check(after["refresh_token"] != before["refresh_token"], "the rotated refresh token was not stored")
        check(end["reused"] == 0, "a rotated refresh token was used again")
        check(self.local_count("INBOX") == 2 and self.local_count("Work") == 1, "synced mail")
        print("ok a refused access token is renewed once, the rotated refresh token stored, the sync completes")

    def renewal_before_expiry(self):
        self.admin("/admin/config", {"access_lifetime": 3})
        rc, _, err, _ = self.login("o")
        check(rc == 0, "login: " + err)
        time.sleep(3.2)
        start = self.stats()
        self.ok_run("folders", "-a", "o", "list")
        end = self.stats()
        check(end["refresh"] == start["refresh"] + 1 and end["inactive"] == start["inactive"],
              "renewed before use, not after a refusal: %s -> %s" % (start, end))
        check(end["reused"] == 0, "reused")
        print("ok an access token about to expire is renewed before the login")

    def long_sync_with_short_tokens(self):
        self.admin("/admin/config", {"access_lifetime": 1})
        for i in range(3):
            self.append("INBOX", "more %d" % i)
            self.append("Work", "more work %d" % i)
        time.sleep(1.1)
        self.ok_run("sync", "o")
        check(self.local_count("INBOX") == 5 and self.local_count("Work") == 4, "everything synced")
        self.ok_run("sync", "o")
        check(self.stats()["reused"] == 0, "reused")
        self.admin("/admin/config", {"access_lifetime": 3600})
        print("ok a sync whose access tokens expire while it runs completes")

    def revoked(self):
        self.tokens("o")
        self.admin("/admin/revoke", {"user": self.user})
        self.append("INBOX", "arrives after the revocation")
        os.makedirs(os.path.join(self.maildir, "INBOX", "new"), exist_ok=True)
        with open(os.path.join(self.maildir, "INBOX", "new", "1700000000.M1P1.local"), "w") as f:
            f.write("From: me@example.test\nSubject: local\nMessage-ID: <local-1@t>\n\nlocal\n")
        files, counts, token_bytes = self.local_files(), self.server_counts(), open(self.token_file("o")).read()
        for args in (("sync", "o"), ("folders", "-a", "o", "list"), ("fetch", "o")):
            started = time.monotonic()
            r = self.run(*args)
            check(r.returncode == 77, "%s after revocation: exit %d %s" % (args, r.returncode, r.stderr))
            self.run("--json", *args)
            check("zmail settings login o" in r.stderr, "no login hint: " + r.stderr)
            check(time.monotonic() - started < 20, "it took long: a loop?")
        check(self.local_files() == files, "something changed locally")
        check(self.server_counts() == counts, "something changed on the server")
        check(open(self.token_file("o")).read() == token_bytes, "the token file changed")
        r = self.run("send", "-a", "o", "--to", "bob@example.test", "--subject", "x", stdin="x\n")
        check(r.returncode == 77 and "zmail settings login o" in r.stderr, "send: %d %s" % (r.returncode, r.stderr))
        rc, _, err, _ = self.login("o", "-v", "-v")
        check(rc == 0, "login again: " + err)
        check("grant_type=authorization_code" in err, "-v -v shows the token request (not its body)")
        self.ok_run("sync", "o")
        check(self.local_count("INBOX") == 7, "after signing in again everything syncs")
        print("ok a revoked refresh token: exit 77 with the login command, nothing changed anywhere")

    def device_flow(self):
        self.admin("/admin/config", {"slow_down": 1, "device_interval": 1, "device_expires": 60})
        env = dict(self.base_env)
        started = time.monotonic()
        p = subprocess.Popen([self.zmail, "settings", "login", "o", "--device"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        code = None
        seen = []
        while code is None:
            line = p.stderr.readline()
            if not line:
                break
            seen.append(line)
            m = re.search(r"enter the code (\S+)", line)
            if m:
                code = m.group(1)
        check(code, "no device code printed: " + "".join(seen))
        self.admin("/device/approve?user_code=%s&user=%s" % (code, self.user))
        out, err = p.communicate(timeout=60)
        self.outputs += [out, err, "".join(seen)]
        check(p.returncode == 0, "device login: %d %s" % (p.returncode, err))
        check(time.monotonic() - started >= 6, "slow_down was not honoured")
        self.ok_run("folders", "-a", "o", "list")
        self.admin("/admin/config", {"slow_down": 0, "device_expires": 2})
        r = self.run("settings", "login", "o", "--device")
        check(r.returncode == 75 and "expired" in r.stderr, "device code expiry: %d %s" % (r.returncode, r.stderr))
        self.admin("/admin/config", {"device_expires": 60})
        print("ok device sign-in (slow_down honoured); an expired device code is a clear error (75)")

    def flow_failures(self):
        token_bytes = open(self.token_file("o")).read()
        self.admin("/admin/config", {"authorize": "wrong-state"})
        rc, _, err, _ = self.login("o")
        check(rc == 77 and "state does not match" in err, "state mismatch: %d %s" % (rc, err))
        self.admin("/admin/config", {"authorize": "deny"})
        rc, _, err, _ = self.login("o")
        check(rc == 77 and "access_denied" in err, "denied: %d %s" % (rc, err))
        self.admin("/admin/config", {"authorize": "consent"})
        rc, _, err, _ = self.login("o", "--timeout", "2", follow=False)
        check(rc == 75 and "within 2 seconds" in err, "timeout: %d %s" % (rc, err))
        check(open(self.token_file("o")).read() == token_bytes, "a failed sign-in changed the stored tokens")
        print("ok a state mismatch, a refusal and a sign-in after the time limit: clear errors, nothing stored")

    def client_secret_and_file_mode(self):
        self.add_account("s", client="zmail-secret")
        self.secrets.add(CLIENT_SECRET)
        r = self.run("settings", "set", "s", "oauth2.client_secret", CLIENT_SECRET)
        check(r.returncode == 64, "a secret on the command line must be refused")
        self.ok_run("settings", "set", "s", "oauth2.client_secret", stdin=CLIENT_SECRET + "\n")
        rc, _, err, _ = self.login("s")
        check(rc == 0, "login with a client secret: " + err)
        self.ok_run("folders", "-a", "s", "list")
        self.ok_run("settings", "show", "s")
        self.ok_run("settings", "show", "s", "--json")
        self.ok_run("settings", "unset", "s", "oauth2.client_secret")
        self.ok_run("settings", "set", "s", "oauth2.client_secret_env", "ZMAIL_TEST_CLIENT_SECRET")
        self.admin("/admin/expire-access")
        r = self.run("folders", "-a", "s", "list", extra_env={"ZMAIL_TEST_CLIENT_SECRET": "wrong"})
        check(r.returncode == 77 and "client" in r.stderr, "a wrong client secret: %d %s" % (r.returncode, r.stderr))
        self.ok_run("folders", "-a", "s", "list", extra_env={"ZMAIL_TEST_CLIENT_SECRET": CLIENT_SECRET})
        os.chmod(self.token_file("s"), 0o644)
        r = self.run("folders", "-a", "s", "list")
        check(r.returncode == 77 and "others can read it" in r.stderr, "readable token file: %s" % r.stderr)
        os.chmod(self.token_file("s"), 0o600)
        print("ok a client secret from standard input or the environment, never shown; a readable token file refused")

    def command_store(self):
        self.add_account("c")
        store = os.path.join(self.work, "vault")
        self.ok_run("settings", "set", "c", "oauth2.store", "command")
        self.ok_run("settings", "set", "c", "oauth2.load_command", "cat " + store)
        self.ok_run("settings", "set", "c", "oauth2.save_command", "umask 077; cat > " + store)
        rc, _, err, _ = self.login("c")
        check(rc == 0, "login with a command store: " + err)
        first = open(store).read().strip()
        check(first.startswith("rt-"), "the save command got no refresh token")
        self.secrets.add(first)
        check(not os.path.exists(self.token_file("c")), "the command store wrote a token file")
        self.admin("/admin/expire-access")
        self.ok_run("folders", "-a", "c", "list")
        second = open(store).read().strip()
        self.secrets.add(second)
        check(second != first and second.startswith("rt-"), "the rotated token was not saved with the command")
        check(self.stats()["reused"] == 0, "reused")
        print("ok refresh tokens kept by a command pair (a password manager), rotation saved there")

    def no_secret_anywhere(self):
        for account in ("o", "s"):
            self.tokens(account)
        self.secrets.update(self.admin("/admin/issued"))
        text = "\n".join(self.outputs)
        for secret in self.secrets:
            check(secret not in text, "a secret (%s...) appears in zmail's output" % secret[:6])
        with open(os.environ.get("ZMAIL_CONFIG_PATH", os.path.join(self.work, "config.json"))) as f:
            config = f.read()
        for secret in self.secrets - {CLIENT_SECRET}:
            check(secret not in config, "a token is in the config file")
        check(len(self.secrets) > 8, "too few secrets were collected: %d" % len(self.secrets))
        print("ok no token, code or client secret in %d outputs (-v -v traces, errors, --json, settings show)"
              % len(self.outputs))


def main(argv):
    suite = Suite(*argv[1:5])
    try:
        for step in (suite.browser_flow_and_every_protocol, suite.renewal_after_refusal_and_rotation,
                     suite.renewal_before_expiry, suite.long_sync_with_short_tokens, suite.revoked,
                     suite.device_flow, suite.flow_failures, suite.client_secret_and_file_mode,
                     suite.command_store, suite.no_secret_anywhere):
            step()
    except Failure as e:
        print("FAIL", e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
