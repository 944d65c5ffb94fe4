#!/bin/bash
# The Debian package: CPack packs this build tree (scripts/package does the same from a Release
# build), dpkg installs it on this machine, and the installed zmail runs: --version, its man page
# in English, Japanese and Chinese, bash completion, a message in Japanese. Then dpkg removes it
# and nothing of it is left. Needs root (dpkg); the suite runs as root on CI.
set -euo pipefail

: "${ZMAIL_BUILD_DIR:?set ZMAIL_BUILD_DIR to the build tree}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d)
installed=0
cleanup() {
  [[ $installed -eq 0 ]] || run_dpkg -r zmail || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# dpkg ARGS...: dpkg, waiting up to two minutes while another apt or dpkg holds its lock
run_dpkg() {
  local tries=0
  until dpkg "$@" >"$work/dpkg.log" 2>&1; do
    grep -q 'lock' "$work/dpkg.log" && [[ $((tries += 1)) -lt 120 ]] || return 1
    sleep 1
  done
}

[[ $(id -u) -eq 0 ]] || { echo "FAIL: dpkg -i needs root; run the suite as root (CI does)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' zmail 2>/dev/null | grep -q 'install ok installed'; then
  echo "FAIL: a zmail package is installed already; remove it first (dpkg -r zmail)" >&2
  exit 1
fi

# pack the build tree as it is (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY: no rebuild)
(cd "$work" && cpack --config "$ZMAIL_BUILD_DIR/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) \
  || { cat "$work/cpack.log" >&2; exit 1; }
deb=$(ls "$work"/out/zmail_*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || { cat "$work/cpack.log" >&2; echo "FAIL: cpack made no .deb" >&2; exit 1; }

depends=$(dpkg-deb -f "$deb" Depends)
for library in libc6 libcurl4 libssl3 libstdc++6; do
  [[ $depends == *"$library"* ]] || fail "Depends lacks $library: $depends"
done
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/zmail ./usr/share/man/man1/zmail.1 ./usr/share/man/ja/man1/zmail.1 \
  ./usr/share/man/zh_CN/man1/zmail.1 ./usr/share/locale/ja/LC_MESSAGES/zmail.mo \
  ./usr/share/locale/zh_CN/LC_MESSAGES/zmail.mo ./usr/share/bash-completion/completions/zmail \
  ./usr/share/zsh/vendor-completions/_zmail ./usr/share/fish/vendor_completions.d/zmail.fish; do
  grep -q " $path\$" <<<"$contents" || fail "the package lacks $path"
done

run_dpkg -i "$deb" || { cat "$work/dpkg.log" >&2; exit 1; }
installed=1

/usr/bin/zmail --version | grep -q '^zmail ' || fail "the installed zmail does not run"
[[ $(man -w zmail 2>/dev/null) == /usr/share/man/man1/zmail.1* ]] || fail "man -w zmail: $(man -w zmail 2>&1)"
[[ $(man -w -L ja zmail 2>/dev/null) == /usr/share/man/ja/man1/zmail.1* ]] || fail "man -L ja -w zmail: $(man -w -L ja zmail 2>&1)"
[[ $(man -w -L zh_CN zmail 2>/dev/null) == /usr/share/man/zh_CN/man1/zmail.1* ]] || fail "man -L zh_CN -w zmail"
MANWIDTH=80 LANG=C.UTF-8 man -L ja zmail 2>/dev/null | grep -q 'zmail' || fail "man -L ja zmail shows nothing"

# bash completion from where bash-completion looks, called the way bash calls it
words=$(bash -c 'source /usr/share/bash-completion/completions/zmail
  COMP_WORDS=(zmail sy); COMP_CWORD=1; COMP_LINE="zmail sy"; COMP_POINT=${#COMP_LINE}
  _zmail zmail sy zmail; printf "%s\n" "${COMPREPLY[@]}"')
grep -qx 'sync' <<<"$words" || fail "bash completion of 'zmail sy' gave: $words"

# a message in Japanese: the locale is built privately (LOCPATH), the system is not changed
mkdir -p "$work/locales"
localedef -i ja_JP -f UTF-8 "$work/locales/ja_JP.UTF-8" 2>/dev/null || true
english=$(cd "$work" && env -u LANGUAGE LANG=C.UTF-8 /usr/bin/zmail --config "$work/none.json" sync 2>&1 || true)
japanese=$(cd "$work" && env -u LANGUAGE LOCPATH="$work/locales" LANG=ja_JP.UTF-8 LC_ALL= \
  /usr/bin/zmail --config "$work/none.json" sync 2>&1 || true)
[[ -n $english && $japanese != "$english" ]] || fail "no Japanese message: '$japanese'"
grep -qP '[\x{3040}-\x{30ff}\x{4e00}-\x{9fff}]' <<<"$japanese" || fail "not Japanese: '$japanese'"

run_dpkg -r zmail || { cat "$work/dpkg.log" >&2; fail "dpkg -r failed"; }
installed=0
[[ ! -e /usr/bin/zmail ]] || fail "/usr/bin/zmail is still there after dpkg -r"
[[ ! -e /usr/share/locale/ja/LC_MESSAGES/zmail.mo ]] || fail "the ja catalog is still there after dpkg -r"

[[ $failures -eq 0 ]] || exit 1
echo "package $(basename "$deb"): installed, run and removed"
