"""A year of the Kiên Giang plan played with a moving clock.

The plan is loaded on 15 Feb 2022, then every day of 2022 the agencies act by a fixed rule that
depends on their position in the file (index % 4). The test computes, from that rule alone, what
the board must say at several moments, and compares it with the board as it was then (``as_of``)
and as it is judged now.

Reports (IV.1.a.2, IV.1.b.2):
  0 — submitted on the due day at 10:00, accepted two working days later: done on time;
  1 — submitted three working days late, accepted the next working day: done late;
  2 — submitted on the due day, returned the next working day, resubmitted two working days after
      the due day and accepted the day after: done late (the accepted submission counts);
  3 — never submitted; the Office extends the six-month report by ten working days the day after
      it falls due; it stays open.
Activities:
  0 — executed five working days before the due day: on time;
  1 — executed four working days after it (not at all if that falls in 2023): late;
  2 — executed at 23:30 on the due day, Vietnam time: on time;
  3 — never executed.
Every night at 00:05 the tasks whose deadline was the day before are marked overdue if open.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.status import TaskStatus
from planflow.domain.task import Completion, Task
from planflow.workflow.expand import TaskSpec, expand
from planflow.workflow.loader import LoadedPlan

pytestmark = pytest.mark.slow

LOADED = datetime(2022, 2, 15, 8, 0, tzinfo=LOCAL_TZ)
FIRST_DAY = date(2022, 2, 15)
LAST_DAY = date(2022, 12, 31)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ)


@dataclass
class Expected:
    """What the rule says happens to one task."""

    spec: TaskSpec
    done_at: datetime | None = None  # when it became done (executed, or report accepted)
    completed_on: date | None = None  # the local date that counts (execution or submission)
    extensions: list[tuple[datetime, date]] = field(default_factory=list)
    report_steps: list[tuple[datetime, str]] = field(default_factory=list)

    def due_at(self, moment: datetime) -> date:
        due = self.spec.due
        for when, new_due in self.extensions:
            if when <= moment:
                due = new_due
        return due

    def status_at(self, moment: datetime) -> TaskStatus:
        due = self.due_at(moment)
        if self.done_at is not None and self.done_at <= moment:
            assert self.completed_on is not None
            return TaskStatus.DONE_ON_TIME if self.completed_on <= due else TaskStatus.DONE_LATE
        past = [(m, c) for m, c in self.report_steps if m <= moment]
        if past and past[-1][1] == "submit_report" and local_date(past[-1][0]) <= due:
            # Sent by the deadline and awaiting the Office's review: open, not overdue.
            return TaskStatus.OPEN_IN_TIME
        return TaskStatus.OPEN_IN_TIME if local_date(moment) <= due else TaskStatus.OPEN_OVERDUE


@dataclass(frozen=True)
class Action:
    """One application command: ``getattr(app, command)(ref, at=moment, **arguments)``."""

    moment: datetime
    command: str
    ref: UUID
    arguments: dict[str, Any]

    def run(self, app: PlanflowApp) -> None:
        getattr(app, self.command)(self.ref, at=self.moment, **self.arguments)


def plan_the_year(
    specs: list[TaskSpec], order: dict[str, int], calendar: WorkingCalendar
) -> tuple[dict[str, Expected], list[Action]]:
    """The rule of the module docstring: what each task's agency and the Office do, and when."""
    expected: dict[str, Expected] = {}
    actions: list[Action] = []
    last = end_of(LAST_DAY)

    def work_day(due: date, offset: int, hour: int, minute: int = 0) -> datetime:
        return local(calendar.add_working_days(due, offset), hour, minute)

    for spec in specs:
        ref = spec.id
        rule = order[spec.agency] % 4
        due = spec.due
        model = Expected(spec)
        expected[str(ref)] = model
        steps: list[tuple[datetime, str, dict[str, Any]]] = []
        submit = "submit_report"
        if spec.completion is Completion.REPORT:
            agency = {"actor": "agency"}
            office = {"actor": "office"}
            if rule == 0:
                steps = [
                    (local(due, 10), submit, {**agency, "document": "bc"}),
                    (work_day(due, 2, 9), "accept_report", office),
                ]
            elif rule == 1:
                steps = [
                    (work_day(due, 3, 10), submit, {**agency, "document": "bc"}),
                    (work_day(due, 4, 9), "accept_report", office),
                ]
            elif rule == 2:
                steps = [
                    (local(due, 10), submit, {**agency, "document": "v1"}),
                    (work_day(due, 1, 9), "return_report", {**office, "reason": "thiếu"}),
                    (work_day(due, 2, 10), submit, {**agency, "document": "v2"}),
                    (work_day(due, 3, 9), "accept_report", office),
                ]
            elif spec.period.endswith("-H1"):
                when = local(due + timedelta(days=1), 9)
                new_due = calendar.add_working_days(due, 10)
                model.extensions.append((when, new_due))
                steps = [
                    (when, "extend_deadline", {**office, "new_due": new_due, "reason": "gia hạn"})
                ]
            model.report_steps = sorted((m, c) for m, c, _ in steps if m <= last)
            accepted = [m for m, command, _ in steps if command == "accept_report"]
            if accepted and accepted[0] <= last:
                model.done_at = accepted[0]
                model.completed_on = local_date(max(m for m, c, _ in steps if c == submit))
        else:
            executed = {
                0: work_day(due, -5, 14),
                1: work_day(due, 4, 14),
                2: local(due, 23, 30),
            }.get(rule)
            if executed is not None:
                steps = [(executed, "execute_activity", {"actor": "agency"})]
                if executed <= last:
                    model.done_at = executed
                    model.completed_on = local_date(executed)
        actions += [Action(m, c, ref, args) for m, c, args in steps if m <= last]
    return expected, actions


