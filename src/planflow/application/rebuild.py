"""Rebuilding the read models from the events: streamed in pages, committed as it goes, resumable.

A rebuild empties every read model (the tables not marked ``keep_on_rebuild``), then reads the
notification log in pages of ``PAGE`` events, replays each task and plan in memory and bulk-inserts
the board, history, plan and ledger rows. Every ``PAGES_PER_COMMIT`` pages it commits, together with
the position reached, in the scratch table ``planflow_rebuild_position``. When the log is read, the
due index is computed once from every task's final state and each plan's final rules, and the
scratch table is dropped in the same transaction: the table exists only while a rebuild is
unfinished.

An interrupted rebuild (a crash, Ctrl-C, a lost connection) leaves the rows of the pages it
committed and its position. ``resume=True`` replays the events up to that position in memory
without writing them (the states are needed for the later pages and the due index), then goes on
writing from the next event. Run a rebuild with the web and scheduler processes stopped: until it
has finished the read models are incomplete.

Inside a transaction that is already open (the audit bundle import) the whole rebuild joins that
transaction, so it is committed or rolled back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, inspect, select, update

from planflow.application.bulk import paused_gc
from planflow.application.planrules import rules_from_plan
from planflow.application.readmodels import Projector
from planflow.application.tables import due, kept_on_rebuild, metadata
from planflow.domain.plan import Plan
from planflow.domain.task import Task

if TYPE_CHECKING:
    from planflow.application.app import PlanflowApp

PAGE = 1000  # events read from the notification log at a time
PAGES_PER_COMMIT = 10  # the work an interruption can lose

# Not in the read models' metadata: it is created by a rebuild and dropped when it finishes.
position_table = Table(
    "planflow_rebuild_position",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),  # the last notification id written
    Column("total", Integer, nullable=False),  # the last notification id when it started
)

Progress = Callable[[int], None]


def interrupted_at(connection: Connection | Engine) -> int | None:
    """The position of an unfinished rebuild, or None when there is none."""
    if isinstance(connection, Engine):
        with connection.connect() as opened:
            return interrupted_at(opened)
    if not inspect(connection).has_table(position_table.name):
        return None
    value = connection.execute(select(position_table.c.position)).scalar()
    return None if value is None else int(value)


def rebuild(app: PlanflowApp, progress: Progress | None = None, *, resume: bool = False) -> int:
    """Rebuild every read model; with ``resume``, go on from where an interrupted one stopped
    (from the start if none was interrupted). Returns the events replayed (all of them)."""
    with paused_gc():  # every task's state is held until the due index is written
        return _rebuild(app, progress, resume)


def _rebuild(app: PlanflowApp, progress: Progress | None, resume: bool) -> int:
    states: dict[UUID, Any] = {}
    position = interrupted_at(app.engine) if resume else None
    if position is None:
        position, count = _start(app), 0
    else:
        count = _replay(app, states, position)
    if progress:
        progress(count)
    while True:
        with app.transaction() as session:
            position, written = _write_pages(app, session, states, position)
            if not written:
                break
            count += written
            session.execute(update(position_table).values(position=position))
        if progress:
            progress(count)
    with app.transaction() as session:
        _write_due_index(session, states)
        position_table.drop(session.connection())
    return count


def _start(app: PlanflowApp) -> int:
    """Empty the read models and record position 0, in one transaction."""
    total = app.recorder.max_notification_id() or 0
    with app.transaction() as session:
        connection = session.connection()
        # Delete first: it opens the transaction, so that on SQLite the DDL below is part of
        # it too (pysqlite would otherwise run it in autocommit) and a failed start leaves
        # the read models as they were.
        rebuilt = [t for t in metadata.sorted_tables if not kept_on_rebuild(t)]
        for table in reversed(rebuilt):
            connection.execute(table.delete())
        metadata.drop_all(connection, tables=rebuilt)
        metadata.create_all(connection, tables=rebuilt)
        position_table.drop(connection, checkfirst=True)
        position_table.create(connection)
        connection.execute(position_table.insert().values(id=1, position=0, total=total))
    return 0


def _pages(app: PlanflowApp, after: int, until: int | None = None) -> Any:
    """The notification log after ``after`` (up to ``until``), a page at a time."""
    start = after + 1
    while until is None or start <= until:
        limit = PAGE if until is None else min(PAGE, until - start + 1)
        notifications = app.recorder.select_notifications(start=start, limit=limit)
        if not notifications:
            return
        yield notifications
        start = notifications[-1].id + 1


def _replay(app: PlanflowApp, states: dict[UUID, Any], position: int) -> int:
    """The states after the events up to ``position``, nothing written; their number."""
    count = 0
    with app.transaction():
        for notifications in _pages(app, 0, position):
            for notification in notifications:
                event: Any = app.mapper.to_domain_event(notification)
                states[event.originator_id] = event.mutate(states.get(event.originator_id))
            count += len(notifications)
    return count


def _write_pages(
    app: PlanflowApp, session: Any, states: dict[UUID, Any], position: int
) -> tuple[int, int]:
    """Up to PAGES_PER_COMMIT pages after ``position`` written: the new position, the events."""
    written = 0
    for count, notifications in enumerate(_pages(app, position), start=1):
        projector = Projector()
        for notification in notifications:
            event: Any = app.mapper.to_domain_event(notification)
            state = event.mutate(states.get(event.originator_id))
            states[event.originator_id] = state
            if isinstance(state, Task):
                projector.task_event(cast(Task.Event, event), state)
            elif isinstance(state, Plan):
                projector.plan_event(state)
        projector.flush(session)
        position = notifications[-1].id
        written += len(notifications)
        if count == PAGES_PER_COMMIT:
            break
    return position, written


def _write_due_index(session: Any, states: dict[UUID, Any]) -> None:
    """The due index depends on each plan's final rules: computed once, at the end."""
    session.execute(due.delete())
    rules = {s.code: rules_from_plan(s) for s in states.values() if isinstance(s, Plan)}
    projector = Projector(rules.get)
    for done, state in enumerate(states.values(), start=1):
        if isinstance(state, Task):
            projector.reindex(state)
        if done % PAGE == 0:
            projector.flush(session)
    projector.flush(session)
