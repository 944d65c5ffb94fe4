#!/usr/bin/python3
"""A tiny DNS server on 127.0.0.1 for the tests: answers MX and SRV queries from a table given on
the command line, NXDOMAIN for names it does not know, and no answer at all for DROP names.

  dns_server.py PORT_FILE RECORD...    serves on a free UDP port, written to PORT_FILE; each
                                       question is appended to PORT_FILE.log ("NAME TYPE")
  dns_server.py --seeds DIR            writes sample replies (fuzz seeds) into DIR

RECORD is one of
  MX:NAME:PREFERENCE:HOST
  SRV:NAME:PRIORITY:WEIGHT:PORT:TARGET
  DROP:NAME                            (the query is ignored: the client times out)
"""
import os
import socket
import struct
import sys

TYPES = {"MX": 15, "SRV": 33}


def encode_name(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_table(records):
    table, drop = {}, set()
    for record in records:
        kind, name, *fields = record.split(":")
        name = name.lower().strip(".")
        if kind == "DROP":
            drop.add(name)
            continue
        if kind == "MX":
            data = struct.pack("!H", int(fields[0])) + encode_name(fields[1])
        elif kind == "SRV":
            data = struct.pack("!HHH", int(fields[0]), int(fields[1]), int(fields[2])) + encode_name(fields[3])
        else:
            raise SystemExit(f"unknown record type in {record!r}")
        table.setdefault(name, []).append((TYPES[kind], data))
    return table, drop


def read_question(query):
    """(name, type, end offset of the question) of a query."""
    offset, labels = 12, []
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length
    qtype = struct.unpack("!H", query[offset + 1:offset + 3])[0]
    return ".".join(labels).lower(), qtype, offset + 5


def reply(query, table):
    name, qtype, end = read_question(query)
    records = [data for t, data in table.get(name, []) if t == qtype]
    rcode = 0 if name in table else 3
    flags = 0x8000 | (struct.unpack("!H", query[2:4])[0] & 0x0100) | 0x0080 | rcode
    out = query[:2] + struct.pack("!HHHHH", flags, 1, len(records), 0, 0) + query[12:end]
    for data in records:
        out += struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(data)) + data
    return out


def serve(port_file, records):
    table, drop = parse_table(records)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with open(port_file + ".tmp", "w") as f:
        f.write(str(sock.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        query, peer = sock.recvfrom(4096)
        try:
            name, qtype = read_question(query)[:2]
            with open(port_file + ".log", "a") as log:
                log.write(f"{name} {qtype}\n")
            if name not in drop:
                sock.sendto(reply(query, table), peer)
        except (IndexError, struct.error):
            pass


def write_seeds(directory):
    os.makedirs(directory, exist_ok=True)
    table, _ = parse_table(["MX:example.co.jp:10:mx.zoho.jp", "MX:example.co.jp:20:mx2.zoho.jp",
                            "SRV:_imaps._tcp.example.org:0:1:993:imap.example.org",
                            "SRV:_submissions._tcp.example.org:0:1:465:smtp.example.org"])
    for i, (name, qtype) in enumerate([("example.co.jp", 15), ("_imaps._tcp.example.org", 33),
                                       ("_submissions._tcp.example.org", 33), ("nowhere.example", 15)]):
        query = struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", qtype, 1)
        with open(os.path.join(directory, f"reply{i}"), "wb") as f:
            f.write(reply(query, table))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        write_seeds(sys.argv[2])
    elif len(sys.argv) >= 2 and not sys.argv[1].startswith("-"):
        serve(sys.argv[1], sys.argv[2:])
    else:
        raise SystemExit(__doc__)
