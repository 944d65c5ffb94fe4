#!/bin/bash
# zmail settings from the command line: the issue's "done when" (a Zoho organisation account
# in one command), every error path with its exit code and message shape, --json output, and
# that secrets are never printed.
#
# Needs: $ZMAIL (the binary), python3, sha256sum; setpriv when run as root.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
python=$(command -v python3)

tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null || true; rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_STATE_HOME=$tmp/state NO_COLOR=1
export ZMAIL_CONFIG=$tmp/config/config.json
unset NETRC
config=$ZMAIL_CONFIG
secret='hunter2-Secret-9f3a'
failures=0

fail() {
    echo "FAIL: $*" >&2
    echo "  stdout: $(cat "$tmp/out" 2>/dev/null)" >&2
    echo "  stderr: $(cat "$tmp/err" 2>/dev/null)" >&2
    failures=$((failures + 1))
}

# run ARGS...: runs zmail (or, with a leading -, the command given) into $tmp/out, $tmp/err, $rc.
run() {
    if [[ $1 == - ]]; then shift; else set -- "$ZMAIL" "$@"; fi
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}

checksum() { if [[ -e $1 ]]; then sha256sum <"$1" | cut -d' ' -f1; else echo missing; fi; }

# expect_ok ARGS...: exit 0.
expect_ok() {
    run "$@"
    [[ $rc == 0 ]] || fail "zmail $* exited $rc, expected 0"
}

# expect_error CODE FILE ARGS...: exit CODE, nothing on stdout, exactly one "zmail: " line and
# one "hint: " line on stderr, FILE byte-identical afterwards, and the secret nowhere.
expect_error() {
    local code=$1 file=$2
    shift 2
    local before
    before=$(checksum "$file")
    run "$@"
    local what="[$*]"
    [[ $rc == "$code" ]] || fail "$what exited $rc, expected $code"
    [[ ! -s $tmp/out ]] || fail "$what printed on stdout"
    [[ $(grep -c '^zmail: ' "$tmp/err") == 1 ]] || fail "$what: not exactly one 'zmail:' line"
    [[ $(grep -c '^hint: ' "$tmp/err") == 1 ]] || fail "$what: not exactly one 'hint:' line"
    [[ $(wc -l <"$tmp/err") == 2 ]] || fail "$what: stderr is not exactly two lines"
    [[ $(checksum "$file") == "$before" ]] || fail "$what changed $file"
    ! grep -q -- "$secret" "$tmp/out" "$tmp/err" || fail "$what printed the secret"
}

# json_check PYTHON-EXPRESSIONS: runs them with d = the JSON on stdout of the last run.
json_check() {
    "$python" -c "import json, sys
d = json.load(open(sys.argv[1]))
$1" "$tmp/out" || fail "JSON check failed: $1"
}

mode_of() { stat -c %a "$1"; }

### settings path: --config, $ZMAIL_CONFIG, $XDG_CONFIG_HOME, ~/.config
expect_ok settings path
[[ $(cat "$tmp/out") == "$config" ]] || fail "settings path is not \$ZMAIL_CONFIG"
expect_ok --config "$tmp/other.json" settings path
[[ $(cat "$tmp/out") == "$tmp/other.json" ]] || fail "--config does not win"
run - env -u ZMAIL_CONFIG "$ZMAIL" settings path
[[ $(cat "$tmp/out") == "$XDG_CONFIG_HOME/zmail/config.json" ]] || fail "XDG_CONFIG_HOME not used"
run - env -u ZMAIL_CONFIG -u XDG_CONFIG_HOME "$ZMAIL" settings path
[[ $(cat "$tmp/out") == "$HOME/.config/zmail/config.json" ]] || fail "~/.config not used"

### an empty store
expect_ok settings list
[[ ! -s $tmp/out ]] || fail "list of an empty store printed data"
expect_ok --json settings list
json_check 'assert d == [], d'
[[ ! -e $config ]] || fail "reading created the config file"

