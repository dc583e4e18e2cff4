"""The memory part of bench/bench_http.py: RSS of a real ``planflow serve`` under mixed requests.

Not a test. The server's resident memory (VmRSS in /proc/PID/status, and its peak so far, VmHWM)
at start, after a warm-up of 50 mixed requests, and at each checkpoint (a count of mixed requests
after the warm-up): the API board, the board page, a task page, the API task, a command; task
pages over many different tasks.

With ``--trace``, the server runs under tracemalloc (``PYTHONTRACEMALLOC``, a few frames) and a
``sitecustomize`` written into the run's folder dumps a snapshot on SIGUSR1; the bench takes one
after the warm-up and one at each checkpoint and prints where the traced memory grew (by line,
largest first). Tracing slows the server down and adds its own memory to the RSS: the RSS figures
of a traced run are not the untraced ones.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import http_kit
import httpx
from bench_board import BOARD_AT
from http_kit import People, Server, build, people, raiser, serve

Seen = list[tuple[str, float, float]]  # label, RSS, peak RSS (MiB)


def peak_mib(server: Server) -> float:
    """The server process's peak resident memory so far (VmHWM), MiB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


HOOK = """
import os, signal, tracemalloc

def _dump(signum, frame):
    folder = os.environ["BENCH_TRACE_DIR"]
    count = len([n for n in os.listdir(folder) if n.endswith(".snap")])
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    snapshot.dump(os.path.join(folder, f"{count:03d}.tmp"))
    os.rename(
        os.path.join(folder, f"{count:03d}.tmp"), os.path.join(folder, f"{count:03d}.snap")
    )

if os.environ.get("BENCH_TRACE_DIR") and tracemalloc.is_tracing():
    signal.signal(signal.SIGUSR1, _dump)
"""


