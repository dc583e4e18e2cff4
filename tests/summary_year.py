"""2022 of the Kiên Giang plan played for the consolidated-report tests.

The scheduler ticks at 07:00 every day (reminders, overdue marks, escalations). The agencies and the
Office act by a rule that depends on the agency's position in the file (index % 5):

Reports (IV.1.a.2, and the Office's IV.1.b.2):
  0 — submitted on the due day at 10:00, accepted the next working day: on time;
  1 — submitted three working days late, accepted the working day after: late;
  2 — submitted on the due day, returned the next working day, resubmitted and accepted later;
  3 — never submitted (the agencies that did not report); the Office extends their six-month
      report by ten working days the day after it falls due;
  4 — submitted on the due day and still awaiting the Office's review.
Activities: 0 five working days early; 1 four working days late; 2 at 23:30 on the due day;
  3 never; 4 the working day before.
Difficulties: agencies of rule 1 raise one on their Q1 set-up duty (IV.1.a.1) on 10 Mar; the Office
answers those of even file index on 15 Mar.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from planflow.application.app import PlanflowApp
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.task import Completion
from planflow.scheduler.tick import Ticker
from planflow.workflow.expand import TaskSpec, expand
from planflow.workflow.loader import LoadedPlan

PLAN = "kien-giang-2022-tthc"
LOADED = datetime(2022, 2, 15, 8, 0, tzinfo=LOCAL_TZ)
LAST_DAY = date(2022, 12, 31)
DIFFICULTY = "Chưa bố trí được kinh phí cho công tác tuyên truyền"
ANSWER = "Sở Tài chính hướng dẫn lồng ghép vào dự toán cải cách hành chính"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


@dataclass(frozen=True)
class Action:
    moment: datetime
    command: str
    ref: UUID
    arguments: dict[str, Any]

    def run(self, app: PlanflowApp) -> None:
        getattr(app, self.command)(self.ref, at=self.moment, **self.arguments)


def script(specs: list[TaskSpec], order: dict[str, int], cal: WorkingCalendar) -> list[Action]:
    actions: list[Action] = []

    def wd(due: date, offset: int, hour: int, minute: int = 0) -> datetime:
        return local(cal.add_working_days(due, offset), hour, minute)

    office = {"actor": "office"}
    agency = {"actor": "agency"}
    for spec in specs:
        rule = order[spec.agency] % 5
        due = spec.due
        steps: list[tuple[datetime, str, dict[str, Any]]] = []
        if spec.completion is Completion.REPORT:
            sent = {**agency, "document": "bc.pdf"}
            if rule == 0:
                steps = [
                    (local(due, 10), "submit_report", sent),
                    (wd(due, 1, 9), "accept_report", office),
                ]
            elif rule == 1:
                steps = [
                    (wd(due, 3, 10), "submit_report", sent),
                    (wd(due, 4, 9), "accept_report", office),
                ]
            elif rule == 2:
                steps = [
                    (local(due, 10), "submit_report", sent),
                    (wd(due, 1, 9), "return_report", {**office, "reason": "thiếu số liệu"}),
                    (wd(due, 2, 10), "submit_report", sent),
                    (wd(due, 3, 9), "accept_report", office),
                ]
            elif rule == 3 and spec.period.endswith("-H1"):
                new_due = cal.add_working_days(due, 10)
                extend = {**office, "new_due": new_due, "reason": "gia hạn"}
                steps = [(local(due + timedelta(days=1), 9), "extend_deadline", extend)]
            elif rule == 4:
                steps = [(local(due, 10), "submit_report", sent)]
        else:
            executed = {0: wd(due, -5, 14), 1: wd(due, 4, 14), 2: local(due, 23, 30)}.get(rule)
            if rule == 4:
                executed = wd(due, -1, 15)
            if spec.duty == "IV.1.a.1" and rule == 1:
                steps.append(
                    (
                        local(date(2022, 3, 10), 9),
                        "raise_difficulty",
                        {**agency, "text": DIFFICULTY},
                    )
                )
                if order[spec.agency] % 2 == 0:
                    answer = {**office, "number": 1, "answer": ANSWER}
                    steps.append((local(date(2022, 3, 15), 9), "answer_difficulty", answer))
            if executed is not None:
                steps.append((executed, "execute_activity", agency))
        actions += [Action(m, c, spec.id, a) for m, c, a in steps if local_date(m) <= LAST_DAY]
    return actions


def play_year(app: PlanflowApp, plan: LoadedPlan) -> None:
    specs = expand(plan.workflow, plan.calendar)
    order = {a.code: i for i, a in enumerate(plan.workflow.agencies)}
    assert app.load_plan(plan, actor="loader", at=LOADED).assigned == 515
    by_day: dict[date, list[Action]] = defaultdict(list)
    for action in script(specs, order, plan.calendar):
        by_day[local_date(action.moment)].append(action)
    ticker = Ticker(app)
    day = LOADED.date() + timedelta(days=1)
    while day <= LAST_DAY:
        report = ticker.tick(local(day, 7))
        assert not report.errors, report.errors
        for action in sorted(by_day.get(day, []), key=lambda a: a.moment):
            action.run(app)
        day += timedelta(days=1)


def rule_of(plan: LoadedPlan, agency: str) -> int:
    return [a.code for a in plan.workflow.agencies].index(agency) % 5


@contextmanager
def played_year(database: str, folder: Path, plan: LoadedPlan) -> Iterator[PlanflowApp]:
    """The Kiên Giang year played through 2022 on a new store: a SQLite file in ``folder`` or a
    fresh PostgreSQL database (``database``: "sqlite" or "postgres"), dropped afterwards."""
    from conftest import create_postgres_database, drop_postgres_database, postgres_database_url

    name = None
    if database == "sqlite":
        url = f"sqlite:///{folder / 'year.db'}"
    else:
        name = create_postgres_database()
        url = postgres_database_url(name)
    app = PlanflowApp(url)
    try:
        play_year(app, plan)
        yield app
    finally:
        app.close()
        if name is not None:
            drop_postgres_database(name)
