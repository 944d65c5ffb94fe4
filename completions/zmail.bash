# bash completion for zmail                                   -*- shell-script -*-
#
# Install: copy to /usr/share/bash-completion/completions/zmail (or
# ~/.local/share/bash-completion/completions/zmail), or `source` it from ~/.bashrc.
# Works with and without the bash-completion package.
#
# What is completed where it is needed, by asking zmail itself at completion time:
#   commands       `zmail --list-commands` (the static list below only if that fails)
#   presets        `zmail settings presets`, first column
#   setting keys   `zmail settings keys`, first column
#   account names  `zmail settings list --json`, from the profile store that --config,
#                  $ZMAIL_CONFIG or the default path names
#
# Adding a command: put its name in _zmail_static_commands and write a function
# _zmail_cmd_NAME (dashes become underscores) that completes its options and arguments, like
# _zmail_cmd_settings below. A command without such a function still gets its options from
# `zmail NAME --help`.

_zmail_static_commands='fetch folders send settings sync'
_zmail_global_options='--config -a --account -v --verbose -q --quiet --json --color -h --help --version'

# Runs zmail as the user typed it (a path, or zmail from $PATH), with the --config they gave,
# never showing its errors.
_zmail_run() {
    "${_zmail_bin:-zmail}" "${_zmail_config_args[@]}" "$@" 2>/dev/null
}

_zmail_commands() {
    local list
    list=$(_zmail_run --list-commands | cut -f1)
    [[ -n $list ]] || list=$_zmail_static_commands
    printf '%s\n' $list help
}

_zmail_accounts() {
    _zmail_run settings list --json | sed -n 's/^ *"name": "\([^"]*\)".*/\1/p'
}

_zmail_presets() { _zmail_run settings presets | cut -d' ' -f1; }

_zmail_keys() { _zmail_run settings keys | cut -f1; }

# _zmail_add WORDS...: offers those of the (blank-separated) words that start with $cur.
_zmail_add() {
    COMPREPLY+=($(compgen -W "$*" -- "$cur"))
}

# _zmail_dequote WORD: WORD as the shell will pass it (quotes and backslashes taken off), without
# running anything in it.
_zmail_dequote() {
    local s=$1 out= q= c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [[ -z $q ]]; then
            case $c in
            \\) ((i++)); out+=${s:i:1} ;;
            \' | \") q=$c ;;
            *) out+=$c ;;
            esac
        elif [[ $c == "$q" ]]; then
            q=
        elif [[ $q == \" && $c == \\ ]]; then
            ((i++)); out+=${s:i:1}
        else
            out+=$c
        fi
    done
    printf '%s' "$out"
}

# _zmail_add_lines < LINES: offers the lines (names that may hold blanks, '&', quotes) that start
# with the word being completed, each quoted for the command line.
_zmail_add_lines() {
    local word line
    word=$(_zmail_dequote "$cur")
    while IFS= read -r line; do
        [[ -n $line && $line == "$word"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
    done
}

_zmail_files() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}

_zmail_directories() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -d -- "$cur"))
    compopt -o filenames 2>/dev/null
}

# The options of `zmail WORDS... --help` (for commands without their own function).
_zmail_help_options() {
    _zmail_run "$@" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p' | tr ',' '\n'
}

# _zmail_positionals FIRST 'OPTIONS WITH A VALUE': sets $npos to how many positional words
# lie between words[FIRST] and the word being completed, and $posprev to the option whose
# value is being completed (empty when none).
_zmail_positionals() {
    local i w takes=" $2 "
    npos=0 posprev=
    for ((i = $1; i < cword; i++)); do
        w=${words[i]}
        if [[ $takes == *" $w "* ]]; then
            [[ ${words[i + 1]} == = ]] && ((i++))
            if ((i + 1 == cword)); then posprev=$w; return; fi
            ((i++))
        elif [[ $w != -* && $w != = ]]; then
            ((npos++))
        fi
    done
    if [[ $takes == *" $prev "* ]]; then posprev=$prev; fi  # --option=value as one word
}

_zmail_cmd_help() {
    ((cword == cmd_at + 1)) && _zmail_add "$(_zmail_commands)"
}

