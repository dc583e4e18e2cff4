"""The figures of the Office's consolidated report (báo cáo tổng hợp) on a plan, for one period.

Every figure comes from the board as it stood at the report's moment (``queries.list_tasks`` with
``as_of``, the same rows and status words as the board), the task-event index (reports accepted and
returned, difficulties, extensions) and the responsibility ledger's table (escalations per head).
Difficulties' words are read from the task aggregates at their version of that moment.

Which tasks a period covers: every task of the period's own reports and of the shorter periods
inside it (a six-month report covers the Q1, Q2 and H1 tasks), and every one-off task due within
the period's calendar months (its due date as the plan sets it: an extension does not move a task
out of its period) (Q1: January to March; H1: January to June; 9M: to September; the
year: all of it).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, and_, func, select

from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_plan
from planflow.application.queries import BoardFilter, TaskView, list_tasks
from planflow.application.summary_model import (
    AgencyFigures,
    Difficulty,
    HeadEscalations,
    MissingReport,
    PlanHeader,
    Summary,
    Trend,
)
from planflow.application.tables import board, chases, task_events, to_db
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.errors import InvalidArgument
from planflow.domain.periods import Period, PeriodKind, periods_for
from planflow.domain.status import TaskStatus

COUNTED_EVENTS = ("ReportAccepted", "ReportReturned", "DifficultyRaised", "DifficultyAnswered")
EXTENDED = "DeadlineExtended"


def summary_period(code: str) -> Period:
    """2022-Q1 … 2022-Q4, 2022-H1, 2022-9M, 2022-Y; a plain year (2022) is the year report."""
    try:
        period = Period.parse(code.strip())
    except ValueError:
        raise InvalidArgument(
            f"Kỳ báo cáo không hợp lệ {code!r} (ví dụ 2022-Q1, 2022-H1, 2022-9M, 2022)",
            f"invalid period {code!r} (e.g. 2022-Q1, 2022-H1, 2022-9M, 2022)",
        ) from None
    if period.kind is PeriodKind.ONCE:
        return Period(period.year, PeriodKind.YEAR)
    return period


def months(period: Period) -> tuple[date, date]:
    """The period's calendar months: first and last day."""
    if period.kind in (PeriodKind.MONTH, PeriodKind.WEEK):
        return period.span()
    if period.kind is PeriodKind.QUARTER:
        first = date(period.year, period.number * 3 - 2, 1)
        last_month = period.number * 3
    else:
        first = date(period.year, 1, 1)
        last_month = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9}.get(period.kind, 12)
    end = date(period.year + 1, 1, 1) if last_month == 12 else date(period.year, last_month + 1, 1)
    return first, date.fromordinal(end.toordinal() - 1)


def covers(period: Period, task_period: str, due: date) -> bool:
    """Whether the report for ``period`` covers a task of ``task_period`` due on ``due``."""
    first, last = months(period)
    try:
        own = Period.parse(task_period)
    except ValueError:
        return first <= due <= last
    if own.kind is PeriodKind.ONCE:
        return first <= due <= last
    own_first, own_last = months(own)
    return first <= own_first and own_last <= last


def default_moment(app: PlanflowApp, plan: str, period: Period, now: datetime) -> datetime:
    """When the Office drafts: the end of the day its own report on the period falls due (the
    agencies' reports arrive after the data cut-off, so a report as of the cut-off would hold none
    of them); without such a duty, the end of the period's last day. Never later than ``now``."""
    header = plan_header(app, plan)
    query = select(board.c.due).where(
        board.c.plan == plan,
        board.c.period == period.code,
        board.c.completion == "report",
        board.c.agency.in_(header.office_codes or ("",)),
        board.c.cancelled.is_(False),
    )
    with app.engine.connect() as connection:
        dues = [row.due for row in connection.execute(query)]
    day = min(dues) if dues else months(period)[1]
    return min(datetime.combine(day, time(23, 59, 59), tzinfo=LOCAL_TZ), now)


