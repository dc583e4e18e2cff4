"""eventsourcing-sqlalchemy with a hash chain: every event gets its chain row in its transaction.

Named by ``PERSISTENCE_MODULE``: eventsourcing looks up ``Factory`` here. The factory is
eventsourcing-sqlalchemy's own, with our application recorder. The recorder keeps the library's
semantics — its table lock on PostgreSQL (notification ids in commit order), its NOTIFY, the
unique (originator_id, version) index whose violation is an IntegrityError — but inserts the
events with one SQLAlchemy Core statement built once per process (``INSERT … RETURNING id``, so
SQLAlchemy only looks up its compiled form), not through the ORM unit of work, then appends their
chain rows on the same connection — the pattern of the library's process recorder, which writes
tracking rows beside its events. On PostgreSQL one event (a command) goes in one round trip with
the table lock, the chain's head read and NOTIFY (psycopg's pipeline mode: ``prepared.pipelined``).

``recorder.clock`` gives ``recorded_at`` (the wall clock by default); tests replace it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from eventsourcing_sqlalchemy import factory as sqlalchemy_factory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import Connection, Insert, Table, bindparam, insert, select
from sqlalchemy.orm import Session

from planflow.adapters.connections import connection_of
from planflow.audit import writer
from planflow.audit.tables import audit_metadata
from planflow.prepared import Prepared, driver_of, pipelined


def wall_clock() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """recorded_at as stored and hashed: UTC, ISO 8601 with microseconds."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class ChainedApplicationRecorder(SQLAlchemyApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock: Callable[[], datetime] = wall_clock
        self.tables.extend(audit_metadata.sorted_tables)
        table = self.events_table
        self._insert_events_statement: Insert = insert(table).returning(
            table.c.id, sort_by_parameter_order=True
        )
        self._insert_one: Prepared | None = None  # one event on SQLite, through the driver
        # one event on psycopg: the insert and the chain's head read in one statement (by
        # whether the event continues a stream), the table lock and NOTIFY beside it
        self._insert_event_values: Insert = (
            insert(table)
            .values(
                {
                    name: bindparam(name, type_=table.c[name].type)
                    for name in ("originator_id", "originator_version", "topic", "state")
                }
            )
            .returning(table.c.id)
        )
        self._insert_with_head: dict[bool, Prepared] = {}
        self._lock_and_notify: tuple[bytes, bytes] | None = None

    def _lock_table(self, session: Session) -> None:
        """The library's lock (PostgreSQL: notification ids follow commit order), sent as the
        driver's statement on the transaction's connection, without the ORM's execute."""
        engine = self.datastore.engine
        assert engine is not None
        if engine.dialect.name == "postgresql":
            name = self.events_table_name
            if self.schema_name is not None:
                name = f"{self.schema_name}.{name}"
            connection_of(session).exec_driver_sql(f"LOCK TABLE {name} IN EXCLUSIVE MODE")
        else:
            super()._lock_table(session)

    @property
    def events_table(self) -> Table:
        table: Table = self.events_record_cls.__table__
        return table

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        connection = connection_of(session)
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        driver = driver_of(connection)
        head: writer.Head | None = None
        if isinstance(driver, psycopg.Connection) and len(rows) == 1:
            nid, head = self._insert_one_pipelined(connection, driver, rows[0])
            ids = [nid]
        else:
            self._lock_table(session)  # PostgreSQL: LOCK TABLE … IN EXCLUSIVE MODE, as the library
            if isinstance(driver, sqlite3.Connection) and len(rows) == 1:
                ids = [self._insert_one_sqlite(connection, driver, rows[0])]
            elif isinstance(driver, sqlite3.Connection):
                ids = self._insert_many_sqlite(connection, stored_events)
            else:
                ids = [int(r[0]) for r in connection.execute(self._insert_events_statement, rows)]
            self._notify_channel(session)
        new = [
            writer.NewEvent(nid, str(e.originator_id), e.originator_version, e.topic, e.state)
            for nid, e in zip(ids, stored_events, strict=True)
        ]
        writer.append(connection, self.events_table, new, stamp(self.clock()), head)
        return ids

    def _insert_one_sqlite(
        self, connection: Connection, driver: sqlite3.Connection, row: dict[str, Any]
    ) -> int:
        """One event on SQLite (a command): the insert compiled once, sent to the driver, its
        rowid read from the cursor; a duplicate version raises SQLAlchemy's IntegrityError."""
        if self._insert_one is None:
            self._insert_one = Prepared(insert(self.events_table), connection.dialect, list(row))
        cursor = self._insert_one.execute(driver, row)
        assert isinstance(cursor, sqlite3.Cursor) and cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def _insert_one_pipelined(
        self, connection: Connection, driver: psycopg.Connection[Any], row: dict[str, Any]
    ) -> tuple[int, writer.Head]:
        """One event on PostgreSQL (a command), three statements sent to psycopg together
        (pipeline mode: one round trip), which the server runs in this order: the library's
        table lock; the event's ``INSERT … RETURNING id`` with the chain's head read in the same
        statement (``writer.inserted_with_head``, compiled once), so the head is read under the
        table lock, as before; the library's NOTIFY. A duplicate version raises SQLAlchemy's
        IntegrityError, and nothing after the insert runs."""
        version = int(row["originator_version"])
        continuing = version > 1
        prepared = self._insert_with_head.get(continuing)
        if prepared is None:
            prepared = self._insert_with_head[continuing] = Prepared(
                writer.inserted_with_head(self._insert_event_values, continuing),
                connection.dialect,
            )
        params = row
        if continuing:
            params = {
                **row,
                "stream_id": str(row["originator_id"]),
                "stream_version": version - 1,
            }
        if self._lock_and_notify is None:
            name = self.events_table_name
            if self.schema_name is not None:
                name = f"{self.schema_name}.{name}"
            lock = f"LOCK TABLE {name} IN EXCLUSIVE MODE".encode()
            self._lock_and_notify = (lock, f"NOTIFY {self.channel_name};".encode())
        with pipelined(driver):
            driver.execute(self._lock_and_notify[0])
            cursor = prepared.execute(driver, params)
            driver.execute(self._lock_and_notify[1])
        found = cursor.fetchone()
        assert found is not None
        return int(found[0]), writer.joined_head_of(found[1:], version)

    def _insert_many_sqlite(
        self, connection: Connection, stored_events: Sequence[StoredEvent]
    ) -> list[int]:
        """Several events on SQLite: SQLAlchemy sends ``INSERT … RETURNING`` one row at a time
        there (SQLite does not promise RETURNING's order), so the rows go to the driver's
        ``executemany``, their values bound as the table's types bind them, and their ids are
        read back. The transaction holds SQLite's write lock from the first row on, and a new
        rowid is the largest one plus one, so the batch holds the largest ids; they are matched
        to the events by (originator_id, originator_version), the table's unique key, and looked
        up one by one should they not be (a rowid past the largest integer is chosen at random).
        """
        table = self.events_table
        dialect = connection.dialect
        c = table.c
        as_id = c.originator_id.type._cached_bind_processor(dialect)
        as_state = c.state.type._cached_bind_processor(dialect)
        keys: list[tuple[object, int]] = [
            (bytes(as_id(e.originator_id)) if as_id else e.originator_id, e.originator_version)
            for e in stored_events
        ]
        values = [
            (key[0], key[1], e.topic, as_state(e.state) if as_state else e.state)
            for key, e in zip(keys, stored_events, strict=True)
        ]
        quote = dialect.identifier_preparer.quote
        name = quote(table.name)
        columns = ", ".join(
            quote(n) for n in ("originator_id", "originator_version", "topic", "state")
        )
        connection.exec_driver_sql(f"INSERT INTO {name} ({columns}) VALUES (?, ?, ?, ?)", values)
        found: dict[tuple[object, int], int] = {
            (bytes(r[1]), int(r[2])): int(r[0])
            for r in connection.exec_driver_sql(
                f"SELECT {quote('id')}, {quote('originator_id')}, {quote('originator_version')} "
                f"FROM {name} ORDER BY {quote('id')} DESC LIMIT ?",
                (len(values),),
            )
        }
        ids = [found.get(key) for key in keys]
        if all(i is not None for i in ids):
            return [int(i) for i in ids if i is not None]
        lookup = select(c.id).where(
            c.originator_id == bindparam("oid"), c.originator_version == bindparam("v")
        )
        return [
            int(
                connection.execute(
                    lookup, {"oid": e.originator_id, "v": e.originator_version}
                ).scalar_one()
            )
            for e in stored_events
        ]


class Factory(sqlalchemy_factory.SQLAlchemyFactory):
    """eventsourcing finds the factory as the one InfrastructureFactory class in this module."""

    application_recorder_class = ChainedApplicationRecorder
