#!/bin/bash
# zmail fetch killed with SIGKILL at random (seeded) moments, 36 trials: after the next run every
# message is delivered exactly once and the server holds what the policy says.
# See tests/fault/kill_trials.py; pass TRIALS and SEED to reproduce a failure.
set -euo pipefail
: "${ZMAIL:?}" "${ZMAIL_SOURCE_DIR:?}" "${ZMAIL_FIXTURE_DIR:?}"
default_trials=36
[[ ${ZMAIL_SANITIZED:-0} == 1 ]] && default_trials=9  # ASan: the paths, not the count
exec /usr/bin/python3 "$ZMAIL_SOURCE_DIR/tests/fault/kill_trials.py" "${1:-$default_trials}" "${2:-20251122}"
