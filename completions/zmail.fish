# fish completion for zmail
#
# Install: copy to ~/.config/fish/completions/zmail.fish (or
# /usr/share/fish/vendor_completions.d/zmail.fish).
#
# What is completed where it is needed, by asking zmail itself at completion time:
#   commands       `zmail --list-commands` (the static list below only if that fails)
#   presets        `zmail settings presets`
#   setting keys   `zmail settings keys`
#   account names  `zmail settings list --json`, from the profile store that --config,
#                  $ZMAIL_CONFIG or the default path names
#
# Adding a command: put it in __zmail_static_commands, add its options with
# `-n '__zmail_using_command NAME'` and its arguments with `__zmail_argument NAME ...`, like
# the settings section below, and list its options that take a value in __zmail_value_options.

set -g __zmail_static_commands 'fetch	download mail over POP3 into a Maildir, an mbox or an MDA' 'folders	list, create, rename, delete and subscribe to IMAP folders' 'send	send mail over SMTP: compose, or pass a ready message as sendmail does' 'settings	manage accounts, provider presets and policies' 'sync	two-way sync of IMAP folders with a local Maildir'

# Options that take a value in the next word: their values are not positional arguments.
function __zmail_value_options
    printf '%s\n' --config -a --account --color \
        --preset --address --name --user --alias --imap --pop --smtp --ca-file \
        --password-command --password-env --maildir \
        --scope --max-size --limit --deliver --wait \
        --to --cc --bcc --subject --body --body-file --attach --from --reply-to --in-reply-to --header \
        --charset -f --envelope-from -F --full-name -o -B -N -R -V
end

# Runs zmail as the user typed it, with the --config they gave, never showing its errors.
function __zmail_run
    set -l words (commandline -opc)
    set -l bin zmail
    if string match -q -- '*/*' $words[1]
        set bin (string replace -r -- '^~/' "$HOME/" $words[1])
    end
    set -l config
    set -l i 2
    while test $i -le (count $words)
        switch $words[$i]
            case --config
                set i (math $i + 1)
                if test $i -le (count $words)
                    set config --config (string replace -r -- '^~/' "$HOME/" $words[$i])
                end
            case '--config=*'
                set config --config (string replace -r -- '^~/' "$HOME/" (string replace -- --config= '' $words[$i]))
        end
        set i (math $i + 1)
    end
    command -q $bin; or return 1
    command $bin $config $argv 2>/dev/null
end

# The positional words before the cursor: the command, then its arguments.
function __zmail_positionals
    set -l words (commandline -opc)
    set -l takes_value (__zmail_value_options)
    set -l skip 0
    for word in $words[2..-1]
        if test $skip = 1
            set skip 0
        else if contains -- $word $takes_value
            set skip 1
        else if not string match -q -- '-*' $word
            printf '%s\n' $word
        end
    end
end

function __zmail_needs_command
    test (count (__zmail_positionals)) -eq 0
end

function __zmail_using_command -a name
    set -l words (__zmail_positionals)
    test (count $words) -ge 1; and test "$words[1]" = $name
end

# __zmail_argument COMMAND SUBCOMMANDS N: true when the cursor is at the N-th argument (0 is
# the first) of `zmail COMMAND SUB` for one of the blank-separated SUBCOMMANDS.
function __zmail_argument -a command subcommands n
    set -l words (__zmail_positionals)
    test (count $words) -ge 2; or return 1
    test "$words[1]" = $command; or return 1
    contains -- $words[2] (string split ' ' -- $subcommands); or return 1
    test (count $words) -eq (math 2 + $n)
end

# __zmail_positional_is N VALUES...: true when positional word N (1 is the command) is one of VALUES.
function __zmail_positional_is -a n
    set -l words (__zmail_positionals)
    test (count $words) -ge $n; and contains -- $words[$n] $argv[2..-1]
end

# __zmail_positional_matches N REGEX: true when positional word N matches REGEX.
function __zmail_positional_matches -a n regex
    set -l words (__zmail_positionals)
    test (count $words) -ge $n; and string match -q -r -- $regex $words[$n]
end

