"""The chain as written with the events: positions in commit order, the injected recorded_at,
per-task stream hashes, and notification ids that need not be contiguous."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.audit import chain as core
from planflow.audit import store, writer
from planflow.domain.task import task_id
from planflow.workflow.loader import LoadedPlan

REPORT = task_id("mini-2022", "D2", "so-a", "2022-Q1")


def test_each_commit_is_stamped_by_the_recorders_clock_and_chained_in_order(
    app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    stamps = iter([datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)])
    app.recorder.clock = lambda: next(stamps)  # type: ignore[attr-defined]
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf")
    rows = store.chain_rows(app.engine)
    assert [r.position for r in rows] == list(range(1, len(rows) + 1))
    assert {r.recorded_at for r in rows[:-1]} == {"2026-01-02T03:04:05.000006+00:00"}
    assert rows[-1].recorded_at == "2026-01-03T00:00:00.000000+00:00"
    last = rows[-1]
    assert (last.stream_id, last.stream_version) == (str(REPORT), 2)
    first = next(r for r in rows if r.stream_id == str(REPORT))
    assert last.stream_hash == core.link(first.stream_hash, last.leaf_hash)
    assert last.chain_hash == core.link(rows[-2].chain_hash, last.leaf_hash)


def test_gaps_in_notification_ids_do_not_matter_positions_do(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    app = any_app
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    with app.engine.begin() as connection:
        top = connection.execute(text("SELECT max(id) FROM planflow_events")).scalar_one()
        if app.engine.dialect.name == "postgresql":  # rolled-back inserts leave sequence gaps
            for _ in range(50):
                connection.execute(
                    text("SELECT nextval(pg_get_serial_sequence('planflow_events', 'id'))")
                )
        else:  # SQLite without AUTOINCREMENT: a deleted last id is handed out again
            connection.execute(
                text(
                    "INSERT INTO planflow_events (id, originator_id, originator_version, topic, "
                    "state) VALUES (:id, :o, 1, 'gone', x'00')"
                ),
                {"id": top + 1, "o": b"\x00" * 16},
            )
            connection.execute(text("DELETE FROM planflow_events WHERE id = :id"), {"id": top + 1})
    app.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf")
    rows = store.chain_rows(app.engine)
    gap = 51 if app.engine.dialect.name == "postgresql" else 1
    assert (rows[-1].notification_id, rows[-1].position) == (top + gap, len(rows))
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    assert store.verify_store(app.engine, events, [], []).ok


def test_rebuilding_the_read_models_leaves_the_chain_alone(
    app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    before = store.chain_rows(app.engine)
    assert app.rebuild_read_models() == len(before)
    assert store.chain_rows(app.engine) == before


def test_a_batch_is_chained_exactly_as_the_same_events_one_at_a_time(
    app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    """The batch path builds its entries and links its own way (a plan load's speed); its rows
    are those of the one-event path, also for streams the batch continues and odd topics."""
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    streams = sorted({r.stream_id for r in store.chain_rows(app.engine)})[:3]
    batch = [
        writer.NewEvent(10_000 + n, stream, 2 + n // 3, topic, f"state {n} ở đây".encode())
        for n, (stream, topic) in enumerate(
            [(s, t) for t in ('Giao "nhiệm vụ"\\', "planflow.domain.task:Task.X") for s in streams]
        )
    ]
    batch.append(writer.NewEvent(10_010, "a-new-stream", 1, "t", b"{}"))
    events = app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    written: list[list[tuple[object, ...]]] = []
    for parts in ([batch], [[e] for e in batch]):
        with app.engine.connect() as connection:
            transaction = connection.begin()
            for part in parts:
                writer.append(connection, events, part, "2026-01-02T03:04:05.000006+00:00")
            rows = connection.execute(text("SELECT * FROM planflow_chain ORDER BY position"))
            written.append([tuple(r) for r in rows])
            transaction.rollback()
    assert len(written[0]) == len(store.chain_rows(app.engine)) + len(batch)
    assert written[0] == written[1]
