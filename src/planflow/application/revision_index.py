"""A plan revision that changes only reminder days, applied to the due index from its own rows.

Reminders are the only due-index rows such a revision changes. A task's pending reminders follow
from its board row (deadline, duty, whether it is chased at all), its other due-index rows (an
open lead task without its ``overdue`` row was marked overdue; fewer escalation rows than ladder
steps means it was escalated: either way it gets no more reminders) and the ledger (the lowest
reminder already recorded for its deadline). So the revision rewrites the reminder rows of the
tasks whose duty's reminder days changed with one DELETE and one INSERT … SELECT, joining the
board to two small temporary tables (each changed duty's new days; each deadline's fire day per
step, computed on the plan's working calendar in Python), instead of loading and replaying every
open task (``PlanflowApp._reindex_plan``, which stays for any other revision).
The result equals what ``readmodels.due_rows`` computes from each task (tested against a rebuild).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    exists,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from planflow.application.tables import board, chases, due, to_db
from planflow.domain.chase import ChaseKind
from planflow.domain.chasing import ASSIGNEE_HEAD, PlanRules, reminders_pending
from planflow.domain.task import COOPERATING, ReportState

REMINDER = ChaseKind.REMINDER.value
# SQLite's page cache during the rewrite (KiB; a ceiling, used only as pages are read).
_SQLITE_CACHE_KIB = 256 * 1024

# Scratch tables of one revision, created and dropped inside its transaction.
_scratch = MetaData()
_days = Table(
    "planflow_tmp_reminder_days",
    _scratch,
    Column("duty", String(64), primary_key=True),
    Column("step", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
_fires = Table(
    "planflow_tmp_reminder_fires",
    _scratch,
    Column("due", Date, primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    prefixes=["TEMPORARY"],
)


def only_reminders_changed(old: PlanRules | None, new: PlanRules) -> bool:
    """Whether the two rules differ in reminder days alone (calendar, ladder, heads, terms and
    signer equal)."""
    if old is None:
        return False
    return dataclasses.replace(old, reminders=(), duty_reminders={}) == dataclasses.replace(
        new, reminders=(), duty_reminders={}
    )


def _open_lead(code: str) -> Any:
    """The plan's tasks that are chased at all: open, lead, no report awaiting review."""
    return and_(
        board.c.plan == code,
        board.c.cancelled.is_(False),
        board.c.completed_at.is_(None),
        board.c.role != COOPERATING,
        board.c.report_state != ReportState.SUBMITTED.value,
    )


def reindex_reminders(session: Session, code: str, old: PlanRules, new: PlanRules) -> int:
    """Rewrite the reminder rows of the plan's open lead tasks whose duty's reminder days
    changed from ``old`` to ``new``. Tasks saved in the same transaction are rewritten from
    their board row as it was (what the due index depends on is unchanged, or the projector
    rewrites their rows afterwards). Returns the number of reminder rows written."""
    duties = [
        d
        for d in session.execute(select(board.c.duty).where(_open_lead(code)).distinct()).scalars()
        if old.reminder_days(d) != new.reminder_days(d)
    ]
    if not duties:
        return 0
    steps = sorted({n for d in duties for n in new.reminder_days(d)}, reverse=True)
    dues = session.execute(
        select(board.c.due).where(and_(_open_lead(code), board.c.duty.in_(duties))).distinct()
    ).scalars()
    fires = [
        {"due": day, "step": item.key.step, "fire_on": item.fire_on, "fire_at": to_db(item.fire_at)}
        for day in dues
        for item in reminders_pending(day, tuple(steps), None, new.calendar)
    ]
    # Created inside the transaction: a failure rolls their creation back with everything else
    # (on SQLite and PostgreSQL alike), so they are dropped only on the way out of a success.
    connection = session.connection()
    with _roomy_cache(connection):
        _scratch.drop_all(connection, checkfirst=True)
        _scratch.create_all(connection)
        session.execute(
            insert(_days), [{"duty": d, "step": n} for d in duties for n in new.reminder_days(d)]
        )
        if fires:
            session.execute(insert(_fires), fires)
        changed = select(board.c.id).where(
            and_(board.c.plan == code, board.c.duty.in_(select(_days.c.duty)))
        )
        session.execute(delete(due).where(and_(due.c.kind == REMINDER, due.c.task_id.in_(changed))))
        written = _insert_reminders(session, code)
        _scratch.drop_all(connection)
    return written


@contextmanager
def _roomy_cache(connection: Connection) -> Iterator[None]:
    """On SQLite, a page cache large enough for the rewrite, back to the connection's own after.

    With the default 2 MB the DELETE and the INSERT … SELECT, which reach the due index and the
    board in task-id order (random pages), spill dirty pages to the WAL and read pages again many
    times over, which grows faster than the plan (bench/bench_revision.py at 50,000 tasks)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")


def _insert_reminders(session: Session, code: str) -> int:
    overdue_row = exists().where(
        and_(due.c.task_id == board.c.id, due.c.kind == ChaseKind.OVERDUE.value)
    )
    escalated = exists().where(
        and_(
            chases.c.task_id == board.c.id,
            chases.c.kind == ChaseKind.ESCALATION.value,
            chases.c.due == board.c.due,
        )
    )
    superseded = exists().where(  # a reminder recorded at this step or a lower one
        and_(
            chases.c.task_id == board.c.id,
            chases.c.kind == REMINDER,
            chases.c.due == board.c.due,
            chases.c.step <= _days.c.step,
        )
    )
    rows = (
        select(
            board.c.id,
            literal(REMINDER),
            _days.c.step,
            board.c.plan,
            board.c.agency,
            board.c.due,
            _fires.c.fire_on,
            _fires.c.fire_at,
            _days.c.step.label("working_days"),
            literal(ASSIGNEE_HEAD),
        )
        .select_from(
            board.join(_days, _days.c.duty == board.c.duty).join(
                _fires, and_(_fires.c.due == board.c.due, _fires.c.step == _days.c.step)
            )
        )
        .where(and_(_open_lead(code), overdue_row, ~escalated, ~superseded))
    )
    names = [
        "task_id",
        "kind",
        "step",
        "plan",
        "agency",
        "due",
        "fire_on",
        "fire_at",
        "working_days",
        "recipient_role",
    ]
    result = session.execute(insert(due).from_select(names, rows))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