def plan_header(app: PlanflowApp, plan: str) -> PlanHeader:
    recorded = app.get_plan(plan)
    if recorded is None:
        valid = ", ".join(app.plan_codes()) or "(không có / none)"
        raise InvalidArgument(
            f"Không có kế hoạch {plan!r}; các kế hoạch đã nạp: {valid}",
            f"no plan {plan!r}; plans loaded: {valid}",
        )
    document: dict[str, Any] = recorded.document
    meta = document.get("plan", {})
    agencies = document.get("agencies", [])
    offices = [a for a in agencies if a.get("kind") == "office"]
    return PlanHeader(
        code=plan,
        number=str(meta.get("number", "")),
        title_vi=str(meta.get("title_vi", "")),
        issuer=str(meta.get("issuer", "")),
        office_name=str(offices[0]["name_vi"]) if offices else "Văn phòng",
        office_head_title=str(offices[0].get("head", {}).get("title_vi", "")) if offices else "",
        office_codes=tuple(str(a["code"]) for a in offices),
        agency_names={str(a["code"]): str(a["name_vi"]) for a in agencies},
        duty_sections={
            str(d["id"]): str(d.get("section", d["id"])) for d in document.get("duties", [])
        },
        calendar=rules_from_plan(recorded).calendar,
    )


def build_summary(app: PlanflowApp, plan: str, period: Period, moment: datetime) -> Summary:
    """The report's figures for ``plan`` and ``period`` as the board stood at ``moment``."""
    header = plan_header(app, plan)
    listed = list_tasks(app.engine, moment, BoardFilter(plan=plan), as_of=True)
    every = [v for v in listed if not v.is_cooperating]  # the lead's task carries the status
    planned = _planned_dues(app.engine, plan)
    views = [v for v in every if covers(period, v.period, planned.get(v.id, v.due))]
    ids = {v.id for v in views}
    counted = _event_counts(app.engine, plan, moment, ids)
    escalated = _escalations(app.engine, plan, moment, ids)
    by_id = {v.id: v for v in views}
    names = header.agency_names
    order = {code: i for i, code in enumerate(names)}
    rows: dict[str, AgencyFigures] = {}
    for v in sorted(views, key=lambda v: (order.get(v.agency, len(order)), v.agency)):
        row = rows.setdefault(
            v.agency, AgencyFigures.empty(v.agency, names.get(v.agency, v.agency))
        )
        _add_task(row, v, header.calendar, counted.get(v.id, Counter()))
    for (task_id, _head), n in escalated.items():
        rows[by_id[task_id].agency].escalations += n
    heads = _heads(escalated, by_id, names)
    missing = [
        MissingReport(
            agency=v.agency,
            agency_name=names.get(v.agency, v.agency),
            duty=v.duty,
            section=header.duty_sections.get(v.duty, v.duty),
            period=v.period,
            due=v.due,
            working_days_late=max(
                header.calendar.working_days_between(v.due, local_date(moment)), 0
            ),
        )
        for v in views
        if _awaited(v) and v.status is TaskStatus.OPEN_OVERDUE
    ]
    missing.sort(key=lambda m: (order.get(m.agency, len(order)), m.due, m.period))
    agencies = list(rows.values())
    return Summary(
        header=header,
        period=period,
        moment=moment,
        agencies=agencies,
        totals=AgencyFigures.total_of(agencies),
        heads=heads,
        missing=missing,
        difficulties=_difficulties(app, views, counted, header),
        trend=_trend(every, planned, period, agencies),
    )


def _planned_dues(engine: Engine, plan: str) -> dict[str, date]:
    """Each task's due date as the plan sets it: an extension does not move a task out of the
    period it was assigned for."""
    query = select(board.c.id, board.c.planned_due).where(board.c.plan == plan)
    with engine.connect() as connection:
        return {row.id: row.planned_due for row in connection.execute(query)}


def _awaited(v: TaskView) -> bool:
    """A report not received: never sent, or sent back and not sent again."""
    return v.completion == "report" and v.state in ("assigned", "returned")


def _add_task(
    row: AgencyFigures, v: TaskView, calendar: WorkingCalendar, events: Counter[str]
) -> None:
    row.counts[v.status.value] += 1
    row.total += 1
    if v.status is TaskStatus.DONE_LATE and v.completed_at is not None:
        late = calendar.working_days_between(v.due, local_date(v.completed_at))
        row.late_tasks += 1
        row.late_working_days += late
        row.max_late_working_days = max(row.max_late_working_days, late)
    if v.completion == "report":
        row.reports += 1
        row.reports_accepted += v.state == "accepted"
        row.reports_in_review += v.state == "submitted"
        row.reports_awaited += _awaited(v)
    row.reports_returned += events["ReportReturned"]
    row.difficulties_raised += events["DifficultyRaised"]
    row.difficulties_answered += events["DifficultyAnswered"]
    row.extensions += events[EXTENDED]


