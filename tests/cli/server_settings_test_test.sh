#!/usr/bin/env bash
# zmail settings test against the suite's real servers: a healthy account, a closed port, a
# certificate from an unknown CA, a name mismatch and a wrong password each give the right
# failing step, exit code and hint.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}"
env_json="$ZMAIL_FIXTURE_DIR/env.json"
get() { /usr/bin/python3 -c "import json,sys; e=json.load(open('$env_json')); print(eval(sys.argv[1]))" "$1"; }
imaps=$(get "e['ports']['imaps']"); pop3s=$(get "e['ports']['pop3s']"); smtps=$(get "e['ports']['submissions']")
ca=$(get "e['ca_file']"); other_ca=$(get "e['other_ca_file']"); mismatch=$(get "e['mismatch_host']")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export ZMAIL_CONFIG=$work/config.json HOME=$work NO_COLOR=1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$ZMAIL" settings add good --preset custom --address alice@example.test --user alice \
  --imap "127.0.0.1:$imaps" --pop "127.0.0.1:$pop3s" --smtp "127.0.0.1:$smtps" --ca-file "$ca" \
  --password-env ZMAIL_TEST_PW 2>/dev/null

# healthy: every step ok, exit 0, capabilities reported
out=$(ZMAIL_TEST_PW=alice-pass-1 "$ZMAIL" settings test good --json)
echo "$out" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["ok"], d
services = {s["service"]: s for s in d["services"]}
assert set(services) == {"imap", "pop3", "smtp"}, services.keys()
for s in services.values():
    assert [x["step"] for x in s["steps"]] == ["resolve", "connect", "tls", "login", "capabilities"], s
    assert all(x["ok"] for x in s["steps"]), s
assert services["imap"]["offers"]["condstore"] and services["imap"]["offers"]["uidplus"]
assert services["pop3"]["offers"]["uidl"]
assert services["smtp"]["offers"]["size"] is not None
' || fail "healthy account"
ZMAIL_TEST_PW=alice-pass-1 "$ZMAIL" settings test good >"$work/out" 2>"$work/err" || fail "healthy exit code"
grep -q "ok   login" "$work/out" || fail "healthy text output"

# expect_failure ACCOUNT SERVICE STEP EXIT HINT-PATTERN
expect_failure() {
  local account=$1 service=$2 step=$3 code=$4 hint=$5 status=0
  ZMAIL_TEST_PW=${PW:-alice-pass-1} "$ZMAIL" settings test "$account" --timeout 5 --json >"$work/json" 2>"$work/err" || status=$?
  [[ $status -eq $code ]] || fail "$account: exit $status, expected $code"
  /usr/bin/python3 - "$work/json" "$service" "$step" "$hint" <<'PY' || fail "$account: report"
import json, re, sys
d = json.load(open(sys.argv[1]))
service, step, hint = sys.argv[2:5]
s = {x["service"]: x for x in d["services"]}[service]
failed = [x["step"] for x in s["steps"] if not x["ok"]]
assert failed == [step], (failed, s)
assert any(re.search(hint, h, re.I) for h in s["hints"]), s["hints"]
assert "alice-pass-1" not in json.dumps(d) and "wrong-password" not in json.dumps(d)
PY
  # the text form names the failing step and gives a hint
  ZMAIL_TEST_PW=${PW:-alice-pass-1} "$ZMAIL" settings test "$account" --timeout 5 >"$work/out" 2>"$work/err" || true
  grep -q "FAIL $step" "$work/out" || fail "$account: text output lacks 'FAIL $step'"
  grep -q "^hint: " "$work/err" || fail "$account: no hint on stderr"
}

# a closed port: bind a port, close it, use it
closed=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$ZMAIL" settings add closed --preset custom --address alice@example.test --user alice --imap "127.0.0.1:$closed" \
  --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null
"$ZMAIL" settings set closed imap.security tls
expect_failure closed imap connect 69 "check the host and port"

"$ZMAIL" settings add submit25 --preset custom --address alice@example.test --user alice --smtp "127.0.0.1:25" \
  --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null
"$ZMAIL" settings set submit25 smtp.port 25 2>/dev/null
if ! (exec 3<>/dev/tcp/127.0.0.1/25) 2>/dev/null; then
  expect_failure submit25 smtp connect 69 "465.*587"
fi

# a certificate from an unknown CA
"$ZMAIL" settings add unknown-ca --preset custom --address alice@example.test --user alice \
  --imap "127.0.0.1:$imaps" --ca-file "$other_ca" --password-env ZMAIL_TEST_PW 2>/dev/null
expect_failure unknown-ca imap tls 69 "ca_file|certificate"

# a name mismatch: the certificate does not name 127.0.0.3
"$ZMAIL" settings add mismatch --preset custom --address alice@example.test --user alice \
  --imap "$mismatch:$imaps" --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null
expect_failure mismatch imap tls 69 "name|host"

# a wrong password
"$ZMAIL" settings add wrongpw --preset custom --address alice@example.test --user alice \
  --imap "127.0.0.1:$imaps" --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null
PW=wrong-password expect_failure wrongpw imap login 77 "application-specific password"

echo "server_settings_test_test: all passed"
