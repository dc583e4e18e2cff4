"""What a duty's schedule means: its obligations (period, the date the plan states, the window),
and the checks that name the field of a schedule that cannot be. Pure.

- fixed: one obligation of the plan's year (period ``2026``), due on ``due``;
- recurring: one per period of ``every`` kind, or per listed ``periods``; each due as its kind's
  deadline says (``deadlines``, else ``submit_working_days_after_cutoff``): N working days after
  the Decree 09 cut-off, a day of a month, or (weeks) a day of the week;
- window: one obligation, done within the window, due on its last day; its period is the window's
  period when it is one (``2026-Q3``), else the plan's year.

A duty's ``start`` drops the periods that end before it or are due before it (a fixed date or a
window before it is refused). Every stated date lies between 1 Jan of
the plan's year and 31 Dec of the year after (``latest_due``); a day off is moved by the caller
(``WorkingCalendar.effective_due``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period, PeriodKind, month_end, periods_for
from planflow.workflow.errors import Problem
from planflow.workflow.model import Duty, FixedSchedule, Recurrence, RecurringSchedule
from planflow.workflow.schedule_model import (
    AfterCutoff,
    DayOfMonth,
    DayOfWeek,
    WindowSchedule,
)
from planflow.workflow.yamlsource import Loc, SourceDocument

KIND = {
    Recurrence.WEEK: PeriodKind.WEEK,
    Recurrence.MONTH: PeriodKind.MONTH,
    Recurrence.QUARTER: PeriodKind.QUARTER,
    Recurrence.HALF_YEAR: PeriodKind.HALF_YEAR,
    Recurrence.NINE_MONTHS: PeriodKind.NINE_MONTHS,
    Recurrence.YEAR: PeriodKind.YEAR,
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

Deadline = AfterCutoff | DayOfMonth | DayOfWeek
_Refuse = Callable[[Loc, str, str], None]
DEADLINE_KINDS = ("week", "month", "quarter", "half_year", "nine_months", "year")


@dataclass(frozen=True)
class Obligation:
    period: Period
    stated: date  # the date the plan states (a day off is moved later by the caller)
    window: tuple[date, date] | None = None  # first and last day, for a window


def latest_due(year: int) -> date:
    """The latest date a plan of ``year`` may state: 31 Dec of the next year (a 2026 plan's
    report on its year, due 15/01/2027, loads; the working calendar covers that year too)."""
    return date(year + 1, 12, 31)


def periods_of(schedule: RecurringSchedule, year: int) -> list[Period]:
    """The periods a recurring schedule names, in the order it names them."""
    if schedule.periods is not None:
        return [Period.parse(f"{year}-{part}") for part in schedule.periods]
    return [p for r in schedule.every or [] for p in periods_for(KIND[r], year)]


def period_count(schedule: object) -> int:
    """How many obligations a schedule makes at most (``start`` ignored), cheaply."""
    if isinstance(schedule, RecurringSchedule):
        if schedule.periods is not None:
            return len(schedule.periods)
        sizes = {Recurrence.WEEK: 53, Recurrence.MONTH: 12, Recurrence.QUARTER: 4}
        return sum(sizes.get(r, 1) for r in schedule.every or [])
    return 1


def deadline_for(schedule: RecurringSchedule, kind: PeriodKind) -> Deadline | None:
    """The deadline rule of one kind of period: its entry in ``deadlines``, else N working days."""
    rules = schedule.deadlines
    own: Deadline | None = getattr(rules, kind.value, None) if rules is not None else None
    if own is not None:
        return own
    if schedule.submit_working_days_after_cutoff is not None:
        return AfterCutoff(working_days_after_cutoff=schedule.submit_working_days_after_cutoff)
    return None


def stated_due(period: Period, rule: Deadline, calendar: WorkingCalendar) -> date:
    """The date a deadline rule gives for one period."""
    first, last = period.span()
    if isinstance(rule, AfterCutoff):
        return calendar.add_working_days(period.cutoff()[1], rule.working_days_after_cutoff)
    if isinstance(rule, DayOfWeek):
        return first + timedelta(days=_WEEKDAYS.index(rule.weekday.value))
    if rule.month == "last":
        year, month = last.year, last.month
    elif rule.month == "next":
        year, month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    else:
        year, month = period.year, rule.month
    return min(date(year, month, 1) + timedelta(days=rule.day - 1), month_end(year, month))


def window_of(schedule: WindowSchedule, year: int) -> tuple[list[Period], date, date]:
    """The window's periods, first day and last day."""
    periods = [Period.parse(p if p[:1].isdigit() else f"{year}-{p}") for p in schedule.within]
    return periods, periods[0].span()[0], periods[-1].span()[1]


