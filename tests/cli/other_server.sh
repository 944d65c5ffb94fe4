#!/usr/bin/env bash
# One smoke test against a private server other than the suite's Dovecot with '/' (ctest label
# other-servers; the server_other_*_test.sh files call this): starts the server in its own
# directory, runs other_server_smoke.py (TLS login with the suite's CA, a Japanese folder in
# modified UTF-7, APPEND, LIST, SELECT, FETCH and POP3 RETR byte for byte), then
# `zmail folders list` with a profile pointing at it, then other_server_sync.py (zmail sync with
# every kind of folder name, both ways, renames and deletions); stops the server also on failure.
#
# Usage: other_server.sh SERVER [smoke options]
#   SERVER: cyrus | cyrus-dot | courier (tests/fixture/other_servers.py)
#           dovecot-dot | dovecot-inbox-prefix (tests/fixture/mailserver.py --layout)
# Environment (from CMake): ZMAIL ZMAIL_SOURCE_DIR ZMAIL_BUILD_DIR
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_SOURCE_DIR:?}" "${ZMAIL_BUILD_DIR:?}"
server=$1; shift
fixture=$ZMAIL_SOURCE_DIR/tests/fixture
base=$ZMAIL_BUILD_DIR/other-servers
dir=$base/$server
# the unpacked Debian packages stay here between runs (downloaded once)
export ZMAIL_OTHER_SERVERS_CACHE=${ZMAIL_OTHER_SERVERS_CACHE:-$base/cache}
mkdir -p "$base"
case $server in
  dovecot-*) start=("$fixture/mailserver.py" start "$dir" --layout "${server#dovecot-}")
             stop=("$fixture/mailserver.py" stop "$dir") ;;
  *)         start=("$fixture/other_servers.py" start "$dir" --server "$server")
             stop=("$fixture/other_servers.py" stop "$dir") ;;
esac
work=$(mktemp -d)
trap '/usr/bin/python3 "${stop[@]}" || true; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT  # a ctest timeout still stops the server
fail() { echo "FAIL: $*" >&2; exit 1; }

/usr/bin/python3 "${start[@]}" >/dev/null || fail "cannot start $server"
env_json=$dir/env.json
/usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/cli/other_server_smoke.py" "$env_json" "$@" | tee "$work/smoke" ||
  fail "smoke test against $server"

# zmail itself: the folder the smoke test made must be listed as 日本語/テスト, the personal
# prefix taken off (the names sync uses).
get() { /usr/bin/python3 -c "import json,sys; e=json.load(open(sys.argv[2])); print(eval(sys.argv[1]))" "$1" "$env_json"; }
imaps=$(get "e['ports']['imaps']"); ca=$(get "e['ca_file']"); prefix=$(get "e['personal_prefix']")
export ZMAIL_CONFIG=$work/config.json HOME=$work NO_COLOR=1 ZMAIL_TEST_PW=$(get "e['users']['alice']")
"$ZMAIL" settings add t --preset custom --address alice@example.test --user alice \
  --imap "127.0.0.1:$imaps" --ca-file "$ca" --password-env ZMAIL_TEST_PW >/dev/null 2>&1 ||
  fail "zmail settings add"
"$ZMAIL" settings set t imap.security tls >/dev/null 2>&1 || fail "zmail settings set t imap.security tls"
status=0
"$ZMAIL" folders list --flat >"$work/list" 2>"$work/err" || status=$?
echo "zmail folders list --flat: exit $status"
sed 's/^/  stdout: /' "$work/list"; sed 's/^/  stderr: /' "$work/err"
[[ $status -eq 0 ]] || fail "zmail folders list against $server: exit $status: $(cat "$work/err")"
grep -qx '日本語/テスト' "$work/list" || fail "zmail folders list lacks 日本語/テスト"
if [[ -n $prefix ]] && grep -q "^${prefix%?}/" "$work/list"; then
  fail "zmail folders list shows the personal prefix '$prefix' as a folder level"
fi
echo "ok   zmail lists 日本語/テスト${prefix:+ (the personal prefix '$prefix' taken off)}"

# zmail folders create puts a new folder below the personal prefix, subscribed
"$ZMAIL" folders create 'テスト/子フォルダ' 2>"$work/err" || fail "zmail folders create: $(cat "$work/err")"
"$ZMAIL" folders list --subscribed --json >"$work/list.json" 2>"$work/err" || fail "zmail folders list: $(cat "$work/err")"
/usr/bin/python3 - "$work/list.json" "$prefix" "$(get "e['delimiter']")" <<'PY' || fail "zmail folders create テスト/子フォルダ"
import json, sys
folders = {f["name"]: f for f in json.load(open(sys.argv[1]))}
prefix, delimiter = sys.argv[2], sys.argv[3]
f = folders.get("テスト/子フォルダ")
assert f and f["subscribed"], folders
# modified UTF-7, or UTF-8 where the server offers UTF8=ACCEPT (Courier)
assert f["server_name"] in (prefix + "&MMYwuTDI-" + delimiter + "&W1Aw1TCpMOswwA-",
                            prefix + "テスト" + delimiter + "子フォルダ"), f
print("ok   zmail folders create テスト/子フォルダ: %s, subscribed" % f["server_name"])
PY

# zmail sync with every kind of folder name, both ways: create, flags, renames, deletions
/usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/cli/other_server_sync.py" "$env_json" "$ZMAIL" "$work/sync" ||
  fail "zmail sync against $server"

# A server that offers POP3 UTF8 (RFC 6856, Courier) gives a client that does not ask for it a
# postmaster notice in place of a message with raw UTF-8 headers: zmail sends UTF8.
if [[ " $* " == *" --pop3-utf8 "* ]]; then
  /usr/bin/python3 - "$env_json" <<'PY' || fail "APPEND of a message with UTF-8 headers"
import imaplib, json, ssl, sys
e = json.load(open(sys.argv[1]))
imap = imaplib.IMAP4_SSL(e["host"], e["ports"]["imaps"], ssl_context=ssl.create_default_context(cafile=e["ca_file"]))
imap.login("alice", e["users"]["alice"])
message = ("From: Ålice <alice@example.test>\r\nSubject: 日本語の件名\r\nMessage-ID: <utf8@example.test>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n本文\r\n").encode()
assert imap.append("INBOX", None, None, message)[0] == "OK"
imap.logout()
PY
  pop3s=$(get "e['ports']['pop3s']")
  for setting in "pop.host 127.0.0.1" "pop.port $pop3s" "pop.security tls"; do
    "$ZMAIL" settings set t $setting >/dev/null 2>&1 || fail "zmail settings set t $setting"
  done
  status=0
  "$ZMAIL" fetch --keep --deliver "mbox:$work/mbox" >"$work/out" 2>"$work/err" || status=$?
  echo "zmail fetch --keep --deliver mbox:...: exit $status"
  sed 's/^/  stdout: /' "$work/out"; sed 's/^/  stderr: /' "$work/err"
  [[ $status -eq 0 ]] || fail "zmail fetch against $server: exit $status: $(cat "$work/err")"
  # (the notice quotes the original as a message/global part: look for the notice first)
  if grep -q '^Subject: Cannot display Unicode content' "$work/mbox"; then
    fail "zmail fetch: the server gave 'Cannot display Unicode content' in place of the message (POP3 UTF8 not sent)"
  fi
  grep -q '^Subject: 日本語の件名' "$work/mbox" || fail "zmail fetch: the message with UTF-8 headers is missing"
  echo "ok   zmail fetch keeps the message with UTF-8 headers (POP3 UTF8)"
fi
echo "$(basename "$0"): all passed"
