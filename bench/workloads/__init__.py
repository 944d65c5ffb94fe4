"""Workloads for bench/run: fetch.py (POP3), sync.py (IMAP), send.py (submission); tools.py configures each program."""
