"""On PostgreSQL a task command's statements go to psycopg a few at a time in pipeline mode
(planflow/prepared.py ``pipelined``): the advisory lock with the load; the table lock, the event
insert (the chain's head read folded into it) and NOTIFY; the read models (the chain row before
them). These tests count the round trips a command waits on, from libpq's own trace of the
messages, and check what the pipelines write and how they fail."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import pytest
from sqlalchemy import Integer, String, bindparam, create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from planflow.application import loading
from planflow.application.app import PlanflowApp
from planflow.application.tables import board, due, task_events
from planflow.domain.task import task_id
from planflow.prepared import Prepared, driver_of, pipelined
from planflow.workflow.loader import LoadedPlan

LOADED = datetime(2022, 2, 15, 1, tzinfo=UTC)
REF = task_id("mini-2022", "D1", "so-a", "2022")


@pytest.fixture
def app(postgres_url: str, mini_plan: LoadedPlan) -> Iterator[PlanflowApp]:
    application = PlanflowApp(postgres_url)
    application.load_plan(mini_plan, actor="loader", at=LOADED)
    yield application
    application.close()


def round_trips(app: PlanflowApp, command: object) -> int:
    """How many times the client waited on the server while ``command()`` ran: each run of
    messages it sent that the server's answers followed (libpq's trace of the connection)."""
    with app.engine.connect() as connection:
        driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace"
        with path.open("w") as sink:
            driver.pgconn.trace(sink.fileno())
            driver.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
            try:
                command()  # type: ignore[operator]
            finally:
                driver.pgconn.untrace()
        lines = path.read_text().splitlines()
    waits, last = 0, "B"
    for line in lines:
        side = line[:1]
        if side == "F" and last == "B":
            waits += 1
        if side in "FB":
            last = side
    assert waits > 0
    return waits


def test_a_command_on_postgresql_waits_on_seven_round_trips_with_or_without_the_kept_task(
    app: PlanflowApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the pool's ping, BEGIN, lock + load, table lock + insert + NOTIFY, the chain row, the
    # read models, COMMIT; the same with the task kept (the load reads from its version on).
    # Before the pipelines: 12.
    moment = LOADED + timedelta(days=1)
    app.raise_difficulty(REF, actor="so-a", at=moment, text="Khó khăn 1")
    assert (
        round_trips(
            app, lambda: app.raise_difficulty(REF, actor="so-a", at=moment, text="Khó khăn 2")
        )
        <= 7
    )
    monkeypatch.setattr(loading, "KEPT_TASKS", 0)
    app.raise_difficulty(REF, actor="so-a", at=moment, text="Khó khăn 3")  # drops the kept
    assert (
        round_trips(
            app, lambda: app.raise_difficulty(REF, actor="so-a", at=moment, text="Khó khăn 4")
        )
        <= 7
    )


def test_a_command_that_moves_the_due_index_writes_it_in_the_pipeline(
    app: PlanflowApp,
) -> None:
    before = due_rows(app, REF)
    assert before
    app.extend_deadline(
        REF,
        actor="vp",
        at=LOADED + timedelta(days=1),
        new_due=datetime(2023, 1, 31).date(),
        reason="Gia hạn",
    )
    after = due_rows(app, REF)
    assert after and after != before
    with app.engine.connect() as connection:
        versions = connection.execute(
            select(task_events.c.version).where(task_events.c.task_id == str(REF))
        ).all()
        row = connection.execute(select(board.c.version).where(board.c.id == str(REF))).one()
    assert [v for (v,) in versions] == [1, 2]
    assert row.version == 2


def test_a_board_row_missing_from_the_store_is_written_again_by_the_next_command(
    app: PlanflowApp,
) -> None:
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM planflow_board WHERE id = :id"), {"id": str(REF)})
    app.raise_difficulty(REF, actor="so-a", at=LOADED + timedelta(days=1), text="Khó khăn")
    with app.engine.connect() as connection:
        row = connection.execute(select(board.c.version).where(board.c.id == str(REF))).one()
    assert row.version == 2


def due_rows(app: PlanflowApp, ref: UUID) -> list[tuple[object, ...]]:
    with app.engine.connect() as connection:
        return [
            tuple(r)
            for r in connection.execute(
                select(due).where(due.c.task_id == str(ref)).order_by(due.c.fire_at)
            )
        ]


def test_text_that_looks_like_sql_is_stored_as_it_was_given(app: PlanflowApp) -> None:
    text_given = 'Khó khăn: \'); DROP TABLE planflow_board; -- \\ %s %(x)s $1 "x" ; ngày 5/3'
    number = app.raise_difficulty(
        REF, actor="so-a'; --", at=LOADED + timedelta(days=1), text=text_given
    )
    task = app.get_task(REF)
    assert task.difficulties[number - 1].text == text_given
    with app.engine.connect() as connection:
        actors = connection.execute(
            select(task_events.c.actor).where(task_events.c.task_id == str(REF))
        ).all()
        assert connection.execute(select(board.c.version).where(board.c.id == str(REF))).one()
    assert [a for (a,) in actors] == ["loader", "so-a'; --"]


def test_a_pipeline_runs_in_order_and_stops_at_the_first_error_as_sqlalchemys(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(postgres_url)
    add = Prepared(
        text("INSERT INTO pipeline_check (k, v) VALUES (:k, :v)").bindparams(
            bindparam("k", type_=Integer), bindparam("v", type_=String)
        ),
        engine.dialect,
    )
    count = Prepared(select(func.count()).select_from(text("pipeline_check")), engine.dialect)
    try:
        with engine.connect() as connection:
            driver = driver_of(connection)
            assert isinstance(driver, psycopg.Connection)
            connection.exec_driver_sql("CREATE TABLE pipeline_check (k int PRIMARY KEY, v text)")
            with pipelined(driver):
                add.execute(driver, {"k": 1, "v": "a'; %(v)s --"}, reuse=False)
                counted = count.execute(driver, {})
            assert counted.fetchone() == (1,)
            connection.commit()
            connection.begin()  # as a command's transaction: begun by SQLAlchemy
            with pytest.raises(IntegrityError), pipelined(driver):
                add.execute(driver, {"k": 2, "v": "b"}, reuse=False)
                add.execute(driver, {"k": 1, "v": "again"}, reuse=False)
                add.execute(driver, {"k": 3, "v": "c"}, reuse=False)
            connection.rollback()
            rows = connection.exec_driver_sql("SELECT k, v FROM pipeline_check").all()
            assert [tuple(r) for r in rows] == [(1, "a'; %(v)s --")]
    finally:
        engine.dispose()
    assert "error ignored" not in caplog.text  # the failed pipeline was collected quietly
