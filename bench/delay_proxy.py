#!/usr/bin/python3
"""A TCP proxy that adds round-trip delay, for benchmarks on loopback.

  delay_proxy.py --rtt-ms 40 --target 127.0.0.1:993 [--target 127.0.0.1:587 ...] [--lifetime 3600]
                 [--rate-kbit 20000] [--stats FILE]

For each --target it listens on a free 127.0.0.1 port and prints one JSON line,
{"127.0.0.1:993": 40123, ...}, once all listeners are up. Every chunk read from one side is
written to the other side rtt/2 later (so a request/response pair costs one extra rtt), and a
new connection waits one rtt before bytes flow, like TCP's handshake; order is kept. With
--rate-kbit each direction of each connection is limited to that rate. With --stats, FILE holds
the bytes that crossed so far ("client_to_server server_to_client"), rewritten as they flow, so
a runner can read the bytes on the wire of one run as a difference. At most 64 MB per connection
and direction wait in the queue. Only loopback targets are accepted.

The proxy exits after --lifetime seconds, or as soon as its standard input reaches end of file
(so it does not outlive the benchmark runner that started it with a pipe on stdin).
"""

import argparse
import asyncio
import ipaddress
import json
import os
import sys
import time

CHUNK = 64 * 1024
QUEUE_CHUNKS = 1024  # 64 MB per direction at most


TOTALS = [0, 0]  # bytes client -> server, server -> client
STATS = {"path": None, "written": 0.0}


def count(direction, n):
    TOTALS[direction] += n
    now = time.monotonic()
    if STATS["path"] and now - STATS["written"] > 0.05:
        write_stats()


def write_stats():
    STATS["written"] = time.monotonic()
    tmp = STATS["path"] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d\n" % tuple(TOTALS))
    os.replace(tmp, STATS["path"])


async def pump(reader, writer, delay, direction=0, rate=0.0):
    """Copy reader to writer, holding every chunk for delay seconds (and at most rate bytes/s)."""
    queue = asyncio.Queue(QUEUE_CHUNKS)

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    delivery = asyncio.ensure_future(deliver())
    free_at = time.monotonic()  # when the rate limit lets the next byte go
    try:
        while True:
            data = await reader.read(CHUNK)
            if data:
                count(direction, len(data))
            if data and rate > 0:
                free_at = max(free_at, time.monotonic()) + len(data) / rate
                await asyncio.sleep(max(0.0, free_at - time.monotonic()))
            await queue.put((time.monotonic() + delay, data or None))
            if not data:
                break
        await delivery
    except (ConnectionError, OSError):
        pass
    finally:
        if not delivery.done():
            delivery.cancel()


async def handle(client_reader, client_writer, host, port, delay, rate):
    # TCP's handshake costs one round trip before the first byte can flow.
    await asyncio.sleep(2 * delay)
    try:
        server_reader, server_writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except (OSError, asyncio.TimeoutError):
        client_writer.close()
        return
    try:
        await asyncio.gather(pump(client_reader, server_writer, delay, 0, rate),
                             pump(server_reader, client_writer, delay, 1, rate))
    finally:
        for w in (client_writer, server_writer):
            w.close()
        if STATS["path"]:
            write_stats()


def parse_target(text):
    host, _, port = text.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise argparse.ArgumentTypeError("only loopback targets are allowed: %s" % text)
    return host, int(port)


async def main_async(args):
    delay = args.rtt_ms / 2000.0
    rate = args.rate_kbit * 1000 / 8.0
    STATS["path"] = args.stats
    if args.stats:
        write_stats()
    servers = []
    mapping = {}
    for host, port in args.target:
        server = await asyncio.start_server(
            lambda r, w, h=host, p=port: handle(r, w, h, p, delay, rate), host="127.0.0.1", port=0)
        servers.append(server)
        mapping["%s:%d" % (host, port)] = server.sockets[0].getsockname()[1]
    print(json.dumps(mapping), flush=True)

    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()

    def on_stdin():
        if not sys.stdin.buffer.raw.read(4096) and not stdin_closed.done():
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    try:
        await asyncio.wait_for(stdin_closed, args.lifetime)
    except asyncio.TimeoutError:
        pass
    for server in servers:
        server.close()


def main():
    parser = argparse.ArgumentParser(description="Loopback TCP proxy adding round-trip delay.")
    parser.add_argument("--rtt-ms", type=float, required=True)
    parser.add_argument("--target", type=parse_target, action="append", required=True)
    parser.add_argument("--lifetime", type=float, default=3600.0, help="exit after this many seconds")
    parser.add_argument("--rate-kbit", type=float, default=0.0, help="bandwidth per direction and connection")
    parser.add_argument("--stats", help="file that holds the bytes that crossed so far")
    args = parser.parse_args()
    if not 0 <= args.rtt_ms <= 10000 or not 0 < args.lifetime <= 7 * 86400:
        parser.error("--rtt-ms must be 0..10000 and --lifetime 0..604800")
    asyncio.run(main_async(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
