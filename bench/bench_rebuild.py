"""Benchmark: ``planflow rebuild`` (``PlanflowApp.rebuild_read_models``) against the library's
replay of the same events and a raw read of them, in the same run on the same SQLite file.

Not a test. Builds the board benchmark's store (bench_board.build: synthetic tasks of the 40
Kiên Giang agencies, half of them completed: 1.5 events per task), then times, alternating:

- ``rebuild``: drop the read models, stream the notification log in pages of 1,000, replay each
  task, bulk-insert the board, history and due-index rows, in one transaction;
- ``replay``: the library alone — the same pages of the notification log turned into domain
  events (``mapper.to_domain_event``) and applied (``event.mutate``), nothing written;
- ``raw``: ``SELECT`` of every stored event and ``json.loads`` of its state with plain sqlite3.

Run: ``python bench/bench_rebuild.py`` (10,000 tasks, about 2 minutes); ``--quick`` for 2,000.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_board import build

from planflow.application.app import PlanflowApp


def replay(app: PlanflowApp) -> int:
    states: dict[Any, Any] = {}
    count = 0
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=1000)
        if not notifications:
            return count
        for notification in notifications:
            event: Any = app.mapper.to_domain_event(notification)
            states[event.originator_id] = event.mutate(states.get(event.originator_id))
        count += len(notifications)
        start = notifications[-1].id + 1


def raw(db: Path) -> int:
    connection = sqlite3.connect(db)
    count = 0
    for (state,) in connection.execute("SELECT state FROM planflow_events ORDER BY id"):
        json.loads(state)
        count += 1
    connection.close()
    return count


def timed(fn: Callable[[], int], repeat: int) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 tasks")
    options = parser.parse_args()
    size = 2000 if options.quick else options.tasks
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "rebuild.db"
        app = build(db, size)
        results = {
            "rebuild": timed(app.rebuild_read_models, options.repeat),
            "replay": timed(lambda: replay(app), options.repeat),
            "raw": timed(lambda: raw(db), options.repeat),
        }
        app.close()
    events = results["raw"][1]
    assert all(count == events for _, count in results.values())
    print(f"{size:,} tasks, {events:,} events, median of {options.repeat}")
    print("| what | seconds | events/s | of replay |")
    print("|---|---:|---:|---:|")
    replay_rate = events / results["replay"][0]
    for name, (seconds, _count) in results.items():
        rate = events / seconds
        print(f"| {name} | {seconds:.2f} | {rate:,.0f} | {rate / replay_rate:.2f}× |")


if __name__ == "__main__":
    main()
