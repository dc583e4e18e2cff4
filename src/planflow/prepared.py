"""A SQLAlchemy statement compiled once and sent straight to SQLite's driver.

On SQLite a command's few statements (the task load, the event insert, the chain's read and
insert, the board update and the history insert) each cost about 50 µs in SQLAlchemy's execution
layers — cache lookup, parameter processing, result set-up, events — against 10–15 µs in the
driver. ``Prepared`` compiles a Core statement once for the dialect, keeps its SQL text, the order
of its parameters and their bind processors (so every value is stored exactly as SQLAlchemy
would store it), and runs it on the driver connection of the same transaction; sqlite3 keeps the
prepared statement in its own cache. A driver error is raised as the SQLAlchemy exception
SQLAlchemy would have raised (an ``IntegrityError`` for a duplicate version, an
``OperationalError`` for a locked store), so callers map errors as before.

Other databases keep SQLAlchemy's ordinary path: ``driver_of`` answers None there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Dialect, exc
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

_NO_VALUE = object()


def driver_of(connection: Connection) -> sqlite3.Connection | None:
    """The sqlite3 connection under ``connection`` (in its transaction), or None elsewhere."""
    if connection.dialect.name != "sqlite":
        return None
    driver = connection.connection.driver_connection
    return driver if isinstance(driver, sqlite3.Connection) else None


class Prepared:
    """``statement`` compiled for ``dialect``; ``column_keys`` names an INSERT's or UPDATE's
    columns (each then a required parameter). Parameters without a value given at compile time
    are taken from the mapping passed to ``execute``."""

    def __init__(
        self,
        statement: ClauseElement | Executable,
        dialect: Dialect,
        column_keys: Sequence[str] | None = None,
    ) -> None:
        compiled = cast(ClauseElement, statement).compile(
            dialect=dialect, column_keys=list(column_keys) if column_keys else None
        )
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        if "POSTCOMPILE" in self.sql or compiled.positiontup is None:
            raise ValueError("only plain positional statements are prepared")
        processors = cast(Mapping[str, Any], compiled._bind_processors)
        plan: list[tuple[str, Any, Any]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            process = processors.get(name)
            if bind.required or bind.callable is not None:
                plan.append((bind.key, process, _NO_VALUE))
            else:
                value = bind.value
                plan.append((name, None, process(value) if process else value))
        self._plan = plan

    def values(self, params: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        for key, process, fixed in self._plan:
            if fixed is not _NO_VALUE:
                out.append(fixed)
            elif process is None:
                out.append(params[key])
            else:
                out.append(process(params[key]))
        return out

    def execute(self, driver: sqlite3.Connection, params: Mapping[str, Any]) -> sqlite3.Cursor:
        values = self.values(params)
        try:
            return driver.execute(self.sql, values)
        except sqlite3.Error as error:
            raise _wrapped(self.sql, values, error) from error

    def executemany(
        self, driver: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]
    ) -> sqlite3.Cursor:
        values = [self.values(row) for row in rows]
        try:
            return driver.executemany(self.sql, values)
        except sqlite3.Error as error:
            raise _wrapped(self.sql, values, error) from error


_CACHE: dict[tuple[int, tuple[str, ...]], tuple[object, Prepared]] = {}


def on_driver(
    connection: Connection,
    statement: ClauseElement | Executable,
    column_keys: Sequence[str] | None = None,
) -> tuple[sqlite3.Connection, Prepared] | None:
    """On SQLite, the driver connection of ``connection`` and ``statement`` (a statement built
    once per process) prepared for it, compiled on first use; None on other databases."""
    driver = driver_of(connection)
    if driver is None:
        return None
    key = (id(statement), tuple(column_keys or ()))
    kept = _CACHE.get(key)
    if kept is None:  # the statement is kept too, so its id is never reused
        kept = _CACHE[key] = (statement, Prepared(statement, connection.dialect, column_keys))
    return driver, kept[1]


def execute_rows(
    connection: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run an INSERT or UPDATE built once per process for each of ``rows`` (dicts with the same
    keys, its columns and parameters): on SQLite through the driver, elsewhere through
    SQLAlchemy. Returns the number of rows changed."""
    driven = on_driver(connection, statement, list(rows[0]))
    if driven is None:
        return int(connection.execute(statement, list(rows)).rowcount)
    driver, prepared = driven
    if len(rows) == 1:
        return prepared.execute(driver, rows[0]).rowcount
    return prepared.executemany(driver, rows).rowcount


def _wrapped(sql: str, values: Any, error: sqlite3.Error) -> exc.DBAPIError:
    """The exception SQLAlchemy raises for this driver error (IntegrityError, OperationalError…)."""
    wrapped = exc.DBAPIError.instance(sql, values, error, sqlite3.Error)
    assert isinstance(wrapped, exc.DBAPIError)
    return wrapped
