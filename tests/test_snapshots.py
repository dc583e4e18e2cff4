"""A task is snapshotted every SNAPSHOT_INTERVAL events (the library's snapshotting with
domain/snapshot.py's state codec), so a command on a long history loads the latest snapshot and
the events after it. A task loaded from a snapshot must be the task its events make, at its
latest version and at any earlier one; a store without snapshots (written before them) still
loads and takes commands. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from conftest import utc
from planflow.application.app import SNAPSHOT_INTERVAL, PlanflowApp
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan

LOADED = utc(2022, 2, 15)
COMMANDS = 2 * SNAPSHOT_INTERVAL + 20


def replay(app: PlanflowApp, ref: UUID, version: int | None = None) -> dict[str, Any]:
    """The task's attributes from its events alone, never from a snapshot."""
    state: Task | None = None
    for event in app.events.get(ref, lte=version):
        state = event.mutate(state)
    assert state is not None
    return dict(vars(state))


@pytest.fixture
def long_task(any_app: PlanflowApp, mini_plan: LoadedPlan) -> tuple[PlanflowApp, UUID]:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED)
    ref = task_id("mini-2022", "D1", "so-a", "2022")
    moment = LOADED + timedelta(days=1)
    for i in range(COMMANDS):
        moment += timedelta(minutes=1)
        any_app.raise_difficulty(ref, actor="so-x", at=moment, text=f"Khó khăn {i}")
        if i % 3 == 2:
            any_app.answer_difficulty(ref, actor="vp", at=moment, number=i + 1, answer="Trả lời")
    return any_app, ref


def test_a_long_task_is_snapshotted_at_every_interval(long_task: tuple[PlanflowApp, UUID]) -> None:
    app, ref = long_task
    assert app.snapshots is not None
    versions = [s.originator_version for s in app.snapshots.get(ref)]
    last = app.get_task(ref).version
    assert versions == list(range(SNAPSHOT_INTERVAL, last + 1, SNAPSHOT_INTERVAL))
    assert len(versions) >= 2


def test_a_task_loaded_from_its_snapshot_is_the_task_its_events_make(
    long_task: tuple[PlanflowApp, UUID],
) -> None:
    app, ref = long_task
    loaded = app.get_task(ref)
    assert dict(vars(loaded)) == replay(app, ref)
    assert loaded.completion.value and loaded.report_state.value  # enums, not bare strings
    assert isinstance(loaded.chased, set)
    answered = [d for d in loaded.difficulties if d.answer]
    assert answered and all(d.answered_at is not None for d in answered)
    for version in (
        SNAPSHOT_INTERVAL - 1,
        SNAPSHOT_INTERVAL,
        SNAPSHOT_INTERVAL + 7,
        loaded.version,
    ):
        assert dict(vars(app.get_task(ref, version=version))) == replay(app, ref, version)


def test_a_store_without_snapshots_still_loads_and_takes_commands(
    long_task: tuple[PlanflowApp, UUID],
) -> None:
    app, ref = long_task
    before = app.get_task(ref)
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM planflow_snapshots"))
    assert app.snapshots is not None and list(app.snapshots.get(ref)) == []
    assert dict(vars(app.get_task(ref))) == dict(vars(before))
    at = datetime(2022, 3, 1, 8, tzinfo=UTC)
    number = app.raise_difficulty(ref, actor="so-x", at=at, text="Sau khi xóa ảnh chụp")
    after = app.get_task(ref)
    assert number == len(before.difficulties) + 1
    assert after.version == before.version + 1
    assert dict(vars(after)) == replay(app, ref)


def test_the_state_codec_restores_enums_sets_of_records_and_lists_of_records() -> None:
    from datetime import date

    from planflow.domain.chase import ChaseKey, ChaseKind
    from planflow.domain.snapshot import decode, encode
    from planflow.domain.task import Difficulty, ReportState

    at = datetime(2022, 3, 10, 2, tzinfo=UTC)
    state = {
        "report_state": ReportState.NONE,
        "chased": {
            ChaseKey(ChaseKind.REMINDER, 3, date(2022, 3, 21)),
            ChaseKey(ChaseKind.ESCALATION, 1, date(2022, 3, 21)),
        },
        "difficulties": [Difficulty(1, "Khó", "so-a", at), Difficulty(2, "Khó nữa", "so-a", at)],
        "empty": [],
        "plain": ["a", 1, None],
    }
    restored = decode(encode(state))
    assert restored == state
    assert type(restored["report_state"]) is ReportState
    assert all(type(k.kind) is ChaseKind for k in restored["chased"])


def test_the_command_that_takes_a_snapshot_still_loads_its_task_once(
    app: PlanflowApp, mini_plan: LoadedPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventsourcing.application import Repository

    from planflow.application.loading import TaskLoader

    app.load_plan(mini_plan, actor="loader", at=LOADED)
    ref = task_id("mini-2022", "D1", "so-a", "2022")
    moment = LOADED + timedelta(days=1)
    while app.get_task(ref).version < SNAPSHOT_INTERVAL - 1:
        moment += timedelta(minutes=1)
        app.raise_difficulty(ref, actor="so-x", at=moment, text="Khó khăn")
    loads: list[UUID] = []
    original = Repository.get

    def counting(self: Any, aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        loads.append(aggregate_id)
        return original(self, aggregate_id, *args, **kwargs)

    monkeypatch.setattr(Repository, "get", counting)
    loader = TaskLoader.load

    def counting_loader(self: TaskLoader, connection: Any, aggregate_id: UUID) -> Any:
        loads.append(aggregate_id)
        return loader(self, connection, aggregate_id)

    monkeypatch.setattr(TaskLoader, "load", counting_loader)
    app.raise_difficulty(ref, actor="so-x", at=moment + timedelta(minutes=1), text="Lần thứ 50")
    assert loads == [ref]
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(ref)] == [SNAPSHOT_INTERVAL]
