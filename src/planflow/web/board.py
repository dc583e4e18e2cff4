"""The director's board: counts per agency, the agencies × duties grid, on-time rates by period."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Date, Engine, and_, case, func, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.sql.elements import ColumnElement

from planflow.application.queries import TaskView
from planflow.application.readmodels import board as board_table
from planflow.application.timeparse import TimeFormatError, parse_moment
from planflow.domain import clock
from planflow.domain.errors import InvalidArgument
from planflow.domain.periods import Period
from planflow.domain.status import TaskStatus, parse_status

STATUS_ORDER = (
    TaskStatus.OPEN_OVERDUE,
    TaskStatus.DONE_LATE,
    TaskStatus.OPEN_IN_TIME,
    TaskStatus.DONE_ON_TIME,
)


@dataclass
class AgencyRow:
    agency: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def overdue(self) -> int:
        return self.counts.get(TaskStatus.OPEN_OVERDUE.value, 0)

    def as_json(self) -> dict[str, object]:
        return {"agency": self.agency, "total": self.total, "counts": self.counts}


def moment_param(value: str | None, *, end_of_day: bool = True) -> datetime | None:
    if not value:
        return None
    try:
        return parse_moment(value, bare_date="end" if end_of_day else "start")
    except TimeFormatError:
        raise InvalidArgument(
            f"Thời điểm không hợp lệ {value!r} (dùng 2022-03-16 hoặc 2022-03-16T14:30)",
            f"invalid time {value!r} (use 2022-03-16 or 2022-03-16T14:30)",
        ) from None


def status_param(value: str | None) -> TaskStatus | None:
    return parse_status(value) if value else None


def period_param(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return Period.parse(value).code
    except ValueError:
        raise InvalidArgument(
            f"Kỳ báo cáo không hợp lệ {value!r} (ví dụ 2022-Q1, 2022-H1, 2022-Y, 2022)",
            f"invalid period {value!r} (e.g. 2022-Q1, 2022-H1, 2022-Y, 2022)",
        ) from None


def per_agency(views: list[TaskView]) -> list[AgencyRow]:
    """Counts per agency and status, the agencies with most overdue tasks first."""
    rows: dict[str, AgencyRow] = {}
    for v in views:
        row = rows.setdefault(v.agency, AgencyRow(v.agency, {s.value: 0 for s in TaskStatus}))
        row.counts[v.status.value] += 1
        row.total += 1
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.agency))


def totals(views: list[TaskView]) -> dict[str, int]:
    counts = Counter(v.status.value for v in views)
    return {s.value: counts.get(s.value, 0) for s in TaskStatus}


@dataclass(frozen=True)
class Grid:
    agencies: list[AgencyRow]
    duties: list[str]
    cells: dict[tuple[str, str], TaskView]


def grid(views: list[TaskView]) -> Grid:
    duties = sorted({v.duty for v in views}, key=_duty_key)
    cells = {(v.agency, v.duty): v for v in views}
    return Grid(per_agency(views), duties, cells)


def _duty_key(duty: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in duty.replace("-", ".").split(".")]


def periods(views: list[TaskView]) -> list[str]:
    return sorted({v.period for v in views}, key=_period_key)


def _period_key(code: str) -> tuple[int, int, str]:
    try:
        p = Period.parse(code)
    except ValueError:
        return (0, 0, code)
    cutoff_end = p.cutoff()[1]
    return (cutoff_end.year, cutoff_end.toordinal(), code)


def on_time_rates(views: list[TaskView]) -> tuple[list[str], dict[str, dict[str, float | None]]]:
    """Per agency and period: the share of tasks done on time, among those already due or done."""
    judged: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for v in views:
        if v.status is TaskStatus.OPEN_IN_TIME:
            continue  # not yet judgeable
        cell = judged[(v.agency, v.period)]
        cell[1] += 1
        if v.status is TaskStatus.DONE_ON_TIME:
            cell[0] += 1
    codes = periods(views)
    out: dict[str, dict[str, float | None]] = {}
    for agency in sorted({v.agency for v in views}):
        out[agency] = {}
        for period in codes:
            ok, total = judged.get((agency, period), (0, 0))
            out[agency][period] = ok / total if total else None
    return codes, out


def local_offset_hours(moment: datetime) -> int:
    """Vietnam keeps UTC+7 all year (no daylight saving since 1975)."""
    offset = moment.astimezone(clock.LOCAL_TZ).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 3600)


def _local_date(column: Any, dialect: str, hours: int) -> ColumnElement[Any]:
    """The Vietnamese calendar date of a naive-UTC timestamp column, in SQL."""
    if dialect == "sqlite":
        return func.date(column, f"{hours:+d} hours")
    return sa_cast(column + text(f"interval '{hours} hours'"), Date)


def counts_by_agency(
    engine: Engine, moment: datetime, plan: str | None = None, period: str | None = None
) -> list[AgencyRow]:
    """The current board's counts per agency and status, aggregated by the database.

    The same judgement as ``status.classify``: done on time if the local completion date is on or
    before the due date; a report sent by the deadline and awaiting review is open in time; other
    open tasks are overdue once the local date of ``moment`` passes the due date.
    """
    b = board_table
    hours = local_offset_hours(moment)
    done_on = _local_date(b.c.completed_at, engine.dialect.name, hours)
    today = clock.local_date(moment)
    sent_on = _local_date(b.c.review_pending_since, engine.dialect.name, hours)
    if engine.dialect.name == "sqlite":
        on_time = done_on <= func.date(b.c.due)
        sent_in_time = sent_on <= func.date(b.c.due)
    else:
        on_time = done_on <= b.c.due
        sent_in_time = sent_on <= b.c.due
    status = case(
        (and_(b.c.completed_at.is_not(None), on_time), TaskStatus.DONE_ON_TIME.value),
        (b.c.completed_at.is_not(None), TaskStatus.DONE_LATE.value),
        # A report sent by the deadline and awaiting review is not overdue (status.classify).
        (and_(b.c.review_pending_since.is_not(None), sent_in_time), TaskStatus.OPEN_IN_TIME.value),
        (b.c.due >= today, TaskStatus.OPEN_IN_TIME.value),
        else_=TaskStatus.OPEN_OVERDUE.value,
    ).label("status")
    query = select(b.c.agency, status, func.count().label("n")).where(b.c.cancelled.is_(False))
    if plan:
        query = query.where(b.c.plan == plan)
    if period:
        query = query.where(b.c.period == period)
    query = query.group_by(b.c.agency, status)
    rows: dict[str, AgencyRow] = {}
    with engine.connect() as connection:
        for agency, word, n in connection.execute(query):
            row = rows.setdefault(agency, AgencyRow(agency, {s.value: 0 for s in TaskStatus}))
            row.counts[word] += int(n)
            row.total += int(n)
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.agency))