CHECKS = [
    date(2022, 3, 16),  # Q1 reports due
    date(2022, 3, 17),
    date(2022, 3, 31),  # the Q1 set-up activities due
    date(2022, 4, 1),
    date(2022, 6, 17),
    date(2022, 6, 30),
    date(2022, 7, 1),
    date(2022, 9, 21),
    date(2022, 12, 22),
    date(2022, 12, 30),
]


def expected_counts(expected: dict[str, Expected], moment: datetime) -> Counter[str]:
    return Counter(m.status_at(moment).value for m in expected.values())


def board_counts(app: PlanflowApp, moment: datetime, *, as_of: bool) -> Counter[str]:
    views = list_tasks(app.engine, moment, BoardFilter(plan="kien-giang-2022-tthc"), as_of=as_of)
    return Counter(v.status.value for v in views)


def test_a_year_of_the_kien_giang_plan(any_app: PlanflowApp, kien_giang: LoadedPlan) -> None:
    app = any_app
    workflow = kien_giang.workflow
    calendar = kien_giang.calendar
    specs = expand(workflow, calendar)
    order = {agency.code: i for i, agency in enumerate(workflow.agencies)}
    expected, actions = plan_the_year(specs, order, calendar)
    assert app.load_plan(kien_giang, actor="loader", at=LOADED).assigned == 515

    by_day: dict[date, list[Action]] = defaultdict(list)
    for action in actions:
        by_day[local_date(action.moment)].append(action)
    seen_during_walk: dict[date, Counter[str]] = {}
    marked = 0
    predicted_marks = 0
    day = FIRST_DAY
    while day <= LAST_DAY:
        # 00:05: the nightly run marks yesterday's deadlines passed with the task open.
        night = local(day, 0, 5)
        yesterday = day - timedelta(days=1)
        for ref, model in expected.items():
            if model.due_at(night) == yesterday:
                should = model.status_at(night) is TaskStatus.OPEN_OVERDUE
                did = app.mark_overdue(model.spec.id, actor="scheduler", at=night)
                assert did is should, (ref, model.spec, day)
                marked += did
                predicted_marks += should
        for action in sorted(by_day.get(day, []), key=lambda a: a.moment):
            action.run(app)
        if day in CHECKS:
            moment = end_of(day)
            now = board_counts(app, moment, as_of=False)
            assert now == expected_counts(expected, moment), day
            seen_during_walk[day] = now
        day += timedelta(days=1)

    # The board as it stood then still says what it said then, and what the rule predicts.
    for check in CHECKS:
        moment = end_of(check)
        assert board_counts(app, moment, as_of=True) == seen_during_walk[check], check
    # Spot checks by hand for the agencies' Q1 reports (IV.1.a.2, due Wed 16 Mar): the 36
    # reporting agencies are at indexes 1..36 in the file, so 9 follow each rule. At the end of
    # 16 Mar rules 0 and 2 have submitted but nothing is accepted yet: all 36 open and in time.
    q1 = list_tasks(
        app.engine,
        end_of(date(2022, 3, 16)),
        BoardFilter(duty="IV.1.a.2", period="2022-Q1"),
        as_of=True,
    )
    assert Counter(v.status.value for v in q1) == {"open_in_time": 36}
    q1_after = list_tasks(
        app.engine,
        end_of(date(2022, 3, 31)),
        BoardFilter(duty="IV.1.a.2", period="2022-Q1"),
        as_of=True,
    )
    # 18 Mar (2 working days after): rule 0 accepted on time; 21 Mar rule 1 submitted late and
    # 22 Mar accepted; rule 2 resubmitted 18 Mar, accepted 21 Mar, late; rule 3 still overdue.
    assert Counter(v.status.value for v in q1_after) == {
        "done_on_time": 9,
        "done_late": 18,
        "open_overdue": 9,
    }

    # The final board, judged after the year.
    final_moment = end_of(date(2023, 1, 10))
    final = board_counts(app, final_moment, as_of=False)
    assert final == expected_counts(expected, final_moment)
    assert sum(final.values()) == 515
    assert final["open_in_time"] == 0, "every deadline of the plan is in 2022"
    assert set(seen_during_walk[date(2022, 3, 31)]) == {s.value for s in TaskStatus}

    assert marked == predicted_marks > 0
    extended = [m for m in expected.values() if m.extensions]
    assert len(extended) == 9
    sample = extended[0].spec.id
    kinds = [type(e).__name__ for e in app.task_events(sample)]
    assert kinds == ["Assigned", "MarkedOverdue", "DeadlineExtended", "MarkedOverdue"]
    assert isinstance(app.task_events(sample)[2], Task.DeadlineExtended)
    assert app.rebuild_read_models() == app.recorder.max_notification_id()
    assert board_counts(app, final_moment, as_of=False) == final
