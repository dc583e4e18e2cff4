"""The read models' tables, in one SQLAlchemy ``MetaData`` (``metadata``) that the other tables of
the store (accounts, sessions, outbox, plan records, …) join; the migrations create them
(docs/architecture.md). How the rows are computed from the events is application/readmodels.py.

This module imports SQLAlchemy only (no domain, no event store), so a read-only command can name
the tables without loading the rest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement

metadata = MetaData()

# Tables in ``metadata`` that are not read models (accounts, sessions, outbox positions, inbox read
# marks): ``rebuild_read_models`` keeps them. Pass as ``Table(..., info=KEEP_ON_REBUILD)``.
KEEP_ON_REBUILD = {"keep_on_rebuild": True}


def kept_on_rebuild(table: Table) -> bool:
    return bool(table.info.get("keep_on_rebuild"))


def _state_columns() -> list[Column[Any]]:
    return [
        Column("agency", String(64), nullable=False),
        Column("due", Date, nullable=False),
        Column("planned_due", Date, nullable=False),
        Column("state", String(16), nullable=False),
        Column("report_state", String(16), nullable=False),
        Column("completed_at", DateTime, nullable=True),
        Column("review_pending_since", DateTime, nullable=True),
        Column("cancelled", Boolean, nullable=False),
        Column("open_difficulties", Integer, nullable=False),
        Column("activities", Integer, nullable=False),
    ]


# The board's pages (queries/pages.py, pagecounts.py): a covering index for the pass that counts a
# plan's tasks by role, period, agency, deadline and status, and for ordering a list's page (only
# the rows shown are then read from the table); one for the distinct duties of a plan or of some
# agencies in a period. Migration 0005.
BOARD_PAGE_INDEXES = (
    Index(
        "ix_planflow_board_pages",
        "plan",
        "cancelled",
        "role",
        "period",
        "agency",
        "due",
        "completed_at",
        "review_pending_since",
        "state",
        "open_difficulties",
        "duty",
        "id",
    ),
    Index("ix_planflow_board_duties", "plan", "cancelled", "role", "duty", "period", "agency"),
)

board = Table(
    "planflow_board",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("plan", String(64), nullable=False),
    Column("duty", String(64), nullable=False),
    Column("period", String(16), nullable=False),
    Column("original_agency", String(64), nullable=False),
    Column("completion", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("role", String(16), nullable=False, default="lead"),  # lead | cooperating
    Column("recipient", String(64), nullable=False, default=""),  # reviews the report; "": Office
    Column("personal_responsibility", Boolean, nullable=False, default=False),
    *_state_columns(),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_planflow_board_plan_agency_period", "plan", "agency", "period"),
    Index("ix_planflow_board_due", "due"),
    *BOARD_PAGE_INDEXES,
)


class CodePoint(ColumnElement[str]):
    """A string column ordered by code point, as Python orders strings: ``COLLATE "C"`` on
    PostgreSQL, the column itself on SQLite (whose default collation already is). For the
    auditor's index, so that the page's ``ORDER BY … COLLATE "C"`` walks it."""

    inherit_cache = True

    def __init__(self, column: ColumnElement[str]) -> None:
        self.column = column
        self.type = column.type

    def get_children(self, **_kw: Any) -> list[ColumnElement[str]]:
        return [self.column]

    @property
    def _from_objects(self) -> Any:
        return self.column._from_objects


@compiles(CodePoint)
def _plain(element: CodePoint, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


@compiles(CodePoint, "postgresql")
def _collate_c(element: CodePoint, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.column, **kw)} COLLATE "C"'


# The auditor's page lists the tasks in the base order (deadline, plan, duty, agency, period, id;
# strings by code point, ``queries.pages.rows(sort="base")``): walked on this index, the first
# page reads its 100 rows instead of sorting every task. Migration 0007. Alembic reflects no
# column collation, so tests/test_migrations.py checks this index's definition itself.
AUDIT_ORDER_INDEX = Index(
    "ix_planflow_board_audit_order",
    board.c.due,
    *(CodePoint(board.c[name]) for name in ("plan", "duty", "agency", "period")),
    board.c.id,
)

task_events = Table(
    "planflow_task_events",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("timestamp", DateTime, nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("actor", String(128), nullable=False),
    *_state_columns(),
    Index("ix_planflow_task_events_task_time", "task_id", "timestamp"),
    Index("ix_planflow_task_events_time", "timestamp"),
    # The inboxes and their unread count in every page's header: events of a few types by time
    # (migration 0005).
    Index("ix_planflow_task_events_type_time", "event_type", "timestamp"),
)

plans = Table(
    "planflow_plans",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("sha256", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("title_vi", Text, nullable=False),
    Column("document", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


# The due index: one row per open task with a step still to record, its next one (readmodels.py),
# keyed by the task. Migration 0006 (from one row per step). A WITHOUT ROWID table, clustered on the
# key, measured twice as slow to fill and three times as slow to update on SQLite (rows of ~150
# bytes inserted in random key order split pages; docs/performance.md, "Loading a large plan").
due = Table(
    "planflow_due",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("step", Integer, nullable=False),
    Column("plan", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    Column("due", Date, nullable=False),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("recipient_role", String(64), nullable=False),
    Index("ix_planflow_due_fire_at", "fire_at"),
)

chases = Table(
    "planflow_chases",
    metadata,
    Column("task_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("timestamp", DateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("step", Integer, nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("due", Date, nullable=False),
    Column("plan", String(64), nullable=False),
    Column("duty", String(64), nullable=False),
    Column("period", String(16), nullable=False),
    Column("task_agency", String(64), nullable=False),
    Column("recipient_role", String(64), nullable=False),
    Column("recipient_agency", String(64), nullable=False),
    Column("recipient_title", Text, nullable=False),
    Column("recipient_name", Text, nullable=False),
    # The head who bears personal responsibility for the task, when the plan says so.
    Column("personal_responsibility", Boolean, nullable=False, default=False),
    Column("responsible_title", Text, nullable=False, default=""),
    Column("responsible_name", Text, nullable=False, default=""),
    Index("ix_planflow_chases_recipient", "recipient_agency", "recipient_title"),
)


def to_db(moment: datetime | None) -> datetime | None:
    """Timestamps are stored as naive UTC, the same on SQLite and PostgreSQL."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)
