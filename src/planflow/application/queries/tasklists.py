"""The lists of an agency's page read a page at a time: ``list_tasks``'s rows and order, with
SQL ``LIMIT``/``OFFSET``, and each list's length counted by the database (``COUNT``), so that a
page costs its shown rows, not every task of the agency or of the province."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from planflow.application.queries.tasks import (
    BoardFilter,
    TaskView,
    current_rows,
    filter_conditions,
    view_of,
)
from planflow.application.tables import from_db
from planflow.domain.status import status_at

__all__ = ["TaskCounts", "count_tasks", "page_of_tasks"]


@dataclass(frozen=True)
class TaskCounts:
    """How many of the filtered tasks (cancelled ones left out unless asked) are in each of the
    lists an agency's page shows."""

    total: int = 0
    lead_open: int = 0  # not cooperating, not completed
    lead_done: int = 0  # not cooperating, completed
    cooperating: int = 0
    submitted: int = 0  # a report awaiting review (state "submitted")


def count_tasks(engine: Engine, filters: BoardFilter) -> TaskCounts:
    """``TaskCounts`` of the tasks ``list_tasks(..., as_of=False)`` lists, counted by the database
    in one pass (``filters.status``, judged in Python, is not supported)."""
    _no_status(filters)
    c = current_rows().selected_columns
    lead = c.role != "cooperating"

    def tally(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = select(
        func.count(),
        tally(and_(lead, c.completed_at.is_(None))),
        tally(and_(lead, c.completed_at.is_not(None))),
        tally(c.role == "cooperating"),
        tally(c.state == "submitted"),
    )
    conditions = filter_conditions(c, filters)
    if conditions:
        query = query.where(and_(*conditions))
    with engine.connect() as connection:
        total, lead_open, lead_done, cooperating, submitted = connection.execute(query).one()
    return TaskCounts(int(total), int(lead_open), int(lead_done), int(cooperating), int(submitted))


def page_of_tasks(
    engine: Engine,
    moment: datetime,
    filters: BoardFilter,
    *,
    limit: int,
    offset: int = 0,
    completed: bool | None = None,
    state: str | None = None,
    cooperating: bool | None = None,
) -> list[TaskView]:
    """One page of what ``list_tasks(..., as_of=False)`` lists, in its order (deadline, plan,
    duty, agency, period; then the id, so that pages never overlap), with statuses judged at
    ``moment`` as there. ``completed`` keeps the completed (True) or the open (False) tasks,
    ``state`` one state, ``cooperating`` the cooperating (True) or the other (False) tasks;
    ``filters.status`` is not supported."""
    _no_status(filters)
    query = current_rows()
    c = query.selected_columns
    conditions = filter_conditions(c, filters)
    if completed is not None:
        conditions.append(c.completed_at.is_not(None) if completed else c.completed_at.is_(None))
    if state is not None:
        conditions.append(c.state == state)
    if cooperating is not None:
        conditions.append(c.role == "cooperating" if cooperating else c.role != "cooperating")
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(c.due, c.plan, c.duty, c.agency, c.period, c.id)
    query = query.offset(offset).limit(limit)
    with engine.connect() as connection:
        found = list(connection.execute(query))
    # The status judged in Python at ``moment``, as ``list_tasks`` judges it.
    return [
        view_of(
            row,
            status_at(
                row.due, from_db(row.completed_at), from_db(row.review_pending_since), moment
            ),
        )
        for row in found
    ]


def _no_status(filters: BoardFilter) -> None:
    if filters.status is not None:
        raise ValueError("the status is judged in Python: filter list_tasks's rows instead")
