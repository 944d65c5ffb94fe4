#!/bin/bash
# STYLE.md's shape holds for the whole tree: no file in lib/ or cmd/ over 600 lines, no function
# over 80 (scripts/source-shape says which), and the checker itself finds a long function.
set -euo pipefail

source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cd "$source_dir"
scripts/source-shape lib cmd || fail "files or functions over the limits (listed above)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
    echo 'namespace x {'
    echo 'int long_one(int a) {'
    for i in $(seq 1 85); do echo "    a += $i;"; done
    echo '    return a;'
    echo '}'
    echo 'const int table[] = {'
    for i in $(seq 1 100); do echo "    $i,"; done
    echo '};'
    echo '}  // namespace x'
} >"$tmp/sample.cpp"
out=$(scripts/source-shape "$tmp" || true)
grep -q 'sample.cpp:2: function of 88 lines' <<<"$out" || fail "the checker missed a long function: $out"
[[ $(grep -c . <<<"$out") == 1 ]] || fail "the checker counted a table as a function: $out"

[[ $failures -eq 0 ]] || exit 1
echo "source_shape_test: all passed"
