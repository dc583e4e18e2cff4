"""Tasks on the board, now or as of any past time; one task's version at a time; task ids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, String, and_, cast, func, select
from sqlalchemy.sql import ColumnElement, Select

from planflow.application.errors import AmbiguousTaskId, TaskNotFound
from planflow.application.tables import board, from_db, task_events, to_db
from planflow.domain.status import TaskStatus, status_at


@dataclass(frozen=True)
class TaskView:
    id: str
    plan: str
    duty: str
    agency: str
    period: str
    due: date
    status: TaskStatus
    state: str
    completion: str
    title: str
    completed_at: datetime | None
    cancelled: bool
    open_difficulties: int
    version: int
    role: str = "lead"  # or "cooperating" (phối hợp): never chased, counted apart
    recipient: str = ""  # the agency that reviews the report ("": the Office)
    personal_responsibility: bool = False

    @property
    def is_cooperating(self) -> bool:
        return self.role == "cooperating"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "plan": self.plan,
            "duty": self.duty,
            "agency": self.agency,
            "period": self.period,
            "due": self.due.isoformat(),
            "status": self.status.value,
            "status_vi": self.status.label_vi,
            "state": self.state,
            "completion": self.completion,
            "title": self.title,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
            "cancelled": self.cancelled,
            "open_difficulties": self.open_difficulties,
            "version": self.version,
            "role": self.role,
            "recipient": self.recipient or None,
            "personal_responsibility": self.personal_responsibility,
        }


@dataclass(frozen=True)
class BoardFilter:
    plan: str | None = None
    agency: str | None = None
    period: str | None = None
    duty: str | None = None
    status: TaskStatus | None = None
    include_cancelled: bool = False
    recipient: str | None = None  # only the tasks whose report this agency reviews
    role: str | None = None  # "lead" or "cooperating"; None: both


def list_tasks(
    engine: Engine, moment: datetime, filters: BoardFilter, *, as_of: bool
) -> list[TaskView]:
    """The board at ``moment``. With ``as_of`` the rows are the tasks as they stood then (from the
    event index); without it, as they are now, with statuses judged at ``moment``."""
    query = as_of_rows(moment, engine.dialect.name) if as_of else _current_query()
    conditions = filter_conditions(query.selected_columns, filters)
    if conditions:
        query = query.where(and_(*conditions))
    cols = query.selected_columns
    query = query.order_by(cols.due, cols.plan, cols.duty, cols.agency, cols.period)
    with engine.connect() as connection:
        views = [_view(row, moment) for row in connection.execute(query)]
    if filters.status is not None:
        views = [v for v in views if v.status is filters.status]
    return views


def filter_conditions(cols: Any, filters: BoardFilter) -> list[ColumnElement[bool]]:
    """The filters' conditions (all but the status word) over columns named as the board's."""
    conditions: list[ColumnElement[bool]] = []
    if filters.plan:
        conditions.append(cols.plan == filters.plan)
    if filters.agency:
        conditions.append(cols.agency == filters.agency)
    if filters.period:
        conditions.append(cols.period == filters.period)
    if filters.duty:
        conditions.append(cols.duty == filters.duty)
    if filters.recipient:
        conditions.append(cols.recipient == filters.recipient)
    if filters.role:
        conditions.append(cols.role == filters.role)
    if not filters.include_cancelled:
        conditions.append(cols.cancelled.is_(False))
    return conditions


def current_rows() -> Select[Any]:
    """Every task on the board as it is now, the columns ``as_of_rows`` has."""
    return _current_query()


def _current_query() -> Select[Any]:
    return select(
        board.c.id,
        board.c.plan,
        board.c.duty,
        board.c.agency,
        board.c.period,
        board.c.due,
        board.c.state,
        board.c.completion,
        board.c.title,
        board.c.completed_at,
        board.c.review_pending_since,
        board.c.cancelled,
        board.c.open_difficulties,
        board.c.version,
        board.c.role,
        board.c.recipient,
        board.c.personal_responsibility,
    )


def as_of_rows(moment: datetime, dialect: str | None = None) -> Select[Any]:
    """Every task as it stood at ``moment``, computed by the database from the event index: each
    task's last version recorded by then, joined to the board for the columns no event changes.
    Tasks created later are absent. Columns are named as the board's.

    On PostgreSQL (``dialect="postgresql"``) one ``DISTINCT ON (task_id)`` pass over the index
    entries recorded by then: a sequential scan and a sort, several times faster there than a
    lookup per board row (docs/performance.md). Elsewhere (SQLite) a correlated ``max(version)``
    on the task's own index entries, then a join by primary key, so the cost follows the tasks,
    not the length of their histories."""
    if dialect == "postgresql":
        return _as_of_distinct_on(moment)
    e = task_events
    x = task_events.alias("x")
    latest = (
        select(func.max(x.c.version))
        .where(x.c.task_id == board.c.id, x.c.timestamp <= to_db(moment))
        .correlate(board)
        .scalar_subquery()
    )
    version_then = select(board.c.id.label("task_id"), latest.label("version")).subquery()
    return (
        _as_of_columns(e)
        .select_from(version_then)
        .join(e, and_(e.c.task_id == version_then.c.task_id, e.c.version == version_then.c.version))
        .join(board, board.c.id == version_then.c.task_id)
    )


def _as_of_distinct_on(moment: datetime) -> Select[Any]:
    e = task_events
    then = (
        select(
            e.c.task_id,
            e.c.agency,
            e.c.due,
            e.c.state,
            e.c.completed_at,
            e.c.review_pending_since,
            e.c.cancelled,
            e.c.open_difficulties,
            e.c.version,
        )
        .where(e.c.timestamp <= to_db(moment))
        .distinct(e.c.task_id)
        .order_by(e.c.task_id, e.c.version.desc())
        .subquery("then")
    )
    return _as_of_columns(then).select_from(then).join(board, board.c.id == then.c.task_id)


def _as_of_columns(e: Any) -> Select[Any]:
    """The board's columns, the ones events change taken from ``e`` (the task's state then)."""
    return select(
        board.c.id,
        board.c.plan,
        board.c.duty,
        e.c.agency,
        board.c.period,
        e.c.due,
        e.c.state,
        board.c.completion,
        board.c.title,
        e.c.completed_at,
        e.c.review_pending_since,
        e.c.cancelled,
        e.c.open_difficulties,
        e.c.version,
        board.c.role,
        board.c.recipient,
        board.c.personal_responsibility,
    )


def _view(row: Any, moment: datetime) -> TaskView:
    """A board row as a view, its status judged in Python at ``moment``."""
    completed_at = from_db(row.completed_at)
    return view_of(row, status_at(row.due, completed_at, from_db(row.review_pending_since), moment))


def view_of(row: Any, status: TaskStatus) -> TaskView:
    """A board row as a view with its status already judged (in Python or by the SQL ``CASE``)."""
    return TaskView(
        id=row.id,
        plan=row.plan,
        duty=row.duty,
        agency=row.agency,
        period=row.period,
        due=row.due,
        status=status,
        state=row.state,
        completion=row.completion,
        title=row.title,
        completed_at=from_db(row.completed_at),
        cancelled=bool(row.cancelled),
        open_difficulties=row.open_difficulties,
        version=row.version,
        role=row.role,
        recipient=row.recipient,
        personal_responsibility=bool(row.personal_responsibility),
    )


def task_parties(engine: Engine, ref: UUID) -> tuple[str, str]:
    """The task's current agency and the agency that reviews its report ("": the Office), from the
    board: for access checks made before any aggregate is loaded."""
    query = select(board.c.agency, board.c.recipient).where(board.c.id == str(ref))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        raise TaskNotFound(str(ref))
    return str(row.agency), str(row.recipient)


def version_at(engine: Engine, task: UUID, moment: datetime) -> int | None:
    """The task's version at ``moment`` (None if it did not exist yet)."""
    query = select(func.max(task_events.c.version)).where(
        task_events.c.task_id == str(task), task_events.c.timestamp <= to_db(moment)
    )
    with engine.connect() as connection:
        value = connection.execute(query).scalar()
    return None if value is None else int(value)


def resolve_task(engine: Engine, ref: str) -> UUID:
    """A full task id, or a unique prefix of at least 6 characters."""
    ref = ref.strip().lower()
    try:
        return UUID(ref)
    except ValueError:
        pass
    if len(ref) < 6 or any(c not in "0123456789abcdef-" for c in ref):
        raise TaskNotFound(ref)
    query = select(board.c.id).where(cast(board.c.id, String).like(f"{ref}%")).limit(2)
    with engine.connect() as connection:
        found = [row.id for row in connection.execute(query)]
    if not found:
        raise TaskNotFound(ref)
    if len(found) > 1:
        raise AmbiguousTaskId(ref)
    return UUID(found[0])