_zmail_cmd_fetch() {
    local options='-h --help --all --keep --delete --scope --max-size --limit --deliver --wait --dry-run'
    local takes='--scope --max-size --limit --deliver --wait'
    local npos posprev
    _zmail_positionals $((cmd_at + 1)) "$takes"
    case $posprev in
    --scope) _zmail_add 'all new'; return ;;
    --deliver)
        _zmail_add 'maildir maildir: mbox: mda:'
        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null
        return
        ;;
    -?*) return ;;  # a number or a size
    esac
    if [[ $cur == -* ]]; then _zmail_add "$options"; return; fi
    _zmail_add "$(_zmail_accounts)"
}

_zmail_cmd_folders() {
    local subcommands='list create rename delete subscribe unsubscribe'
    local sub= i
    for ((i = cmd_at + 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then sub=${words[i]}; break; fi
    done
    if [[ -z $sub ]]; then
        if [[ $cur == -* ]]; then _zmail_add '-h --help'; else _zmail_add "$subcommands"; fi
        return
    fi
    case $sub in
    list) _zmail_add '-h --help --json --counts --flat --subscribed' ;;
    delete) [[ $cur == -* ]] && _zmail_add '-h --help --json -y --yes' ;;
    *) [[ $cur == -* ]] && _zmail_add '-h --help --json' ;;
    esac
}

# The From addresses of the account that -a names (else the default account): its address and
# aliases, from `zmail settings get`.
_zmail_send_addresses() {
    local account= i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -a | --account) account=${words[i + 1]} ;;
        --account=*) account=${words[i]#--account=} ;;
        esac
    done
    [[ -n $account ]] || account=$(_zmail_run settings default)
    [[ -n $account ]] || return
    _zmail_run settings get "$account" address
    _zmail_run settings get "$account" aliases
}

_zmail_cmd_send() {
    local options='-h --help --to --cc --bcc --subject --body --body-file --attach --from --reply-to'
    options+=' --in-reply-to --header --charset -t --read-recipients -f --envelope-from -F --full-name -i -o'
    options+=' --queue --flush --resend-uncertain --drop-uncertain --dry-run --save-sent --no-save-sent'
    local takes='--to --cc --bcc --subject --body --body-file --attach --from --reply-to --in-reply-to --header'
    takes+=' --charset -f --envelope-from -F --full-name -o -B -N -R -V'
    local npos posprev
    _zmail_positionals $((cmd_at + 1)) "$takes"
    case $posprev in
    --from | -f | --envelope-from) _zmail_add "$(_zmail_send_addresses)"; return ;;
    --body-file | --attach) _zmail_files; return ;;
    --charset) _zmail_add 'utf-8 iso-2022-jp'; return ;;
    -?*) return ;;  # an address, a subject, a text
    esac
    if [[ $cur == -* ]]; then _zmail_add "$options"; return; fi
}

_zmail_cmd_settings() {
    local subcommands='presets list show add set get unset remove default path keys test login'
    local sub= sub_at=0 i
    for ((i = cmd_at + 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then sub=${words[i]} sub_at=$i; break; fi
    done
    if [[ -z $sub ]]; then
        if [[ $cur == -* ]]; then _zmail_add '-h --help'; else _zmail_add "$subcommands"; fi
        return
    fi

    local options='-h --help --json' takes=''
    case $sub in
    add)
        options+=' --preset --address --name --user --alias --imap --pop --smtp --ca-file'
        options+=' --password-command --password-env --maildir --default'
        takes='--preset --address --name --user --alias --imap --pop --smtp --ca-file --password-command'
        takes+=' --password-env --maildir'
        ;;
    test)
        options+=' --timeout'
        takes='--timeout'
        ;;
    login)
        options+=' --device --no-browser --timeout'
        takes='--timeout'
        ;;
    esac
    local npos posprev
    _zmail_positionals $((sub_at + 1)) "$takes"
    case $posprev in
    --preset) _zmail_add "$(_zmail_presets)"; return ;;
    --ca-file) _zmail_files; return ;;
    --maildir) _zmail_directories; return ;;
    -?*) return ;;  # a value we cannot guess (an address, a host, a command)
    esac
    if [[ $cur == -* ]]; then _zmail_add "$options"; return; fi

    case $sub:$npos in
    presets:0) _zmail_add "$(_zmail_presets)" ;;
    show:0 | remove:0 | default:0 | set:0 | get:0 | unset:0 | test:0 | login:0) _zmail_add "$(_zmail_accounts)" ;;
    set:1 | get:1 | unset:1) _zmail_add "$(_zmail_keys)" ;;
    set:2)
        local key=
        for ((i = sub_at + 1; i < cword; i++)); do
            [[ ${words[i]} == -* ]] && continue
            [[ -n $key ]] && { key=${words[i]}; break; }
            key=.  # skip the account
        done
        case $key in
        preset) _zmail_add "$(_zmail_presets)" ;;
        ca_file | password.file) _zmail_files ;;
        maildir | state_dir) _zmail_directories ;;
        esac
        ;;
    esac
}

