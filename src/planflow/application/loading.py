"""Loading a task for a command: one statement, one replay, no repository layers.

The library's repository reads the latest snapshot and then the events after it (two
statements, each through the ORM), and replays them through ``project_aggregate``, which checks
every event against a runtime protocol. A command needs the current state only, so the loader
reads the latest snapshot and the later events with one ``UNION ALL`` built once per process
(SQLAlchemy then only looks up its compiled form), on the connection of the command's
transaction, and applies the events directly. The snapshot semantics are the library's: the
snapshot with the highest version, then every event above that version
(tests/test_snapshots.py). On SQLite and psycopg the statements go to the driver (planflow/prepared.py).

A task this process committed a command on is kept, and its next command reads only the events
from the kept version on (``TaskLoader``; tests/test_task_cache.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from threading import Lock
from typing import Any, Protocol
from uuid import UUID

import psycopg
from eventsourcing.persistence import Mapper, StoredEvent
from sqlalchemy import (
    Connection,
    Executable,
    Table,
    bindparam,
    func,
    literal,
    select,
    union_all,
)

from planflow.application.storage import LOCK_ONE, task_lock_key
from planflow.domain.task import Task
from planflow.prepared import Prepared, driver_of, pipelined


class _App(Protocol):
    """What the loader needs of PlanflowApp."""

    recorder: Any
    snapshots: Any
    mapper: Mapper[UUID]


def _table(recorder: Any) -> Table:
    table: Table = recorder.events_record_cls.__table__
    return table


def _statement(events: Table, snapshots: Table | None) -> Executable:
    e = events.c
    if snapshots is None:
        return (
            select(literal(1).label("kind"), e.originator_version, e.topic, e.state)
            .where(e.originator_id == bindparam("id"))
            .order_by(e.originator_version)
        )
    s = snapshots.c
    latest = (
        select(func.max(s.originator_version))
        .where(s.originator_id == bindparam("id"))
        .scalar_subquery()
    )
    snapshot = select(literal(0).label("kind"), s.originator_version, s.topic, s.state).where(
        s.originator_id == bindparam("id"), s.originator_version == latest
    )
    later = select(literal(1).label("kind"), e.originator_version, e.topic, e.state).where(
        e.originator_id == bindparam("id"), e.originator_version > func.coalesce(latest, 0)
    )
    return union_all(snapshot, later).order_by("kind", "originator_version")


def _after_statement(events: Table) -> Executable:
    """The stream's events from a version on, with their notification ids."""
    e = events.c
    return (
        select(e.id, e.originator_version, e.topic, e.state)
        .where(e.originator_id == bindparam("id"), e.originator_version >= bindparam("version"))
        .order_by(e.originator_version)
    )


KEPT_TASKS = 512  # tasks kept as this process committed them (least recently used dropped)


class TaskLoader:
    """Loads a task for a command, under the task's write lock (SQLite's write transaction, a
    PostgreSQL advisory lock).

    A task this process committed a command on is kept as committed, with its version and the
    notification id of its last event (``keep``). The next load of it takes it out of the
    cache and reads only the stream's events from that version on: the kept version's own row
    must still be there with the same notification id (else the store is not the one the task
    was kept from, and the task is loaded in full), and the events after it — written by another
    process meanwhile — are applied, so the task is always the store's current one. A task is
    only kept after its transaction committed, and taken out when loaded, so a command that
    fails never leaves its changed task in the cache."""

    def __init__(self, app: _App) -> None:
        self._mapper = app.mapper
        snapshots = _table(app.snapshots.recorder) if app.snapshots is not None else None
        self._statement = _statement(_table(app.recorder), snapshots)
        self._after = _after_statement(_table(app.recorder))
        self._prepared: dict[int, Prepared] = {}  # by id of the statement (kept above)
        self._lock_statement: Prepared | None = None
        self._kept: OrderedDict[UUID, tuple[int, Task]] = OrderedDict()
        self._lock = Lock()

    def keep(self, task: Task, notification_id: int) -> None:
        """``task`` as committed, its last event stored with ``notification_id``: a copy the
        caller no longer changes."""
        with self._lock:
            self._kept[task.id] = (notification_id, task)
            self._kept.move_to_end(task.id)
            while len(self._kept) > KEPT_TASKS:
                self._kept.popitem(last=False)

    def load(self, connection: Connection, ref: UUID, *, lock: bool = False) -> Task | None:
        """The task's current state, or None if it has no events. With ``lock``, the task's
        write lock is taken first (PostgreSQL's advisory lock; on psycopg sent in one round trip
        with the read, which the server runs once the lock is held)."""
        lock_key = task_lock_key(ref) if lock and connection.dialect.name == "postgresql" else None
        with self._lock:
            kept = self._kept.pop(ref, None)
        if kept is not None:
            forwarded = self._forward(connection, ref, *kept, lock_key)
            if forwarded is not None:
                return forwarded
            lock_key = None  # held now
        rows = self._read(connection, self._statement, {"id": ref}, lock_key)
        return self._apply(ref, None, (row[1:] for row in rows))

    def _forward(
        self,
        connection: Connection,
        ref: UUID,
        notification_id: int,
        task: Task,
        lock_key: int | None,
    ) -> Task | None:
        """The kept task brought up to date with the events after it, or None if the store does
        not hold its last event as it was kept."""
        params = {"id": ref, "version": task.version}
        later = iter(self._read(connection, self._after, params, lock_key))
        first = next(later, None)
        if first is None or first[0] != notification_id or first[1] != task.version:
            return None
        return self._apply(ref, task, (row[1:] for row in later))

    def _apply(self, ref: UUID, task: Task | None, events: Iterable[Sequence[Any]]) -> Task | None:
        """``task`` (None: nothing yet) with the stored ``(version, topic, state)`` events applied."""
        to_domain_event = self._mapper.to_domain_event
        current: Any = task
        for version, topic, state in events:
            stored = StoredEvent(
                originator_id=ref,
                originator_version=version,
                topic=topic,
                state=state if isinstance(state, bytes) else bytes(state),
            )
            current = to_domain_event(stored).mutate(current)  # type: ignore[attr-defined]
        return current if isinstance(current, Task) else None

    def _read(
        self,
        connection: Connection,
        statement: Executable,
        params: Mapping[str, Any],
        lock_key: int | None,
    ) -> Iterable[Sequence[Any]]:
        """The rows of ``statement`` (the load or the read from a version), after the task's
        advisory lock if ``lock_key`` is given: on SQLite and psycopg through the driver
        (planflow/prepared.py), the lock and the read pipelined on psycopg."""
        driver = driver_of(connection)
        if driver is None:
            if lock_key is not None:
                connection.execute(LOCK_ONE, {"key": lock_key})
            return connection.execute(statement, params)
        prepared = self._prepared.get(id(statement))
        if prepared is None:
            prepared = self._prepared[id(statement)] = Prepared(statement, connection.dialect)
        if lock_key is None:
            return prepared.execute(driver, params)
        assert isinstance(driver, psycopg.Connection)
        if self._lock_statement is None:
            self._lock_statement = Prepared(LOCK_ONE, connection.dialect)
        with pipelined(driver):
            self._lock_statement.execute(driver, {"key": lock_key})
            cursor = prepared.execute(driver, params)
        return cursor.fetchall()
