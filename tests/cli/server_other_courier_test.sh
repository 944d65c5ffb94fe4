#!/usr/bin/env bash
# Courier IMAP/POP 5.0 ('.' separator, INBOX. prefix): smoke test, POP3 CAPA UTF8, zmail folders list
exec bash "$(dirname "$0")/other_server.sh" courier --pop3-utf8
