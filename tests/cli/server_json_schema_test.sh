#!/usr/bin/env bash
# Every --json output of every command and verb, on success and error paths, against its JSON
# Schema in schemas/ (python3-jsonschema), all keys snake_case, against the suite's Dovecot, SMTP
# receiver and authorization service. The runs are in tests/cli/json_schema_check.py.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_FIXTURE_DIR:?}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
user=schema$RANDOM$RANDOM  # a user of its own: the suite's fixture lives on across tests
/usr/bin/python3 "$source_dir/tests/fixture/mailserver.py" adduser "$ZMAIL_FIXTURE_DIR" "$user" "$user-pw" >/dev/null
/usr/bin/python3 "$source_dir/tests/cli/json_schema_check.py" "$ZMAIL_FIXTURE_DIR/env.json" "$ZMAIL" "$source_dir" \
  "$work" "$user"
