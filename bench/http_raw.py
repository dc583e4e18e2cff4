"""A cheap HTTP/1.1 load generator for bench/bench_http.py: asyncio streams, one keep-alive
connection per client, request bytes built from a prebuilt prefix per task.

Not a test. On a real deployment the clients run on other machines; on the benchmark's 2 cores
they run next to the server and every CPU-millisecond they spend is taken from it. httpx (the
old client, ``--client httpx``) costs about as much CPU per request as the server's stack
around the command; this one parses only the status line and Content-Length, so it steals much
less. It understands what ``planflow serve`` answers (Content-Length bodies, keep-alive), not
HTTP in general.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from http_kit import Load, Server

RawRequest = Callable[[int], bytes]  # the n-th request of one client, as bytes on the wire


def raw_raiser(server: Server, header: dict[str, str], tasks: list[str], tag: str) -> RawRequest:
    """POST /api/v1/tasks/{id}/raise round robin over ``tasks``, the same requests as
    http_kit.raiser sends through httpx."""
    host = urlsplit(server.base).netloc
    extra = "".join(f"{name}: {value}\r\n" for name, value in header.items())
    prefixes = [
        (
            f"POST /api/v1/tasks/{task}/raise HTTP/1.1\r\nHost: {host}\r\n{extra}"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()
        for task in tasks
    ]

    def request(n: int) -> bytes:
        body = json.dumps({"text": f"Vướng mắc {tag}-{n}"}, ensure_ascii=False).encode()
        return b"%s%d\r\n\r\n%s" % (prefixes[n % len(prefixes)], len(body), body)

    return request


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> int:
    """Send one request, read its whole answer; its status."""
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    if length:
        await reader.readexactly(length)
    return status


async def _run(
    server: Server, clients: list[RawRequest], seconds: float | None, each: int | None
) -> Load:
    parts = urlsplit(server.base)
    load = Load()
    deadline = None if seconds is None else time.perf_counter() + seconds

    async def client(request: RawRequest) -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            n = 0
            while (each is None or n < each) and (
                deadline is None or time.perf_counter() < deadline
            ):
                started = time.perf_counter()
                status = await _exchange(reader, writer, request(n))
                load.statuses[status] += 1
                if status == 200:
                    load.latencies.append(time.perf_counter() - started)
                n += 1
        finally:
            writer.close()
            await writer.wait_closed()

    await asyncio.gather(*(client(c) for c in clients))
    return load


def run_raw_load(
    server: Server,
    clients: list[RawRequest],
    *,
    seconds: float | None = None,
    each: int | None = None,
) -> Load:
    """Every client on its own connection in one event loop, for ``seconds`` or ``each``
    requests; ``load.cpu`` is the server's CPU, ``load.client_cpu`` this process's."""
    cpu, mine, started = server.cpu(), time.process_time(), time.perf_counter()
    load = asyncio.run(_run(server, clients, seconds, each))
    load.seconds = time.perf_counter() - started
    load.cpu, load.client_cpu = server.cpu() - cpu, time.process_time() - mine
    return load
