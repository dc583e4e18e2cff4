"""Loading a task for a command: one statement, one replay, no repository layers.

The library's repository reads the latest snapshot and then the events after it (two
statements, each through the ORM), and replays them through ``project_aggregate``, which checks
every event against a runtime protocol. A command needs the current state only, so the loader
reads the latest snapshot and the later events with one ``UNION ALL`` built once per process
(SQLAlchemy then only looks up its compiled form), on the connection of the command's
transaction, and applies the events directly. The snapshot semantics are the library's: the
snapshot with the highest version, then every event above that version
(tests/test_snapshots.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

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

from planflow.adapters.prepared import Prepared, driver_of
from planflow.domain.task import Task


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


class TaskLoader:
    def __init__(self, app: _App) -> None:
        self._mapper = app.mapper
        snapshots = _table(app.snapshots.recorder) if app.snapshots is not None else None
        self._statement = _statement(_table(app.recorder), snapshots)
        self._prepared: Prepared | None = None

    def load(self, connection: Connection, ref: UUID) -> Task | None:
        """The task's current state, or None if it has no events."""
        to_domain_event = self._mapper.to_domain_event
        task: Any = None
        for _kind, version, topic, state in self._rows(connection, ref):
            stored = StoredEvent(
                originator_id=ref,
                originator_version=version,
                topic=topic,
                state=state if isinstance(state, bytes) else bytes(state),
            )
            task = to_domain_event(stored).mutate(task)  # type: ignore[attr-defined]
        return task if isinstance(task, Task) else None

    def _rows(self, connection: Connection, ref: UUID) -> Iterable[Sequence[Any]]:
        """(kind, version, topic, state) rows: on SQLite through the driver (adapters/prepared.py)."""
        driver = driver_of(connection)
        if driver is None:
            return connection.execute(self._statement, {"id": ref})
        if self._prepared is None:
            self._prepared = Prepared(self._statement, connection.dialect)
        return self._prepared.execute(driver, {"id": ref})
