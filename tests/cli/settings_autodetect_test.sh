#!/bin/bash
# zmail settings add from the address alone: the domain table, MX records (a Zoho organisation in
# the Japan data centre, Google), RFC 6186 SRV records, --preset winning, nothing found, a DNS
# server that does not answer; and the questions on a terminal (through a pseudo-terminal), which
# store a typed password in a 0600 file and are never asked without a terminal.
# DNS is a tiny server on 127.0.0.1 (tests/cli/dns_server.py), never the real network.
#
# Needs: $ZMAIL (the binary), python3.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
python=$(command -v python3)

tmp=$(mktemp -d)
dns_pid=
trap '[[ -n $dns_pid ]] && kill "$dns_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_STATE_HOME=$tmp/state NO_COLOR=1
export ZMAIL_CONFIG=$tmp/config/config.json
config=$ZMAIL_CONFIG
secret='Typed-Secret-7c1e'
failures=0

fail() {
    echo "FAIL: $*" >&2
    echo "  stdout: $(cat "$tmp/out" 2>/dev/null)" >&2
    echo "  stderr: $(cat "$tmp/err" 2>/dev/null)" >&2
    failures=$((failures + 1))
}

run() {
    set +e
    "$ZMAIL" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}

json_check() {
    "$python" -c "import json, sys
d = json.load(open(sys.argv[1]))
$1" "$tmp/out" || fail "JSON check failed: $1"
}

### the DNS server
"$python" "$source_dir/tests/cli/dns_server.py" "$tmp/dns.port" \
    MX:yourcompany.co.jp:10:mx.zoho.jp MX:yourcompany.co.jp:20:mx2.zoho.jp \
    MX:googled.example:1:aspmx.l.google.com MX:googled.example:5:alt1.aspmx.l.google.com \
    MX:srvonly.example:10:mail.srvonly.example \
    SRV:_imaps._tcp.srvonly.example:0:1:993:imap.srvonly.example \
    SRV:_submissions._tcp.srvonly.example:0:1:465:smtp.srvonly.example \
    SRV:_pop3s._tcp.srvonly.example:0:0:0:. \
    MX:unknown.example:10:mx.unknown.example \
    DROP:silent.example &
dns_pid=$!
for _ in $(seq 100); do [[ -s $tmp/dns.port ]] && break; sleep 0.05; done
[[ -s $tmp/dns.port ]] || { echo "FAIL: the DNS server did not start" >&2; exit 1; }
export ZMAIL_DNS_SERVER=127.0.0.1:$(cat "$tmp/dns.port")
queries() { if [[ -f $tmp/dns.port.log ]]; then wc -l <"$tmp/dns.port.log"; else echo 0; fi; }

### a big provider by its domain: no DNS
run settings add z --address me@zoho.com
[[ $rc == 0 ]] || fail "zoho.com: exit $rc"
grep -q "found: preset 'zoho' (domain zoho.com: Zoho Mail personal, United States (zoho.com))" "$tmp/err" ||
    fail "zoho.com: no reason on stderr"
[[ ! -s $tmp/out ]] || fail "add printed data on stdout"
[[ $(queries) == 0 ]] || fail "a domain of the table was looked up in DNS"

### a Zoho organisation in the Japan data centre, by MX
run settings add work --address you@yourcompany.co.jp
[[ $rc == 0 ]] || fail "MX mx.zoho.jp: exit $rc"
grep -q "found: preset 'zoho-org-jp' (MX mx.zoho.jp: Zoho Mail organisation (own domain), Japan (zoho.jp))" \
    "$tmp/err" || fail "MX mx.zoho.jp: no reason on stderr"
run --json settings show work
json_check '
assert d["preset"] == "zoho-org-jp", d["preset"]
assert d["imap"]["host"] == "imappro.zoho.jp" and d["pop"]["host"] == "poppro.zoho.jp", d'

### Google by MX, with --json
run --json settings add g --address a@googled.example
[[ $rc == 0 ]] || fail "Google MX: exit $rc"
json_check '
assert d["account"] == "g" and d["preset"] == "gmail", d
assert d["autodetect"]["source"] == "mx" and d["autodetect"]["preset"] == "gmail", d
assert d["autodetect"]["reason"] == "MX aspmx.l.google.com: Gmail and Google Workspace", d'

### SRV records only: a custom account with their hosts and ports
run settings add lab --address me@srvonly.example
[[ $rc == 0 ]] || fail "SRV: exit $rc"
grep -q "found: preset 'custom' (SRV records of srvonly.example (RFC 6186): IMAP imap.srvonly.example:993 (tls), SMTP smtp.srvonly.example:465 (tls))" \
    "$tmp/err" || fail "SRV: no reason on stderr"
run --json settings show lab
json_check '
assert d["preset"] == "custom", d
assert (d["imap"]["host"], d["imap"]["port"], d["imap"]["security"]) == ("imap.srvonly.example", 993, "tls"), d["imap"]
assert (d["smtp"]["host"], d["smtp"]["port"], d["smtp"]["security"]) == ("smtp.srvonly.example", 465, "tls"), d["smtp"]
assert d["pop"] is None or not d["pop"].get("host"), d["pop"]'

### --preset wins, and asks DNS nothing
before=$(queries)
run settings add w2 --preset gmail --address other@yourcompany.co.jp
[[ $rc == 0 ]] || fail "--preset: exit $rc"
! grep -q "found:" "$tmp/err" || fail "--preset: autodetection ran"
[[ $(queries) == "$before" ]] || fail "--preset: DNS was asked"
run --json settings show w2
json_check 'assert d["preset"] == "gmail", d'

