"""A command loads its task with one statement (application/loading.py: the latest snapshot and
the events after it) and replays it without the repository's layers. The task it gets must be
the task the repository loads and the task its events make, before, at and after each
snapshot; a task with no events is not found. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from conftest import utc
from planflow.application.app import SNAPSHOT_INTERVAL, PlanflowApp
from planflow.application.errors import TaskNotFound
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan

LOADED = utc(2022, 2, 15)


def command_load(app: PlanflowApp, ref: UUID) -> Task:
    with app.write_transaction() as session:
        return app._load_for_write(session, ref)


def replay(app: PlanflowApp, ref: UUID) -> dict[str, Any]:
    state: Task | None = None
    for event in app.events.get(ref):
        state = event.mutate(state)
    assert state is not None
    return dict(vars(state))


def test_the_task_a_command_loads_is_the_task_its_events_make_around_each_snapshot(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED)
    ref = task_id("mini-2022", "D1", "so-a", "2022")
    moment = LOADED + timedelta(days=1)
    checked: list[int] = []

    def check() -> None:
        version = any_app.get_task(ref).version
        if version % SNAPSHOT_INTERVAL in (0, 1, SNAPSHOT_INTERVAL - 1) or version < 3:
            loaded = command_load(any_app, ref)
            assert loaded.version == version
            assert dict(vars(loaded)) == dict(vars(any_app.get_task(ref)))
            assert dict(vars(loaded)) == replay(any_app, ref)
            checked.append(version)

    for i in range(2 * SNAPSHOT_INTERVAL + 2):
        moment += timedelta(minutes=1)
        any_app.raise_difficulty(ref, actor="so-x", at=moment, text=f"Khó khăn {i}")
        check()
        if i % 4 == 3:
            any_app.answer_difficulty(ref, actor="vp", at=moment, number=i + 1, answer="Đã rõ")
            check()
    assert any_app.snapshots is not None
    assert len(list(any_app.snapshots.get(ref))) == 2
    assert {SNAPSHOT_INTERVAL, 2 * SNAPSHOT_INTERVAL} <= set(checked)


def test_a_command_on_a_task_that_has_no_events_is_refused_as_not_found(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED)
    with pytest.raises(TaskNotFound):
        any_app.raise_difficulty(uuid4(), actor="so-x", at=LOADED, text="Khó khăn")
