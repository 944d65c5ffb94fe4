#!/bin/bash
# Shell completions: each of completions/zmail.bash, completions/_zmail (zsh) and
# completions/zmail.fish loads without errors and completes commands, options, presets, keys
# and, read from the profile store at completion time, account names.
#
# bash: the completion function is called the way bash calls it (COMP_WORDS, COMP_CWORD),
#       with and without the bash-completion package.
# zsh:  a real interactive zsh in a pseudo-terminal (zpty) gets the line and a TAB; compadd
#       is wrapped to print what the completion system offers.
# fish: `complete -C LINE`.
set -euo pipefail

: "${ZMAIL:?set ZMAIL to the zmail binary}"
source_dir=${ZMAIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bash_file=$source_dir/completions/zmail.bash
zsh_file=$source_dir/completions/_zmail
fish_file=$source_dir/completions/zmail.fish
bash_bin=$(command -v bash)
zsh_bin=$(command -v zsh)
fish_bin=$(command -v fish)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/xdg XDG_STATE_HOME=$tmp/state NO_COLOR=1
mkdir -p "$HOME" "$tmp/bin" "$tmp/fake" "$tmp/broken"
ln -s "$ZMAIL" "$tmp/bin/zmail"
real_path=$PATH
export PATH=$tmp/bin:$real_path

# fail MESSAGE: records a failure (also from subshells and command substitutions).
fail() {
    echo "FAIL: $*" >&2
    echo "$*" >>"$tmp/failures"
}

# The store the completions must read: accounts work and home; and another one for --config.
export ZMAIL_CONFIG=$tmp/config.json
"$ZMAIL" -q settings add work --preset zoho-org --address you@yourdomain.com
"$ZMAIL" -q settings add home --preset gmail --address me@gmail.com
other=$tmp/other.json
"$ZMAIL" -q --config "$other" settings add alpha --preset fastmail --address a@fastmail.com
"$ZMAIL" -q --config "$other" settings add beta --preset yahoo --address b@yahoo.com

# A zmail whose command table has one more command (proves the list is read at completion
# time, and that a command without its own completion gets its options from --help) ...
cat >"$tmp/fake/zmail" <<EOF
#!/bin/sh
if [ "\$1" = --list-commands ]; then
    printf 'settings\tmanage accounts\nfrobnicate\tfrobnicate the mail\n'
    exit 0
fi
if [ "\$1" = frobnicate ] && [ "\$2" = --help ]; then
    printf 'Usage: zmail frobnicate [OPTIONS]\n\nOptions:\n  -h,--help                   Print this help\n  --twist TEXT                how far\n'
    exit 0
fi
exec "$ZMAIL" "\$@"
EOF
# ... and one that cannot run at all (the static list must be used).
printf '#!/bin/sh\nexit 69\n' >"$tmp/broken/zmail"
chmod 755 "$tmp/fake/zmail" "$tmp/broken/zmail"

# expect SHELL LINE GOT WANTED...: GOT (one candidate a line) must be exactly WANTED.
expect() {
    local shell=$1 line=$2 got=$3
    shift 3
    local want
    want=$(printf '%s\n' "$@" | sort)
    [[ $(sort <<<"$got") == "$want" ]] ||
        fail "$shell: '$line' completed to [$(echo $got)], expected [$*]"
}

# expect_has SHELL LINE GOT WANTED...: GOT must contain each of WANTED.
expect_has() {
    local shell=$1 line=$2 got=$3 w
    shift 3
    for w in "$@"; do
        grep -qxF -- "$w" <<<"$got" || fail "$shell: '$line' did not offer '$w' (got [$(echo $got)])"
    done
}

### bash

# bash_complete LINE [BASH_COMPLETION_SCRIPT]: the candidates for LINE, the cursor at its end.
bash_complete() {
    "$bash_bin" --norc --noprofile -c '
        if [[ -n $2 ]]; then source "$2"; fi
        source "$1"
        line=$3
        read -ra COMP_WORDS <<<"$line"
        if [[ $line == *" " ]]; then COMP_WORDS+=(""); fi
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$line COMP_POINT=${#line}
        _zmail
        if ((${#COMPREPLY[@]})); then printf "%s\n" "${COMPREPLY[@]}"; fi' _ "$bash_file" "${2:-}" "$1"
}

# bash_complete_words WORD...: the words exactly as bash splits them (the last is completed).
bash_complete_words() {
    "$bash_bin" --norc --noprofile -c '
        source "$1"
        shift
        COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
        _zmail
        if ((${#COMPREPLY[@]})); then printf "%s\n" "${COMPREPLY[@]}"; fi' _ "$bash_file" "$@"
}

errors=$("$bash_bin" --norc --noprofile -c 'source "$1" && complete -p zmail' _ "$bash_file" 2>&1 >/dev/null) ||
    fail "bash: sourcing failed"
[[ -z $errors ]] || fail "bash: sourcing printed: $errors"
[[ $("$bash_bin" --norc --noprofile -c 'source "$1"; complete -p zmail' _ "$bash_file") == "complete -F _zmail zmail" ]] ||
    fail "bash: no 'complete -F _zmail zmail'"

bash_completion_script=
for f in /usr/share/bash-completion/bash_completion /etc/bash_completion; do
    if [[ -r $f ]]; then bash_completion_script=$f; break; fi
done
for with in "" $bash_completion_script; do
    b="bash${with:+ with bash-completion}"
    bc() { bash_complete "$1" "$with"; }
    expect "$b" "zmail settings show " "$(bc 'zmail settings show ')" home work
    expect "$b" "zmail settings show w" "$(bc 'zmail settings show w')" work
    expect "$b" "zmail -a " "$(bc 'zmail -a ')" home work
    expect "$b" "zmail settings remove " "$(bc 'zmail settings remove ')" home work
    expect "$b" "zmail settings set " "$(bc 'zmail settings set ')" home work
    expect "$b" "zmail settings default h" "$(bc 'zmail settings default h')" home
    expect "$b" "zmail --config other settings show " "$(bc "zmail --config $other settings show ")" alpha beta
    expect "$b" "zmail " "$(bc 'zmail ')" fetch folders send settings sync help
    expect_has "$b" "zmail -" "$(bc 'zmail -')" --config -a --account --json --color --quiet --verbose --version
    expect "$b" "zmail --color " "$(bc 'zmail --color ')" auto always never
    expect "$b" "zmail settings " "$(bc 'zmail settings ')" presets list show add set get unset remove default path keys test login
    expect "$b" "zmail settings set work imap.p" "$(bc 'zmail settings set work imap.p')" imap.port
    expect_has "$b" "zmail settings get home " "$(bc 'zmail settings get home ')" send.save_sent password.command
    expect "$b" "zmail settings presets zoho-org-j" "$(bc 'zmail settings presets zoho-org-j')" zoho-org-jp
    expect "$b" "zmail settings add x --preset zoho-org-c" "$(bc 'zmail settings add x --preset zoho-org-c')" \
        zoho-org-cn zoho-org-ca
    expect "$b" "zmail settings set work preset gm" "$(bc 'zmail settings set work preset gm')" gmail
    expect_has "$b" "zmail settings add x --" "$(bc 'zmail settings add x --')" --preset --address --imap --default
    expect "$b" "zmail settings add " "$(bc 'zmail settings add ')" ""
    expect "$b" "zmail help " "$(bc 'zmail help ')" fetch folders send settings sync help
done
(
    export ZMAIL_CONFIG=$other
    expect bash "ZMAIL_CONFIG=other zmail settings show " "$(bash_complete 'zmail settings show ')" alpha beta
)
expect bash "--config = other (split at =)" "$(bash_complete_words zmail --config = "$other" settings show '')" alpha beta
expect bash "--color = (split at =)" "$(bash_complete_words zmail --color = a)" auto always
expect bash "--preset = (split at =)" "$(bash_complete_words zmail settings add x --preset = netease-1)" \
    netease-163 netease-126
expect bash "a path to zmail" "$(bash_complete_words "$ZMAIL" settings show '')" home work
(
    export PATH=$tmp/fake:$real_path
    expect bash "zmail (listed at completion time)" "$(bash_complete 'zmail ')" frobnicate settings help
    expect bash "zmail frobnicate --" "$(bash_complete 'zmail frobnicate --')" --help --twist
    export PATH=$tmp/broken:$real_path
    expect bash "zmail (static list)" "$(bash_complete 'zmail ')" fetch folders send settings sync help
    expect bash "zmail settings show (zmail broken)" "$(bash_complete 'zmail settings show ')" ""
)

### zsh

cat >"$tmp/zcomplete.zsh" <<'ZSH'
# zsh -f zcomplete.zsh COMPLETION_DIR LINE: prints what zsh offers for LINE<TAB>, one a line,
# and any other output of the completion (errors) to stderr.
zmodload zsh/zpty || exit 2
local dir=$1 input=$2 setup=${TMPDIR:-/tmp}/zmail-zcomplete.$$.zsh
cat >$setup <<SETUP
PROMPT='' RPROMPT='' LISTMAX=100000
unsetopt prompt_cr prompt_sp
fpath=(${(q)dir} \$fpath)
autoload -U compinit && compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' list-prompt ''
zstyle ':completion:*' menu no
__capture_begin() { print -r -- '<<BEGIN>>' }
__capture_end() { print -r -- '<<END>>' }
compprefuncs=(__capture_begin)
comppostfuncs=(__capture_end)
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "\$@"; return; fi
  local -a __hits
  builtin compadd -O __hits "\$@"
  local __hit
  for __hit in \$__hits; do print -r -- "MATCH:\$__hit"; done
  builtin compadd "\$@"
}
print -r -- '<<READY>>'
SETUP
zpty z "${(q)commands[zsh]} -f -i"
zpty -w z "source ${(q)setup}"
local out
zpty -r z out '*<<READY>>*' || { print -u2 'zsh did not start'; exit 2 }
zpty -w -n z "$input"$'\t'
zpty -r z out '*<<END>>*' || { print -u2 'no completion'; exit 2 }
zpty -d z
rm -f $setup
local l inside=0
for l in ${(f)out}; do
  l=${l%$'\r'}
  if [[ $l == *'<<BEGIN>>'* ]]; then inside=1; continue; fi
  if [[ $l == MATCH:* ]]; then print -r -- ${l#MATCH:}
  elif (( inside )) && [[ $l != *'<<END>>'* && -n ${l//[[:space:]]/} ]]; then print -u2 -r -- "zsh said: $l"; fi
done
exit 0
ZSH

zsh_complete() {
    local errors_file=$tmp/zsh-errors
    timeout 60 "$zsh_bin" -f "$tmp/zcomplete.zsh" "$tmp/zsh-fpath" "$1" 2>"$errors_file" ||
        fail "zsh: completing '$1' failed: $(cat "$errors_file")"
    if [[ -s $errors_file ]]; then fail "zsh: completing '$1' printed: $(cat "$errors_file")"; fi
}
mkdir -p "$tmp/zsh-fpath"
cp "$zsh_file" "$tmp/zsh-fpath/_zmail"
[[ $(head -1 "$zsh_file") == '#compdef zmail' ]] || fail "zsh: _zmail does not start with #compdef zmail"

errors=$("$zsh_bin" -f -c 'autoload -U compinit; compinit -u -D; source "$1"; print -r -- $_comps[zmail]' _ "$zsh_file" 2>&1) ||
    fail "zsh: sourcing failed"
[[ $errors == _zmail ]] || fail "zsh: sourcing after compinit: $errors"
errors=$("$zsh_bin" -f -c 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -r -- $_comps[zmail]' \
    _ "$tmp/zsh-fpath" 2>&1) || fail "zsh: compinit with the fpath failed"
[[ $errors == _zmail ]] || fail "zsh: compinit did not register _zmail: $errors"

expect zsh "zmail settings show " "$(zsh_complete 'zmail settings show ')" home work
expect zsh "zmail settings show h" "$(zsh_complete 'zmail settings show h')" home
expect zsh "zmail -a " "$(zsh_complete 'zmail -a ')" home work
expect zsh "zmail settings remove " "$(zsh_complete 'zmail settings remove ')" home work
expect zsh "zmail settings set " "$(zsh_complete 'zmail settings set ')" home work
expect zsh "zmail --config other settings show " "$(zsh_complete "zmail --config $other settings show ")" alpha beta
expect zsh "zmail --config=other settings show " "$(zsh_complete "zmail --config=$other settings show ")" alpha beta
expect zsh "zmail " "$(zsh_complete 'zmail ')" fetch folders send settings sync help
expect_has zsh "zmail -" "$(zsh_complete 'zmail -')" --config -a --account --json --color --quiet --version
expect zsh "zmail --color " "$(zsh_complete 'zmail --color ')" auto always never
expect zsh "zmail settings " "$(zsh_complete 'zmail settings ')" presets list show add set get unset remove default path keys test login
expect zsh "zmail settings set work imap.p" "$(zsh_complete 'zmail settings set work imap.p')" imap.port
expect_has zsh "zmail settings get home " "$(zsh_complete 'zmail settings get home ')" send.save_sent password.command
expect zsh "zmail settings presets zoho-org-j" "$(zsh_complete 'zmail settings presets zoho-org-j')" zoho-org-jp
expect zsh "zmail settings add x --preset zoho-org-c" "$(zsh_complete 'zmail settings add x --preset zoho-org-c')" \
    zoho-org-cn zoho-org-ca
expect zsh "zmail settings set work preset gm" "$(zsh_complete 'zmail settings set work preset gm')" gmail
expect zsh "zmail settings set work send.save_sent " "$(zsh_complete 'zmail settings set work send.save_sent ')" \
    auto always never
expect_has zsh "zmail settings add x --" "$(zsh_complete 'zmail settings add x --')" --preset --address --imap --default
expect zsh "zmail help " "$(zsh_complete 'zmail help ')" fetch folders send settings sync help
(
    export ZMAIL_CONFIG=$other
    expect zsh "ZMAIL_CONFIG=other zmail settings show " "$(zsh_complete 'zmail settings show ')" alpha beta
)
(
    export PATH=$tmp/fake:$real_path
    expect zsh "zmail (listed at completion time)" "$(zsh_complete 'zmail ')" frobnicate settings help
    expect zsh "zmail frobnicate --" "$(zsh_complete 'zmail frobnicate --')" --help --twist
    export PATH=$tmp/broken:$real_path
    expect zsh "zmail (static list)" "$(zsh_complete 'zmail ')" fetch folders send settings sync help
)

### fish

fish_complete() {
    local errors_file=$tmp/fish-errors
    "$fish_bin" --no-config -c 'source $argv[1]; and complete -C $argv[2]' "$fish_file" "$1" 2>"$errors_file" | cut -f1 ||
        fail "fish: completing '$1' failed"
    if [[ -s $errors_file ]]; then fail "fish: completing '$1' printed: $(cat "$errors_file")"; fi
}

"$fish_bin" --no-config --no-execute "$fish_file" || fail "fish: syntax check failed"
errors=$("$fish_bin" --no-config -c 'source $argv[1]' "$fish_file" 2>&1) || fail "fish: sourcing failed"
[[ -z $errors ]] || fail "fish: sourcing printed: $errors"

expect fish "zmail settings show " "$(fish_complete 'zmail settings show ')" home work
expect fish "zmail settings show w" "$(fish_complete 'zmail settings show w')" work
expect fish "zmail -a " "$(fish_complete 'zmail -a ')" home work
expect fish "zmail settings remove " "$(fish_complete 'zmail settings remove ')" home work
expect fish "zmail settings set " "$(fish_complete 'zmail settings set ')" home work
expect fish "zmail --config other settings show " "$(fish_complete "zmail --config $other settings show ")" alpha beta
expect fish "zmail --config=other settings show " "$(fish_complete "zmail --config=$other settings show ")" alpha beta
expect fish "zmail " "$(fish_complete 'zmail ')" fetch folders send settings sync help
expect_has fish "zmail -" "$(fish_complete 'zmail -')" --config -a --account --json --color --quiet --version
expect fish "zmail --color " "$(fish_complete 'zmail --color ')" auto always never
expect fish "zmail settings " "$(fish_complete 'zmail settings ')" presets list show add set get unset remove default path keys test login
expect fish "zmail settings set work imap.p" "$(fish_complete 'zmail settings set work imap.p')" imap.port
expect_has fish "zmail settings get home " "$(fish_complete 'zmail settings get home ')" send.save_sent password.command
expect fish "zmail settings presets zoho-org-j" "$(fish_complete 'zmail settings presets zoho-org-j')" zoho-org-jp
expect fish "zmail settings add x --preset zoho-org-c" "$(fish_complete 'zmail settings add x --preset zoho-org-c')" \
    zoho-org-cn zoho-org-ca
expect fish "zmail settings set work preset gm" "$(fish_complete 'zmail settings set work preset gm')" gmail
expect fish "zmail settings set work send.save_sent " "$(fish_complete 'zmail settings set work send.save_sent ')" \
    auto always never
expect_has fish "zmail settings add x --" "$(fish_complete 'zmail settings add x --')" --preset --address --imap --default
expect fish "zmail help " "$(fish_complete 'zmail help ')" fetch folders send settings sync help
(
    export ZMAIL_CONFIG=$other
    expect fish "ZMAIL_CONFIG=other zmail settings show " "$(fish_complete 'zmail settings show ')" alpha beta
)
(
    export PATH=$tmp/fake:$real_path
    expect fish "zmail (listed at completion time)" "$(fish_complete 'zmail ')" frobnicate settings help
    export PATH=$tmp/broken:$real_path
    expect fish "zmail (static list)" "$(fish_complete 'zmail ')" fetch folders send settings sync help
)

### zmail send: --from and -f offer the account's address and aliases (-a, else the default)
"$ZMAIL" -q settings set work aliases 'sales@yourdomain.com,info@yourdomain.com'
work_addresses=(you@yourdomain.com sales@yourdomain.com info@yourdomain.com)
expect bash "zmail -a work send --from " "$(bash_complete 'zmail -a work send --from ')" "${work_addresses[@]}"
expect bash "zmail -a work send -f " "$(bash_complete 'zmail -a work send -f ')" "${work_addresses[@]}"
expect zsh "zmail -a work send --from " "$(zsh_complete 'zmail -a work send --from ')" "${work_addresses[@]}"
expect fish "zmail -a work send --from " "$(fish_complete 'zmail -a work send --from ')" "${work_addresses[@]}"
expect_has bash "zmail send --" "$(bash_complete 'zmail send --')" --to --bcc --attach --queue --flush --dry-run
expect_has fish "zmail send --" "$(fish_complete 'zmail send --')" --to --bcc --attach --queue --flush --dry-run
expect bash "zmail send --charset " "$(bash_complete 'zmail send --charset ')" utf-8 iso-2022-jp

# Folder names with blanks, '&', quotes and CJK (the folders synced before, from the account's
# sync state): every shell offers each name whole, and bash quotes it so that the shell reads
# back the exact name (unquoted, 'zmail sync --folder 旅行 2024' named an account '2024').
sync_state=$("$ZMAIL" settings get work state_dir)/sync
mkdir -p "$sync_state"
for f in '旅行 2024' '旅行 2025' '家族 & 友人' 'it%27s' 'say %22hi%22' INBOX; do : >"$sync_state/$f.state"; done
# bash_folders LINE | bash_folders WORD...: bash's candidates, each as the shell reads it back
# (a name left unquoted comes back as several lines)
bash_folders() {
    local c
    if (($# == 1)); then bash_complete "$1"; else bash_complete_words "$@"; fi |
        while IFS= read -r c; do eval "printf '%s\n' $c"; done
}
for line in 'zmail sync --folder ' 'zmail -a work sync --folder ' 'zmail sync work --folder '; do
    expect bash "$line" "$(bash_folders "$line")" '旅行 2024' '旅行 2025' '家族 & 友人' "it's" 'say "hi"' INBOX
done
expect bash "--folder 旅" "$(bash_folders 'zmail sync --folder 旅')" '旅行 2024' '旅行 2025'
expect bash "--folder 家族" "$(bash_folders 'zmail sync --folder 家族')" '家族 & 友人'
expect bash '--folder "家族 (an open quote)' "$(bash_folders 'zmail sync --folder "家族')" '家族 & 友人'
expect bash "--folder 旅行\\ 2024 (escaped)" "$(bash_folders zmail sync --folder '旅行\ 202')" '旅行 2024' '旅行 2025'
expect bash "--folder it" "$(bash_folders 'zmail sync --folder it')" "it's"
expect bash "--folder say" "$(bash_folders 'zmail sync --folder say')" 'say "hi"'
expect zsh "zmail sync --folder 旅" "$(zsh_complete 'zmail sync --folder 旅')" '旅行 2024' '旅行 2025'
expect zsh "zmail sync --folder " "$(zsh_complete 'zmail sync --folder ')" \
    '旅行 2024' '旅行 2025' '家族 & 友人' "it's" 'say "hi"' INBOX
expect fish "zmail sync --folder 旅" "$(fish_complete 'zmail sync --folder 旅')" '旅行 2024' '旅行 2025'
expect fish "zmail sync --folder " "$(fish_complete 'zmail sync --folder ')" \
    '旅行 2024' '旅行 2025' '家族 & 友人' "it's" 'say "hi"' INBOX

if [[ -s $tmp/failures ]]; then
    echo "$(wc -l <"$tmp/failures") failure(s)" >&2
    exit 1
fi
echo "completions_test: all passed"