def obligations(
    duty: Duty, year: int, calendar: WorkingCalendar, *, from_start: bool = True
) -> list[Obligation]:
    """The duty's obligations; with ``from_start``, a recurring schedule's periods that end
    before the duty's start, or are due before it, are left out."""
    schedule = duty.schedule
    if isinstance(schedule, FixedSchedule):
        return [Obligation(Period(year, PeriodKind.ONCE), schedule.due)]
    if isinstance(schedule, WindowSchedule):
        periods, first, last = window_of(schedule, year)
        period = periods[0] if len(periods) == 1 else Period(year, PeriodKind.ONCE)
        return [Obligation(period, last, (first, last))]
    out: list[Obligation] = []
    if not isinstance(schedule, RecurringSchedule):  # ongoing and event duties: workflow/forms.py
        return out
    begins = duty.start if from_start else None
    for period in periods_of(schedule, year):
        if begins is not None and period.span()[1] < begins:
            continue
        rule = deadline_for(schedule, period.kind)
        if rule is None:  # never, in a checked file
            continue
        stated = stated_due(period, rule, calendar)
        if begins is None or stated >= begins:
            out.append(Obligation(period, stated))
    return out


def check_schedule(
    duty: Duty, where: Loc, year: int, calendar: WorkingCalendar, source: SourceDocument
) -> list[Problem]:
    """What cannot be in a duty's schedule, each problem on its field (``where`` is the duty's)."""
    schedule = duty.schedule
    at = (*where, "schedule")
    problems: list[Problem] = []

    def refuse(loc: Loc, vi: str, en: str) -> None:
        problems.append(source.problem(loc, f"{vi} / {en}"))

    if not isinstance(schedule, FixedSchedule | RecurringSchedule | WindowSchedule):
        return problems  # ongoing and event-relative duties: workflow/formchecks.py
    if isinstance(schedule, RecurringSchedule):
        _check_recurring(schedule, at, year, refuse)
        if problems:
            return problems
    if isinstance(schedule, WindowSchedule):
        _check_window(schedule, at, year, refuse)
        if problems:
            return problems
    first, last = date(year, 1, 1), latest_due(year)
    recurring = isinstance(schedule, RecurringSchedule)
    for ob in obligations(duty, year, calendar, from_start=False):
        field = _date_field(schedule, at, ob.period)
        if not first <= ob.stated <= last:
            refuse(
                field,
                f"hạn {ob.stated:%d/%m/%Y} ({ob.period.code}) nằm ngoài khoảng từ {first:%d/%m/%Y} "
                f"đến {last:%d/%m/%Y}",
                f"deadline {ob.stated.isoformat()} ({ob.period.code}) is outside "
                f"{first.isoformat()} … {last.isoformat()} (the plan's year and the next)",
            )
        elif recurring and ob.stated < ob.period.span()[0]:
            refuse(
                field,
                f"hạn {ob.stated:%d/%m/%Y} đến trước khi kỳ {ob.period.code} bắt đầu",
                f"deadline {ob.stated.isoformat()} comes before period {ob.period.code} begins",
            )
        elif not recurring and duty.start is not None and ob.stated < duty.start:
            refuse(
                (*where, "start"),
                f"hạn {ob.stated:%d/%m/%Y} đến trước ngày bắt đầu {duty.start:%d/%m/%Y}",
                f"deadline {ob.stated.isoformat()} comes before the duty's start "
                f"{duty.start.isoformat()}",
            )
    if recurring and duty.start is not None and not obligations(duty, year, calendar):
        refuse(
            (*where, "start"),
            f"mọi kỳ báo cáo đều kết thúc trước ngày bắt đầu {duty.start:%d/%m/%Y}",
            f"every period ends before the duty's start {duty.start.isoformat()}",
        )
    return problems