# The folders synced before (for --folder), of the account named on the line, with -a, or the
# default account.
_zmail_sync_folders() {
    local -a account=()
    local i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
        -a | --account) account=(-a "${words[i + 1]}") ;;
        --account=*) account=(-a "${w#--account=}") ;;
        esac
    done
    _zmail_run "${account[@]}" sync --known-folders $1
}

_zmail_cmd_sync() {
    local options='-h --help --all --folder --pull --push --dry-run --jobs --watch --interval --allow-mass-delete --wait'
    local takes='--folder --jobs --interval --wait'
    local npos posprev first= i
    _zmail_positionals $((cmd_at + 1)) "$takes"
    case $posprev in
    --folder)
        for ((i = cmd_at + 1; i < cword; i++)); do
            [[ ${words[i]} != -* && ${words[i - 1]} != --folder ]] && { first=${words[i]}; break; }
        done
        _zmail_add_lines < <(_zmail_sync_folders ${first:+"$first"})
        return
        ;;
    -?*) return ;;  # a number
    esac
    if [[ $cur == -* ]]; then _zmail_add "$options"; return; fi
    _zmail_add "$(_zmail_accounts)"
}

# Hook for commands to come (fetch, send, sync, folders): define _zmail_cmd_NAME above.

_zmail() {
    local cur prev words cword
    if declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: cur prev words cword
    else
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
        cur=${words[cword]} prev=${words[cword - 1]}
    fi
    COMPREPLY=()
    # --option=value, as one word or as three (bash splits at = without bash-completion)
    if [[ $cur == --*=* ]]; then prev=${cur%%=*} cur=${cur#*=}; fi
    if [[ $cur == = ]]; then cur=; fi
    [[ $prev == = && $cword -ge 2 ]] && prev=${words[cword - 2]}

    local _zmail_bin=zmail
    [[ ${words[0]} == */* ]] && _zmail_bin=${words[0]/#\~\//$HOME/}
    local -a _zmail_config_args=()
    local cmd= cmd_at=0 i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
        --config=*) _zmail_config_args=(--config "${w#--config=}") ;;
        --config | -a | --account | --color)
            [[ ${words[i + 1]} == = ]] && ((i++))
            ((i++))
            [[ $w == --config && $i -lt $cword ]] && _zmail_config_args=(--config "${words[i]}")
            ;;
        -*) ;;
        =) ;;
        *) cmd=$w cmd_at=$i; break ;;
        esac
    done
    if [[ ${_zmail_config_args[1]} == '~/'* ]]; then _zmail_config_args[1]=$HOME/${_zmail_config_args[1]#\~/}; fi

    case $prev in
    --config) _zmail_files; return ;;
    -a | --account) _zmail_add "$(_zmail_accounts)"; return ;;
    --color) _zmail_add 'auto always never'; return ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then _zmail_add "$_zmail_global_options"; else _zmail_add "$(_zmail_commands)"; fi
        return
    fi
    if declare -F "_zmail_cmd_${cmd//-/_}" >/dev/null; then
        "_zmail_cmd_${cmd//-/_}"
    elif [[ $cur == -* ]]; then
        _zmail_add "$(_zmail_help_options "$cmd")"
    fi
}

complete -F _zmail zmail
