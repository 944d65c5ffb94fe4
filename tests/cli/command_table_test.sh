#!/bin/bash
# Walks the command table (`zmail --list-commands`) and requires, for every command, what a
# command must have before it is listed (git's doc-versus-help check):
#   - a man page man/zmail-NAME.1 that renders without warnings and documents every
#     subcommand and option its --help shows,
#   - an entry in each completion file (completions/zmail.bash, _zmail, zmail.fish),
#   - a test: tests/cli/NAME_test.sh, tests/cli/server_NAME_test.sh or
#     tests/integration/NAME_test.cpp,
#   - `zmail help NAME` and `zmail NAME --help` (and the same for each subcommand) exiting 0.
# Also: zmail.1 documents every global option, every command and exactly the exit codes of
# `zmail --help` and lib/error.hpp; zmail-config.5 documents every key of `zmail settings keys`.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
man_dir=$source_dir/man
bash_file=$source_dir/completions/zmail.bash
zsh_file=$source_dir/completions/_zmail
fish_file=$source_dir/completions/zmail.fish

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_STATE_HOME=$tmp/state NO_COLOR=1
export ZMAIL_CONFIG=$tmp/config.json
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# render PAGE: the man page as plain text on very long lines, without hyphenation.
render() { groff -man -Tutf8 -K utf8 -P-c -P-b -P-u -rLL=5000n -rHY=0 "$1" 2>/dev/null; }

# check_page PAGE: renders without warnings, with man(1) too.
check_page() {
    local page=$1 warnings
    [[ -f $page ]] || { fail "no man page $page"; return 1; }
    warnings=$(groff -man -ww -z -K utf8 -Tutf8 "$page" 2>&1) || fail "groff failed on $page"
    [[ -z $warnings ]] || fail "groff warns about $page: $warnings"
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l -Tutf8 "$page" 2>&1 >/dev/null) ||
        fail "man -l failed on $page"
    [[ -z $warnings ]] || fail "man warns about $page: $warnings"
}

# long_options HELP-TEXT: the --options a CLI11 help text lists (not --help).
long_options() { sed -n 's/^  \(-[^ ]*\).*/\1/p' <<<"$1" | tr ',' '\n' | grep -- '^--' | grep -vx -- --help || true; }

# subcommands HELP-TEXT: the names in its "Subcommands:" section.
subcommands() { sed -n '/^Subcommands:/,/^$/s/^  \([^ ]*\) .*/\1/p' <<<"$1"; }

# must_exit_0 WHAT ARGS...: zmail ARGS exits 0 with something on stdout and nothing on stderr.
must_exit_0() {
    local what=$1 rc=0
    shift
    "$ZMAIL" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    [[ $rc == 0 ]] || fail "$what exited $rc"
    [[ -s $tmp/out ]] || fail "$what printed nothing on stdout"
    [[ ! -s $tmp/err ]] || fail "$what printed on stderr: $(cat "$tmp/err")"
}

### zmail --version, zmail --help
must_exit_0 "zmail --version" --version
grep -Eq '^zmail [0-9]+\.[0-9]+' "$tmp/out" || fail "zmail --version does not start with 'zmail X.Y'"
must_exit_0 "zmail --help" --help
top_help=$(cat "$tmp/out")
must_exit_0 "zmail help" help

### every man page renders cleanly
for page in "$man_dir"/*.[0-9]; do check_page "$page"; done
check_page "$man_dir/zmail.1"
check_page "$man_dir/zmail-config.5"
zmail_1=$(render "$man_dir/zmail.1")

### global options: in zmail.1 and in every completion file
for option in $(long_options "$top_help") -a -v -q; do
    grep -qF -- "$option" <<<"$zmail_1" || fail "zmail.1 does not document $option"
done
for option in $(long_options "$top_help"); do
    grep -qF -- "$option" "$bash_file" || fail "zmail.bash does not complete $option"
    grep -qF -- "$option" "$zsh_file" || fail "_zmail does not complete $option"
    grep -qE -- "-l ${option#--}( |\$)" "$fish_file" || fail "zmail.fish does not complete $option"
done

### exit codes: zmail --help, lib/error.hpp and zmail.1 agree
help_codes=$(grep -oE '(^|[ ,])[0-9]+ [a-z]' <<<"${top_help#*Exit codes:}" | grep -oE '[0-9]+' | sort -n | tr '\n' ' ')
header_codes=$(sed -n 's/.*inline constexpr int [a-z_]* = \([0-9]*\);.*/\1/p' "$source_dir/lib/error.hpp" |
    sort -n | tr '\n' ' ')
page_codes=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man_dir/zmail.1" | sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' |
    sort -n | tr '\n' ' ')
[[ -n $help_codes ]] || fail "no exit codes in zmail --help"
[[ $help_codes == "$header_codes" ]] || fail "exit codes: zmail --help has [$help_codes], lib/error.hpp [$header_codes]"
[[ $page_codes == "$header_codes" ]] || fail "exit codes: zmail.1 has [$page_codes], lib/error.hpp [$header_codes]"

### the environment and files zmail.1 must name
for name in ZMAIL_CONFIG XDG_CONFIG_HOME XDG_STATE_HOME NO_COLOR NETRC; do
    sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$man_dir/zmail.1" | grep -q "^\.B $name\$" ||
        fail "zmail.1 ENVIRONMENT lacks $name"
done

