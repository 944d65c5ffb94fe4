#!/usr/bin/env bash
# Cyrus IMAP 3.6, Debian's layout ('.' separator, folders below INBOX.): smoke test, IDLE via idled, zmail folders list, zmail sync with every kind of folder name
exec bash "$(dirname "$0")/other_server.sh" cyrus-dot --idle
