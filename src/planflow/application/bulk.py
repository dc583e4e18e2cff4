"""Bulk inserts of read-model rows that skip SQLAlchemy's per-row parameter processing.

A plan load or a rebuild writes tens of thousands of board, history and due-index rows in one
statement; SQLAlchemy then builds and processes every row's parameters in Python (its own
profile: more than the driver's insert). On SQLite the rows are turned into tuples here, with the
values stored exactly as SQLAlchemy's SQLite types store them (``DateTime`` as
``YYYY-MM-DD HH:MM:SS.ffffff``, ``Date`` as ``YYYY-MM-DD``), and handed to the driver's
``executemany``. Small batches, other databases and tables with columns SQLAlchemy would fill or
encode itself (defaults, JSON) take the ordinary path.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Insert,
    Integer,
    String,
    Table,
    Text,
    insert,
)
from sqlalchemy.orm import Session

BULK_FROM = 200  # rows; below this the ordinary statement is as fast

Convert = Callable[[Any], Any] | None

_INSERTS: dict[str, Insert] = {}  # built once per table, as the projector's other statements


def _datetime(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(" ", "microseconds")


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _converter(column_type: object) -> tuple[bool, Convert]:
    """(whether the type is handled here, the conversion of its values or None)."""
    if isinstance(column_type, DateTime):
        return True, _datetime
    if isinstance(column_type, Date):
        return True, _date
    if isinstance(column_type, String | Text | Integer | Boolean):
        return True, None  # sqlite3 stores str, int and bool as SQLAlchemy would
    return False, None


def insert_rows(on: Session | Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (each with a value for every column of ``table``) into ``table``."""
    if not rows:
        return
    connection = on.connection() if isinstance(on, Session) else on
    columns = list(table.columns)
    names = [c.name for c in columns]
    handled = [_converter(c.type) for c in columns]
    if (
        len(rows) < BULK_FROM
        or connection.dialect.name != "sqlite"
        or not all(ok for ok, _ in handled)
        or set(rows[0]) != set(names)
    ):
        statement = _INSERTS.get(table.name)
        if statement is None:
            statement = _INSERTS[table.name] = insert(table)
        connection.execute(statement, list(rows))
        return
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    # Column by column, in C loops (map, zip): each distinct date or time is converted once —
    # a load's due-index rows share a few deadlines among tens of thousands of rows.
    columns_values: list[list[Any]] = []
    for name, (_, convert) in zip(names, handled, strict=True):
        values = list(map(itemgetter(name), rows))
        if convert is not None:
            stored = {value: convert(value) for value in set(values)}
            values = list(map(stored.__getitem__, values))
        columns_values.append(values)
    connection.exec_driver_sql(sql, list(zip(*columns_values, strict=True)))


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for the block: a plan load or a rebuild holds tens of
    thousands of task states and rows at once, and the collector would walk all of them again
    and again (a quarter of a 10,000-task load's CPU; each rebuild page cost more than the last).
    They hold no reference cycles; the collector runs again afterwards."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


ROOMY_CACHE_KIB = 256 * 1024  # SQLite's page cache for a plan load (pages are taken as needed)


@contextmanager
def roomy_cache(on: Session | Connection) -> Iterator[None]:
    """On SQLite, a page cache large enough for a plan load, back to the connection's own after.

    A load inserts its board, history and due-index rows in one transaction; each table has
    several indexes keyed by task id, agency or time, so consecutive rows land on scattered
    pages. With the default 2 MB cache, SQLite evicts and rereads those pages over and over once
    the indexes outgrow it: at 50,000 tasks the board's insert took 1.4–1.5 s of CPU with it and
    0.9 s with this one (the history's 0.7 s and 0.5–0.6 s). The same as the revision's reminder
    rewrite (revision_index.py)."""
    connection = on.connection() if isinstance(on, Session) else on
    if connection.dialect.name != "sqlite":
        yield
        return
    before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)
    connection.exec_driver_sql(f"PRAGMA cache_size = -{ROOMY_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {before}")
