"""A SQLAlchemy statement compiled once and sent straight to the driver (sqlite3 or psycopg 3).

On SQLite a command's few statements (the task load, the event insert, the chain's read and
insert, the board update and the history insert) each cost about 50 µs in SQLAlchemy's execution
layers — cache lookup, parameter processing, result set-up, events — against 10–15 µs in the
driver. ``Prepared`` compiles a Core statement once for the dialect, keeps its SQL text, the order
of its parameters and their bind processors (so every value is stored exactly as SQLAlchemy
would store it), and runs it on the driver connection of the same transaction; sqlite3 keeps the
prepared statement in its own cache. A driver error is raised as the SQLAlchemy exception
SQLAlchemy would have raised (an ``IntegrityError`` for a duplicate version, an
``OperationalError`` for a locked store), so callers map errors as before.

On PostgreSQL the same path runs on psycopg 3: the statement is compiled for SQLAlchemy's psycopg
dialect (its ``%(name)s`` parameters, with the casts it renders), its values are passed as a dict
built with the dialect's bind processors, and a ``psycopg.Error`` is raised as SQLAlchemy's
exception for it (a duplicate version is still an ``IntegrityError``). Other drivers keep
SQLAlchemy's ordinary path: ``driver_of`` answers None there.

``pipelined`` puts psycopg in pipeline mode for a few statements whose results are not needed
before the next one is sent: they go out together and their results come back at one sync (or
when a cursor's result is first read), so a command waits on fewer round trips. The server runs
them in order, each as it would alone (each with its own snapshot under READ COMMITTED), and
keeps them prepared; the first error is raised, as SQLAlchemy's exception, and the statements
after it are not run. (Sending them as one query string with client-side values was measured
too: less client CPU on a loaded machine, but slower on a quiet one, the server parsing them
every time: docs/performance.md.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any, TypeAlias, cast
from weakref import WeakKeyDictionary

import psycopg
from sqlalchemy import Connection, Dialect, exc
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

_NO_VALUE = object()

Driver: TypeAlias = "sqlite3.Connection | psycopg.Connection[Any]"
Cursor: TypeAlias = "sqlite3.Cursor | psycopg.Cursor[Any]"


def driver_of(connection: Connection) -> Driver | None:
    """The sqlite3 or psycopg connection under ``connection`` (in its transaction), or None
    for other drivers."""
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection | psycopg.Connection):
        return driver
    return None


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
        if "POSTCOMPILE" in self.sql:
            raise ValueError("only plain statements are prepared")
        positional = compiled.positiontup is not None
        if not positional and dialect.paramstyle != "pyformat":
            raise ValueError("only positional or pyformat statements are prepared")
        names = compiled.positiontup if positional else list(compiled.binds)
        escaped = compiled.escaped_bind_names
        processors = cast(Mapping[str, Any], compiled._bind_processors)
        # (name in the SQL, parameter key, bind processor, value fixed at compile time)
        plan: list[tuple[str, str, Any, Any]] = []
        for name in names or ():
            bind = compiled.binds[name]
            process = processors.get(name)
            sql_name = escaped.get(name, name)
            if bind.required or bind.callable is not None:
                plan.append((sql_name, bind.key, process, _NO_VALUE))
            else:
                value = bind.value
                plan.append((sql_name, name, None, process(value) if process else value))
        self._plan = plan
        self._positional = positional
        # psycopg takes the query as bytes without encoding it on every execute
        self._driver_sql = self.sql.encode()
        self._cursors: WeakKeyDictionary[psycopg.Connection[Any], psycopg.Cursor[Any]] = (
            WeakKeyDictionary()
        )

    def values(self, params: Mapping[str, Any]) -> list[Any] | dict[str, Any]:
        """The driver's parameters: a list in the SQL's order (sqlite3), or a dict by the
        names in the SQL (psycopg's ``%(name)s``)."""
        if not self._positional:
            named: dict[str, Any] = {}
            for sql_name, key, process, fixed in self._plan:
                if fixed is not _NO_VALUE:
                    named[sql_name] = fixed
                elif process is None:
                    named[sql_name] = params[key]
                else:
                    named[sql_name] = process(params[key])
            return named
        out: list[Any] = []
        for _, key, process, fixed in self._plan:
            if fixed is not _NO_VALUE:
                out.append(fixed)
            elif process is None:
                out.append(params[key])
            else:
                out.append(process(params[key]))
        return out

    def execute(self, driver: Driver, params: Mapping[str, Any], *, reuse: bool = True) -> Cursor:
        """Run the statement; its cursor (results, ``rowcount``). On psycopg the statement's
        cursor on that connection is reused (a new one costs about a third of a short
        statement's time) unless ``reuse`` is False: a caller that runs the statement again
        before it reads this result (in one pipeline) asks for a new one."""
        values = self.values(params)
        try:
            if isinstance(driver, sqlite3.Connection):
                return driver.execute(self.sql, values)
            cursor = self._cursors.get(driver) if reuse else None
            if cursor is None:
                cursor = driver.cursor()
                if reuse:
                    self._cursors[driver] = cursor
            return cursor.execute(self._driver_sql, values)
        except (sqlite3.Error, psycopg.Error) as error:
            raise _wrapped(self.sql, values, error) from error

    def executemany(self, driver: Driver, rows: Sequence[Mapping[str, Any]]) -> Cursor:
        values = [self.values(row) for row in rows]
        try:
            if isinstance(driver, sqlite3.Connection):
                return driver.executemany(self.sql, values)
            cursor = driver.cursor()
            cursor.executemany(self._driver_sql, values)
            return cursor
        except (sqlite3.Error, psycopg.Error) as error:
            raise _wrapped(self.sql, values, error) from error


_CACHE: dict[tuple[int, str, tuple[str, ...]], tuple[object, Prepared]] = {}


def on_driver(
    connection: Connection,
    statement: ClauseElement | Executable,
    column_keys: Sequence[str] | None = None,
) -> tuple[Driver, Prepared] | None:
    """On SQLite and psycopg, the driver connection of ``connection`` and ``statement`` (a
    statement built once per process) prepared for its dialect, compiled on first use; None for
    other drivers."""
    driver = driver_of(connection)
    if driver is None:
        return None
    key = (id(statement), connection.dialect.name, tuple(column_keys or ()))
    kept = _CACHE.get(key)
    if kept is None:  # the statement is kept too, so its id is never reused
        kept = _CACHE[key] = (statement, Prepared(statement, connection.dialect, column_keys))
    return driver, kept[1]


def execute_rows(
    connection: Connection, statement: Executable, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run an INSERT or UPDATE built once per process for each of ``rows`` (dicts with the same
    keys, its columns and parameters): on SQLite and psycopg through the driver, elsewhere through
    SQLAlchemy. Returns the number of rows changed."""
    driven = on_driver(connection, statement, list(rows[0]))
    if driven is None:
        return int(connection.execute(statement, list(rows)).rowcount)
    driver, prepared = driven
    if len(rows) == 1:
        return prepared.execute(driver, rows[0]).rowcount
    return prepared.executemany(driver, rows).rowcount


@contextmanager
def pipelined(driver: psycopg.Connection[Any]) -> Iterator[None]:
    """psycopg's pipeline mode for the statements sent inside; on leaving, one sync sends what is
    left and reads every result. A driver error is raised as SQLAlchemy's exception for it."""
    try:
        with driver.pipeline() as pipeline:
            try:
                yield
            except Exception:
                # Collect the results of the statements the error aborted, so that leaving
                # the pipeline raises (and logs) nothing more; the transaction has failed.
                with suppress(psycopg.Error):
                    pipeline.sync()
                raise
    except psycopg.Error as error:
        raise _wrapped("(pipeline)", None, error) from error


def _wrapped(sql: str, values: Any, error: sqlite3.Error | psycopg.Error) -> exc.DBAPIError:
    """The exception SQLAlchemy raises for this driver error (IntegrityError, OperationalError…)."""
    base = sqlite3.Error if isinstance(error, sqlite3.Error) else psycopg.Error
    wrapped = exc.DBAPIError.instance(sql, values, error, base)
    assert isinstance(wrapped, exc.DBAPIError)
    return wrapped
