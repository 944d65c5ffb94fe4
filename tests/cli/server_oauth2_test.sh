#!/usr/bin/env bash
# OAuth2 against the suite's Dovecot, which checks bearer tokens with the fixture's authorization
# service (tests/fixture/oauth_server.py): both sign-in flows, XOAUTH2 and OAUTHBEARER on IMAP,
# POP3 and SMTP, renewal, rotation, revocation, the flows' failures, and no secret anywhere.
# The steps are in tests/cli/oauth2_flows.py.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
user=oauth$RANDOM$RANDOM  # a user of its own: the suite's fixture lives on across tests
/usr/bin/python3 "$source_dir/tests/fixture/mailserver.py" adduser "$ZMAIL_FIXTURE_DIR" "$user" oauth-pass-1 >/dev/null
/usr/bin/python3 "$source_dir/tests/cli/oauth2_flows.py" "$ZMAIL_FIXTURE_DIR/env.json" "$ZMAIL" "$work" "$user"
