"""Bulk read-model inserts store exactly what SQLAlchemy's own insert stores."""

from __future__ import annotations

import gc
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from planflow.application.app import PlanflowApp
from planflow.application.bulk import (
    BULK_FROM,
    ROOMY_CACHE_KIB,
    insert_rows,
    paused_gc,
    roomy_cache,
)
from planflow.application.tables import board, due, task_events, to_db


def board_row(n: int) -> dict[str, Any]:
    state = {
        "agency": f"so-{n % 7}",
        "due": date(2022, 3, 1) + timedelta(days=n % 40),
        "planned_due": date(2022, 3, 1),
        "state": "assigned",
        "report_state": "none",
        "completed_at": to_db(datetime(2022, 3, 2, 9, 30, 15, n, tzinfo=UTC)) if n % 3 else None,
        "review_pending_since": None,
        "cancelled": n % 5 == 0,
        "open_difficulties": n % 2,
        "activities": 0,
    }
    return {
        "id": f"{n:036d}",
        "plan": "p",
        "duty": f"D{n % 11}",
        "period": "2022-Q1",
        "original_agency": "so-1",
        "completion": "activity",
        "title": "Nhiệm vụ ‘thử’ / a task",
        "role": "lead",
        "recipient": "",
        "personal_responsibility": n % 4 == 0,
        **state,
        "version": 1,
        "updated_at": datetime(2022, 2, 15, 1, 0, 0),
    }


def due_row(n: int) -> dict[str, Any]:
    return {
        "task_id": f"{n:036d}",
        "kind": "reminder",
        "step": n % 3,
        "plan": "p",
        "agency": "so-1",
        "due": date(2022, 3, 16),
        "fire_on": date(2022, 3, 7),
        "fire_at": datetime(2022, 3, 6, 17, 0),
        "working_days": 7,
        "recipient_role": "head",
    }


def history_row(n: int) -> dict[str, Any]:
    row = board_row(n)
    state = {k: row[k] for k in ("agency", "due", "planned_due", "state", "report_state")}
    rest = ("completed_at", "review_pending_since", "cancelled", "open_difficulties", "activities")
    return {
        "task_id": row["id"],
        "version": 1,
        "timestamp": datetime(2022, 2, 15, 1, 0, 0, 123456),
        "event_type": "Assigned",
        "actor": "bench",
        **state,
        **{k: row[k] for k in rest},
    }


def stored(db: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()


def test_rows_inserted_in_bulk_are_stored_byte_for_byte_as_sqlalchemy_stores_them(
    tmp_path: Path,
) -> None:
    count = BULK_FROM + 50
    tables = [(board, board_row), (due, due_row), (task_events, history_row)]
    for name in ("bulk", "orm"):
        app = PlanflowApp(f"sqlite:///{tmp_path / name}.db")
        with app.transaction() as session:
            for table, make in tables:
                rows = [make(n) for n in range(count)]
                if name == "bulk":
                    insert_rows(session, table, rows)
                else:
                    session.execute(insert(table), rows)
        app.close()
    for table, _make in tables:
        bulk, orm = (
            stored(tmp_path / "bulk.db", table.name),
            stored(tmp_path / "orm.db", table.name),
        )
        assert len(bulk) == count
        assert bulk == orm


def test_the_garbage_collector_is_paused_only_inside_and_comes_back_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), paused_gc():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()  # a caller that had paused it keeps it paused
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_roomy_page_cache_holds_inside_and_the_connection_gets_its_own_back_after_an_error(
    tmp_path: Path,
) -> None:
    app = PlanflowApp(f"sqlite:///{tmp_path / 'cache'}.db")

    def cache_size(session: Any) -> int:
        return int(session.connection().exec_driver_sql("PRAGMA cache_size").scalar())

    try:
        with app.transaction() as session:
            own = cache_size(session)
            with pytest.raises(ValueError), roomy_cache(session):
                assert cache_size(session) == -ROOMY_CACHE_KIB != own
                raise ValueError
            assert cache_size(session) == own
    finally:
        app.close()
