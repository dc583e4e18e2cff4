"""Appending to the chain, inside the transaction that stores the events.

Called by the chained recorder right after its events are inserted and flushed: the event table is
then locked (PostgreSQL: LOCK TABLE … IN EXCLUSIVE MODE; SQLite: the single writer), so reading the
head and writing the next positions cannot interleave with another writer. Positions follow commit
order, never notification ids (those have gaps on PostgreSQL and can be reused on SQLite).

The usual save (one command: one event of a stream already chained) reads the head and the
stream's previous link with one statement and writes with one insert, both built once per
process so SQLAlchemy only looks up their compiled form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.orm import Session

from planflow.audit import merkle
from planflow.audit.chain import ZERO, as_hash, entry_bytes, link, state_sha256
from planflow.audit.tables import chain, checkpoints
from planflow.prepared import Driver, Prepared, on_driver


@dataclass(frozen=True)
class NewEvent:
    notification_id: int
    stream_id: str
    stream_version: int
    topic: str
    state: bytes


Executor = Session | Connection

_HEAD = select(chain.c.position, chain.c.chain_hash).order_by(chain.c.position.desc()).limit(1)
_PREVIOUS_LINK = (
    select(chain.c.stream_hash)
    .where(
        and_(
            chain.c.stream_id == bindparam("stream_id"),
            chain.c.stream_version == bindparam("stream_version"),
        )
    )
    .scalar_subquery()
)
_HEAD_AND_PREVIOUS = (
    select(chain.c.position, chain.c.chain_hash, _PREVIOUS_LINK.label("previous_link"))
    .order_by(chain.c.position.desc())
    .limit(1)
)
_INSERT = insert(chain)
_COLUMNS = [c.name for c in chain.columns]


def _on_driver(
    session: Executor, statement: Any, keys: list[str] | None = None
) -> tuple[Driver, Prepared] | None:
    """On SQLite and psycopg (a connection, not a session), the driver and the statement
    prepared for it."""
    return None if isinstance(session, Session) else on_driver(session, statement, keys)


Head = tuple[Any, str | None]
"""(position, chain hash) of the chain's head or None, and the previous link of the first new
event's stream when it continues one."""


def head_statement(stream_id: str, stream_version: int) -> tuple[Any, dict[str, Any]]:
    """The one statement reading the chain's head (and, for an event continuing its stream, the
    stream's previous link), built once per process, and its parameters."""
    if stream_version <= 1:
        return _HEAD, {}
    return _HEAD_AND_PREVIOUS, {"stream_id": stream_id, "stream_version": stream_version - 1}


def head_of(row: Sequence[Any] | None, stream_version: int) -> Head:
    """The head as ``head_statement``'s row gives it."""
    if stream_version <= 1:
        return row, None
    if row is None:
        return None, None
    return (row[0], row[1]), None if row[2] is None else str(row[2])


def inserted_with_head(insert_returning: Insert, continuing: bool) -> Select[Any]:
    """``insert_returning`` (an event's ``INSERT … RETURNING id``) and the chain's head read in
    one statement (PostgreSQL): a row (id, head position, head chain hash[, the stream's previous
    link if ``continuing``]), the head's columns None on an empty chain. The statement's reads
    see what committed before it began; the recorder sends it once the table lock is held, so
    the head is the one ``head_statement`` would read after the insert."""
    inserted = insert_returning.cte("inserted")
    head = _HEAD.subquery("head")
    columns: list[Any] = [inserted.c.id, head.c.position, head.c.chain_hash]
    if continuing:
        columns.append(_PREVIOUS_LINK.label("previous_link"))
    return select(*columns).select_from(inserted.outerjoin(head, true()))


def joined_head_of(row: Sequence[Any], stream_version: int) -> Head:
    """The head as ``inserted_with_head``'s row gives it (the row without its id)."""
    if row[0] is None:
        return None, None
    if stream_version <= 1:
        return (row[0], row[1]), None
    return (row[0], row[1]), None if row[2] is None else str(row[2])


