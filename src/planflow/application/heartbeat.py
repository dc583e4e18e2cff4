"""The scheduler's heartbeat: each node's last tick, for /readyz and /metrics.

``planflow run`` (and ``planflow serve`` with its in-process ticker) records one row per node,
replaced at every tick: when it ran on the node's clock, when it finished on the wall clock, how
long it took and what it recorded. The scheduler's lag is the wall time since the newest tick. A
node silent for a day is forgotten (a restarted ``run`` names itself anew: host and process).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    delete,
    insert,
    select,
)

from planflow.application.tables import KEEP_ON_REBUILD, from_db, metadata, to_db

ticks = Table(
    "planflow_ticks",
    metadata,
    Column("node", String(128), primary_key=True),
    Column("at", DateTime, nullable=False),  # the tick's time (the node's clock)
    Column("finished_at", DateTime, nullable=False),  # wall clock
    Column("duration_seconds", Float, nullable=False),
    Column("tasks_due", Integer, nullable=False),
    Column("fired", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    info=KEEP_ON_REBUILD,
)


@dataclass(frozen=True)
class TickRecord:
    node: str
    at: datetime
    finished_at: datetime
    duration_seconds: float
    tasks_due: int
    fired: int
    errors: int


FORGET_AFTER = timedelta(days=1)  # a node silent this long is gone (restarted under a new name)


def record_tick(engine: Engine, record: TickRecord) -> None:
    row = {
        "node": record.node,
        "at": to_db(record.at),
        "finished_at": to_db(record.finished_at),
        "duration_seconds": record.duration_seconds,
        "tasks_due": record.tasks_due,
        "fired": record.fired,
        "errors": record.errors,
    }
    forgotten = to_db(record.finished_at - FORGET_AFTER)
    with engine.begin() as connection:
        connection.execute(
            delete(ticks).where((ticks.c.node == record.node) | (ticks.c.finished_at < forgotten))
        )
        connection.execute(insert(ticks), [row])


def last_ticks(engine: Engine) -> list[TickRecord]:
    with engine.connect() as connection:
        rows = connection.execute(select(ticks).order_by(ticks.c.finished_at.desc())).all()
    return [
        TickRecord(
            node=row.node,
            at=from_db(row.at) or row.at,
            finished_at=from_db(row.finished_at) or row.finished_at,
            duration_seconds=row.duration_seconds,
            tasks_due=row.tasks_due,
            fired=row.fired,
            errors=row.errors,
        )
        for row in rows
    ]
