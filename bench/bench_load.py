"""Benchmark: loading a large plan (``PlanflowApp.load_plan``) against eventsourcing's native
SQLite application saving as many events of the same size in one batched save.

Not a test. Builds the Kiên Giang file with synthetic quarterly duties added (bench_revision's
``plans``: 144 tasks a duty) up to about N tasks, then times, alternating, each on a fresh SQLite
file in the same run:

- ``load_plan``: expanding the file into task specs, the plan and one ``Assigned`` event per task,
  the audit chain, the board, history and due-index rows, one transaction;
- ``native``: eventsourcing's own SQLite application (``eventsourcing.sqlite``), the same number
  of trivial aggregates whose created event carries a text as long as planflow's average stored
  event state, saved with one ``app.save(*aggregates)`` — the floor of what the library costs.

Run: ``python bench/bench_load.py`` (50,000 tasks, a few minutes); ``--quick`` for 10,000;
``--profile`` prints the top of a cProfile of one ``load_plan`` (by cumulative time).
Results go in docs/performance.md, section "Loading a large plan".
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_revision import LOADED_AT, plans

from planflow.application.app import PlanflowApp
from planflow.workflow.loader import LoadedPlan


def planflow_load(db: Path, plan: LoadedPlan) -> tuple[float, float, int, int]:
    """Seconds (wall, CPU), events stored and their average state size in bytes."""
    app = PlanflowApp(f"sqlite:///{db}")
    started, cpu = time.perf_counter(), time.process_time()
    app.load_plan(plan, actor="bench", at=LOADED_AT)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    app.close()
    connection = sqlite3.connect(db)
    count, size = connection.execute(
        "SELECT count(*), avg(length(state)) FROM planflow_events"
    ).fetchone()
    connection.close()
    return seconds, cpu_seconds, int(count), int(size)


_NATIVE: dict[str, Any] = {}


def native_save(db: Path, events: int, size: int) -> tuple[float, float]:
    """eventsourcing's native SQLite application, ``events`` trivial aggregates, one save."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate

    if "Assigned" not in _NATIVE:  # one class per process: eventsourcing refuses a second

        class Assigned(Aggregate):
            def __init__(self, text: str) -> None:
                self.text = text

        _NATIVE["Assigned"] = Assigned
    aggregate_class = _NATIVE["Assigned"]
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(db)}
    app: Application[uuid.UUID] = Application(env=env)
    text = "x" * max(0, size - 120)  # the created event's other fields take about 120 bytes
    started, cpu = time.perf_counter(), time.process_time()
    aggregates = [aggregate_class(text) for _ in range(events)]
    app.save(*aggregates)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    app.close()
    return seconds, cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10,000 tasks")
    parser.add_argument("--profile", action="store_true", help="cProfile one load_plan")
    options = parser.parse_args()
    tasks = 10_000 if options.quick else options.tasks
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        plan, _revised = plans(folder, tasks)
        if options.profile:
            profiler = cProfile.Profile()
            profiler.runcall(planflow_load, folder / "profile.db", plan)
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                int(os.environ.get("TOP", "35"))
            )
            return
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        events = size = 0
        for round_ in range(options.repeat):
            wall, cpu, events, size = planflow_load(folder / f"p{round_}.db", plan)
            ours.append((wall, cpu))
            theirs.append(native_save(folder / f"n{round_}.db", events, size))
            for path in folder.glob("*.db*"):
                os.remove(path)
    print(f"{tasks:,} tasks asked; {events:,} events of {size} bytes on average; "
          f"median of {options.repeat}")  # fmt: skip
    print("| what | seconds | events/s | CPU s | events per CPU-s | of native (wall, CPU) |")
    print("|---|---:|---:|---:|---:|---:|")
    rows: dict[str, Any] = {
        "load_plan": ours,
        "native SQLite, one save": theirs,
    }
    base_wall = statistics.median(w for w, _ in theirs)
    base_cpu = statistics.median(c for _, c in theirs)
    for label, runs in rows.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(
            f"| {label} | {wall:.2f} | {events / wall:,.0f} | {cpu:.2f} | {events / cpu:,.0f} | "
            f"{base_wall / wall:.2f}×, {base_cpu / cpu:.2f}× |"
        )


if __name__ == "__main__":
    main()
