"""The board's counts per agency and status: aggregated by the database, for the current board or
the board as it stood at a past time, or counted from task views.

Cooperating tasks (phối hợp) are counted apart, in ``cooperating``: the lead's task carries the
deadline and the status, so they are in neither ``counts`` nor ``total``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Date, Engine, and_, case, func, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.sql.elements import ColumnElement

from planflow.application.queries.tasks import TaskView, as_of_rows
from planflow.application.tables import board as board_table
from planflow.domain import clock
from planflow.domain.status import TaskStatus
from planflow.domain.task import COOPERATING


@dataclass
class AgencyRow:
    agency: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    cooperating: int = 0  # cooperating tasks, outside ``counts`` and ``total``

    @property
    def overdue(self) -> int:
        return self.counts.get(TaskStatus.OPEN_OVERDUE.value, 0)

    def as_json(self) -> dict[str, object]:
        return {
            "agency": self.agency,
            "total": self.total,
            "counts": self.counts,
            "cooperating": self.cooperating,
        }


def per_agency(views: Iterable[TaskView]) -> list[AgencyRow]:
    """Counts per agency and status, the agencies with most overdue tasks first."""
    return _rows((v.agency, v.status.value, 1, v.role) for v in views)


def _rows(counted: Iterable[tuple[str, str, int, str]]) -> list[AgencyRow]:
    rows: dict[str, AgencyRow] = {}
    for agency, word, n, role in counted:
        row = rows.setdefault(agency, AgencyRow(agency, {s.value: 0 for s in TaskStatus}))
        if role == COOPERATING:
            row.cooperating += n
            continue
        row.counts[word] += n
        row.total += n
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.agency))


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
    engine: Engine,
    moment: datetime,
    plan: str | None = None,
    period: str | None = None,
    *,
    as_of: bool = False,
) -> list[AgencyRow]:
    """The board's counts per agency and status, aggregated by the database: the current board
    judged at ``moment``, or with ``as_of`` the board as it stood at ``moment`` (each task's state
    then, from the event index; ``tasks.as_of_rows``).

    The same judgement as ``status.classify``: done on time if the local completion date is on or
    before the due date; a report sent by the deadline and awaiting review is open in time; other
    open tasks are overdue once the local date of ``moment`` passes the due date.
    """
    source = as_of_rows(moment, engine.dialect.name).subquery() if as_of else board_table
    b = source.c
    status = status_case(b, engine.dialect.name, moment)
    query = select(b.agency, status, func.count().label("n"), b.role).where(b.cancelled.is_(False))
    if plan:
        query = query.where(b.plan == plan)
    if period:
        query = query.where(b.period == period)
    query = query.group_by(b.agency, status, b.role)
    with engine.connect() as connection:
        counted = [
            (agency, word, int(n), role) for agency, word, n, role in connection.execute(query)
        ]
    return _rows(counted)


def status_case(b: Any, dialect: str, moment: datetime) -> ColumnElement[str]:
    """``status.classify`` in SQL over columns named as the board's, judged at ``moment``."""
    hours = local_offset_hours(moment)
    done_on = _local_date(b.completed_at, dialect, hours)
    today = clock.local_date(moment)
    sent_on = _local_date(b.review_pending_since, dialect, hours)
    if dialect == "sqlite":
        on_time = done_on <= func.date(b.due)
        sent_in_time = sent_on <= func.date(b.due)
    else:
        on_time = done_on <= b.due
        sent_in_time = sent_on <= b.due
    return case(
        (and_(b.completed_at.is_not(None), on_time), TaskStatus.DONE_ON_TIME.value),
        (b.completed_at.is_not(None), TaskStatus.DONE_LATE.value),
        # A report sent by the deadline and awaiting review is not overdue (status.classify).
        (and_(b.review_pending_since.is_not(None), sent_in_time), TaskStatus.OPEN_IN_TIME.value),
        (b.due >= today, TaskStatus.OPEN_IN_TIME.value),
        else_=TaskStatus.OPEN_OVERDUE.value,
    ).label("status")
