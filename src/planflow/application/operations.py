"""What operators ask of a running store: is it reachable, is its schema current, is the
scheduler ticking, what is waiting (docs/operations.md). Read-only SQL for /readyz and /metrics.

Everything here reads the shared database, so any web process answers for the whole deployment:
the due backlog, each channel's outbox backlog and failures, the scheduler nodes' last ticks and
the store's size are the same whichever worker is asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsourcing.utils import get_topic
from sqlalchemy import Engine, column, func, select, table, text

from planflow.application import schema
from planflow.application.heartbeat import TickRecord, last_ticks
from planflow.application.outbox_store import positions
from planflow.application.tables import due, to_db
from planflow.domain.task import Task

# The events delivered by the outbox (notify/outbox.py: TOPICS), named here from the domain.
CHASE_TOPICS = tuple(get_topic(c) for c in (Task.ReminderSent, Task.Escalated, Task.ChaseUpSent))
EVENTS_TABLE = "planflow_events"


@dataclass(frozen=True)
class ChannelBacklog:
    channel: str
    position: int
    backlog: int  # chase events recorded after the channel's position
    attempts: int  # consecutive failed attempts on the event at the head (0: none)
    delivered: int
    last_error: str | None


@dataclass(frozen=True)
class Readiness:
    database: str | None  # None: reachable; else why not
    schema: schema.SchemaState | None
    ticks: list[TickRecord]
    lag_seconds: float | None  # wall seconds since the newest tick finished; None: never ticked


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def readiness(engine: Engine, wall_now: datetime) -> Readiness:
    try:
        ping(engine)
    except Exception as exc:  # any failure to reach the store means "not ready"
        return Readiness((str(exc).splitlines() or [type(exc).__name__])[0][:200], None, [], None)
    ticks = last_ticks(engine)
    lag = (wall_now - ticks[0].finished_at).total_seconds() if ticks else None
    return Readiness(None, schema.state(engine), ticks, lag)


def due_backlog(engine: Engine, now: datetime) -> int:
    """Tasks with a step whose moment has come and that no tick has recorded yet (the due index
    holds each open task's next step only)."""
    with engine.connect() as connection:
        found = connection.execute(
            select(func.count()).select_from(due).where(due.c.fire_at <= to_db(now))
        ).scalar_one()
    return int(found)


def outbox_backlog(engine: Engine) -> list[ChannelBacklog]:
    events = table(EVENTS_TABLE, column("id"), column("topic"))
    with engine.connect() as connection:
        rows = connection.execute(select(positions).order_by(positions.c.channel)).all()
        out = []
        for row in rows:
            waiting = connection.execute(
                select(func.count())
                .select_from(events)
                .where(events.c.id > row.position, events.c.topic.in_(CHASE_TOPICS))
            ).scalar_one()
            out.append(
                ChannelBacklog(
                    row.channel,
                    row.position,
                    int(waiting),
                    row.attempts,
                    row.delivered,
                    row.last_error,
                )
            )
    return out


@dataclass(frozen=True)
class StoreSize:
    events: int
    tasks: int
    database_bytes: int | None


def store_size(engine: Engine) -> StoreSize:
    events = table(EVENTS_TABLE, column("id"))
    with engine.connect() as connection:
        count = connection.execute(select(func.coalesce(func.max(events.c.id), 0))).scalar_one()
        tasks = connection.execute(text("SELECT count(*) FROM planflow_board")).scalar_one()
        if engine.dialect.name == "postgresql":
            size = connection.execute(text("SELECT pg_database_size(current_database())"))
        else:
            size = connection.execute(
                text("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            )
        bytes_ = size.scalar_one()
    return StoreSize(int(count), int(tasks), None if bytes_ is None else int(bytes_))
