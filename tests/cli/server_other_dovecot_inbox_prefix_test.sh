#!/usr/bin/env bash
# Dovecot with Courier's layout (INBOX. prefix, '.' separator): smoke test, IDLE, zmail folders list, zmail sync with every kind of folder name
exec bash "$(dirname "$0")/other_server.sh" dovecot-inbox-prefix --idle
