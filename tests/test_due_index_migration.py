"""Migration 0006 turns the due index's rows, one per step still to record, into one row per task:
the step a tick takes first. On SQLite and PostgreSQL, in SQL, without a rebuild."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from planflow.application import schema
from planflow.application.app import normalize_url


def row(task: str, kind: str, step: int, fire_at: datetime) -> dict[str, Any]:
    return {
        "task_id": task,
        "kind": kind,
        "step": step,
        "plan": "kg-2022",
        "agency": "SNV",
        "due": date(2022, 3, 16),
        "fire_on": fire_at.date(),
        "fire_at": fire_at,
        "working_days": step,
        "recipient_role": "" if kind == "handover" else "assignee_head",
    }


ROWS = [
    # A task before its reminders: its first reminder (the highest step) is the earliest.
    row("a", "reminder", 7, datetime(2022, 3, 6, 17)),
    row("a", "reminder", 3, datetime(2022, 3, 10, 17)),
    row("a", "reminder", 1, datetime(2022, 3, 14, 17)),
    row("a", "overdue", 0, datetime(2022, 3, 16, 17)),
    row("a", "escalation", 1, datetime(2022, 3, 16, 17)),
    row("a", "escalation", 2, datetime(2022, 3, 20, 17)),
    # Its agency ends the day its overdue mark falls due: the handover comes first.
    row("b", "escalation", 1, datetime(2022, 3, 16, 17)),
    row("b", "overdue", 0, datetime(2022, 3, 16, 17)),
    row("b", "handover", 0, datetime(2022, 3, 16, 17)),
    # Marked overdue: two escalations at the same moment, the lower level first.
    row("c", "escalation", 3, datetime(2022, 3, 24, 17)),
    row("c", "escalation", 2, datetime(2022, 3, 24, 17)),
]


def stored(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        query = text("SELECT task_id, kind, step FROM planflow_due ORDER BY task_id, kind, step")
        return [tuple(r) for r in connection.execute(query)]


def test_the_upgrade_keeps_each_tasks_first_step_and_the_downgrade_gives_the_older_table_back(
    database_url: str,
) -> None:
    engine = create_engine(normalize_url(database_url))
    try:
        assert schema.upgrade(engine, "0005") == (None, "0005")
        columns = ", ".join(ROWS[0])
        values = ", ".join(f":{name}" for name in ROWS[0])
        with engine.begin() as connection:
            connection.execute(
                text(f"INSERT INTO planflow_due ({columns}) VALUES ({values})"), ROWS
            )
        assert schema.upgrade(engine) == ("0005", schema.head())
        first = [("a", "reminder", 7), ("b", "handover", 0), ("c", "escalation", 2)]
        assert stored(engine) == first
        assert inspect(engine).get_pk_constraint("planflow_due")["constrained_columns"] == [
            "task_id"
        ]
        with engine.begin() as connection:
            command.downgrade(schema._config(connection), "0005")
        assert stored(engine) == first
        assert inspect(engine).get_pk_constraint("planflow_due")["constrained_columns"] == [
            "task_id",
            "kind",
            "step",
        ]
        assert {i["name"] for i in inspect(engine).get_indexes("planflow_due")} == {
            "ix_planflow_due_fire_at"
        }
        assert schema.upgrade(engine) == ("0005", schema.head())
        assert stored(engine) == first
    finally:
        engine.dispose()
