"""The read-model schema's version: Alembic migrations kept inside the package.

The migrations (src/planflow/migrations/versions/) cover the tables in ``tables.metadata``
(board, task-event index, due index, ledger, plans, accounts, sessions, outbox, inbox marks, the
agency register, scheduler ticks). The event store's own tables belong to eventsourcing and the
audit chain keeps its own tables: neither is migrated here.

- A fresh database is created at head: the tables from the metadata, then stamped (``prepare``).
- A database from before migrations (tables, no version table) is stamped at the baseline — the
  schema of the first release — and upgraded from there; the migrations after the baseline check
  what exists, so a store created by any later unversioned release upgrades too.
- ``planflow db upgrade`` upgrades; ``planflow db current`` and /readyz say where a store stands.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text

from planflow.application.storage import writing
from planflow.application.tables import metadata

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported only when a schema is stamped, upgraded or compared: a CLI command on a
# current store does not pay for it.

VERSION_TABLE = "planflow_schema_version"
SCRIPTS = "planflow:migrations"
BASELINE = "0001"
# Modules declaring tables on ``metadata``: imported so that the metadata is complete.
TABLE_MODULES = (
    "planflow.application.accounts_store",
    "planflow.application.outbox_store",
    "planflow.application.agencies",
    "planflow.application.queries.inbox",
    "planflow.application.heartbeat",
)
_SCHEMA_LOCK = 0x706C616E666C6F77  # "planflow": serializes schema changes on PostgreSQL


def all_tables() -> list[str]:
    for module in TABLE_MODULES:
        importlib.import_module(module)
    return sorted(metadata.tables)


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPTS)
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
    return context.get_current_revision()


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # None: not versioned (a fresh or pre-migration store)
    head: str
    legacy: bool  # read-model tables without a version: a store from before migrations

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    def describe(self) -> str:
        if self.is_current:
            return f"Lược đồ mới nhất ({self.head}) / schema at head ({self.head})"
        if self.current is None:
            return (
                f"Lược đồ chưa có phiên bản; chạy `planflow db upgrade` (đích {self.head}) / "
                f"schema not versioned; run `planflow db upgrade` (head {self.head})"
            )
        return (
            f"Lược đồ ở {self.current}, mới nhất là {self.head}; chạy `planflow db upgrade` / "
            f"schema at {self.current}, head is {self.head}; run `planflow db upgrade`"
        )


def state(engine: Engine) -> SchemaState:
    all_tables()
    with engine.connect() as connection:
        current = _current(connection)
        names = set(inspect(connection).get_table_names())
    legacy = current is None and bool(names & set(metadata.tables))
    return SchemaState(current, head(), legacy)


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})


def prepare(engine: Engine) -> None:
    """At start-up: a fresh store gets every table and the head version; an existing one gets
    its missing tables (as before migrations) and keeps its version (``db upgrade`` moves it)."""
    all_tables()
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    if VERSION_TABLE in names and set(metadata.tables) <= names:
        return  # the usual start: nothing to create, no write lock taken
    with writing(), engine.begin() as connection:
        _lock(connection)
        names = set(inspect(connection).get_table_names())
        fresh = not (names & set(metadata.tables)) and VERSION_TABLE not in names
        metadata.create_all(connection)
        if fresh:
            from alembic import command

            command.stamp(_config(connection), "head")


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str]:
    """Upgrade the store to ``target``; returns (from, to). A store from before migrations is
    stamped at the baseline first."""
    from alembic import command

    all_tables()
    with writing(), engine.begin() as connection:
        _lock(connection)
        before = _current(connection)
        names = set(inspect(connection).get_table_names())
        config = _config(connection)
        if before is None and names & set(metadata.tables):
            command.stamp(config, BASELINE)
        command.upgrade(config, target)
        after = _current(connection)
    assert after is not None
    return before, after


def run_migrations(config: Any) -> None:
    """Called by migrations/env.py: run on the connection handed over in ``attributes``."""
    from alembic import context

    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("planflow migrations run through planflow.application.schema")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        transaction_per_migration=False,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
