"""``planflow status`` as the database answers it: the counts per status word and the first rows
of the board (now or as of a past time), each row's status judged in SQL.

The status words come from the same ``CASE`` as the board's aggregate (``board.status_case``,
which matches ``status.classify``); the rows are sorted and cut by the database, so a table of
1,000 rows out of 100,000 tasks reads 1,000 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, func, select, true

from planflow.application.board_sqlite import may_wait
from planflow.application.queries.board import status_case
from planflow.application.queries.tasks import (
    BoardFilter,
    TaskView,
    as_of_rows,
    current_rows,
    filter_conditions,
    view_of,
)
from planflow.application.tables import board
from planflow.application.tables import plans as plans_table
from planflow.domain.status import TaskStatus


@dataclass(frozen=True)
class StatusTable:
    counts: dict[TaskStatus, int]  # every task the filters match, per status word
    rows: list[TaskView]  # the first ``limit`` of them, in the board's order

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_table(
    engine: Engine, moment: datetime, filters: BoardFilter, *, as_of: bool, limit: int | None
) -> StatusTable:
    """The counts and the first ``limit`` rows (all with None) of the board at ``moment``: with
    ``as_of`` the tasks as they stood then, without it as they are now, judged at ``moment``."""
    source = (as_of_rows(moment, engine.dialect.name) if as_of else current_rows()).subquery()
    cols = source.c
    status = status_case(cols, engine.dialect.name, moment)
    conditions = filter_conditions(cols, filters)
    if filters.status is not None:
        conditions.append(status == filters.status.value)
    where = and_(true(), *conditions)
    counted = select(status, func.count()).select_from(source).where(where).group_by(status)
    rows = (
        select(source, status)
        .where(where)
        .order_by(cols.due, cols.plan, cols.duty, cols.agency, cols.period)
    )
    if limit is not None:
        rows = rows.limit(limit)
    counts = {s: 0 for s in TaskStatus}
    with engine.connect() as connection:
        for word, n in connection.execute(counted):
            counts[TaskStatus(word)] = int(n)
        views = (
            [view_of(row, TaskStatus(row.status)) for row in connection.execute(rows)]
            if limit != 0
            else []
        )
    return StatusTable(counts, views)


def plans_that_may_wait(engine: Engine, plan: str | None) -> list[str]:
    """The plans (``plan`` or every plan) whose document has a group defined by a condition or
    an event some duty may count from: only these can wait for anything (facts.waiting), so only
    these need their recorded facts read from the event store."""
    query = select(plans_table.c.code, plans_table.c.document).order_by(plans_table.c.code)
    if plan:
        query = query.where(plans_table.c.code == plan)
    with engine.connect() as connection:
        found = connection.execute(query).all()
    return [str(code) for code, document in found if may_wait(document)]


def board_periods(engine: Engine, plan: str | None) -> list[str]:
    """The periods the board's tasks (of ``plan``, or of every plan; cancelled ones too) carry."""
    query = select(board.c.period).distinct()
    if plan:
        query = query.where(board.c.plan == plan)
    with engine.connect() as connection:
        return sorted(str(p) for p in connection.execute(query).scalars())
