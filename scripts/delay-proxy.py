#!/usr/bin/env python3
"""A loopback TCP proxy that adds a fixed delay to every byte, each way, so that a
benchmark on one machine sees a distant server (`tc netem` needs privileges these
machines do not give).

    scripts/delay-proxy.py DELAY_MS LISTEN_PORT:TARGET_PORT [LISTEN_PORT:TARGET_PORT ...]

Listens on 127.0.0.1:LISTEN_PORT and forwards to 127.0.0.1:TARGET_PORT. What one side
sends reaches the other DELAY_MS later, in order, whatever was sent in between: a round
trip costs 2 x DELAY_MS and pipelined commands share one. The TCP handshake costs a
round trip too: the proxy connects to the target one round trip after accepting (the
client's connect() itself returns at once, so the greeting is what shows the wait).
Bandwidth is not limited, and what is in flight is held in memory: a tool for
benchmarks on loopback, not a network emulator. Stops on SIGTERM or SIGINT.
"""

import asyncio
import signal
import sys


async def pump(reader, writer, delay):
    """Copy reader to writer, each chunk delayed by `delay` seconds from its arrival."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def feed():
        try:
            while True:
                data = await reader.read(65536)
                queue.put_nowait((loop.time() + delay, data))
                if not data:
                    return
        except (ConnectionError, OSError):
            queue.put_nowait((loop.time() + delay, b""))

    async def drain():
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            return

    await asyncio.gather(feed(), drain())


async def serve(listen, target, delay):
    async def handle(client_reader, client_writer):
        try:
            await asyncio.sleep(2 * delay)  # the TCP handshake's round trip
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                pump(client_reader, server_writer, delay),
                pump(server_reader, client_writer, delay),
            )
        except asyncio.CancelledError:
            pass  # the proxy is stopping
        for w in (client_writer, server_writer):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen, reuse_address=True)
    return server


async def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    delay = float(argv[0]) / 1000.0
    servers = []
    for pair in argv[1:]:
        listen, target = (int(p) for p in pair.split(":"))
        servers.append(await serve(listen, target, delay))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