### done when: a Zoho organisation account in one command
expect_ok settings add work --preset zoho-org --address you@yourdomain.com
[[ ! -s $tmp/out ]] || fail "add printed data on stdout"
[[ $(mode_of "$config") == 600 ]] || fail "config mode is $(mode_of "$config"), not 600"
[[ -z $(find "$(dirname "$config")" -name '*.tmp*') ]] || fail "a temp file was left behind"
expect_ok settings show work --json
json_check '
assert d["name"] == "work" and d["preset"] == "zoho-org", d
assert d["address"] == "you@yourdomain.com", d
assert (d["imap"]["host"], d["imap"]["port"], d["imap"]["security"]) == ("imappro.zoho.com", 993, "tls"), d["imap"]
assert (d["pop"]["host"], d["pop"]["port"], d["pop"]["security"]) == ("poppro.zoho.com", 995, "tls"), d["pop"]
assert (d["smtp"]["host"], d["smtp"]["port"], d["smtp"]["security"]) == ("smtp.zoho.com", 465, "tls"), d["smtp"]
assert d["imap"]["endpoint"] == "imappro.zoho.com:993"
assert d["send"]["save_sent"] == "never", d["send"]
assert d["send"]["save_sent_setting"] == "auto", d["send"]
assert d["default"] is True
assert isinstance(d["warnings"], list)'
expect_ok --json settings show work
json_check 'assert d["smtp"]["endpoint"] == "smtp.zoho.com:465"'
expect_ok settings show work
grep -q 'imappro.zoho.com:993 (tls)' "$tmp/out" || fail "text show lacks the IMAP server"
grep -q 'poppro.zoho.com:995 (tls)' "$tmp/out" || fail "text show lacks the POP server"
grep -q 'smtp.zoho.com:465 (tls)' "$tmp/out" || fail "text show lacks the SMTP server"
grep -q 'save_sent never' "$tmp/out" || fail "text show lacks save_sent never"
expect_ok settings show
grep -q '^work' "$tmp/out" || fail "show without a name does not show the default account"

### a second account, list, default
expect_ok -q settings add home --preset gmail --address me@gmail.com
[[ ! -s $tmp/err ]] || fail "-q did not silence the notes of add"
expect_ok settings list
[[ $(wc -l <"$tmp/out") == 2 ]] || fail "list does not show two accounts"
grep -q '^\* work ' "$tmp/out" || fail "list does not mark work as the default"
grep -q '^  home ' "$tmp/out" || fail "list does not show home"
expect_ok settings list --json
json_check '
assert [a["name"] for a in d] == ["home", "work"], d
assert [a["default"] for a in d] == [False, True], d
assert d[0]["preset"] == "gmail" and d[0]["address"] == "me@gmail.com", d'
expect_ok settings default
[[ $(cat "$tmp/out") == work ]] || fail "default is not work"
expect_ok settings default home
expect_ok settings default
[[ $(cat "$tmp/out") == home ]] || fail "default did not change to home"
expect_ok --json settings list
json_check 'assert [a["default"] for a in d] == [True, False], d'
expect_error 78 "$config" settings default nobody

### set, get, unset
expect_ok settings get work imap.port
[[ $(cat "$tmp/out") == 993 ]] || fail "get imap.port is not 993"
expect_ok settings set work imap.port 143
expect_ok settings get work imap.port
[[ $(cat "$tmp/out") == 143 ]] || fail "set imap.port did not stick"
expect_ok --json settings get work imap.port
json_check 'assert d == 143, d'
expect_ok settings unset work imap.port
expect_ok settings get work imap.port
[[ $(cat "$tmp/out") == 993 ]] || fail "unset did not go back to the preset"
expect_ok settings set work sync.folders 'INBOX, 送信済み'
expect_ok --json settings get work sync.folders
json_check 'assert d == ["INBOX", "送信済み"], d'
expect_ok settings set work fetch.keep no
expect_ok --json settings get work fetch.keep
json_check 'assert d is False, d'
expect_ok settings show work --json
json_check 'assert any("fetch.keep" in w for w in d["warnings"]), d["warnings"]'
expect_ok settings unset work fetch.keep
run settings get work password.command
[[ $rc == 1 && ! -s $tmp/out ]] || fail "get of an unset key must print nothing and exit 1 (got $rc)"
[[ $(mode_of "$config") == 600 ]] || fail "config mode changed"

### a custom server
expect_ok settings add lab --preset custom --address me@lab.example --imap mail.lab.example:143 \
    --smtp mail.lab.example:587 --password-command 'pass show lab'
expect_ok settings show lab --json
json_check '
assert (d["imap"]["host"], d["imap"]["port"], d["imap"]["security"]) == ("mail.lab.example", 143, "starttls"), d["imap"]
assert (d["smtp"]["port"], d["smtp"]["security"]) == (587, "starttls"), d["smtp"]
assert d["pop"] is None, d["pop"]
assert d["credentials"] == "password command", d
assert d["send"]["save_sent"] == "always", d["send"]
assert "pass show lab" not in json.dumps(d)'

### secrets are never printed
# never from the argument list (ps, /proc/PID/cmdline and the shell's history show it)
expect_error 64 "$config" settings set work password.plain "$secret"
grep -q 'never taken from the command line' "$tmp/err" || fail "a secret argument is refused without saying why"
run settings set work password.plain <<<"$secret"
[[ $rc == 0 ]] || fail "password.plain from standard input exited $rc: $(cat "$tmp/err")"
[[ ! -s $tmp/out ]] || fail "set password.plain printed on stdout"
! grep -q -- "$secret" "$tmp/err" || fail "set password.plain echoed the secret"
[[ $(mode_of "$config") == 600 ]] || fail "config with a password is not 600"
for args in "settings show work" "settings show work --json" "settings list" "settings list --json" \
    "--json settings get work password" "-v -v settings show work"; do
    # shellcheck disable=SC2086
    run $args
    ! grep -q -- "$secret" "$tmp/out" "$tmp/err" || fail "'$args' printed the secret"
