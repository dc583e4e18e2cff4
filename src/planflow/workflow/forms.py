"""Ongoing and event-relative duties, targets and products: from the file's words to the dates and
texts a task carries. Pure (the calendar is passed in).

- An ongoing duty (thường xuyên, trong năm) has no due date. Its task is due at its next check-in:
  one per ``check_in`` period of the plan's year, due ``check_in_working_days_after_period``
  working days after the period's last day (0: that day, or the next working day when it is a day
  off). Recording a check-in moves the task to the next one; the last one closes it.
- An event-relative duty has no task until its event is recorded; then its tasks are due N
  working days before or after the event's date (0 after: the event's day, or the next working
  day).
"""

from __future__ import annotations

import calendar as monthcal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period, PeriodKind
from planflow.workflow.model import (
    CheckIn,
    EventSchedule,
    OngoingSchedule,
    Target,
    TargetPer,
    Workflow,
)

_PER_VI = {
    TargetPer.WEEK: "tuần",
    TargetPer.MONTH: "tháng",
    TargetPer.QUARTER: "quý",
    TargetPer.YEAR: "năm",
}


@dataclass(frozen=True)
class CheckInDate:
    opens: date  # the first day of the period it covers: a check-in is accepted from then
    due: date  # when it is due (a working day)


@dataclass(frozen=True)
class FormDeadline:
    """What an ongoing or event-relative duty gives its tasks."""

    period: Period
    due: date
    check_ins: tuple[CheckInDate, ...] = ()
    basis: str = ""  # how the due date was counted, in Vietnamese and English


def check_in_periods(kind: CheckIn, year: int) -> list[tuple[date, date]]:
    """The (first, last) days of each check-in period of the year."""
    months = {CheckIn.MONTH: 1, CheckIn.QUARTER: 3, CheckIn.HALF_YEAR: 6, CheckIn.YEAR: 12}[kind]
    out = []
    for first in range(1, 13, months):
        last = first + months - 1
        out.append((date(year, first, 1), date(year, last, monthcal.monthrange(year, last)[1])))
    return out


def check_ins(schedule: OngoingSchedule, year: int, cal: WorkingCalendar) -> list[CheckInDate]:
    n = schedule.check_in_working_days_after_period
    return [
        CheckInDate(first, cal.add_working_days(last, n))
        for first, last in check_in_periods(schedule.check_in, year)
    ]


def event_due(schedule: EventSchedule, happened: date, cal: WorkingCalendar) -> date:
    if schedule.working_days_before is not None:
        return cal.add_working_days(happened, -schedule.working_days_before)
    return cal.add_working_days(happened, schedule.working_days_after or 0)


def form_deadline(
    workflow: Workflow,
    schedule: OngoingSchedule | EventSchedule,
    cal: WorkingCalendar,
    occurred: Mapping[str, date],
) -> FormDeadline | None:
    """The deadline an ongoing or event-relative duty gives its tasks; None for an event that
    has not been recorded (no task yet)."""
    period = Period(workflow.plan.year, PeriodKind.ONCE)
    if isinstance(schedule, OngoingSchedule):
        dates = tuple(check_ins(schedule, workflow.plan.year, cal))
        return FormDeadline(period, dates[0].due, dates, "thường xuyên / ongoing")
    happened = occurred.get(schedule.event)
    if happened is None:
        return None
    name = next((e.name_vi for e in workflow.events if e.code == schedule.event), schedule.event)
    if schedule.working_days_before is not None:
        n = schedule.working_days_before
        basis = (
            f"{n} ngày làm việc trước {name} ({happened:%d/%m/%Y}) / "
            f"{n} working days before {schedule.event} ({happened.isoformat()})"
        )
    elif schedule.working_days_after:
        n = schedule.working_days_after
        basis = (
            f"{n} ngày làm việc sau {name} ({happened:%d/%m/%Y}) / "
            f"{n} working days after {schedule.event} ({happened.isoformat()})"
        )
    else:
        basis = (
            f"Ngay khi có {name} ({happened:%d/%m/%Y}) / "
            f"on the day of {schedule.event} ({happened.isoformat()})"
        )
    return FormDeadline(period, event_due(schedule, happened, cal), (), basis)


def target_text(target: Target | None) -> str:
    """'Ít nhất 02 tin, bài/tháng' — as plans write it (two digits below ten)."""
    if target is None:
        return ""
    per = f"/{_PER_VI[target.per]}" if target.per else ""
    return f"Ít nhất {target.at_least:02d} {target.unit_vi}{per}"


def with_resolutions(workflow: Workflow, resolved: Mapping[str, list[str]]) -> Workflow:
    """The plan with each group defined by a condition standing for the members a person gave it
    (``planflow group resolve``); an unresolved one stands for no agency."""
    if not resolved:
        return workflow
    groups = [
        g.model_copy(update={"members": list(resolved[g.code])})
        if g.condition_vi is not None and g.code in resolved
        else g
        for g in workflow.groups
    ]
    return workflow.model_copy(update={"groups": groups})


def waiting_groups(workflow: Workflow, resolved: Mapping[str, list[str]]) -> list[str]:
    """Codes of the groups defined by a condition that nobody has resolved yet."""
    return [
        g.code for g in workflow.groups if g.condition_vi is not None and g.code not in resolved
    ]


def waiting_events(workflow: Workflow, occurred: Mapping[str, date]) -> list[str]:
    """Codes of the events some duty counts from that have not been recorded yet."""
    named = {d.schedule.event for d in workflow.duties if isinstance(d.schedule, EventSchedule)}
    return [e.code for e in workflow.events if e.code in named and e.code not in occurred]