def _head(session: Executor, first: NewEvent | None) -> Head:
    """The head, and the previous link of ``first``'s stream (one statement; on SQLite and
    psycopg through the driver)."""
    if first is None:
        return session.execute(_HEAD).first(), None
    statement, params = head_statement(first.stream_id, first.stream_version)
    driven = _on_driver(session, statement)
    row = (
        driven[1].execute(driven[0], params).fetchone()
        if driven is not None
        else session.execute(statement, params).first()
    )
    return head_of(row, first.stream_version)


def append(
    session: Executor,
    events_table: Table,
    new: Sequence[NewEvent],
    recorded_at: str,
    head_read: Head | None = None,
) -> int:
    """Chain ``new`` (in order) after the current head. Returns the last position written.
    ``head_read``: the head as ``head_statement`` read it for ``new[0]`` in this transaction,
    under the table lock (the recorder sends that read with its event insert); else it is read.

    If the chain is empty while the store already holds events (a store from before the chain),
    those earlier events are chained first, in notification-id order, with the same time — but
    only if no checkpoint was ever signed: an emptied chain after one is tampering, and history
    is not re-chained over it.
    """
    streams: dict[str, str] = {}
    first = new[0] if new else None
    head, previous_link = head_read if head_read is not None else _head(session, first)
    if first is not None and previous_link is not None:
        streams[first.stream_id] = previous_link
    if head is None and not _signed_before(session):
        fresh = {e.notification_id for e in new}
        if _unchained_count(session, events_table) > len(fresh):  # else only the new ones
            earlier = [
                e for e in unchained_events(session, events_table) if e.notification_id not in fresh
            ]
            new = [*earlier, *new]
        position, previous = 0, ZERO.hex()
    elif head is None:  # the chain was emptied after a checkpoint: never re-chain history
        position, previous = 0, ZERO.hex()
    else:
        position, previous = int(head[0]), str(head[1])
    if len(new) > 1:  # a batch (a plan load): the same rows, built without the round trips
        rows = _batch_rows(session, new, streams, position, previous, recorded_at)
        position += len(new)
    else:
        rows = []
        for event in new:
            position += 1
            leaf = merkle.leaf_hash(
                entry_bytes(
                    position=position,
                    notification_id=event.notification_id,
                    stream_id=event.stream_id,
                    stream_version=event.stream_version,
                    topic=event.topic,
                    state_sha256=state_sha256(event.state),
                    recorded_at=recorded_at,
                )
            ).hex()
            before = streams.get(event.stream_id)
            if before is None:
                before = _stream_head(session, event.stream_id, event.stream_version - 1)
            stream_hash = link(before, leaf)
            streams[event.stream_id] = stream_hash
            previous = link(previous, leaf)
            rows.append(
                {
                    "position": position,
                    "notification_id": event.notification_id,
                    "stream_id": event.stream_id,
                    "stream_version": event.stream_version,
                    "recorded_at": recorded_at,
                    "leaf_hash": leaf,
                    "stream_hash": stream_hash,
                    "chain_hash": previous,
                }
            )
    if len(rows) > 1 and _dialect(session) == "sqlite":
        _insert_sqlite(session, rows)
    elif rows:
        on_driver = _on_driver(session, _INSERT, _COLUMNS) if len(rows) == 1 else None
        if on_driver is not None:
            on_driver[1].execute(on_driver[0], rows[0])
        else:
            session.execute(_INSERT, rows)
    return position


