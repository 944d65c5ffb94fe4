#!/usr/bin/env bash
# zmail fetch through the MDAs people use, against the suite's Dovecot: procmail and maildrop
# get the envelope sender (%F) and write mbox files whose "From " lines name it, read back with
# Python's mailbox module; %T and ZMAIL_SENDER/ZMAIL_RECIPIENT reach any command.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}" "${ZMAIL_SOURCE_DIR:?}"
env_json="$ZMAIL_FIXTURE_DIR/env.json"
get() { /usr/bin/python3 -c "import json,sys; e=json.load(open('$env_json')); print(eval(sys.argv[1]))" "$1"; }
pop3s=$(get "e['ports']['pop3s']"); ca=$(get "e['ca_file']"); conf=$(get "e['dovecot_config']")
user="mda$$"
/usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/fixture/mailserver.py" adduser "$ZMAIL_FIXTURE_DIR" "$user" "$user-pw" >/dev/null
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export ZMAIL_CONFIG=$work/config.json HOME=$work NO_COLOR=1 ZMAIL_TEST_PW="$user-pw"
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in procmail maildrop; do command -v $tool >/dev/null || fail "$tool is not installed (scripts/install-deps)"; done

# a list message with its bounce address, and a Japanese one with no Return-Path
printf 'Return-Path: <bounce+42@lists.example.test>\nFrom: List <list@lists.example.test>\nSubject: list\nMessage-ID: <1@mda.test>\n\nbody one\nFrom the start of a line\n' |
  doveadm -c "$conf" save -u "$user"
printf 'From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <taro@example.jp>\nSubject: jp\nMessage-ID: <2@mda.test>\n\nbody two\n' |
  doveadm -c "$conf" save -u "$user"
senders='["bounce+42@lists.example.test", "taro@example.jp"]'

add() {
  "$ZMAIL" settings add "$1" --preset custom --address "$user@example.test" --user "$user" \
    --pop "127.0.0.1:$pop3s" --ca-file "$ca" --password-env ZMAIL_TEST_PW 2>/dev/null
}
# check_mbox FILE: two messages, "From " lines naming the envelope senders, bodies intact
check_mbox() {
  /usr/bin/python3 - "$1" "$senders" <<'PY' || fail "$1 as read by Python's mailbox module"
import json, mailbox, sys
box = mailbox.mbox(sys.argv[1], create=False)
messages = sorted(box, key=lambda m: m["Message-ID"])
want = json.loads(sys.argv[2])
assert len(messages) == 2, len(messages)
for m, sender in zip(messages, want):
    assert m.get_from().split()[0] == sender, (m.get_from(), sender)
assert messages[0].get_payload().startswith("body one\n"), messages[0].get_payload()
assert messages[1]["Subject"] == "jp" and messages[1].get_payload() == "body two\n"
PY
}

# procmail as a filter with its own rcfile (-m: no HOME or ~/.procmailrc needed), -f %F
printf ':0:\n%s/procmail.mbox\n' "$work" >"$work/procmailrc"
add viaprocmail
"$ZMAIL" fetch viaprocmail --deliver "mda:procmail -f %F -m $work/procmailrc" 2>"$work/err" ||
  fail "procmail: $(cat "$work/err")"
check_mbox "$work/procmail.mbox"

# maildrop with a filter file (mode 600, as maildrop wants), -f %F
printf 'to "%s/maildrop.mbox"\n' "$work" >"$work/mailfilter"
chmod 600 "$work/mailfilter"
add viamaildrop
"$ZMAIL" fetch viamaildrop --deliver "mda:maildrop -f %F $work/mailfilter" 2>"$work/err" ||
  fail "maildrop: $(cat "$work/err")"
check_mbox "$work/maildrop.mbox"

# %T, %% and the environment, for any command
add viascript
"$ZMAIL" fetch viascript --deliver "mda:cat >/dev/null; echo %T %F 100%% \"\$ZMAIL_SENDER\" \"\$ZMAIL_RECIPIENT\" >>$work/envelope" \
  2>"$work/err" || fail "script: $(cat "$work/err")"
sort "$work/envelope" >"$work/envelope.sorted"
printf '%s\n' "$user@example.test bounce+42@lists.example.test 100% bounce+42@lists.example.test $user@example.test" \
  "$user@example.test taro@example.jp 100% taro@example.jp $user@example.test" | sort | diff - "$work/envelope.sorted" ||
  fail "%T, %F, %% or ZMAIL_SENDER/ZMAIL_RECIPIENT"
echo "server_mda_test: all passed"
