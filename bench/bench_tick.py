"""Benchmark: a scheduler tick's cost grows with what is due, not with the open tasks.

Not a test. Builds SQLite stores of 10,000 and 100,000 open tasks (the Kiên Giang plan plus
synthetic tasks of its duty IV.1.a.3), of which the same number (default 100) have a reminder due,
then times:

- a tick when nothing is due (one indexed range query on planflow_due.fire_at);
- a tick that records the due reminders (one transaction per task);
- raw sqlite3 inserts of comparable rows, per row committed and batched (executemany), in the same
  run, as the yardstick for the per-item cost.

Run: ``python bench/bench_tick.py`` (about 2–3 minutes); ``--sizes 2000 --due 50`` for a quick look.
Results go in docs/performance.md, section "Scheduler tick".
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--due", type=int, default=100)
    args = parser.parse_args()
    print(
        "| open tasks | due | build (s) | quiet tick (ms) | busy tick (s) | per item (ms) "
        "| due-index rows |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    per_items: list[float] = []
    plan = ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in args.sizes:
            db = folder / f"bench-{size}.db"
            start = time.perf_counter()
            app = build(db, size, args.due)
            build_s = time.perf_counter() - start
            ticker = Ticker(app)
            ticker.tick(QUIET_TICK)  # warm caches (plan rules)
            start = time.perf_counter()
            quiet = ticker.tick(QUIET_TICK)
            quiet_s = time.perf_counter() - start
            assert not quiet.fired
            waiting = len(due_tasks(app, BUSY_TICK))
            start = time.perf_counter()
            busy = ticker.tick(BUSY_TICK)
            busy_s = time.perf_counter() - start
            fired = len(busy.fired)
            assert fired == waiting == args.due, (fired, waiting)
            with app.engine.connect() as connection:
                rows = connection.execute(text("select count(*) from planflow_due")).scalar()
                plan = str(
                    connection.execute(
                        text(
                            "explain query plan select task_id from planflow_due "
                            "where fire_at <= :t"
                        ),
                        {"t": "2022-03-02 01:00:00"},
                    ).all()[-1][-1]
                )
            per_items.append(busy_s / fired)
            print(
                f"| {size:,} | {fired} | {build_s:.1f} | {quiet_s * 1000:.2f} | {busy_s:.2f} "
                f"| {busy_s / fired * 1000:.2f} | {rows:,} |"
            )
            app.close()
        single, batched = raw_sqlite(folder, max(args.due, 1000))
    print()
    print(f"Query plan of the due query: {plan}")
    print(
        f"Raw sqlite3 (same run, one ~400-byte row): {single * 1000:.3f} ms per row committed "
        f"one by one, {batched * 1000:.4f} ms per row batched (executemany + one commit)."
    )
    print(
        "Tick per item ÷ raw single-row commit: "
        + ", ".join(f"{p / single:.0f}×" for p in per_items)
    )


if __name__ == "__main__":
    main()
