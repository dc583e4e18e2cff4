"""The outbox's own rows: per-channel positions, leases and delivery records (docs/scheduler.md).

- ``planflow_outbox``: one row per channel, the notification id it has delivered up to, its retry
  state (attempts, next attempt, last error) and how many it delivered.
- ``planflow_outbox_leases``: one row per channel naming the process that may deliver it now
  (``holder``) until ``expires_at``. A lease is taken by compare-and-set: one conditional ``UPDATE``
  that succeeds only if the lease is free, expired or already ours. On PostgreSQL that ``UPDATE``
  holds the row lock (what ``SELECT … FOR UPDATE`` would take) until commit and re-checks its
  condition against the winner's row; on SQLite it takes the database's write lock for the few
  statements of the transaction only — never across a send, so event writers are not held up.
- ``planflow_outbox_deliveries``: one row per notification a channel delivered (or deliberately
  skipped), written in the same transaction that advances the position, and only while the lease
  is still ours.

These tables live in the shared read-model ``metadata`` but are marked ``keep_on_rebuild``: a
read-model rebuild leaves them alone, so it never re-sends anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from planflow.application.tables import KEEP_ON_REBUILD, from_db, metadata, to_db

positions = Table(
    "planflow_outbox",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("delivered", Integer, nullable=False),
    info=KEEP_ON_REBUILD,
)

leases = Table(
    "planflow_outbox_leases",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("holder", String(128), nullable=True),
    Column("expires_at", DateTime, nullable=True),
    info=KEEP_ON_REBUILD,
)

deliveries = Table(
    "planflow_outbox_deliveries",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("event_id", String(36), nullable=False),
    Column("key", String(128), nullable=False),
    Column("note", Text, nullable=False),
    Column("holder", String(128), nullable=False),
    Column("delivered_at", DateTime, nullable=False),
    info=KEEP_ON_REBUILD,
)

TABLES = [positions, leases, deliveries]


@dataclass(frozen=True)
class ChannelState:
    channel: str
    position: int
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered: int


@dataclass(frozen=True)
class Delivery:
    """One delivery to record: the notification delivered and what the channel said."""

    position: int
    event_id: str
    key: str
    note: str


class OutboxStore:
    """Positions, leases and delivery records of the outbox's channels, for one ``holder``.

    ``clock`` gives the real time of lease expiries (not the delivery time an outbox run is given:
    ``planflow notify --now`` may lie about the date, leases must not).
    """

    def __init__(
        self,
        engine: Engine,
        holder: str,
        clock: Callable[[], datetime],
        lease_seconds: float = 120.0,
    ) -> None:
        self.engine = engine
        self.holder = holder
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        try:
            metadata.create_all(engine, tables=TABLES)
        except DBAPIError:  # another process created them at the same moment
            metadata.create_all(engine, tables=TABLES)

    def ensure(self, channel: str) -> None:
        """Create the channel's position and lease rows if they are missing (racing is fine)."""
        for table, row in (
            (
                positions,
                {"channel": channel, "position": 0, "attempts": 0, "delivered": 0},
            ),
            (leases, {"channel": channel, "holder": None, "expires_at": None}),
        ):
            with self.engine.connect() as connection:
                found = connection.execute(
                    select(table.c.channel).where(table.c.channel == channel)
                ).first()
            if found is not None:
                continue
            try:
                with self.engine.begin() as connection:
                    connection.execute(insert(table), row)
            except IntegrityError:
                pass  # another process created it first

    def acquire(self, channel: str) -> datetime | None:
        """Take or renew the channel's lease; its expiry if it is ours now, else None."""
        now = self.clock()
        expires = now + self.lease
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(leases)
                .where(leases.c.channel == channel)
                .where(
                    or_(
                        leases.c.holder.is_(None),
                        leases.c.holder == self.holder,
                        leases.c.expires_at < to_db(now),
                    )
                )
                .values(holder=self.holder, expires_at=to_db(expires))
            ).rowcount
        return expires if taken == 1 else None

    def release(self, channel: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(leases)
                .where(leases.c.channel == channel, leases.c.holder == self.holder)
                .values(holder=None, expires_at=None)
            )

    def holder_of(self, channel: str) -> tuple[str | None, datetime | None]:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(leases.c.holder, leases.c.expires_at).where(leases.c.channel == channel)
            ).first()
        return (None, None) if row is None else (row.holder, from_db(row.expires_at))

    def state(self, channel: str) -> ChannelState:
        with self.engine.connect() as connection:
            row = connection.execute(select(positions).where(positions.c.channel == channel)).one()
        return _state(row._mapping)

    def _renew(self, connection: Connection, channel: str) -> datetime | None:
        """First statement of a recording transaction: keeps the lease ours until commit."""
        expires = self.clock() + self.lease
        kept = connection.execute(
            update(leases)
            .where(leases.c.channel == channel, leases.c.holder == self.holder)
            .values(expires_at=to_db(expires))
        ).rowcount
        return expires if kept == 1 else None

    def record_delivery(self, channel: str, delivery: Delivery) -> datetime | None:
        """Advance the position past ``delivery`` and record it, in one transaction, if the lease
        is still ours. Returns the renewed lease's expiry, or None (nothing written: lease lost)."""
        with self.engine.begin() as connection:
            expires = self._renew(connection, channel)
            if expires is None:
                return None
            connection.execute(
                insert(deliveries),
                {
                    "channel": channel,
                    "position": delivery.position,
                    "event_id": delivery.event_id,
                    "key": delivery.key,
                    "note": delivery.note[:1000],
                    "holder": self.holder,
                    "delivered_at": to_db(self.clock()),
                },
            )
            connection.execute(
                update(positions)
                .where(positions.c.channel == channel)
                .values(
                    position=delivery.position,
                    attempts=0,
                    next_attempt_at=None,
                    last_error=None,
                    delivered=positions.c.delivered + 1,
                )
            )
        return expires

    def record_failure(
        self, channel: str, attempts: int, retry_at: datetime, error: str
    ) -> datetime | None:
        """Note a failed attempt (for the backoff), if the lease is still ours."""
        with self.engine.begin() as connection:
            expires = self._renew(connection, channel)
            if expires is None:
                return None
            connection.execute(
                update(positions)
                .where(positions.c.channel == channel)
                .values(attempts=attempts, next_attempt_at=to_db(retry_at), last_error=error)
            )
        return expires

    def delivered_count(self, channel: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(
                select(func.count()).select_from(deliveries).where(deliveries.c.channel == channel)
            ).scalar_one()
        return int(count)


def _state(row: Any) -> ChannelState:
    return ChannelState(
        channel=str(row["channel"]),
        position=int(row["position"]),
        attempts=int(row["attempts"]),
        next_attempt_at=from_db(row["next_attempt_at"]),
        last_error=row["last_error"],
        delivered=int(row["delivered"]),
    )