def _batch_rows(
    session: Executor,
    new: Sequence[NewEvent],
    streams: dict[str, str],
    position: int,
    previous_hex: str,
    recorded_at: str,
) -> list[dict[str, Any]]:
    """The chain rows of a batch, as the one-event loop in ``append`` builds them: each entry's
    JSON (``entry_bytes``: sorted keys, no spaces, non-ASCII kept) put together from its values'
    encodings (the time once, each topic once), and the links hashed on bytes (each stored hex
    hash read once, as ``link`` reads it)."""
    time = encode_basestring(recorded_at)
    topics: dict[str, str] = {}
    heads: dict[str, bytes] = {k: as_hash(v) for k, v in streams.items()}
    previous = as_hash(previous_hex)
    rows: list[dict[str, Any]] = []
    for event in new:
        position += 1
        topic = topics.get(event.topic)
        if topic is None:
            topic = topics[event.topic] = encode_basestring(event.topic)
        stream_id = event.stream_id
        version = int(event.stream_version)
        entry = (
            f'{{"notification_id":{int(event.notification_id)},"position":{position},'
            f'"recorded_at":{time},"state_sha256":"{sha256(event.state).hexdigest()}",'
            f'"stream_id":{encode_basestring(stream_id)},"stream_version":{version},'
            f'"topic":{topic},"v":1}}'
        )
        leaf = sha256(b"\x00" + entry.encode()).digest()  # merkle.leaf_hash, inlined
        before = heads.get(stream_id)
        if before is None:
            before = as_hash(_stream_head(session, stream_id, version - 1))
        stream_hash = heads[stream_id] = sha256(b"\x01" + before + leaf).digest()  # node_hash
        previous = sha256(b"\x01" + previous + leaf).digest()
        rows.append(
            {
                "position": position,
                "notification_id": event.notification_id,
                "stream_id": stream_id,
                "stream_version": event.stream_version,
                "recorded_at": recorded_at,
                "leaf_hash": leaf.hex(),
                "stream_hash": stream_hash.hex(),
                "chain_hash": previous.hex(),
            }
        )
    return rows


def _dialect(session: Executor) -> str:
    bind = session.get_bind() if isinstance(session, Session) else session
    return bind.dialect.name


def _insert_sqlite(session: Executor, rows: Sequence[dict[str, Any]]) -> None:
    """Many chain rows on SQLite through the driver's ``executemany``: every column is an integer
    or a text, which sqlite3 stores as SQLAlchemy would, without SQLAlchemy's per-row parameter
    processing (a plan load writes tens of thousands)."""
    connection = session.connection() if isinstance(session, Session) else session
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(chain.name)} ({', '.join(quote(n) for n in _COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _COLUMNS)})"
    )
    connection.exec_driver_sql(sql, [tuple(row[n] for n in _COLUMNS) for row in rows])


def _signed_before(session: Executor) -> bool:
    return session.execute(select(checkpoints.c.id).limit(1)).first() is not None


def _stream_head(session: Executor, stream_id: str, version: int) -> str:
    if version < 1:
        return ZERO.hex()
    value = session.execute(
        select(chain.c.stream_hash).where(
            and_(chain.c.stream_id == stream_id, chain.c.stream_version == version)
        )
    ).scalar()
    return str(value) if value is not None else ZERO.hex()


def _unchained_count(session: Executor, events_table: Table) -> int:
    """How many stored events have no chain row (the new ones among them: none has one yet)."""
    e = events_table.c
    count = session.execute(
        select(func.count())
        .select_from(events_table)
        .outerjoin(chain, chain.c.notification_id == e.id)
        .where(chain.c.position.is_(None))
    ).scalar()
    return int(count or 0)


def unchained_events(session: Executor, events_table: Table) -> list[NewEvent]:
    """Every stored event without a chain row, in notification-id order."""
    e = events_table.c
    rows = session.execute(
        select(e.id, e.originator_id, e.originator_version, e.topic, e.state)
        .outerjoin(chain, chain.c.notification_id == e.id)
        .where(chain.c.position.is_(None))
        .order_by(e.id)
    )
    return [
        NewEvent(
            int(r.id), str(r.originator_id), int(r.originator_version), r.topic, bytes(r.state)
        )
        for r in rows
    ]
