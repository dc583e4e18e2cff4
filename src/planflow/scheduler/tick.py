"""One scheduler tick: record what is due now, task by task. Time is always passed in.

The tick asks the due index for the tasks with a step due (one indexed range query), then records
each task's steps in its own transaction (``PlanflowApp.record_due``). A crash loses at most the
task in hand, whose transaction rolls back; the next tick finds its rows still due. Two schedulers
racing on a task both try to write the same aggregate version: one wins, the other gets
ConcurrencyConflict and moves on, so each step is recorded once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from planflow.application import queries
from planflow.application.app import PlanflowApp
from planflow.application.errors import ConcurrencyConflict
from planflow.application.queries import DueTask
from planflow.domain.errors import PlanflowError

log = logging.getLogger(__name__)

SCHEDULER_ACTOR = "planflow-scheduler"


@dataclass(frozen=True)
class Fired:
    """One step recorded by a tick."""

    task_id: str
    plan: str
    duty: str
    agency: str
    period: str
    kind: str
    step: int
    due: date
    fire_on: date


@dataclass
class TickReport:
    at: datetime
    tasks_due: int = 0
    fired: list[Fired] = field(default_factory=list)
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def due_tasks(app: PlanflowApp, now: datetime, limit: int | None = None) -> list[DueTask]:
    """Tasks with at least one step due at ``now``, the longest-waiting first (the due index)."""
    return queries.due_tasks(app.engine, now, limit)


class Ticker:
    """Runs ticks for one application."""

    def __init__(
        self,
        app: PlanflowApp,
        *,
        actor: str = SCHEDULER_ACTOR,
        on_fired: Callable[[Fired], None] | None = None,
    ) -> None:
        self.app = app
        self.actor = actor
        self.on_fired = on_fired

    def tick(self, now: datetime) -> TickReport:
        report = TickReport(at=now)
        tasks = due_tasks(self.app, now)
        report.tasks_due = len(tasks)
        for task in tasks:
            try:
                self._one(task, now, report)
            except ConcurrencyConflict:
                # Another scheduler recorded this task's step first: nothing to do here.
                report.conflicts += 1
            except PlanflowError as exc:
                log.warning("task %s: %s", task.id, exc)
                report.errors.append(f"{task.id}: {exc}")
            except Exception as exc:  # a locked SQLite file, a lost connection …
                log.warning("task %s not processed this tick: %r", task.id, exc)
                report.errors.append(f"{task.id}: {exc!r}")
        return report

    def _one(self, task: DueTask, now: datetime, report: TickReport) -> None:
        items = self.app.record_due(task.id, actor=self.actor, at=now)
        for item in items:
            fired = Fired(
                task_id=str(task.id),
                plan=task.plan,
                duty=task.duty,
                agency=task.agency,
                period=task.period,
                kind=item.key.kind.value,
                step=item.key.step,
                due=item.key.due,
                fire_on=item.fire_on,
            )
            report.fired.append(fired)
            if self.on_fired:
                self.on_fired(fired)
