#!/usr/bin/env bash
# Dovecot with '/' separator and no prefix (the suite's own layout), in a private instance:
# smoke test, zmail folders list, zmail sync with every kind of folder name
exec bash "$(dirname "$0")/other_server.sh" dovecot-slash