function __zmail_commands
    set -l commands (__zmail_run --list-commands)
    test (count $commands) -gt 0; or set commands $__zmail_static_commands
    printf '%s\n' $commands 'help	show help for zmail or a command'
end

function __zmail_accounts
    __zmail_run settings list --json | string replace -r -f '^ *"name": "([^"]*)".*' '$1'
end

function __zmail_presets
    __zmail_run settings presets | string replace -r '^(\S+)\s+' '$1\t'
end

function __zmail_keys
    __zmail_run settings keys
end

complete -c zmail -f

# global options
complete -c zmail -l config -r -F -d 'profile store (default: $ZMAIL_CONFIG)'
complete -c zmail -s a -l account -x -a '(__zmail_accounts)' -d 'account to use'
complete -c zmail -s v -l verbose -d 'more detail; twice adds a protocol trace'
complete -c zmail -s q -l quiet -d 'only errors and warnings on stderr'
complete -c zmail -l json -d 'print data as JSON for scripts'
complete -c zmail -l color -x -a 'auto always never' -d 'when to use color'
complete -c zmail -s h -l help -d 'show help'
complete -c zmail -n __zmail_needs_command -l version -d 'show the version'

# commands
complete -c zmail -n __zmail_needs_command -a '(__zmail_commands)'
complete -c zmail -n '__zmail_using_command help; and test (count (__zmail_positionals)) -eq 1' \
    -a '(__zmail_commands)'

# zmail settings
set -l settings_subcommands presets list show add set get unset remove default path keys test login
complete -c zmail -n '__zmail_using_command settings; and test (count (__zmail_positionals)) -eq 1' \
    -a 'presets\t"list provider presets, or show one"
        list\t"list accounts (* marks the default)"
        show\t"show an account with every effective value"
        add\t"add an account"
        set\t"set an account key"
        get\t"print an account key\'s effective value"
        unset\t"remove an account key (back to the preset or default)"
        remove\t"remove an account (mail on disk is kept)"
        default\t"print or set the default account"
        path\t"print the profile store\'s path"
        keys\t"list the keys an account can hold"
        test\t"check each server of an account"
        login\t"sign an OAuth2 account in and store its tokens"'
complete -c zmail -n '__zmail_argument settings presets 0' -a '(__zmail_presets)'
complete -c zmail -n '__zmail_argument settings "show remove default set get unset test login" 0' -a '(__zmail_accounts)'
complete -c zmail -n '__zmail_argument settings "set get unset" 1' -a '(__zmail_keys)'
complete -c zmail -n '__zmail_argument settings set 2; and __zmail_positional_is 4 preset' \
    -a '(__zmail_presets)'
complete -c zmail -n '__zmail_argument settings set 2; and __zmail_positional_matches 4 "\\.security\$"' \
    -a 'tls starttls none'
complete -c zmail -n '__zmail_argument settings set 2; and __zmail_positional_is 4 send.save_sent' \
    -a 'auto always never'
complete -c zmail -n '__zmail_argument settings set 2; and __zmail_positional_matches 4 "^(tls_verify|.*\\.allow_plaintext|imap\\.id|password\\.netrc|fetch\\.keep|sync\\.delete_folders)\$"' \
    -a 'true false'
complete -c zmail -n '__zmail_argument settings set 2; and __zmail_positional_is 4 ca_file password.file maildir state_dir' \
    -F