### every command in the table
commands=$("$ZMAIL" --list-commands | cut -f1)
[[ -n $commands ]] || fail "zmail --list-commands printed nothing"
while IFS= read -r row; do
    [[ $row == *$'\t'?* ]] || fail "--list-commands row without a tab and summary: '$row'"
done < <("$ZMAIL" --list-commands)
for name in $commands; do
    # a man page that renders and names the command
    page=$man_dir/zmail-$name.1
    if check_page "$page"; then
        text=$(render "$page")
        grep -q "^ *zmail-$name - " <<<"$text" || fail "$page: NAME is not 'zmail-$name - ...'"
    else
        text=
    fi
    grep -qF "zmail-$name(1)" <<<"$zmail_1" || fail "zmail.1 does not refer to zmail-$name(1)"
    sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man_dir/zmail.1" | grep -q "^\.BI\? $name\( \|\$\)" ||
        fail "zmail.1 COMMANDS does not list $name"

    # an entry in each completion file: the static list and the command's own completion
    grep -qE "^_zmail_static_commands='([^']* )?$name( [^']*)?'" "$bash_file" ||
        fail "zmail.bash: $name is not in _zmail_static_commands"
    grep -qE "^_zmail_cmd_${name//-/_}\(\) \{" "$bash_file" || fail "zmail.bash: no _zmail_cmd_${name//-/_}()"
    grep -qE "^ *'$name:" "$zsh_file" || fail "_zmail: $name is not in the static command list"
    grep -qE "^_zmail_cmd_${name//-/_}\(\) \{" "$zsh_file" || fail "_zmail: no _zmail_cmd_${name//-/_}()"
    grep -qF "'$name"$'\t' "$fish_file" || fail "zmail.fish: $name is not in __zmail_static_commands"
    grep -qE "__zmail_using_command $name( |;|'|\$)" "$fish_file" ||
        fail "zmail.fish: no completions under '__zmail_using_command $name'"

    # a test
    if [[ ! -f $source_dir/tests/cli/${name}_test.sh && ! -f $source_dir/tests/cli/server_${name}_test.sh &&
        ! -f $source_dir/tests/integration/${name}_test.cpp ]]; then
        fail "no test for $name (tests/cli/${name}_test.sh, tests/cli/server_${name}_test.sh or tests/integration/${name}_test.cpp)"
    fi

    # help
    must_exit_0 "zmail help $name" help "$name"
    help=$(cat "$tmp/out")
    must_exit_0 "zmail $name --help" "$name" --help
    [[ $(long_options "$(cat "$tmp/out")") == "$(long_options "$help")" ]] ||
        fail "zmail help $name and zmail $name --help list different options"
    for option in $(long_options "$help"); do
        grep -qF -- "$option" <<<"$text" || fail "zmail-$name.1 does not document $option"
    done

    # each subcommand: help, documented with its options, completed in every shell
    for sub in $(subcommands "$help"); do
        must_exit_0 "zmail help $name $sub" help "$name" "$sub"
        sub_help=$(cat "$tmp/out")
        must_exit_0 "zmail $name $sub --help" "$name" "$sub" --help
        [[ $(long_options "$(cat "$tmp/out")") == "$(long_options "$sub_help")" ]] ||
            fail "zmail help $name $sub and zmail $name $sub --help list different options"
        grep -qE "^ *$sub( |\$)" <<<"$text" || fail "zmail-$name.1 has no section for '$sub'"
        grep -qE "^ *zmail $name $sub( |\$)" <<<"$text" || fail "zmail-$name.1 SYNOPSIS lacks 'zmail $name $sub'"
        for option in $(long_options "$sub_help"); do
            grep -qF -- "$option" <<<"$text" || fail "zmail-$name.1 does not document '$sub $option'"
            grep -qF -- "$option" "$bash_file" || fail "zmail.bash does not complete '$name $sub $option'"
            grep -qF -- "$option" "$zsh_file" || fail "_zmail does not complete '$name $sub $option'"
            grep -qE -- "-l ${option#--}( |\$)" "$fish_file" || fail "zmail.fish does not complete '$name $sub $option'"
        done
        grep -qE "(['= ])$sub( |')" "$bash_file" || fail "zmail.bash does not complete '$name $sub'"
        grep -qE "^ *['\"]$sub:" "$zsh_file" || fail "_zmail does not complete '$name $sub'"
        grep -qE "^ *(-a '|)$sub\\\\t" "$fish_file" || fail "zmail.fish does not complete '$name $sub'"
    done
done

### a command not in the table is refused
rc=0
"$ZMAIL" help no-such-command >"$tmp/out" 2>"$tmp/err" || rc=$?
[[ $rc == 64 && ! -s $tmp/out ]] || fail "zmail help no-such-command: exit $rc (expected 64, nothing on stdout)"

### zmail-config.5 documents every account key
config_5=$(render "$man_dir/zmail-config.5")
for key in $("$ZMAIL" settings keys | cut -f1); do
    grep -qE "(^|[ ,(])$key( |,|\$)" <<<"$config_5" || fail "zmail-config.5 does not document the key $key"
done
for preset in $("$ZMAIL" settings presets | cut -d' ' -f1); do
    grep -qE "(^|[ ,])$preset(,| |\$)" <<<"$(render "$man_dir/zmail-settings.1")" ||
        fail "zmail-settings.1 does not list the preset $preset"
done

if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "command_table_test: all passed"
