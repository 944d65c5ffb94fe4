#!/usr/bin/env bash
# Courier IMAP/POP 5.0 (".", INBOX. prefix): smoke test, enhanced IDLE, POP3 CAPA UTF8, zmail folders list, zmail sync with every kind of folder name
exec bash "$(dirname "$0")/other_server.sh" courier --idle --pop3-utf8
