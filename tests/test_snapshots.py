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
from eventsourcing.utils import get_topic
from sqlalchemy import select, text

from conftest import utc
from planflow.application.app import SNAPSHOT_INTERVAL, PlanflowApp
from planflow.application.queries import version_at
from planflow.application.tables import board
from planflow.domain.snapshot import StateSnapshot, encode
from planflow.domain.task import Difficulties, Task, task_id
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

    def counting_loader(
        self: TaskLoader, connection: Any, aggregate_id: UUID, **kwargs: Any
    ) -> Any:
        loads.append(aggregate_id)
        return loader(self, connection, aggregate_id, **kwargs)

    monkeypatch.setattr(TaskLoader, "load", counting_loader)
    app.raise_difficulty(ref, actor="so-x", at=moment + timedelta(minutes=1), text="Lần thứ 50")
    assert loads == [ref]
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(ref)] == [SNAPSHOT_INTERVAL]


def old_format_snapshot(task: Task) -> StateSnapshot:
    """The snapshot a store holds from before ``Difficulties`` (Task version 1): its difficulties
    a list of records encoded as one topic and rows of values, and no class version."""
    state = dict(vars(task))
    for name in ("_id", "_version", "_pending_events"):
        state.pop(name)
    state["difficulties"] = list(task.difficulties)
    encoded = encode(state)
    assert encoded["difficulties"]["__planflow_state__"] == "records"
    encoded["difficulties"]["topic"] = "planflow.domain.task:Difficulty"  # where the class was
    return StateSnapshot(  # type: ignore[call-arg]
        originator_id=task.id,
        originator_version=task.version,
        timestamp=task.modified_on,
        topic=get_topic(Task),
        state=encoded,
    )


def test_a_snapshot_from_before_the_difficulties_collection_still_loads_and_takes_commands(
    long_task: tuple[PlanflowApp, UUID],
) -> None:
    app, ref = long_task
    assert app.snapshots is not None
    last = max(s.originator_version for s in app.snapshots.get(ref))
    old = old_format_snapshot(app.get_task(ref, version=last))
    with app.engine.begin() as connection:
        connection.execute(text("DELETE FROM planflow_snapshots"))
    app.snapshots.put([old])
    with app.engine.connect() as connection:
        stored = connection.execute(text("SELECT state FROM planflow_snapshots")).scalar_one()
    stored_text = bytes(stored).decode()
    assert '"records"' in stored_text and "planflow.domain.task:Difficulty" in stored_text
    assert "class_version" not in stored_text

    loaded = app.get_task(ref)
    assert isinstance(loaded.difficulties, Difficulties)
    assert dict(vars(loaded)) == replay(app, ref)
    moment = loaded.modified_on + timedelta(minutes=1)
    open_one = next(d.number for d in loaded.difficulties if d.answer is None)
    app.answer_difficulty(ref, actor="vp", at=moment, number=open_one, answer="Sau nâng cấp")
    while app.get_task(ref).version % SNAPSHOT_INTERVAL:
        moment += timedelta(minutes=1)
        app.raise_difficulty(ref, actor="so-x", at=moment, text="Sau nâng cấp")
    assert dict(vars(app.get_task(ref))) == replay(app, ref)
    newest = next(iter(app.snapshots.get(ref, desc=True, limit=1)))
    assert newest.originator_version > last
    assert newest.state["class_version"] == Task.class_version


def test_the_board_counts_the_open_difficulties_of_a_task_loaded_from_its_snapshot(
    long_task: tuple[PlanflowApp, UUID],
) -> None:
    app, ref = long_task
    task = app.get_task(ref)
    moment = task.modified_on + timedelta(minutes=1)
    open_ones = [d.number for d in task.difficulties if d.answer is None]
    app.answer_difficulty(ref, actor="vp", at=moment, number=open_ones[0], answer="Đã xử lý")
    with app.engine.connect() as connection:
        counted = connection.execute(
            select(board.c.open_difficulties).where(board.c.id == str(ref))
        ).scalar_one()
    assert counted == len(open_ones) - 1
    assert counted == sum(1 for d in replay(app, ref)["difficulties"] if d.answer is None)


def test_a_task_as_of_a_past_time_reads_its_snapshot_and_only_the_events_after_it(
    long_task: tuple[PlanflowApp, UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, ref = long_task
    wanted = SNAPSHOT_INTERVAL + 7
    moment = app.get_task(ref, version=wanted).modified_on
    version = version_at(app.engine, ref, moment)  # the event index, as the task page does
    assert version == wanted
    store = app.repository.event_store
    original = store.get
    read: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        for event in original(*args, **kwargs):
            read.append(event.originator_version)
            yield event

    monkeypatch.setattr(store, "get", counting)
    then = app.get_task(ref, version=version)
    assert read == list(range(SNAPSHOT_INTERVAL + 1, wanted + 1))
    monkeypatch.undo()
    assert dict(vars(then)) == replay(app, ref, wanted)


def test_the_api_shows_a_task_loaded_from_its_snapshot_as_it_shows_the_replayed_one(
    long_task: tuple[PlanflowApp, UUID],
) -> None:
    from planflow.web.views import TaskState

    app, ref = long_task
    state: Task | None = None
    for event in app.events.get(ref):
        state = event.mutate(state)
    assert state is not None
    loaded = app.get_task(ref)
    moment = loaded.modified_on + timedelta(days=1)
    shown = TaskState(loaded, moment, False).as_json()
    assert shown == TaskState(state, moment, False).as_json()
    assert len(shown["difficulties"]) == COMMANDS
    assert shown["difficulties"][2]["answer"] == "Trả lời"
    assert shown["difficulties"][0]["raised_at"] == state.difficulties[0].raised_at.isoformat()
