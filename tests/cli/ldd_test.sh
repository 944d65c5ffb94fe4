#!/bin/bash
# zmail is linked with libcurl and OpenSSL the ordinary way: the dynamic loader lists them, and
# no source under lib/ or cmd/ loads a library at run time.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

libraries=$(ldd "$ZMAIL")
grep -q 'libcurl\.so' <<<"$libraries" || fail "ldd does not list libcurl: $libraries"
grep -q 'libssl\.so' <<<"$libraries" || fail "ldd does not list libssl: $libraries"
grep -q 'libcrypto\.so' <<<"$libraries" || fail "ldd does not list libcrypto: $libraries"
if grep -rn -e dlopen -e dlsym "$source_dir/lib" "$source_dir/cmd"; then fail "lib/ or cmd/ loads libraries itself"; fi

[[ $failures -eq 0 ]] || exit 1
echo "ldd_test: all passed"
