"""Benchmark: revising a plan whose file only changes reminder days, against reloading it unchanged.

Not a test. Builds one SQLite store holding the Kiên Giang plan with synthetic quarterly duties
added (each assigned to its 36 departments and district committees: 144 tasks a duty) up to the
size asked, records what a tick on Mon 7 Mar 2022 records (the first quarter's "7 working days
before" reminders; batched, 1,000 tasks a transaction, where the scheduler takes one transaction a
task), copies the store, then times in the same run:

- ``unchanged``: ``load_plan`` of the same file (nothing recorded: the issue's baseline);
- ``revision``: ``load_plan`` of the file with ``reminders_working_days_before: [10, 5, 2]``
  instead of ``[7, 3, 1]``, which rewrites the next step of the affected tasks from the due index,
  the board and the ledger (application/revision_index.py);
- ``replay``: the same revision on the copy, forced through the old path (every open task loaded
  and replayed, ``PlanflowApp._reindex_plan``), for the before/after ratio.

The script checks that both revisions leave the same due index.

Run: ``python bench/bench_revision.py`` (50,000 tasks, about 5 minutes, most of it the build and the
replay); ``--quick`` for 10,000 tasks. Results go in docs/performance.md, section "Plan revision".
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from planflow.application import app as app_module
from planflow.application.app import PlanflowApp, _state_copy
from planflow.application.tables import board, due
from planflow.domain import clock
from planflow.domain.chasing import due_now, record_step
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Task
from planflow.scheduler.tick import SCHEDULER_ACTOR, due_tasks
from planflow.workflow.loader import LoadedPlan, load_workflow

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "workflows" / "kien-giang-2022.yaml"
LOADED_AT = datetime(2022, 2, 15, 8, tzinfo=LOCAL_TZ)
TICK_AT = datetime(2022, 3, 7, 8, tzinfo=LOCAL_TZ)  # Q1's "7 working days before 16 Mar"
REVISED_AT = datetime(2022, 3, 8, 10, tzinfo=LOCAL_TZ)
OLD, NEW = "reminders_working_days_before: [7, 3, 1]", "reminders_working_days_before: [10, 5, 2]"
PER_DUTY = 144  # 36 agencies x 4 quarters
DUTY = """  - id: S{n}
    section: IV.1.a.2
    title_vi: Nhiệm vụ thử tải {n}
    assignees: [so-ban-nganh, ubnd-cap-huyen]
    done_when: activity
    schedule:
      every: [quarter]
      submit_working_days_after_cutoff: 2
"""


def plans(folder: Path, tasks: int) -> tuple[LoadedPlan, LoadedPlan]:
    """The Kiên Giang file with synthetic duties up to about ``tasks``, and its revision."""
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count(OLD) == 1 and text.count("\nescalation:") == 1
    duties = "".join(DUTY.format(n=n) for n in range(max(0, tasks - 515) // PER_DUTY))
    text = text.replace("\nescalation:", "\n" + duties + "escalation:")
    shutil.copy(SOURCE.parent / "calendar-vn-overrides.yaml", folder)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    (folder / "revised.yaml").write_text(text.replace(OLD, NEW), encoding="utf-8")
    return load_workflow(folder / "plan.yaml"), load_workflow(folder / "revised.yaml")


def record_due_batched(app: PlanflowApp, now: datetime) -> int:
    """What a tick at ``now`` records (each due task's ``due_now`` steps, as the scheduler's
    ``record_due``), saved 1,000 tasks a transaction instead of one task a transaction."""
    recorded = 0
    refs = [t.id for t in due_tasks(app, now)]
    with clock.at(now), app.transaction() as session:
        rules_for = app._rules_for(session, {})
        batch: list[Task] = []
        before: dict[Any, Task] = {}
        for ref in refs:
            task = app.get_task(ref)
            rules = rules_for(task.plan)
            assert rules is not None
            before[task.id] = _state_copy(task)
            for item in due_now(task, rules, now):
                recorded += record_step(task, item, rules, SCHEDULER_ACTOR)
            if task.pending_events:
                batch.append(task)
            if len(batch) == 1000:
                app._save(session, *batch, before=before)
                batch, before = [], {}
        if batch:
            app._save(session, *batch, before=before)
    return recorded


def due_index(app: PlanflowApp) -> list[tuple[object, ...]]:
    with app.engine.connect() as connection:
        query = select(due).order_by(due.c.task_id, due.c.kind, due.c.step)
        return [tuple(row) for row in connection.execute(query)]


def timed(label: str, work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {seconds:8.2f} s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="10,000 tasks")
    options = parser.parse_args()
    tasks = 10_000 if options.quick else options.tasks
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        plan, revised = plans(folder, tasks)
        started = time.perf_counter()
        app = PlanflowApp(f"sqlite:///{folder / 'a.db'}")
        app.load_plan(plan, actor="bench", at=LOADED_AT)
        loaded = time.perf_counter() - started
        recorded = record_due_batched(app, TICK_AT)
        with app.engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(board)).scalar()
        app.close()
        shutil.copy(folder / "a.db", folder / "b.db")
        print(f"built {count:,} tasks ({loaded:.1f} s), {recorded:,} reminders recorded in "
              f"{time.perf_counter() - started:.1f} s in all")  # fmt: skip

        app = PlanflowApp(f"sqlite:///{folder / 'a.db'}")
        spent: list[float] = []
        reindex = app_module.reindex_reminders

        def measured(*args: Any) -> list[str]:
            started = time.perf_counter()
            replay = reindex(*args)
            spent.append(time.perf_counter() - started)
            return replay

        app_module.reindex_reminders = measured  # type: ignore[assignment]
        unchanged = statistics.median(
            timed("reload unchanged", lambda: app.load_plan(plan, actor="bench", at=REVISED_AT))
            for _ in range(3)
        )
        # New days, back, and new again: each is a revision of reminder days only.
        revision = statistics.median(
            timed(
                "revision (reminder days)",
                lambda file=file: app.load_plan(file, actor="bench", at=REVISED_AT),  # type: ignore[misc]
            )
            for file in (revised, plan, revised)
        )
        print(f"  of which the due index: {statistics.median(spent):.2f} s (median)")
        fast = due_index(app)
        app.close()

        app = PlanflowApp(f"sqlite:///{folder / 'b.db'}")
        app_module.only_reminders_changed = lambda *_: False  # type: ignore[assignment]
        replay = timed(
            "revision, replaying open tasks",
            lambda: app.load_plan(revised, actor="bench", at=REVISED_AT),
        )
        slow = due_index(app)
        app.close()
        assert fast == slow, "the two revisions left different due indexes"
        print(f"\nmedians: revision / unchanged reload: {revision / unchanged:.2f}×  "
              f"(replaying: {replay / unchanged:.2f}×; {replay / revision:.1f}× faster)")  # fmt: skip


if __name__ == "__main__":
    main()
