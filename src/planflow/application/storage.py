"""How planflow uses its database engine: SQLite tuned for several processes, write transactions
that take the lock first, and store failures translated into application errors.

- SQLite: WAL (set by eventsourcing-sqlalchemy), a busy timeout so a process waits for another's
  write instead of failing at once, and ``BEGIN IMMEDIATE`` for write transactions, so the write
  lock is held before a command reads the state it will change. Read-only transactions stay
  deferred and never wait for writers.
- A task's write lock: on PostgreSQL a transaction-level advisory lock keyed by the task id (a
  row lock would not do: the board row is replaced, and a waiter on a deleted row goes on
  unlocked); on SQLite the IMMEDIATE transaction already excludes every other writer. Commands
  take one task's lock, then the event table's; a plan load takes all its tasks' locks in id
  order first, so no two writers wait on each other in a cycle.
- (Pre-ping on PostgreSQL comes from the persistence module, application/persistence.py.)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from eventsourcing.persistence import OperationalError as StoreOperationalError
from eventsourcing.persistence import PersistenceError
from sqlalchemy import BigInteger, Engine, bindparam, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from sqlalchemy.orm import Session

from planflow.adapters.connections import connection_of
from planflow.application.errors import StoreBusy, StoreUnavailable

SQLITE_BUSY_TIMEOUT_MS = 30_000

LOCK_ONE = select(func.pg_advisory_xact_lock(bindparam("key", type_=BigInteger())))
"""One task's write lock (PostgreSQL); its parameter ``key`` is ``task_lock_key(ref)``."""

_writing: ContextVar[bool] = ContextVar("planflow_writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """Mark the transactions begun inside as write transactions."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def tune_engine(engine: Engine) -> None:
    """Install the SQLite transaction behaviour and pre-ping on ``engine`` (once)."""
    if getattr(engine, "_planflow_tuned", False):
        return
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event, not pysqlite, decide how a transaction begins.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")

        engine.dispose()  # connections opened before the listeners get them from now on
    engine._planflow_tuned = True  # type: ignore[attr-defined]


def task_lock_key(ref: UUID) -> int:
    """The advisory lock key of a task: the first 8 bytes of its id, signed."""
    return int.from_bytes(ref.bytes[:8], "big", signed=True)


def lock_tasks(session: Session, refs: Iterable[UUID]) -> None:
    """Hold the write lock of each task until the transaction ends (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({task_lock_key(ref) for ref in refs})
    if len(keys) == 1:  # a command: one cached Core statement on the transaction's connection
        connection_of(session).execute(LOCK_ONE, {"key": keys[0]})
        return
    for start in range(0, len(keys), 1000):
        session.execute(
            text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
            {"keys": keys[start : start + 1000]},
        )


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


@contextmanager
def store_errors() -> Iterator[None]:
    """Translate a store that is locked or unreachable into StoreBusy / StoreUnavailable."""
    try:
        yield
    except (SQLAlchemyOperationalError, StoreOperationalError) as exc:
        if _is_locked(exc):
            raise StoreBusy() from exc
        raise StoreUnavailable(str(exc).splitlines()[0][:200]) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailable(str(exc).splitlines()[0][:200]) from exc
        raise
    except PersistenceError as exc:
        if _is_locked(exc):
            raise StoreBusy() from exc
        raise
