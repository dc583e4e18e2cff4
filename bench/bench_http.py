"""Benchmark: planflow over HTTP against a real ``planflow serve`` process, in one run.

Not a test. Three parts (docs/performance.md, "HTTP: commands, the board under load, memory"):

1. **Commands**: ``raise`` (a difficulty) round robin over open tasks, from 8 concurrent
   clients (8 agency officers, each on their own tasks) for a fixed time, against the same
   command in process (``PlanflowApp.run_command``, one thread, other agencies' tasks) on the
   same store, measured just before each load with the server started and idle (``--rounds N``
   alternates the two N times). The clients are asyncio streams with prebuilt requests
   (bench/http_raw.py, cheap on the shared cores); ``--client httpx`` runs the old httpx
   clients, ``--client both`` both in turn. The report gives the server's and the clients' CPU
   per command; ``--lock-stats`` adds how long each command waits for and holds the event
   table's lock (bench/http_locks.py). SQLite with one worker; PostgreSQL (when
   PLANFLOW_TEST_POSTGRES_URL is set; a fresh database, dropped afterwards) with one and with two
   workers (``serve --workers 2``; SQLite refuses it). ``--commands-only`` runs only this part.
2. **The board under load** (SQLite, the big store): ``GET /api/v1/board?plan=bench`` from one
   client with a command written before each request (so every request computes the aggregate),
   from 16 concurrent clients reading, and from 16 clients while a 17th writes a command every
   half second (every write makes the next read compute). p50/p99 of the reads and the server's
   CPU per request. With ``--baseline-src DIR`` the 16 readers run once more against that code
   base (e.g. ``/work/main/src``, without the board cache).
3. **Memory** (bench/http_memory.py): RSS of the server process (/proc/PID/status) at start,
   after a warm-up, and at each ``--checkpoints`` count of mixed requests (the API board, the
   board page, a task page, the API task, a command; task pages over many different tasks).
   ``--memory-only --tasks 100000 --checkpoints 500,1000,1500`` runs only this part;
   ``--store FILE`` keeps the built store for later runs; ``--trace`` diffs tracemalloc snapshots
   of the server.

The server runs with ``--no-scheduler`` and the bench clock (3 Oct 2022 09:00, Vietnam), so only
the requests cost CPU. Run: ``python bench/bench_http.py`` (100,000 tasks for the commands and the
board, 10,000 for the memory part: ``--memory-size``; about 15 minutes on a loaded 2-core
machine, 5 of them building the store); ``--quick`` (10,000 tasks, short loads).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import http_locks
import http_memory
import httpx
from bench_board import BOARD_AT
from bench_command import PostgresDatabase
from http_kit import Load, People, Server, build, people, raiser, run_load, serve
from http_raw import raw_raiser, run_raw_load

from planflow.application.app import PlanflowApp

Row = dict[str, Any]


_IN_PROCESS = [0]  # commands run in process so far: later runs write later moments


def in_process(
    url: str, tasks: list[str], count: int, warmed: Callable[[], object] = lambda: None
) -> Row:
    """``run_command("raise", …)`` in this process, one after another (``warmed`` is called
    after the warm-up)."""
    app = PlanflowApp(url)
    refs = [UUID(t) for t in tasks]

    def run(start: int, n: int) -> None:
        for i in range(start, start + n):
            _IN_PROCESS[0] += 1
            moment = BOARD_AT + timedelta(seconds=_IN_PROCESS[0])
            data = {"text": f"Vướng mắc {_IN_PROCESS[0]}"}
            app.run_command("raise", refs[i % len(refs)], data, actor="bench", at=moment)

    try:
        run(0, 20)  # warm up
        warmed()
        started, cpu = time.perf_counter(), time.process_time()
        run(20, count)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    finally:
        app.close()
    return {"rate": count / seconds, "cpu_ms": cpu_seconds / count * 1000}


def http_commands(
    server: Server, who: People, seconds: float, client: str, locks: Path | None = None
) -> Row:
    """8 officers' clients for ``seconds`` after a 1 s warm-up; ``client`` is ``raw`` (asyncio
    streams, bench/http_raw.py) or ``httpx`` (a thread and an httpx.Client each); with
    ``locks`` (``--lock-stats``) the medians of the server's lock times."""
    officers = enumerate(who.officers)
    if client == "raw":
        raw = [raw_raiser(server, h, tasks, f"c{n}") for n, (h, tasks) in officers]
        run_raw_load(server, raw, seconds=1.0)  # warm up every worker's connections
        if locks:
            http_locks.take(locks)
        load = run_raw_load(server, raw, seconds=seconds)
    else:
        clients = [raiser(h, tasks, f"c{n}") for n, (h, tasks) in officers]
        run_load(server, clients, seconds=1.0)
        if locks:
            http_locks.take(locks)
        load = run_load(server, clients, seconds=seconds)
    ok = load.ok()
    if locks:
        time.sleep(0.3)  # the workers' last lines
    return {
        "rate": ok / load.seconds,
        "cpu_ms": load.cpu / max(ok, 1) * 1000,
        "client_cpu_ms": load.client_cpu / max(ok, 1) * 1000,
        "statuses": dict(load.statuses),
        "p50": load.quantile(50),
        "p99": load.quantile(99),
        **(http_locks.summary(http_locks.take(locks)) if locks else {}),
    }


