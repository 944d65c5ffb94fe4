#!/bin/bash
# zmail fetch under faults against the fixture's Dovecot: connections cut by a proxy at many
# points, a full disk, a failing MDA, a locked mbox, an unwritable Maildir and hostile servers.
# The scenarios are in tests/fault/fetch_faults.py.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_SOURCE_DIR:?}" "${ZMAIL_FIXTURE_DIR:?}"
exec /usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/fault/fetch_faults.py" "$@"
