#!/bin/bash
# zmail fetch without a server: command-line errors exit 64 before anything runs, accounts without
# POP3 exit 78, and nothing is written for either. (The fetches themselves are in
# tests/integration/fetch_test.cpp and tests/cli/server_fetch_*_test.sh.)
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_STATE_HOME=$tmp/state NO_COLOR=1
export ZMAIL_CONFIG=$tmp/config.json
failures=0

fail() {
    echo "FAIL: $*" >&2
    echo "  stdout: $(cat "$tmp/out" 2>/dev/null)" >&2
    echo "  stderr: $(cat "$tmp/err" 2>/dev/null)" >&2
    failures=$((failures + 1))
}

run() {
    set +e
    "$ZMAIL" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}

# expect CODE NEEDLE ARGS...: exit CODE, NEEDLE on stderr, nothing on stdout.
expect() {
    local code=$1 needle=$2
    shift 2
    run "$@"
    [[ $rc == "$code" ]] || fail "zmail $* exited $rc, expected $code"
    grep -qF -- "$needle" "$tmp/err" || fail "zmail $*: stderr lacks '$needle'"
    [[ ! -s $tmp/out ]] || fail "zmail $* printed on stdout"
}

"$ZMAIL" settings add work --preset custom --address me@example.test --pop pop.example.test:995 \
    --password-env NO_SUCH_VARIABLE >/dev/null 2>&1
"$ZMAIL" settings add imaponly --preset custom --address me@example.test --imap imap.example.test:993 \
    --password-env NO_SUCH_VARIABLE >/dev/null 2>&1

expect 64 "excludes" fetch --keep --delete
expect 64 "invalid --deliver 'pigeon:x'" fetch --deliver pigeon:x
expect 64 "the mbox path is missing" fetch --deliver mbox:
expect 64 "the command is missing" fetch --deliver 'mda: '
expect 64 "invalid --max-size '10Q'" fetch --max-size 10Q
expect 64 "invalid --max-size '-1'" fetch --max-size -1
expect 64 "--scope" fetch --scope some
expect 64 "--limit" fetch --limit -3
expect 64 "not both" fetch work --all
expect 78 "account 'imaponly' has no POP3 server" fetch imaponly
expect 78 "no account 'nosuch'" fetch nosuch
# the password source is checked only once the lock is taken and the run starts
expect 78 "NO_SUCH_VARIABLE" fetch work
[[ ! -e $tmp/home/Mail ]] || fail "a failed fetch created the Maildir"

# the errors per account with --json: one object each, the run goes on
run --json fetch work imaponly
[[ $rc == 78 ]] || fail "--json fetch work imaponly exited $rc"
python3 - "$tmp/out" <<'PY' || fail "--json output is not one array with an object per account"
import json, sys
results = json.load(open(sys.argv[1]))
assert [r["account"] for r in results] == ["work", "imaponly"], results
# the error that stopped each account: the one error object of every command
assert all(r["error"] and r["error"]["kind"] == "config" and r["error"]["exit_code"] == 78 for r in results), results
assert results[0]["exit_code"] == 78
PY

run fetch --help
[[ $rc == 0 ]] || fail "fetch --help exited $rc"
for option in --all --keep --delete --scope --max-size --limit --deliver --wait --dry-run; do
    grep -qF -- "$option" "$tmp/out" || fail "fetch --help lacks $option"
done

if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "fetch_test: all passed"