def commands_part(url: str, folder: Path, who: People, args: argparse.Namespace) -> list[Row]:
    """One worker (and two on PostgreSQL) over HTTP, on ``url``, with each client of
    ``--client``: ``--rounds`` rounds of the same command in process then over HTTP, the server
    started (and idle) during the in-process part, so each ratio compares neighbouring seconds
    of this shared machine."""
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    rows: list[Row] = []
    clients = ["raw", "httpx"] if args.client == "both" else [args.client]
    timing = http_locks.server_environment(folder) if args.lock_stats else nullcontext(None)
    with timing as locks:
        for workers in (1, 2) if engine == "PostgreSQL" else (1,):
            with serve(url, folder, workers) as server:
                for n in range(args.rounds):
                    base = _in_process_timed(url, who, args)
                    rows.append({"engine": engine, "path": "in process", "round": n, **base})
                    for client in clients:
                        row = http_commands(server, who, args.seconds, client, locks)
                        path = f"HTTP, 8 {client} clients, {workers} worker(s)"
                        ratio = row["rate"] / base["rate"]
                        rows.append(
                            {"engine": engine, "path": path, "round": n, "ratio": ratio, **row}
                        )
    return rows


def _in_process_timed(url: str, who: People, args: argparse.Namespace) -> Row:
    if not args.lock_stats:
        return in_process(url, who.spare, args.count)
    with http_locks.installed() as lines:
        row = in_process(url, who.spare, args.count, warmed=lines.clear)
        return {**row, **http_locks.summary(http_locks.parse(lines))}


def board_get(header: dict[str, str]) -> Callable[[httpx.Client, int], httpx.Response]:
    def request(client: httpx.Client, n: int) -> httpx.Response:
        return client.get("/api/v1/board?plan=bench", headers=header)

    return request


def page_get(cookie: dict[str, str]) -> Callable[[httpx.Client, int], httpx.Response]:
    def request(client: httpx.Client, n: int) -> httpx.Response:
        return client.get("/board", cookies=cookie)

    return request


def one_client_misses(server: Server, who: People, repeat: int) -> Row:
    """Each read follows a write, so each computes the aggregate; CPU taken around the read."""
    header, tasks = who.officers[0]
    write = raiser(header, tasks, "miss")
    read = board_get(who.director)
    latencies, cpu = [], 0.0
    with httpx.Client(base_url=server.base, timeout=120) as client:
        for n in range(repeat + 1):
            assert write(client, n).status_code == 200
            before, started = server.cpu(), time.perf_counter()
            assert read(client, n).status_code == 200
            if n:  # the first is a warm-up
                latencies.append(time.perf_counter() - started)
                cpu += server.cpu() - before
    load = Load(latencies=latencies, cpu=cpu)
    return {"p50": load.quantile(50), "p99": max(latencies), "cpu_ms": cpu / repeat * 1000}


def readers(
    server: Server, who: People, each: int, writer: bool = False, page: bool = False
) -> Row:
    """16 clients reading the board ``each`` times (the API, or with ``page`` the board page);
    with ``writer`` a command every 0.5 s."""
    import threading

    stop = threading.Event()
    writes = [0]

    def write() -> None:
        header, tasks = who.officers[1]
        request = raiser(header, tasks, "w")
        with httpx.Client(base_url=server.base, timeout=120) as client:
            while not stop.wait(0.5):
                writes[0] += request(client, writes[0]).status_code == 200

    thread = threading.Thread(target=write)
    if writer:
        thread.start()
    read = page_get(who.cookie) if page else board_get(who.director)
    load = run_load(server, [read] * 16, each=each)
    stop.set()
    if writer:
        thread.join()
    ok = load.ok()
    return {
        "p50": load.quantile(50),
        "p99": load.quantile(99),
        "cpu_ms": load.cpu / max(ok, 1) * 1000,
        "requests": ok,
        "rate": ok / load.seconds,
        "writes": writes[0],
        "statuses": dict(load.statuses),
    }