def _event_counts(
    engine: Engine, plan: str, moment: datetime, ids: set[str]
) -> dict[str, Counter[str]]:
    e = task_events
    query = (
        select(e.c.task_id, e.c.event_type, func.count().label("n"))
        .join(board, board.c.id == e.c.task_id)
        .where(
            board.c.plan == plan,
            e.c.timestamp <= to_db(moment),
            e.c.event_type.in_((*COUNTED_EVENTS, EXTENDED)),
        )
        .group_by(e.c.task_id, e.c.event_type)
    )
    out: dict[str, Counter[str]] = defaultdict(Counter)
    with engine.connect() as connection:
        for row in connection.execute(query):
            if row.task_id in ids:
                out[row.task_id][row.event_type] += int(row.n)
    return out


Head = tuple[str, str, str]  # agency ("" for the signer), title, name


def _escalations(
    engine: Engine, plan: str, moment: datetime, ids: set[str]
) -> Counter[tuple[str, Head]]:
    c = chases
    query = select(
        c.c.task_id, c.c.recipient_agency, c.c.recipient_title, c.c.recipient_name
    ).where(and_(c.c.plan == plan, c.c.kind == "escalation", c.c.timestamp <= to_db(moment)))
    out: Counter[tuple[str, Head]] = Counter()
    with engine.connect() as connection:
        for row in connection.execute(query):
            if row.task_id in ids:
                head = (row.recipient_agency, row.recipient_title, row.recipient_name)
                out[(row.task_id, head)] += 1
    return out


def _heads(
    escalated: Counter[tuple[str, Head]], by_id: dict[str, TaskView], names: dict[str, str]
) -> list[HeadEscalations]:
    per_head: dict[Head, HeadEscalations] = {}
    for (task_id, head), n in escalated.items():
        agency, title, name = head
        entry = per_head.setdefault(
            head, HeadEscalations(agency, names.get(agency, agency), title, name)
        )
        entry.escalations += n
        entry.tasks.add(task_id)
        entry.task_agencies.add(by_id[task_id].agency)
    return sorted(per_head.values(), key=lambda h: (-h.escalations, h.agency, h.title))


def _difficulties(
    app: PlanflowApp, views: list[TaskView], counted: dict[str, Counter[str]], header: PlanHeader
) -> list[Difficulty]:
    out: list[Difficulty] = []
    for v in views:
        if not counted.get(v.id, Counter())["DifficultyRaised"]:
            continue
        task = app.get_task(UUID(v.id), version=v.version)
        for d in task.difficulties:
            out.append(
                Difficulty(
                    agency=v.agency,
                    agency_name=header.agency_names.get(v.agency, v.agency),
                    section=header.duty_sections.get(v.duty, v.duty),
                    period=v.period,
                    number=d.number,
                    text=d.text,
                    raised_on=local_date(d.raised_at),
                    answer=d.answer,
                    answered_on=local_date(d.answered_at) if d.answered_at else None,
                )
            )
    return sorted(out, key=lambda d: (d.raised_on, d.agency, d.number))


def _trend(
    every: list[TaskView], planned: dict[str, date], period: Period, agencies: list[AgencyFigures]
) -> Trend:
    """On-time completion per agency in each quarter up to the period's end, and in the period."""
    last = months(period)[1]
    quarters = [q for q in periods_for(PeriodKind.QUARTER, period.year) if months(q)[1] <= last]
    if period.kind is PeriodKind.QUARTER:
        quarters = [period]
    rates: dict[str, list[float | None]] = {a.agency: [] for a in agencies}
    for q in quarters:
        judged: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for v in every:
            if v.status is TaskStatus.OPEN_IN_TIME or not covers(q, v.period, planned[v.id]):
                continue  # not yet judgeable, or another quarter's
            cell = judged[v.agency]
            cell[1] += 1
            cell[0] += v.status is TaskStatus.DONE_ON_TIME
        for agency, series in rates.items():
            ok, total = judged.get(agency, [0, 0])
            series.append(ok / total if total else None)
    return Trend(periods=[q.code for q in quarters], rates=rates)