### servers without a preset: custom, no DNS
run settings add own --address me@unknown.example --imap imap.unknown.example:993
[[ $rc == 0 ]] || fail "--imap without --preset: exit $rc"
[[ $(queries) == "$before" ]] || fail "--imap: DNS was asked"

### nothing found: a clear error, exit 64, the store unchanged
checksum=$(sha256sum <"$config")
for domain in unknown.example nowhere.example; do
    run settings add x --address "me@$domain"
    [[ $rc == 64 ]] || fail "$domain: exit $rc, expected 64"
    grep -q "^zmail: cannot tell the mail servers of 'me@$domain'" "$tmp/err" || fail "$domain: no error"
    grep -q "^hint: give --preset PRESET (see 'zmail settings presets')" "$tmp/err" || fail "$domain: no hint"
    [[ $(wc -l <"$tmp/err") == 2 ]] || fail "$domain: stderr is not two lines"
done
grep -q "MX mx.unknown.example: no known provider" "$tmp/err" ||
    grep -q "no MX records" "$tmp/err" || fail "the error does not say what was tried"
[[ $(sha256sum <"$config") == "$checksum" ]] || fail "a failed add changed the store"

### a DNS server that does not answer: the short timeouts, then the same error
start=$(date +%s)
run settings add x --address me@silent.example
[[ $rc == 64 ]] || fail "silent DNS: exit $rc, expected 64"
(( $(date +%s) - start < 15 )) || fail "silent DNS took $(( $(date +%s) - start )) s"
[[ $(grep -c '^silent.example' "$tmp/dns.port.log") -le 4 ]] || fail "silent DNS: asked too often"
! grep -q '^_imaps._tcp.silent.example' "$tmp/dns.port.log" || fail "silent DNS: SRV asked after a timeout"

### a bad ZMAIL_DNS_SERVER
set +e
ZMAIL_DNS_SERVER=localhost:x "$ZMAIL" settings add x --address me@unknown.example </dev/null >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[[ $rc == 64 ]] || fail "bad ZMAIL_DNS_SERVER: exit $rc"
grep -q "invalid ZMAIL_DNS_SERVER 'localhost:x'" "$tmp/err" || fail "bad ZMAIL_DNS_SERVER: no error"

### without a terminal, missing arguments are a usage error and nothing is asked
run settings add
[[ $rc == 64 ]] || fail "no arguments without a terminal: exit $rc"
grep -q "^zmail: 'zmail settings add' needs an account name and --address" "$tmp/err" || fail "no usage error"
! grep -q "mail address:" "$tmp/err" || fail "asked without a terminal"
run settings add only-name
[[ $rc == 64 ]] || fail "no --address without a terminal: exit $rc"

### on a terminal: the questions, and the typed password in a 0600 file
"$python" "$source_dir/tests/cli/pty_dialogue.py" "$tmp/dialogue" "$ZMAIL" settings add -- \
    'mail address:' 'boss@yourcompany.co.jp' \
    'account name [boss]:' 'jp' \
    "found: preset 'zoho-org-jp' (MX mx.zoho.jp" '-' \
    'use it? [Y/n]' '' \
    'where does the password come from?' '-' \
    'choice [1]:' '1' \
    "password for 'boss@yourcompany.co.jp' (not shown):" "$secret" \
    "added account 'jp' (zoho-org-jp)" '-' || fail "the dialogue failed: $(cat "$tmp/dialogue")"
! grep -q -- "$secret" "$tmp/dialogue" || fail "the password was echoed"
password_file=$(dirname "$config")/passwords/jp
[[ -f $password_file ]] || fail "no password file $password_file"
[[ $(stat -c %a "$password_file") == 600 ]] || fail "password file mode $(stat -c %a "$password_file")"
[[ $(stat -c %a "$(dirname "$password_file")") == 700 ]] || fail "passwords directory is not 0700"
[[ $(head -1 "$password_file") == "$secret" ]] || fail "the password file does not hold the password"
! grep -q -- "$secret" "$config" || fail "the profile holds the password"
run --json settings show jp
json_check '
assert d["preset"] == "zoho-org-jp", d
assert d["address"] == "boss@yourcompany.co.jp", d'
run settings get jp password.file
[[ $(cat "$tmp/out") == "$password_file" ]] || fail "the profile does not reference the password file"

### on a terminal: a password command, and declining what was found
"$python" "$source_dir/tests/cli/pty_dialogue.py" "$tmp/dialogue" "$ZMAIL" settings add g2 -- \
    'mail address:' 'me@googled.example' \
    'use it? [Y/n]' 'n' \
    'preset (' 'nonesuch' \
    "unknown preset 'nonesuch'" '-' \
    'preset (' 'fastmail' \
    'choice [1]:' '2' \
    'command:' 'pass show mail/g2' \
    "added account 'g2' (fastmail)" '-' || fail "the second dialogue failed: $(cat "$tmp/dialogue")"
run settings get g2 password.command
[[ $(cat "$tmp/out") == "pass show mail/g2" ]] || fail "the password command was not stored"

[[ $failures -eq 0 ]] || { echo "settings_autodetect_test: $failures failure(s)" >&2; exit 1; }
echo "settings_autodetect_test: all passed"