set -l in_settings_sub "__zmail_positional_is 1 settings; and __zmail_positional_is 2 $settings_subcommands"
complete -c zmail -n $in_settings_sub -l json -d 'print data as JSON'
set -l in_add '__zmail_positional_is 1 settings; and __zmail_positional_is 2 add'
complete -c zmail -n $in_add -l preset -x -a '(__zmail_presets)' -d 'provider preset'
complete -c zmail -n $in_add -l address -x -d "the account's mail address"
complete -c zmail -n $in_add -l name -x -d 'display name for From'
complete -c zmail -n $in_add -l user -x -d 'login user name (default: the address)'
complete -c zmail -n $in_add -l alias -x -d 'another From address the account may use'
complete -c zmail -n $in_add -l imap -x -d 'IMAP server HOST[:PORT]'
complete -c zmail -n $in_add -l pop -x -d 'POP3 server HOST[:PORT]'
complete -c zmail -n $in_add -l smtp -x -d 'SMTP server HOST[:PORT]'
complete -c zmail -n $in_add -l ca-file -r -F -d 'trust only this CA certificate (PEM)'
complete -c zmail -n $in_add -l password-command -x -d 'command that prints the password'
complete -c zmail -n $in_add -l password-env -x -d 'environment variable that holds the password'
complete -c zmail -n $in_add -l maildir -r -F -d 'local Maildir root'
complete -c zmail -n $in_add -l default -d 'make it the default account'
complete -c zmail -n '__zmail_positional_is 1 settings; and __zmail_positional_is 2 test' -l timeout -x \
    -d 'seconds to wait for each step'
set -l in_login '__zmail_positional_is 1 settings; and __zmail_positional_is 2 login'
complete -c zmail -n $in_login -l device -d 'sign in on another device with a code'
complete -c zmail -n $in_login -l no-browser -d 'print the URL only; do not run xdg-open'
complete -c zmail -n $in_login -l timeout -x -d 'seconds to wait for the browser'

# zmail fetch
set -l in_fetch '__zmail_using_command fetch'
complete -c zmail -n "$in_fetch" -a '(__zmail_accounts)'
complete -c zmail -n "$in_fetch" -l all -d 'every account with a POP3 server'
complete -c zmail -n "$in_fetch" -l keep -d 'leave the messages on the server'
complete -c zmail -n "$in_fetch" -l delete -d 'delete each message on the server once it is delivered'
complete -c zmail -n "$in_fetch" -l scope -x -a 'all\t"everything not fetched before" new\t"only what arrives from the first run on"' -d 'which messages to fetch'
complete -c zmail -n "$in_fetch" -l max-size -x -d 'leave larger messages on the server (bytes, or 10M)'
complete -c zmail -n "$in_fetch" -l limit -x -d 'fetch at most N messages this run'
complete -c zmail -n "$in_fetch" -l deliver -x -a 'maildir maildir: mbox: mda:' -d 'maildir[:FOLDER], mbox:PATH or mda:COMMAND'
complete -c zmail -n "$in_fetch" -l wait -x -d 'seconds to wait for another fetch or an mbox lock'
complete -c zmail -n "$in_fetch" -l dry-run -d 'list what would be fetched and deleted; change nothing'

# zmail send
set -l in_send '__zmail_using_command send'
# The From addresses of the account -a names (else the default account): address and aliases.
function __zmail_send_addresses
    set -l words (commandline -opc)
    set -l account
    set -l i 1
    while test $i -lt (count $words)
        switch $words[$i]
            case -a --account
                set account $words[(math $i + 1)]
            case '--account=*'
                set account (string replace -- --account= '' $words[$i])
        end
        set i (math $i + 1)
    end
    test -n "$account"; or set account (__zmail_run settings default)
    test -n "$account"; or return
    __zmail_run settings get $account address
    __zmail_run settings get $account aliases
