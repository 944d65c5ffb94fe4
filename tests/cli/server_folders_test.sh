#!/usr/bin/env bash
# zmail folders against the suite's Dovecot: a Japanese folder is created under its modified
# UTF-7 name and subscribed, listed in UTF-8 with the right counts, renamed (the subscription
# follows) and deleted; every server refusal is a clear error with the server's words and rule.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}" "${ZMAIL_SOURCE_DIR:?}"
env_json="$ZMAIL_FIXTURE_DIR/env.json"
get() { /usr/bin/python3 -c "import json,sys; e=json.load(open('$env_json')); print(eval(sys.argv[1]))" "$1"; }
imaps=$(get "e['ports']['imaps']"); ca=$(get "e['ca_file']"); conf=$(get "e['dovecot_config']")
user="folders$$"
/usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/fixture/mailserver.py" adduser "$ZMAIL_FIXTURE_DIR" "$user" "$user-pw" >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export ZMAIL_CONFIG=$work/config.json HOME=$work NO_COLOR=1 ZMAIL_TEST_PW="$user-pw"
fail() { echo "FAIL: $*" >&2; exit 1; }
doveadm_() { doveadm -c "$conf" "$@"; }

"$ZMAIL" settings add t --preset custom --address "$user@example.test" --user "$user" \
  --imap "127.0.0.1:$imaps" --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null

"$ZMAIL" folders create '送信済み/テスト' 2>"$work/err" || fail "create: $(cat "$work/err")"
# Dovecot keeps it under its modified UTF-7 name
doveadm_ mailbox list -7 -u "$user" | grep -qx '&kAFP4W4IMH8-/&MMYwuTDI-' || fail "not listed under the mUTF-7 name"
doveadm_ mailbox list -u "$user" | grep -qx '送信済み/テスト' || fail "not listed under the UTF-8 name"
# created folders are subscribed, so mail readers that show subscribed folders find them
doveadm_ mailbox list -s -u "$user" | grep -qx '送信済み/テスト' || fail "created but not subscribed"

# two messages, one read, then the counts
for i in 1 2; do
  printf 'From: a@example.test\r\nSubject: %s\r\nMessage-ID: <f%s@example.test>\r\n\r\nbody %s\r\n' "$i" "$i" "$i" |
    doveadm_ save -u "$user" -m '送信済み/テスト'
done
doveadm_ flags add -u "$user" '\Seen' mailbox '送信済み/テスト' uid 1
"$ZMAIL" folders list --counts --json >"$work/list.json"
/usr/bin/python3 - "$work/list.json" <<'PY' || fail "list --counts --json"
import json, sys
folders = {f["name"]: f for f in json.load(open(sys.argv[1]))}
f = folders["送信済み/テスト"]
assert f["messages"] == 2 and f["unseen"] == 1 and f["size"] > 0, f
assert f["server_name"] == "&kAFP4W4IMH8-/&MMYwuTDI-", f
assert folders["Sent"]["special_use"] == "\\Sent"
assert list(folders)[0] == "INBOX"
PY
"$ZMAIL" folders list --counts >"$work/tree"
grep -q '^送信済み' "$work/tree" || fail "tree lacks the parent"
grep -Eq '^  テスト +2 messages, 1 unread' "$work/tree" || fail "tree lacks the child with counts: $(cat "$work/tree")"
"$ZMAIL" folders list --flat | grep -qx '送信済み/テスト' || fail "flat list"

# refusals: exists, not found, has children; each exit 69 with the server's words
expect_refusal() {  # expect_refusal PATTERN ARGS...
  local pattern=$1 status=0; shift
  "$ZMAIL" folders "$@" >"$work/out" 2>"$work/err" || status=$?
  [[ $status -eq 69 ]] || fail "folders $*: exit $status, expected 69"
  grep -q "^zmail: .*$pattern.*(server: .*NO" "$work/err" || fail "folders $*: $(cat "$work/err")"
}
expect_refusal "it already exists" create '送信済み/テスト'
grep -q "this server uses '/' between levels; zmail asked for '送信済み/テスト'" "$work/err" ||
  fail "a refused create names the server's rule: $(cat "$work/err")"
expect_refusal "no such folder" rename 'Nowhere' 'Elsewhere'
expect_refusal "no such folder" delete 'Nowhere' --yes
expect_refusal "cannot delete folder '送信済み'" delete '送信済み' --yes

# delete needs --yes off a terminal and changes nothing without it
status=0; "$ZMAIL" folders delete '送信済み/テスト' </dev/null 2>"$work/err" || status=$?
[[ $status -eq 64 ]] || fail "delete without --yes: exit $status"
doveadm_ mailbox list -u "$user" | grep -qx '送信済み/テスト' || fail "deleted without --yes"

"$ZMAIL" folders rename '送信済み/テスト' '送信済み/テスト2' 2>/dev/null || fail rename
doveadm_ mailbox list -u "$user" | grep -qx '送信済み/テスト2' || fail "rename not on the server"
doveadm_ mailbox status -u "$user" messages '送信済み/テスト2' | grep -q "messages=2$" || fail "rename lost messages"
subs=$(doveadm_ mailbox list -s -u "$user")
grep -qx '送信済み/テスト2' <<<"$subs" || fail "the renamed folder is not subscribed"
grep -qx '送信済み/テスト' <<<"$subs" && fail "the old name is still subscribed after the rename"

"$ZMAIL" folders unsubscribe '送信済み/テスト2' 2>/dev/null || fail unsubscribe
"$ZMAIL" folders list --subscribed --flat | grep -q 'テスト2' && fail "still subscribed"
"$ZMAIL" folders subscribe '送信済み/テスト2' 2>/dev/null || fail subscribe
"$ZMAIL" folders list --subscribed --flat | grep -qx '送信済み/テスト2' || fail "not subscribed"

"$ZMAIL" folders delete '送信済み/テスト2' --yes --json >"$work/del.json" 2>/dev/null || fail delete
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['ok'] and d['action']=='delete'" "$work/del.json"
doveadm_ mailbox list -u "$user" | grep -q 'テスト2' && fail "still there after delete"

# names with spaces, quotes, '&' and Chinese
for name in 'With Space' 'Quote"d' 'A&B' '客户/北京'; do
  "$ZMAIL" folders create "$name" 2>/dev/null || fail "create '$name'"
  "$ZMAIL" folders list --flat | grep -qxF "$name" || fail "list '$name'"
  doveadm_ mailbox list -u "$user" | grep -qxF "$name" || fail "server lacks '$name'"
done
echo "server_folders_test: all passed"
