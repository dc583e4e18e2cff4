"""Benchmark: a scheduler tick's cost grows with what is due, not with the open tasks.

Not a test. Builds SQLite stores of 10,000 and 100,000 open tasks (the Kiên Giang plan plus
synthetic tasks of its duty IV.1.a.3), of which the same number (default 100) have a reminder due,
then times, on fresh copies of each built store (``--repeat`` times, the sizes alternating so both
see the same machine load; medians):

- a tick when nothing is due (one indexed range query on planflow_due.fire_at);
- a tick that records the due reminders (one transaction per task), wall and this process's CPU;
- raw sqlite3 inserts of comparable rows, per row committed and batched (executemany), in the same
  run, as the yardstick for the per-item cost.

Before the timed sizes, a small store (1,000 tasks, 20 due) takes a quiet and a busy tick that are
not timed, so the first timed size does not pay the process's first-use costs (lazy imports,
first queries) and the sizes compare like for like; the last line is the busy tick of the largest
size over the smallest's (the issue's row: ≤ 1.2×).

Run: ``python bench/bench_tick.py`` (about 2–3 minutes); ``--sizes 2000 --due 50`` for a quick look.
Results go in docs/performance.md, section "Scheduler tick".
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import text

from planflow.application.app import PlanflowApp
from planflow.domain import clock
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Completion, Task
from planflow.scheduler.tick import Ticker, due_tasks
from planflow.workflow.loader import load_workflow

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_workflow(ROOT / "workflows" / "kien-giang-2022.yaml")
CODE = PLAN.workflow.plan.id
AGENCIES = [a.code for a in PLAN.workflow.agencies]
LOADED_AT = datetime(2022, 2, 15, 8, tzinfo=LOCAL_TZ)
QUIET_TICK = datetime(2022, 2, 16, 8, tzinfo=LOCAL_TZ)  # nothing falls due yet
BUSY_TICK = datetime(2022, 3, 2, 8, tzinfo=LOCAL_TZ)  # reminder "1 day before Thu 3 Mar" is due
DUE_SOON = date(2022, 3, 3)
DUE_LATE = date(2022, 12, 30)


def build(db: Path, open_tasks: int, due: int) -> PlanflowApp:
    app = PlanflowApp(f"sqlite:///{db}")
    app.load_plan(PLAN, actor="bench", at=LOADED_AT)
    extra = open_tasks - len(app_tasks(app))
    with clock.at(LOADED_AT), app.transaction() as session:
        batch: list[Task] = []
        for i in range(extra):
            batch.append(
                Task.assign(
                    plan=CODE,
                    duty="IV.1.a.3",
                    agency=AGENCIES[i % len(AGENCIES)],
                    period=f"b{i}",
                    due=DUE_SOON if i < due else DUE_LATE,
                    completion=Completion.ACTIVITY,
                    title="Nhiệm vụ thử tải / benchmark task",
                    actor="bench",
                )
            )
            if len(batch) == 1000:
                app._save(session, *batch)
                batch = []
        if batch:
            app._save(session, *batch)
    return app


def app_tasks(app: PlanflowApp) -> list[str]:
    with app.engine.connect() as connection:
        return [r[0] for r in connection.execute(text("select id from planflow_board"))]


def raw_sqlite(folder: Path, rows: int) -> tuple[float, float]:
    """Seconds per row: one transaction per row, and executemany + one commit."""
    payload = json.dumps({"title": "Nhiệm vụ thử tải / benchmark task" * 8, "n": 1})
    db = sqlite3.connect(folder / "raw.db")
    db.execute("pragma journal_mode=wal")
    db.execute("create table t (id text primary key, version int, state text, at text)")
    start = time.perf_counter()
    for i in range(rows):
        db.execute("insert into t values (?, ?, ?, ?)", (f"a{i}", 1, payload, "2022-03-02"))
        db.commit()
    single = (time.perf_counter() - start) / rows
    start = time.perf_counter()
    db.executemany(
        "insert into t values (?, ?, ?, ?)",
        [(f"b{i}", 1, payload, "2022-03-02") for i in range(rows)],
    )
    db.commit()
    batched = (time.perf_counter() - start) / rows
    db.close()
    return single, batched


def warm_up(folder: Path) -> None:
    """A quiet and a busy tick on a small store, not timed (first-use costs of the process)."""
    app = build(folder / "warm-up.db", 1_000, 20)
    try:
        ticker = Ticker(app)
        ticker.tick(QUIET_TICK)
        assert len(ticker.tick(BUSY_TICK).fired) == 20
    finally:
        app.close()


def copy(source: Path, target: Path) -> None:
    """``source`` (closed, WAL checkpointed) into ``target`` with sqlite3's backup API."""
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


