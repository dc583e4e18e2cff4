"""Benchmark: one command on a task with a long history against the same command on a task with a
short one, in the same run and the same store (issue 14: "the same command on a task with 1,000
events ... ≤ 1.5×").

Not a test (tests/test_snapshots.py checks the snapshots' correctness). For each variant a fresh
SQLite file holds the mini plan; one task is given ``--events`` events (difficulties raised), then
``--commands`` ``raise`` commands are timed on it and on a task with one event, alternating,
median. Variants:

- ``snapshots``: the application as shipped (a snapshot every SNAPSHOT_INTERVAL events);
- ``no snapshots``: the same application with snapshotting switched off (a store from before
  snapshots): every load replays the whole history.

Every difficulty stays in the task's state; a snapshot keeps them as one encoded string that a
``raise`` never decodes (domain/difficulties.py). Run: ``python bench/bench_history.py`` (about
2 minutes; ``--variant snapshots`` skips the slow one); ``--quick`` for 300 events and 10
commands. Compare with another tree by running this file with that tree's ``src`` first on
PYTHONPATH.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

from planflow.application.app import SNAPSHOT_INTERVAL, PlanflowApp
from planflow.domain.task import task_id
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
LOADED = datetime(2022, 2, 15, 1, tzinfo=UTC)
LONG = task_id("mini-2022", "D1", "so-a", "2022")
SHORT = task_id("mini-2022", "D1", "so-b", "2022")


class Unsnapshotted(PlanflowApp):
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


def run(cls: type[PlanflowApp], db: Path, events: int, commands: int) -> tuple[float, float]:
    app = cls(f"sqlite:///{db}")
    app.load_plan(load_workflow(MINI), actor="bench", at=LOADED)
    moment = LOADED + timedelta(days=1)
    for i in range(events - 1):
        moment += timedelta(seconds=1)
        app.raise_difficulty(LONG, actor="bench", at=moment, text=f"khó {i}")
    timings: dict[UUID, list[float]] = {LONG: [], SHORT: []}
    for i in range(commands):
        for ref in (LONG, SHORT):
            moment += timedelta(seconds=1)
            started = time.perf_counter()
            app.raise_difficulty(ref, actor="bench", at=moment, text=f"đo {i}")
            timings[ref].append(time.perf_counter() - started)
    app.close()
    return statistics.median(timings[LONG]), statistics.median(timings[SHORT])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--commands", type=int, default=30)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--variant", choices=("snapshots", "no snapshots", "both"), default="both")
    options = parser.parse_args()
    events, commands = (300, 10) if options.quick else (options.events, options.commands)
    print(f"{events} events on the long task, {commands} commands timed on each task, median;")
    print(f"snapshot interval {SNAPSHOT_INTERVAL}")
    print("| variant | long history (ms) | one event (ms) | long / short |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as folder:
        for name, cls in (("snapshots", PlanflowApp), ("no snapshots", Unsnapshotted)):
            if options.variant not in (name, "both"):
                continue
            long, short = run(cls, Path(folder) / f"{name}.db", events, commands)
            print(f"| {name} | {long * 1000:.1f} | {short * 1000:.1f} | {long / short:.2f}× |")


if __name__ == "__main__":
    main()