class Tracer:
    """Snapshots of the traced server, on demand (SIGUSR1), into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[tuple[str, Path]] = []

    def snapshot(self, server: Server, label: str) -> None:
        path = self.folder / f"{len(self.taken):03d}.snap"
        os.kill(server.process.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 300
        while not path.exists():
            assert time.monotonic() < deadline, "the server wrote no snapshot"
            time.sleep(0.2)
        self.taken.append((label, path))

    def report(self, top: int = 15) -> None:
        """Growth from the first snapshot (after the warm-up) to each later one, by line."""
        if len(self.taken) < 2:
            return
        first_label, first = self.taken[0]
        base = tracemalloc.Snapshot.load(str(first))
        for label, path in self.taken[1:]:
            later = tracemalloc.Snapshot.load(str(path))
            stats = later.compare_to(base, "lineno")
            grown = sum(s.size_diff for s in stats) / 2**20
            print(f"\ntraced memory, {first_label} → {label}: {grown:+.1f} MiB; largest growth:")
            for stat in stats[:top]:
                frame = stat.traceback[0]
                print(
                    f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks  "
                    f"{frame.filename}:{frame.lineno}"
                )


def traced_environment(folder: Path, frames: int = 4) -> Tracer:
    """Make the next ``serve`` run under tracemalloc with the SIGUSR1 hook."""
    hook = folder / "trace-hook"
    snaps = folder / "snapshots"
    hook.mkdir()
    snaps.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK)
    paths = [str(hook), *filter(None, [os.environ.get("PYTHONPATH")])]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ["PYTHONTRACEMALLOC"] = str(frames)
    os.environ["BENCH_TRACE_DIR"] = str(snaps)
    return Tracer(snaps)


def memory_part(
    server: Server, who: People, checkpoints: list[int], tracer: Tracer | None = None
) -> Seen:
    """RSS at start, after a warm-up of 50 mixed requests, then at each checkpoint (mixed
    requests after the warm-up, cumulative)."""
    header, own = who.officers[2]
    tasks = who.spare
    command = raiser(header, own, "m")

    def mixed(client: httpx.Client, n: int) -> httpx.Response:
        kind = n % 10
        task = tasks[(n * 7919) % len(tasks)]  # many different tasks
        if kind in (0, 5):
            return client.get("/api/v1/board?plan=bench", headers=who.director)
        if kind == 9:
            return client.get("/board", cookies=who.cookie)
        if kind in (1, 6, 8):
            return client.get(f"/tasks/{task}", cookies=who.cookie)
        if kind in (2, 7):
            return client.get(f"/api/v1/tasks/{task}", headers=who.director)
        return command(client, n)

    seen = [("start", server.rss_mib(), peak_mib(server))]
    done = 0

    def go(count: int, label: str) -> None:
        nonlocal done
        started = time.perf_counter()
        with httpx.Client(base_url=server.base, timeout=120) as client:
            for n in range(done, done + count):
                response = mixed(client, n)
                assert response.status_code == 200, (n, response.status_code, response.text[:300])
        done += count
        seen.append((label, server.rss_mib(), peak_mib(server)))
        took = time.perf_counter() - started
        rss, peak = seen[-1][1:]
        print(f"  memory: {label}: {rss:.0f} MiB, peak {peak:.0f} ({took:.0f} s)", flush=True)
        if tracer is not None:
            tracer.snapshot(server, label)

    go(50, "after warm-up (50)")
    for point in checkpoints:
        go(point - (done - 50), f"after {point:,}")
    return seen


def checkpoints_of(text: str) -> list[int]:
    """``"500,1000,1500"`` → [500, 1000, 1500] (increasing request counts after the warm-up)."""
    points = [int(part) for part in text.split(",") if part.strip()]
    if not points or points != sorted(set(points)) or points[0] <= 0:
        raise argparse.ArgumentTypeError(f"increasing positive counts, not {text!r}")
    return points


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--memory-size", "--tasks", type=int, default=10_000, help="the memory part's store"
    )
    parser.add_argument(
        "--checkpoints",
        type=checkpoints_of,
        default=[1000, 2000, 3000],
        help="memory: RSS after these many mixed requests (after the warm-up), e.g. 500,1000,1500",
    )
    parser.add_argument("--memory-only", action="store_true", help="only the memory part")
    parser.add_argument(
        "--store", type=Path, help="memory: start from a copy of this SQLite file (built if absent)"
    )
    parser.add_argument(
        "--trace", action="store_true", help="memory: tracemalloc snapshots of the server, diffed"
    )


def memory_store(args: argparse.Namespace, folder: Path) -> str:
    """The memory part's SQLite store in ``folder``: built there, or with ``--store`` a copy of
    that file (built there first if absent, so later runs skip the build). A copy's accounts
    and sessions are cleared so ``people`` can make them again."""
    path = folder / "memory.db"
    source: Path | None = args.store
    if source is None or not source.exists():
        print(f"building {args.memory_size:,} tasks (SQLite, memory) …", flush=True)
        built = build(f"sqlite:///{source or path}", args.memory_size)
        print(f"  built in {built:.0f} s", flush=True)
    if source is not None:
        print(f"copying {source} …", flush=True)
        with sqlite3.connect(source) as original, sqlite3.connect(path) as copy:
            original.backup(copy)
            copy.execute("delete from planflow_sessions")
            copy.execute("delete from planflow_users")
            (last,) = copy.execute(
                "select max(updated_at) from planflow_board where completed_at is null"
            ).fetchone()
        original.close()
        copy.close()
        clock_after(datetime.fromisoformat(last).replace(tzinfo=UTC))
    return f"sqlite:///{path}"


def clock_after(moment: datetime) -> None:
    """Start the next server's clock on a whole hour after ``moment`` (a kept store's commands
    of earlier runs: a command dated before a task's last event is refused)."""
    hours = math.ceil((moment - BOARD_AT).total_seconds() / 3600)
    http_kit._STARTS[0] = max(http_kit._STARTS[0], hours)


def run(args: argparse.Namespace, folder: Path) -> Seen:
    """The memory part in ``folder``: its store, a server, the requests (traced if asked)."""
    url = memory_store(args, folder)
    who = people(url)
    saved = dict(os.environ)
    tracer = traced_environment(folder) if args.trace else None
    try:
        with serve(url, folder) as server:
            seen = memory_part(server, who, args.checkpoints, tracer)
    finally:  # later servers (the PostgreSQL part) run untraced
        os.environ.clear()
        os.environ.update(saved)
    if tracer is not None:
        tracer.report()
    return seen


def memory_only(args: argparse.Namespace) -> None:
    """Only the memory part, at ``--tasks`` and ``--checkpoints``."""
    with tempfile.TemporaryDirectory() as tmp:
        seen = run(args, Path(tmp))
    print_memory(seen, args.memory_size)


def print_memory(seen: Seen, size: int) -> None:
    print(f"\n| serve RSS, {size:,} tasks | MiB | peak so far (VmHWM) |\n|---|---:|---:|")
    for label, mib, peak in seen:
        print(f"| {label} | {mib:.0f} | {peak:.0f} |")
    sys.stdout.flush()