end
complete -c zmail -n "$in_send" -l to -x -d 'recipient'
complete -c zmail -n "$in_send" -l cc -x -d 'copy recipient'
complete -c zmail -n "$in_send" -l bcc -x -d 'blind copy recipient, in no header'
complete -c zmail -n "$in_send" -l subject -x -d 'the subject'
complete -c zmail -n "$in_send" -l body -x -d 'the text'
complete -c zmail -n "$in_send" -l body-file -r -F -d 'read the text from a file'
complete -c zmail -n "$in_send" -l attach -r -F -d 'attach a file'
complete -c zmail -n "$in_send" -l from -x -a '(__zmail_send_addresses)' -d "From address: the account's or an alias"
complete -c zmail -n "$in_send" -l reply-to -x -d 'Reply-To address'
complete -c zmail -n "$in_send" -l in-reply-to -x -d 'Message-ID this answers'
complete -c zmail -n "$in_send" -l header -x -d "extra header field 'Name: value'"
complete -c zmail -n "$in_send" -l charset -x -a 'utf-8 iso-2022-jp' -d 'charset of subject, names and text'
complete -c zmail -n "$in_send" -s t -l read-recipients -d "recipients from the message's To, Cc and Bcc"
complete -c zmail -n "$in_send" -s f -l envelope-from -x -a '(__zmail_send_addresses)' -d 'envelope sender'
complete -c zmail -n "$in_send" -s F -l full-name -x -d 'display name for the From zmail writes'
complete -c zmail -n "$in_send" -s i -d 'sendmail compatibility: read standard input to its end'
complete -c zmail -n "$in_send" -s o -x -d 'sendmail option (ignored)'
complete -c zmail -n "$in_send" -l queue -d 'on a temporary failure keep the message in the queue'
complete -c zmail -n "$in_send" -l flush -d 'send everything queued, over one connection'
complete -c zmail -n "$in_send" -l resend-uncertain -d 'with --flush: resend messages that may have gone out'
complete -c zmail -n "$in_send" -l drop-uncertain -d 'with --flush: take messages that may have gone out as sent'
complete -c zmail -n "$in_send" -l dry-run -d 'print the message; send nothing'
complete -c zmail -n "$in_send" -l save-sent -d 'save a copy in Sent this time'
complete -c zmail -n "$in_send" -l no-save-sent -d 'no Sent copy this time'

# zmail sync
function __zmail_sync_folders
    set -l words (commandline -opc)
    set -l account
    set -l i 1
    while test $i -lt (count $words)
        switch $words[$i]
            case -a --account
                set account -a $words[(math $i + 1)]
            case '--account=*'
                set account -a (string replace -- --account= '' $words[$i])
        end
        set i (math $i + 1)
    end
    __zmail_run $account sync --known-folders
end
set -l in_sync '__zmail_using_command sync'
complete -c zmail -n "$in_sync" -a '(__zmail_accounts)'
complete -c zmail -n "$in_sync" -l all -d 'every account with an IMAP server'
complete -c zmail -n "$in_sync" -l folder -x -a '(__zmail_sync_folders)' -d 'sync only this folder'
complete -c zmail -n "$in_sync" -l pull -d 'only bring server changes here'
complete -c zmail -n "$in_sync" -l push -d 'only send local changes to the server'
complete -c zmail -n "$in_sync" -l dry-run -d 'show what would change; change nothing'
complete -c zmail -n "$in_sync" -l jobs -x -d 'folders at once, each over its own connection'
complete -c zmail -n "$in_sync" -l watch -d 'keep running and sync on changes'
complete -c zmail -n "$in_sync" -l interval -x -d 'with --watch: seconds between syncs without a change'
complete -c zmail -n "$in_sync" -l allow-mass-delete -d 'go ahead even when a run would delete much of a folder'
complete -c zmail -n "$in_sync" -l wait -x -d 'seconds to wait for another sync of the account'

# Hook for commands to come (fetch, send, sync, folders): add a section like the one above.

# zmail folders
set -l folders_subcommands list create rename delete subscribe unsubscribe
complete -c zmail -n '__zmail_using_command folders; and test (count (__zmail_positionals)) -eq 1' \
    -a 'list\t"list the account\'s folders"
        create\t"create a folder"
        rename\t"rename a folder"
        delete\t"delete a folder and its messages"
        subscribe\t"subscribe to a folder"
        unsubscribe\t"unsubscribe from a folder"'
complete -c zmail -n "__zmail_positional_is 1 folders; and __zmail_positional_is 2 $folders_subcommands" -l json -d 'print data as JSON'
complete -c zmail -n '__zmail_positional_is 1 folders; and __zmail_positional_is 2 list' -l counts -d 'add messages, unread and size'
complete -c zmail -n '__zmail_positional_is 1 folders; and __zmail_positional_is 2 list' -l flat -d 'full names, one a line'
complete -c zmail -n '__zmail_positional_is 1 folders; and __zmail_positional_is 2 list' -l subscribed -d 'only subscribed folders'
complete -c zmail -n '__zmail_positional_is 1 folders; and __zmail_positional_is 2 delete' -s y -l yes -d 'do not ask'
