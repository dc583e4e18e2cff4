"""On SQLite a command's statements go to the driver, compiled once (planflow/prepared.py). The
rows they write must be stored exactly as SQLAlchemy stores them (dates, times, booleans, None,
UUIDs as bytes), a duplicate key must still be SQLAlchemy's IntegrityError, and a stale task's
save must still be a ConcurrencyConflict that writes nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.exc import IntegrityError

from planflow.application.app import PlanflowApp
from planflow.application.errors import ConcurrencyConflict
from planflow.application.readmodels import _UPDATE_BOARD
from planflow.application.tables import board, metadata, task_events
from planflow.domain import clock
from planflow.domain.task import task_id
from planflow.prepared import Prepared, driver_of, execute_rows
from planflow.workflow.loader import LoadedPlan

LOADED = datetime(2022, 2, 15, 1, tzinfo=UTC)


def history_row(version: int, completed: datetime | None) -> dict[str, Any]:
    return {
        "task_id": "6f1c2c4e-0000-4000-8000-000000000001",
        "version": version,
        "timestamp": datetime(2022, 3, 1, 8, 30, 15, 123456),
        "event_type": "DifficultyRaised",
        "actor": "Sở Tư pháp",
        "agency": "so-tp",
        "due": date(2022, 3, 15),
        "planned_due": date(2022, 3, 15),
        "state": "open",
        "report_state": "none",
        "completed_at": completed,
        "review_pending_since": None,
        "cancelled": version % 2 == 0,
        "open_difficulties": 3,
        "activities": 0,
    }


def stored(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(sql)]


def quoted(table: str, names: list[str]) -> str:
    columns = ", ".join(f"typeof({n}), quote({n})" for n in names)
    return f"SELECT {columns} FROM {table} ORDER BY 1, 2"


def test_rows_written_through_the_driver_are_stored_as_sqlalchemy_stores_them(
    tmp_path: Path,
) -> None:
    stores = {name: create_engine(f"sqlite:///{tmp_path}/{name}.db") for name in ("orm", "drv")}
    for engine in stores.values():
        metadata.create_all(engine, tables=[task_events, board])
    rows = [history_row(1, None), history_row(2, datetime(2022, 3, 2, 9, 0, 0, 1))]
    with stores["orm"].begin() as connection:
        connection.execute(insert(task_events), rows)
    with stores["drv"].begin() as connection:
        assert driver_of(connection) is not None
        assert execute_rows(connection, insert(task_events), rows) == 2
    names = [c.name for c in task_events.columns]
    both = [stored(e, quoted("planflow_task_events", names)) for e in stores.values()]
    assert both[0] == both[1]
    assert len(both[0]) == 2


def test_a_board_update_through_the_driver_matches_sqlalchemys_and_counts_its_rows(
    tmp_path: Path,
) -> None:
    stores = {name: create_engine(f"sqlite:///{tmp_path}/{name}.db") for name in ("orm", "drv")}
    base = {c.name: None for c in board.columns}
    row = {
        **base,
        **{k: v for k, v in history_row(1, None).items() if k in base},
        "id": "t1",
        "plan": "p",
        "duty": "D1",
        "period": "2022",
        "original_agency": "so-tp",
        "completion": "report",
        "title": "Báo cáo quý",
        "role": "lead",
        "recipient": "so-tp",
        "personal_responsibility": True,
        "version": 1,
        "updated_at": datetime(2022, 3, 1, 8, 0),
    }
    changed = {
        "board_id": "t1",
        **{k: v for k, v in row.items() if k != "id"},
        "completed_at": datetime(2022, 3, 5, 10, 0, 0, 5),
        "cancelled": True,
        "version": 2,
    }
    missing = {**changed, "board_id": "absent"}
    for name, engine in stores.items():
        metadata.create_all(engine, tables=[board])
        with engine.begin() as connection:
            connection.execute(insert(board), [row])
            if name == "orm":
                assert connection.execute(_UPDATE_BOARD, [changed]).rowcount == 1
            else:
                assert execute_rows(connection, _UPDATE_BOARD, [changed]) == 1
                assert execute_rows(connection, _UPDATE_BOARD, [changed, missing]) == 1
    names = [c.name for c in board.columns if c.name != "plan"]
    both = [stored(e, quoted("planflow_board", names)) for e in stores.values()]
    assert both[0] == both[1]
    assert both[0][0][names.index("version") * 2 + 1] == "2"


def test_a_duplicate_key_through_the_driver_is_sqlalchemys_integrity_error(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/dup.db")
    metadata.create_all(engine, tables=[task_events])
    prepared = Prepared(insert(task_events), engine.dialect, list(history_row(1, None)))
    with engine.connect() as connection:
        driver = driver_of(connection)
        assert driver is not None
        prepared.execute(driver, history_row(1, None))
        with pytest.raises(IntegrityError):
            prepared.execute(driver, history_row(1, None))


def test_rows_written_through_psycopg_are_stored_and_read_as_sqlalchemy_does(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    metadata.create_all(engine, tables=[task_events])
    rows = [history_row(1, None), history_row(2, datetime(2022, 3, 2, 9, 0, 0, 1))]
    read = select(task_events).order_by(task_events.c.version)
    try:
        with engine.begin() as connection:
            connection.execute(insert(task_events), rows)
            by_sqlalchemy = [tuple(r) for r in connection.execute(read)]
            connection.execute(task_events.delete())
            driver = driver_of(connection)
            assert driver is not None and not isinstance(driver, sqlite3.Connection)
            assert execute_rows(connection, insert(task_events), rows[:1]) == 1
            assert execute_rows(connection, insert(task_events), rows[1:]) == 1
            by_driver = [tuple(r) for r in connection.execute(read)]
            assert execute_rows(connection, task_events.delete(), [{}]) == 2
        assert by_driver == by_sqlalchemy
        assert len(by_driver) == 2
    finally:
        engine.dispose()


def test_a_duplicate_key_through_psycopg_is_sqlalchemys_integrity_error(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url)
    metadata.create_all(engine, tables=[task_events])
    prepared = Prepared(insert(task_events), engine.dialect, list(history_row(1, None)))
    try:
        with engine.connect() as connection:
            driver = driver_of(connection)
            assert driver is not None
            prepared.execute(driver, history_row(1, None))
            with pytest.raises(IntegrityError):
                prepared.execute(driver, history_row(1, None))
    finally:
        engine.dispose()


def test_a_stale_task_saved_through_the_driver_is_a_conflict_and_writes_nothing(
    database_url: str, mini_plan: LoadedPlan
) -> None:
    app = PlanflowApp(database_url)
    try:
        app.load_plan(mini_plan, actor="loader", at=LOADED)
        ref = task_id("mini-2022", "D1", "so-a", "2022")
        stale = app.get_task(ref)
        app.raise_difficulty(ref, actor="so-a", at=LOADED + timedelta(days=1), text="Khó khăn")
        before = stored(app.engine, "SELECT count(*) FROM planflow_chain")
        with (
            pytest.raises(ConcurrencyConflict),
            clock.at(LOADED + timedelta(days=2)),
            app.transaction() as session,
        ):
            stale.raise_difficulty(actor="so-a", text="Khó khăn khác")
            app._save(session, stale)
        assert app.get_task(ref).version == 2
        assert stored(app.engine, "SELECT count(*) FROM planflow_chain") == before
        with app.engine.connect() as connection:
            history = connection.execute(
                select(task_events.c.version).where(task_events.c.task_id == str(ref))
            )
            assert [r.version for r in history] == [1, 2]
    finally:
        app.close()