@dataclass
class Sample:
    quiet: float  # seconds, wall
    busy: float  # seconds, wall
    busy_cpu: float  # seconds, this process's CPU
    fired: int


def measure(pristine: Path, work: Path, due: int) -> Sample:
    """On a fresh copy of the built store: a quiet tick (untimed, then timed), then the busy
    tick, wall and CPU."""
    copy(pristine, work)
    app = PlanflowApp(f"sqlite:///{work}")
    try:
        ticker = Ticker(app)
        ticker.tick(QUIET_TICK)  # warm caches (plan rules)
        start = time.perf_counter()
        quiet = ticker.tick(QUIET_TICK)
        quiet_s = time.perf_counter() - start
        assert not quiet.fired
        waiting = len(due_tasks(app, BUSY_TICK))
        start, cpu = time.perf_counter(), time.process_time()
        busy = ticker.tick(BUSY_TICK)
        busy_s, busy_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert len(busy.fired) == waiting == due, (len(busy.fired), waiting)
        return Sample(quiet_s, busy_s, busy_cpu, len(busy.fired))
    finally:
        app.close()


def due_index(db: Path) -> tuple[int, str]:
    """Rows of planflow_due, and SQLite's plan for the due query."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("select count(*) from planflow_due").fetchone()[0]
        plan = connection.execute(
            "explain query plan select task_id from planflow_due where fire_at <= ?",
            ("2022-03-02 01:00:00",),
        ).fetchall()[-1][-1]
    connection.close()
    return int(rows), str(plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="busy ticks per size (medians)")
    parser.add_argument("--no-warm-up", action="store_true", help="time the first size cold")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.no_warm_up:
            warm_up(folder)
        built: dict[int, tuple[Path, float, int]] = {}
        plan = ""
        for size in args.sizes:
            db = folder / f"bench-{size}.db"
            start = time.perf_counter()
            build(db, size, args.due).close()
            built[size] = (db, time.perf_counter() - start, 0)
            rows, plan = due_index(db)
            built[size] = (db, built[size][1], rows)
        samples: dict[int, list[Sample]] = {size: [] for size in args.sizes}
        for _ in range(args.repeat):  # the sizes alternate, so both see the same load
            for size in args.sizes:
                samples[size].append(measure(built[size][0], folder / "work.db", args.due))
        single, batched = raw_sqlite(folder, max(args.due, 1000))
    report(args, built, samples, plan, single, batched)


def report(
    args: argparse.Namespace,
    built: dict[int, tuple[Path, float, int]],
    samples: dict[int, list[Sample]],
    plan: str,
    single: float,
    batched: float,
) -> None:
    print(
        f"| open tasks | due | build (s) | quiet tick (ms) | busy tick (s), {args.repeat} runs "
        "| median wall | median CPU | per item (ms) | due-index rows |"
    )
    print("|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    wall: list[float] = []
    cpu: list[float] = []
    for size in args.sizes:
        runs = samples[size]
        wall.append(statistics.median(r.busy for r in runs))
        cpu.append(statistics.median(r.busy_cpu for r in runs))
        quiet = statistics.median(r.quiet for r in runs)
        each = ", ".join(f"{r.busy:.2f}" for r in runs)
        print(
            f"| {size:,} | {args.due} | {built[size][1]:.1f} | {quiet * 1000:.2f} | {each} "
            f"| {wall[-1]:.2f} | {cpu[-1]:.2f} | {wall[-1] / args.due * 1000:.2f} "
            f"| {built[size][2]:,} |"
        )
    print()
    print(f"Query plan of the due query: {plan}")
    print(
        f"Raw sqlite3 (same run, one ~400-byte row): {single * 1000:.3f} ms per row committed "
        f"one by one, {batched * 1000:.4f} ms per row batched (executemany + one commit)."
    )
    print(
        "Tick per item ÷ raw single-row commit: "
        + ", ".join(f"{w / args.due / single:.0f}×" for w in wall)
    )
    if len(wall) > 1:
        print(
            f"Busy tick, {args.sizes[-1]:,} vs {args.sizes[0]:,} open tasks (medians): "
            f"{wall[-1] / wall[0]:.2f}× wall, {cpu[-1] / cpu[0]:.2f}× CPU"
        )


if __name__ == "__main__":
    main()
