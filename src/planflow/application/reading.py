"""An engine for reading the read models only: no event store, no recorder, no audit chain.

A read-only command (``planflow status``) answers from the board, the task-event index and the
stored plans; it needs SQLAlchemy and the tables, not eventsourcing's application, the hash-chained
recorder, the migrations or the working calendar. ``read_engine`` gives such an engine on a store
that already has those tables, and None otherwise (no store yet, a store from before the schema
was versioned, a database that cannot be reached): the caller then opens the whole application,
which creates or reports the store as every other command does.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from planflow.application.tables import board, plans, task_events

VERSION_TABLE = "planflow_schema_version"  # schema.VERSION_TABLE (schema.py imports more)
BUSY_TIMEOUT_S = 30  # storage.SQLITE_BUSY_TIMEOUT_MS (storage.py imports the event store)
READ_TABLES = frozenset({board.name, task_events.name, plans.name, VERSION_TABLE})


def driver_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, as ``app.normalize_url``."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def read_engine(url: str) -> Engine | None:
    """An engine on the store at ``url`` if it has the read models' tables, else None."""
    url = driver_url(url)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None  # no store yet: opening the application creates it
    options = {"timeout": BUSY_TIMEOUT_S} if url.startswith("sqlite") else {}
    try:
        engine = create_engine(url, connect_args=options)
    except (SQLAlchemyError, ValueError, ImportError):
        return None
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
    except SQLAlchemyError:
        engine.dispose()
        return None
    if not names >= READ_TABLES:
        engine.dispose()
        return None
    return engine
