#!/bin/bash
# `cmake --install` of the build tree into a fresh prefix: the zmail binary, every man page of
# man/ in its section, the three shell completions where bash-completion, zsh and fish look, and
# the JSON Schemas under share/zmail/schemas.
set -euo pipefail

: "${ZMAIL_BUILD_DIR:?set ZMAIL_BUILD_DIR to the build tree}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cmake=${CMAKE_COMMAND:-cmake}
prefix=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$prefix" "$log"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$cmake" --install "$ZMAIL_BUILD_DIR" --prefix "$prefix" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }

[[ -x $prefix/bin/zmail ]] || fail "bin/zmail is missing or not executable"
"$prefix/bin/zmail" --version | grep -q '^zmail ' || fail "the installed zmail does not run"

pages=0
for page in "$source_dir"/man/*.[15]; do
  name=$(basename "$page")
  section=${name##*.}
  installed=$prefix/share/man/man$section/$name
  [[ -f $installed ]] || { fail "share/man/man$section/$name is missing"; continue; }
  cmp -s "$page" "$installed" || fail "share/man/man$section/$name differs from man/$name"
  pages=$((pages + 1))
done
[[ $pages -ge 7 ]] || fail "only $pages man pages installed"

check_completion() {  # check_completion SOURCE INSTALLED
  [[ -f $prefix/$2 ]] || { fail "$2 is missing"; return; }
  cmp -s "$source_dir/completions/$1" "$prefix/$2" || fail "$2 differs from completions/$1"
}
check_completion zmail.bash share/bash-completion/completions/zmail
check_completion _zmail share/zsh/vendor-completions/_zmail
check_completion zmail.fish share/fish/vendor_completions.d/zmail.fish

# the systemd user unit for --watch
unit=$(cd "$prefix" && find . -path '*/systemd/user/zmail-watch@.service' | head -1)
[[ -n $unit ]] || fail "lib/systemd/user/zmail-watch@.service is missing"
[[ -z $unit ]] || cmp -s "$source_dir/scripts/systemd/zmail-watch@.service" "$prefix/$unit" || fail "$unit differs"

# the message catalogs
for language in ja zh_CN; do
  [[ -f $prefix/share/locale/$language/LC_MESSAGES/zmail.mo ]] || fail "share/locale/$language/LC_MESSAGES/zmail.mo is missing"
done

# the JSON Schemas of --json output
schemas=0
for schema in "$source_dir"/schemas/*.json; do
  installed=$prefix/share/zmail/schemas/$(basename "$schema")
  [[ -f $installed ]] || { fail "share/zmail/schemas/$(basename "$schema") is missing"; continue; }
  cmp -s "$schema" "$installed" || fail "share/zmail/schemas/$(basename "$schema") differs"
  schemas=$((schemas + 1))
done
[[ $schemas -ge 20 ]] || fail "only $schemas schemas installed"

# nothing else: no static libraries, headers or test binaries
extra=$(cd "$prefix" && find . -type f | grep -v -e '^./bin/zmail$' -e '^./share/man/man[15]/' \
  -e '^./share/bash-completion/completions/zmail$' -e '^./share/zsh/vendor-completions/_zmail$' \
  -e '^./share/fish/vendor_completions.d/zmail.fish$' -e '/systemd/user/zmail-watch@.service$' \
  -e '^./share/locale/\(ja\|zh_CN\)/LC_MESSAGES/zmail.mo$' -e '^./share/man/\(ja\|zh_CN\)/man1/zmail.1$' \
  -e '^./share/zmail/schemas/[a-z0-9-]*\.json$' || true)
[[ -z $extra ]] || fail "unexpected files installed: $extra"

[[ $failures -eq 0 ]] || exit 1
echo "install_test: all passed ($pages man pages)"