def sqlite_parts(folder: Path, args: argparse.Namespace, results: dict[str, Any]) -> None:
    """The commands on SQLite, then (unless ``--commands-only``) the board and the memory."""
    url = f"sqlite:///{folder / 'http.db'}"
    print(f"building {args.size:,} tasks (SQLite) …", flush=True)
    results["built"] = build(url, args.size)
    who = people(url)
    results["commands"] += commands_part(url, folder, who, args)
    if args.commands_only:
        return
    with serve(url, folder) as server:
        one = one_client_misses(server, who, 5 if args.quick else 8)
        results["board"] = {
            "one client, each read after a write": one,
            "16 readers": readers(server, who, args.each),
            "16 readers + a write every 0.5 s": readers(server, who, args.each, writer=True),
            "16 readers of the board page (/board)": readers(
                server, who, max(2, args.each // 4), page=True
            ),
        }
    if args.baseline_src:
        with serve(url, folder, src=args.baseline_src) as server:
            before = readers(server, who, max(2, args.each // 4))
            pages = readers(server, who, 2, page=True)
        results["board"][f"16 readers, {args.baseline_src}"] = before
        results["board"][f"16 readers of /board, {args.baseline_src}"] = pages
    results["memory"] = http_memory.run(args, folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pg-size", type=int, default=2_000, help="PostgreSQL store (commands)")
    parser.add_argument("--count", type=int, default=300, help="in-process commands")
    parser.add_argument("--seconds", type=float, default=10.0, help="HTTP command load")
    parser.add_argument("--each", type=int, default=20, help="board reads per client")
    http_memory.add_arguments(parser)
    parser.add_argument("--baseline-src", type=Path, help="another code base for the 16 readers")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--quick", action="store_true", help="10,000 tasks, short loads")
    parser.add_argument(
        "--client",
        choices=["raw", "httpx", "both"],
        default="raw",
        help="the command clients: asyncio streams with prebuilt requests (bench/http_raw.py), "
        "the old httpx clients, or both in turn on the same server",
    )
    parser.add_argument(
        "--commands-only", action="store_true", help="only the commands part (both engines)"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite's commands part")
    parser.add_argument(
        "--lock-stats",
        action="store_true",
        help="commands: time the event table's lock per command, in process and in the server "
        "(bench/http_locks.py)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="commands: in process then HTTP, this many times"
    )
    args = parser.parse_args()
    if args.quick:
        args.size, args.count, args.seconds, args.each = 10_000, 100, 4, 8
        args.memory_size, args.checkpoints = 5_000, [200, 400, 600]
    if args.memory_only:
        http_memory.memory_only(args)
        return
    results: dict[str, Any] = {"commands": [], "board": {}, "memory": None}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.no_sqlite:
            sqlite_parts(folder, args, results)
        admin = os.environ.get("PLANFLOW_TEST_POSTGRES_URL")
        if admin and not args.no_postgres:
            with PostgresDatabase(admin) as pg:
                print(f"building {args.pg_size:,} tasks (PostgreSQL) …", flush=True)
                build(pg, args.pg_size)
                results["commands"] += commands_part(pg, folder, people(pg), args)
    report(results, args)


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    if "built" in results:
        print(f"\n{args.size:,} tasks (SQLite), built in {results['built']:.0f} s")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
    print(
        "| engine | round | path | commands/s | CPU ms/command: server (in process: this "
        "process) | clients' CPU ms/command | vs in process just before | statuses |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---|")
    ratios: dict[str, list[float]] = {}
    for row in results["commands"]:
        if row["path"] == "in process":
            line = f"| {row['engine']} | {row['round']} | in process (`run_command`) | "
            print(line + f"{row['rate']:.0f} | {row['cpu_ms']:.1f} | | 1.00× | |")
            continue
        ratios.setdefault(f"{row['engine']}, {row['path']}", []).append(row["ratio"])
        print(
            f"| {row['engine']} | {row['round']} | {row['path']} | {row['rate']:.0f} | "
            f"{row['cpu_ms']:.1f} | {row['client_cpu_ms']:.1f} | {row['ratio']:.2f}× | "
            f"{row['statuses']} |"
        )
    locked = [row for row in results["commands"] if "lock_held_ms" in row]
    if locked:
        print("\n| engine | round | path | lock wait ms | lock held ms | whole command ms |")
        print("|---|---:|---|---:|---:|---:|")
        for row in locked:
            print(
                f"| {row['engine']} | {row['round']} | {row['path']} | "
                f"{row['lock_wait_ms']:.2f} | {row['lock_held_ms']:.2f} | {row['command_ms']:.2f} |"
            )
    print()
    for label, found in ratios.items():
        shown = ", ".join(f"{r:.2f}×" for r in found)
        print(f"{label}: median {statistics.median(found):.2f}× ({shown})")
    if not results["board"]:
        return
    print("\n| board reads | p50 | p99 | server CPU ms/request | requests |")
    print("|---|---:|---:|---:|---:|")
    for label, row in results["board"].items():
        requests = row.get("requests", "")
        extra = f" ({row['writes']} writes)" if row.get("writes") else ""
        print(
            f"| {label}{extra} | {row['p50'] * 1000:.0f} ms | {row['p99'] * 1000:.0f} ms | "
            f"{row['cpu_ms']:.0f} | {requests} |"
        )
    if results["memory"] is not None:
        http_memory.print_memory(results["memory"], args.memory_size)


if __name__ == "__main__":
    main()