done
expect_ok settings show work --json
json_check 'assert d["credentials"] == "plaintext password in the config file", d'
before=$(checksum "$config")
run settings get work password.plain
[[ $rc == 64 ]] || fail "get password.plain exited $rc, expected 64"
[[ ! -s $tmp/out ]] || fail "get password.plain printed on stdout"
grep -q '^zmail: .*secret' "$tmp/err" || fail "get password.plain does not say why"
! grep -q -- "$secret" "$tmp/err" || fail "get password.plain printed the secret"
run --json settings get work password.plain
[[ $rc == 64 && ! -s $tmp/out ]] || fail "--json get password.plain was not refused"
[[ $(checksum "$config") == "$before" ]] || fail "get changed the config"

### errors: exit code, one zmail: line, one hint: line, nothing on stdout, file untouched
expect_error 64 "$config" settings add x --preset zoho-mars --address a@b.c
grep -q "^zmail: unknown preset 'zoho-mars'" "$tmp/err" || fail "unknown preset not named"
expect_error 64 "$config" settings presets zoho-mars
expect_error 64 "$config" settings set work colour blue
grep -q "^zmail: unknown key 'colour'" "$tmp/err" || fail "unknown key not named"
expect_error 64 "$config" settings set work imap.hots x
grep -q "^hint: .*host, port, security" "$tmp/err" || fail "hint does not list the imap keys"
expect_error 64 "$config" settings get work colour
expect_error 64 "$config" settings unset work colour
expect_error 64 "$config" settings set work imap.port 99999
grep -q "1 to 65535" "$tmp/err" || fail "bad port: allowed range not given"
expect_error 64 "$config" settings set work imap.port abc
expect_error 64 "$config" settings set work send.save_sent sometimes
grep -q "^hint: .*auto, always or never" "$tmp/err" || fail "bad choice: choices not given"
expect_error 64 "$config" settings set work tls_verify maybe
expect_error 64 "$config" settings set work preset zoho-mars
expect_error 64 "$config" settings add work --preset gmail --address other@gmail.com
expect_error 64 "$config" settings add 'bad/name' --preset gmail --address a@b.c
expect_error 64 "$config" settings add lab2 --preset custom --address a@b.c
expect_error 64 "$config" settings add lab2 --preset custom --address a@b.c --imap mail.example:http
expect_error 64 "$config" settings unset work address
expect_error 78 "$config" settings show nobody
grep -q "^hint: known accounts: home, lab, work" "$tmp/err" || fail "unknown account: names not listed"
expect_error 78 "$config" settings set nobody name x
expect_error 78 "$config" settings remove nobody

# a malformed config: 78, line and column, never rewritten, whatever the command
broken=$tmp/broken/config.json
mkdir -p "$(dirname "$broken")"
printf '{\n  "version": 1,\n  "accounts": {,\n}\n' >"$broken"
for args in "settings list" "settings show work" "settings add x --preset gmail --address a@b.c" \
    "settings set work name X" "settings remove work" "settings default work"; do
    # shellcheck disable=SC2086
    expect_error 78 "$broken" --config "$broken" $args
    grep -q "^zmail: cannot parse '$broken': syntax error at line 3, column 16" "$tmp/err" ||
        fail "'$args' on a malformed config: no line and column"
done
printf '{"version": 1, "acounts": {}}\n' >"$broken"
expect_error 78 "$broken" --config "$broken" settings list
grep -q "^hint: known top-level keys: version, default, accounts" "$tmp/err" || fail "unknown top-level key hint"
printf '{"accounts": {"w": {"address": "a@b.c", "imap": {"prot": 1}}}}\n' >"$broken"
expect_error 78 "$broken" --config "$broken" settings list
grep -q "'accounts.w.imap.prot'" "$tmp/err" || fail "unknown account key: path not named"
printf '{"accounts": {"w": {"address": "a@b.c", "fetch": {"keep": "yes"}}}}\n' >"$broken"
expect_error 78 "$broken" --config "$broken" settings show w
grep -q "^hint: 'fetch.keep' takes true or false" "$tmp/err" || fail "bad value in the file: allowed values not given"
printf '{"default": "gone", "accounts": {"w": {"address": "a@b.c"}}}\n' >"$broken"
expect_error 78 "$broken" --config "$broken" settings list
printf '{"accounts": {"w": {"address": "a@b.c", "preset": "zoho-mars"}}}\n' >"$broken"
expect_error 78 "$broken" --config "$broken" settings list

