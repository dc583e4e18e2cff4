"""A year of the Kiên Giang plan chased by the scheduler: no step is recorded on a day off.

The plan is loaded on 15 Feb 2022 and nobody acts on it, so every task is reminded, marked overdue
and escalated up the ladder. The scheduler ticks at 00:05 every day — weekends and holidays too —
except on Fri 1 Apr 2022, when it is down: the steps due that day must wait for Mon 4 Apr, not go
out on Sat 2 Apr. Every chase event's Vietnam date must be a working day of the plan's calendar.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.task import Task, task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan

PLAN = "kien-giang-2022-tthc"
DOWN = date(2022, 4, 1)  # Friday: the scheduler is down
CHASE = (Task.ReminderSent, Task.MarkedOverdue, Task.Escalated)


def test_a_year_of_chasing_the_kien_giang_plan_records_nothing_on_a_day_off(
    app: PlanflowApp, kien_giang: LoadedPlan
) -> None:
    calendar = kien_giang.calendar
    app.load_plan(kien_giang, actor="loader", at=utc(2022, 2, 15))
    ticker = Ticker(app)
    day = date(2022, 2, 15)
    while day <= date(2023, 1, 15):
        if day != DOWN:
            ticker.tick(datetime.combine(day, time(0, 5), tzinfo=LOCAL_TZ))
        day += timedelta(days=1)

    specs = expand(kien_giang.workflow, calendar)
    recorded: Counter[str] = Counter()
    days_used: set[date] = set()
    for spec in specs:
        for event in app.task_events(spec.id):
            if isinstance(event, CHASE):
                on = local_date(event.timestamp)
                assert calendar.is_working_day(on), (type(event).__name__, spec, on)
                recorded[type(event).__name__] += 1
                days_used.add(on)
    # Every lead task was chased: all 513 marked overdue once, every ladder level reached; the 2
    # cooperating tasks of III.4 (the press bodies) never.
    leads = [s for s in specs if s.role == "lead"]
    assert recorded["MarkedOverdue"] == len(leads) == 513 == len(specs) - 2
    assert recorded["Escalated"] == 3 * len(leads)
    assert recorded["ReminderSent"] > len(leads)
    assert not any(d.weekday() >= 5 for d in days_used)

    # The Q1 set-up activity was due Thu 31 Mar: its overdue mark and level-1 escalation waited
    # over the scheduler's outage and the weekend for Mon 4 Apr.
    setup = task_id(PLAN, "IV.1.a.1", "so-tu-phap", "2022")
    steps = [
        (type(e).__name__, local_date(e.timestamp))
        for e in app.task_events(setup)
        if isinstance(e, (Task.MarkedOverdue, Task.Escalated))
    ]
    assert steps[:2] == [("MarkedOverdue", date(2022, 4, 4)), ("Escalated", date(2022, 4, 4))]
    # The last reports of the year, due Fri 30 Dec 2022: Mon 2 Jan 2023 is New Year's day off
    # (1 Jan was a Sunday), so they turn overdue on Tue 3 Jan.
    year_end = [s for s in specs if s.due == date(2022, 12, 30)]
    assert year_end
    marks = {
        local_date(e.timestamp)
        for s in year_end
        for e in app.task_events(s.id)
        if isinstance(e, Task.MarkedOverdue)
    }
    assert marks == {date(2023, 1, 3)}