def _date_field(
    schedule: FixedSchedule | RecurringSchedule | WindowSchedule, at: Loc, period: Period
) -> Loc:
    if isinstance(schedule, FixedSchedule):
        return (*at, "due")
    if isinstance(schedule, WindowSchedule):
        return (*at, "within")
    if schedule.deadlines is not None and getattr(schedule.deadlines, period.kind.value):
        return (*at, "deadlines", period.kind.value)
    return (*at, "submit_working_days_after_cutoff")


def _check_recurring(schedule: RecurringSchedule, at: Loc, year: int, refuse: _Refuse) -> None:
    if (schedule.every is None) == (schedule.periods is None):
        refuse(
            at,
            "lịch định kỳ cần đúng một trong hai trường 'every' hoặc 'periods'",
            "a recurring schedule needs exactly one of 'every' or 'periods'",
        )
        return
    for j, recurrence in enumerate(schedule.every or []):
        if recurrence in (schedule.every or [])[:j]:
            refuse(
                (*at, "every", j),
                f"loại kỳ {recurrence.value!r} lặp lại",
                f"period kind {recurrence.value!r} is listed twice",
            )
    for j, part in enumerate(schedule.periods or []):
        if part in (schedule.periods or [])[:j]:
            refuse((*at, "periods", j), f"kỳ {part!r} lặp lại", f"period {part!r} is listed twice")
        else:
            try:
                Period.parse(f"{year}-{part}")
            except ValueError as exc:
                refuse((*at, "periods", j), "kỳ không hợp lệ", str(exc).split(" / ")[-1])
    kinds: dict[PeriodKind, None] = {}
    try:
        kinds = dict.fromkeys(p.kind for p in periods_of(schedule, year))
    except ValueError:
        return
    for kind in kinds:
        if deadline_for(schedule, kind) is None:
            refuse(
                (*at, "deadlines", kind.value),
                f"kỳ loại {kind.value!r} không có hạn: hãy ghi 'deadlines.{kind.value}' hoặc "
                "'submit_working_days_after_cutoff'",
                f"periods of kind {kind.value!r} have no deadline: give 'deadlines.{kind.value}' "
                "or 'submit_working_days_after_cutoff'",
            )
    rules = schedule.deadlines
    for name in DEADLINE_KINDS:
        if rules is not None and getattr(rules, name) is not None and PeriodKind(name) not in kinds:
            refuse(
                (*at, "deadlines", name),
                f"lịch không có kỳ loại {name!r}",
                f"the schedule has no period of kind {name!r}",
            )


def _check_window(schedule: WindowSchedule, at: Loc, year: int, refuse: _Refuse) -> None:
    previous: Period | None = None
    for j, part in enumerate(schedule.within):
        code = part if part[:1].isdigit() else f"{year}-{part}"
        try:
            period = Period.parse(code)
        except ValueError as exc:
            refuse((*at, "within", j), "kỳ không hợp lệ", str(exc).split(" / ")[-1])
            return
        if not year <= period.year <= year + 1:
            refuse(
                (*at, "within", j),
                f"kỳ {code} nằm ngoài năm của kế hoạch và năm sau",
                f"period {code} is outside the plan's year {year} and the next",
            )
            return
        if previous is not None and period.span()[0] != previous.span()[1] + timedelta(days=1):
            refuse(
                (*at, "within", j),
                f"kỳ {code} không nối tiếp kỳ {previous.code}: một khoảng thời gian phải liền mạch",
                f"period {code} does not follow {previous.code}: a window must be one unbroken "
                "stretch (list the periods in order)",
            )
            return
        previous = period