# a malformed presets file beside the config is a config error too
printf '{"presets": {"x": {"imap": {"host": "h", "security": "ssl"}}}}\n' >"$tmp/broken/presets.json"
printf '{"accounts": {}}\n' >"$broken"
expect_error 78 "$tmp/broken/presets.json" --config "$broken" settings presets
rm "$tmp/broken/presets.json"

# a user preset beside the config
printf '%s\n' '{"presets": {"sakura": {"description": "Sakura", "imap": {"host": "imap.sakura.ne.jp", "port": 993, "security": "tls"}}}}' \
    >"$tmp/broken/presets.json"
expect_ok --config "$broken" settings add s --preset sakura --address me@example.jp
expect_ok --config "$broken" --json settings show s
json_check 'assert d["imap"]["endpoint"] == "imap.sakura.ne.jp:993" and d["send"]["save_sent"] == "always", d'

# an unreadable config: 77 (root reads everything, so read it as nobody)
as_nobody=()
if [[ $(id -u) == 0 ]]; then as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups); fi
"${as_nobody[@]}" "$ZMAIL" --version >/dev/null 2>&1 || fail "nobody cannot run $ZMAIL (is its directory private?)"
locked=$tmp/locked
mkdir -p "$locked"
cp "$config" "$locked/config.json"
chmod 600 "$locked/config.json"
chmod 700 "$locked"
if [[ $(id -u) != 0 ]]; then chmod 000 "$locked"; fi
chmod 711 "$tmp"  # nobody may pass through $tmp, but not into $locked
expect_error 77 "$locked/config.json" - "${as_nobody[@]}" "$ZMAIL" --config "$locked/config.json" settings list
grep -q "^zmail: cannot read '$locked/config.json'" "$tmp/err" || fail "unreadable config (directory) not named"
chmod 755 "$locked"
chmod 000 "$locked/config.json"
expect_error 77 "$locked/config.json" - "${as_nobody[@]}" "$ZMAIL" --config "$locked/config.json" settings show work
grep -q "^zmail: cannot read '$locked/config.json'" "$tmp/err" || fail "unreadable config (file) not named"
chmod 700 "$tmp"

# a plaintext password in a file others can read: 77, and zmail does not chmod it
chmod 644 "$config"
for args in "settings list" "settings show work" "settings set work name X" "settings unset work password.plain"; do
    # shellcheck disable=SC2086
    expect_error 77 "$config" $args
    grep -q "^hint: run 'chmod 600 $config'" "$tmp/err" || fail "'$args': no chmod hint"
done
[[ $(mode_of "$config") == 644 ]] || fail "zmail changed the mode of the config"
chmod 600 "$config"
expect_ok settings unset work password.plain
expect_ok settings show work --json
json_check 'assert d["credentials"] == "none", d'
! grep -q -- "$secret" "$config" || fail "unset password.plain left the secret in the file"

### --json output of every listing parses
expect_ok --json settings presets
json_check '
names = [p["name"] for p in d]
assert "zoho-org" in names and "zoho-org-jp" in names and "custom" in names, names
icloud = [p for p in d if p["name"] == "icloud"][0]
assert icloud["pop"] is None, icloud'
expect_ok settings presets zoho-org --json
json_check 'assert d["imap"]["host"] == "imappro.zoho.com" and d["files_sent_mail"] is True, d'
expect_ok settings presets zoho-org
grep -q 'imappro.zoho.com:993 (tls)' "$tmp/out" || fail "presets zoho-org text lacks the IMAP server"
expect_ok --json settings keys
json_check '
keys = {k["key"]: k for k in d}
assert "send.save_sent" in keys and keys["send.save_sent"]["choices"] == ["auto", "always", "never"], keys
assert "password.plain" in keys'
expect_ok settings keys
grep -q $'^imap.port\t' "$tmp/out" || fail "keys text lacks imap.port"
expect_ok settings presets
grep -q '^zoho-org ' "$tmp/out" || fail "presets text lacks zoho-org"

### remove
expect_ok settings default work
expect_ok settings remove work
expect_ok --json settings list
json_check '
assert sorted(a["name"] for a in d) == ["home", "lab"], d
assert not any(a["default"] for a in d), d'
run settings default
[[ $rc == 1 && ! -s $tmp/out ]] || fail "default with no default account must print nothing and exit 1"
expect_ok settings remove lab
expect_ok settings default
[[ $(cat "$tmp/out") == home ]] || fail "the only account is not the default"
[[ $(mode_of "$config") == 600 ]] || fail "config mode is not 600 after remove"

if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "settings_test: all passed"
