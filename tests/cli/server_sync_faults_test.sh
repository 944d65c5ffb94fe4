#!/bin/bash
# zmail sync under faults against the fixture's Dovecot: killed with SIGKILL at random moments
# (32 trials; 8 under ASan) and its connection cut at random points (32; 8), during a first sync and during
# a two-way sync; after the next clean run no message is lost or doubled on either side.
# The trials are in tests/fault/sync_faults.py.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_SOURCE_DIR:?}" "${ZMAIL_FIXTURE_DIR:?}"
exec /usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/fault/sync_faults.py" "$@"
