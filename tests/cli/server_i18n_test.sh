#!/usr/bin/env bash
# Messages in the user's language against the suite's real Dovecot: `zmail fetch` with a wrong
# password under LANG=ja_JP.UTF-8 and zh_CN.UTF-8 says what failed and what to do in that
# language, while the exit code and the --json output are those of LANG=C, byte for byte.
# The locales are built privately (localedef into LOCPATH): the machine is not changed.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}"
env_json="$ZMAIL_FIXTURE_DIR/env.json"
get() { /usr/bin/python3 -c "import json,sys; e=json.load(open('$env_json')); print(eval(sys.argv[1]))" "$1"; }
pop3s=$(get "e['ports']['pop3s']"); imaps=$(get "e['ports']['imaps']"); ca=$(get "e['ca_file']")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export ZMAIL_CONFIG=$work/config.json HOME=$work NO_COLOR=1 ZMAIL_TEST_PW=wrong-password
unset LANGUAGE LC_ALL LC_MESSAGES
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

mkdir -p "$work/locales"
for locale in ja_JP zh_CN; do
  localedef -i $locale -f UTF-8 "$work/locales/$locale.UTF-8" 2>/dev/null || true
  [[ -d $work/locales/$locale.UTF-8 ]] || { echo "FAIL: localedef could not build $locale.UTF-8" >&2; exit 1; }
done

"$ZMAIL" settings add bob --preset custom --address alice@example.test --user alice \
  --imap "127.0.0.1:$imaps" --pop "127.0.0.1:$pop3s" --ca-file "$ca" --password-env ZMAIL_TEST_PW --maildir "$work/Mail" 2>/dev/null
mkdir -p "$work/Mail"

# run LANG OUT ERR ARGS...: zmail under LANG; prints the exit code
run() {
  local lang=$1 out=$2 err=$3 status=0; shift 3
  LOCPATH="$work/locales" LANG=$lang "$ZMAIL" "$@" >"$out" 2>"$err" || status=$?
  echo $status
}

c_status=$(run C.UTF-8 "$work/c.out" "$work/c.err" fetch)
[[ $c_status -eq 77 ]] || fail "fetch with a wrong password: exit $c_status under C, expected 77"
grep -q '^zmail: ' "$work/c.err" && grep -q '^hint: ' "$work/c.err" || fail "English: $(cat "$work/c.err")"
c_json_status=$(run C.UTF-8 "$work/c.json" /dev/null fetch --json)

cjk='[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]'
for lang in ja_JP.UTF-8 zh_CN.UTF-8; do
  status=$(run $lang "$work/out" "$work/err" fetch)
  [[ $status -eq $c_status ]] || fail "$lang: exit $status, C gave $c_status"
  lines=$(wc -l <"$work/err")
  translated=$(grep -cP "$cjk" "$work/err" || true)
  # what failed and what to do (the server's own words may follow, untranslated)
  [[ $lines -ge 2 && $translated -ge 2 ]] || fail "$lang: not translated: $(cat "$work/err")"
  grep -q 'authentication\|wrong password\|password' "$work/err" && grep -qvP "$cjk" <(head -1 "$work/err") \
    && fail "$lang: the first line is English: $(head -1 "$work/err")"
  json_status=$(run $lang "$work/json" /dev/null fetch --json)
  [[ $json_status -eq $c_json_status ]] || fail "$lang: --json exit $json_status, C gave $c_json_status"
  cmp -s "$work/json" "$work/c.json" || fail "$lang: --json differs from C: $(diff "$work/c.json" "$work/json" | head -5)"
  # --help in the user's language, the option names unchanged
  LOCPATH="$work/locales" LANG=$lang "$ZMAIL" help fetch >"$work/help" 2>&1 || true
  grep -q -- '--deliver' "$work/help" && grep -qP "$cjk" "$work/help" || fail "$lang: help fetch is not translated"
done
grep -qP "$cjk" "$work/c.err" && fail "C: $(cat "$work/c.err")"

[[ $failures -eq 0 ]] || exit 1
echo "fetch with a wrong password: exit $c_status in C, ja_JP and zh_CN; messages translated; --json identical"
