"""Benchmark: ``planflow rebuild`` (``PlanflowApp.rebuild_read_models``) against the library's
replay of the same events and a raw read of them, in the same run on the same SQLite file.

Not a test. Builds one of two stores, then times, alternating:

- ``--store board`` (the default before): bench_board.build, synthetic tasks of the 40 Kiên Giang
  agencies that belong to no loaded plan, half of them completed (1.5 events per task; the
  rebuild writes no due-index rows);
- ``--store plan``: the Kiên Giang plan loaded, plus synthetic tasks of its duty IV.1.a.3 on which
  the plan's own chasing steps were recorded as a scheduler would record them (three reminders,
  the overdue mark, the first escalation level; a third of the tasks done after the first
  reminder): about 4.3 events per task, the due index holds the steps still to come.

Then:

- ``rebuild``: drop the read models, stream the notification log in pages of 1,000, replay each
  task, bulk-insert the board, history and due-index rows, in one transaction;
- ``replay``: the library alone — the same pages of the notification log turned into domain
  events (``mapper.to_domain_event``) and applied (``event.mutate``), nothing written;
- ``raw``: ``SELECT`` of every stored event and ``json.loads`` of its state with plain sqlite3.

Run: ``python bench/bench_rebuild.py --store plan --events 150000`` (the issue's row, several
minutes, most of it building the store); ``--quick`` for 15,000 events. ``--postgres`` builds the
store in a fresh PostgreSQL database (PLANFLOW_TEST_POSTGRES_URL; dropped afterwards) and reads
the raw baseline with psycopg. Results go in docs/performance.md, section "Rebuild".
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_board import build
from bench_chain import postgres_database

from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_workflow
from planflow.domain import clock
from planflow.domain.chasing import pending, record_step
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Completion, Task
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_workflow(ROOT / "workflows" / "kien-giang-2022.yaml")
LOADED_AT = datetime(2022, 2, 15, 8, tzinfo=LOCAL_TZ)
DUES = [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 30)]
STEPS = 5  # three reminders, the overdue mark, escalation level 1


def build_with_plan(url: str, events: int) -> PlanflowApp:
    """The Kiên Giang plan, then synthetic tasks with their chasing steps until ``events``."""
    app = PlanflowApp(url)
    app.load_plan(PLAN, actor="bench", at=LOADED_AT)
    rules = rules_from_workflow(PLAN.workflow, PLAN.calendar)
    agencies = [a.code for a in PLAN.workflow.agencies]
    written = app.recorder.max_notification_id() or 0
    with app.transaction() as session:
        batch: list[Task] = []
        i = 0
        while written < events:
            with clock.at(LOADED_AT):
                task = Task.assign(
                    plan=PLAN.workflow.plan.id,
                    duty="IV.1.a.3",
                    agency=agencies[i % len(agencies)],
                    period=f"b{i}",
                    due=DUES[i % len(DUES)],
                    completion=Completion.ACTIVITY,
                    title="Nhiệm vụ thử tải / benchmark task",
                    actor="bench",
                )
            for n, item in enumerate(pending(task, rules)[:STEPS]):
                with clock.at(item.fire_at):
                    if i % 3 == 0 and n == 1:
                        task.execute_activity(actor="bench", note="")
                        break
                    record_step(task, item, rules, "scheduler")
            written += len(task.pending_events)
            batch.append(task)
            i += 1
            if len(batch) == 1000:
                app._save(session, *batch)
                batch = []
        if batch:
            app._save(session, *batch)
    return app


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


def raw(url: str) -> int:
    """Every stored event's state read and decoded with the bare driver."""
    count = 0
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        for (state,) in connection.execute("SELECT state FROM planflow_events ORDER BY id"):
            json.loads(state)
            count += 1
        connection.close()
        return count
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        cursor = connection.cursor(name="raw")  # server-side: streamed, as the rebuild pages
        cursor.execute("SELECT state FROM planflow_events ORDER BY id")
        for (state,) in cursor:
            json.loads(bytes(state))
            count += 1
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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["board", "plan"], default="plan")
    parser.add_argument("--tasks", type=int, default=10_000, help="--store board")
    parser.add_argument("--events", type=int, default=150_000, help="--store plan")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2,000 tasks / 15,000 events")
    parser.add_argument("--postgres", action="store_true", help="PLANFLOW_TEST_POSTGRES_URL")
    options = parser.parse_args()
    if options.quick:
        options.tasks, options.events = 2000, 15_000
    with tempfile.TemporaryDirectory() as folder:
        if options.postgres:
            with postgres_database() as url:
                measure(url, options)
        else:
            measure(f"sqlite:///{Path(folder) / 'rebuild.db'}", options)


def measure(url: str, options: argparse.Namespace) -> None:
    started = time.perf_counter()
    if options.store == "plan":
        app = build_with_plan(url, options.events)
    else:
        assert url.startswith("sqlite:///"), "--store board is built on SQLite only"
        app = build(Path(url.removeprefix("sqlite:///")), options.tasks)
    built = time.perf_counter() - started
    results = {
        "rebuild": timed(app.rebuild_read_models, options.repeat),
        "replay": timed(lambda: replay(app), options.repeat),
        "raw": timed(lambda: raw(url), options.repeat),
    }
    with app.engine.connect() as connection:
        tasks, due_rows = (
            connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            for table in ("planflow_board", "planflow_due")
        )
    app.close()
    events = results["raw"][1]
    assert all(count == events for _, count in results.values())
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(f"{database}, store {options.store}: {tasks:,} tasks, {events:,} events, "
          f"{due_rows:,} due-index rows; built in {built:.0f} s; median of {options.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("| what | seconds | events/s | of replay |")
    print("|---|---:|---:|---:|")
    replay_rate = events / results["replay"][0]
    for name, (seconds, _count) in results.items():
        rate = events / seconds
        print(f"| {name} | {seconds:.2f} | {rate:,.0f} | {rate / replay_rate:.2f}× |")


if __name__ == "__main__":
    main()
