"""A command keeps the task it committed, and the next command on it reads only the events from
that version on (application/loading.py). The task a command acts on must still be the store's
current task: after another process wrote to it, after the store changed under the kept task,
and after a command that failed. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from conftest import utc
from planflow.application.app import PlanflowApp
from planflow.domain import clock
from planflow.domain.errors import DomainError
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan

LOADED = utc(2022, 2, 15)
REF = task_id("mini-2022", "D1", "so-a", "2022")


def replay(app: PlanflowApp, ref: UUID) -> dict[str, Any]:
    state: Task | None = None
    for event in app.events.get(ref):
        state = event.mutate(state)
    assert state is not None
    return dict(vars(state))


def loaded_by_command(app: PlanflowApp, ref: UUID) -> dict[str, Any]:
    """What the next command would act on (taken out of the cache, as a command takes it)."""
    with app.write_transaction() as session:
        task = app._load_for_write(session, ref)
    return dict(vars(task))


@pytest.fixture
def loaded(any_app: PlanflowApp, mini_plan: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED)
    return any_app


def test_a_command_after_another_process_wrote_acts_on_the_other_processs_events(
    loaded: PlanflowApp, database_url: str
) -> None:
    moment = LOADED + timedelta(days=1)
    assert loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Một") == 1
    other = PlanflowApp(database_url)
    try:
        assert other.raise_difficulty(REF, actor="so-a", at=moment, text="Hai") == 2
        other.answer_difficulty(REF, actor="vp", at=moment, number=1, answer="Đã rõ")
    finally:
        other.close()
    assert loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Ba") == 3
    task = loaded.get_task(REF)
    assert task.version == 5
    assert [d.text for d in task.difficulties] == ["Một", "Hai", "Ba"]
    assert loaded_by_command(loaded, REF) == replay(loaded, REF)


def test_a_kept_task_whose_last_event_the_store_does_not_hold_is_loaded_in_full(
    loaded: PlanflowApp,
) -> None:
    moment = LOADED + timedelta(days=1)
    loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Một")
    loader = loaded._task_loader
    assert loader is not None
    stale = loaded.get_task(REF)
    with clock.at(moment):
        stale.raise_difficulty(actor="so-a", text="Không có trong kho")  # never stored
    stale.collect_events()
    loader.keep(stale, 10**9)  # a version and notification id the store does not hold
    assert loaded_by_command(loaded, REF) == replay(loaded, REF)
    assert loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Hai") == 2
    assert loaded.get_task(REF).version == 3


def test_a_command_that_fails_leaves_no_changed_task_behind(loaded: PlanflowApp) -> None:
    moment = LOADED + timedelta(days=1)
    loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Một")

    def refuse(task: Task) -> None:
        with clock.at(moment):
            task.raise_difficulty(actor="so-a", text="Đổi rồi bị từ chối")
        raise DomainError("Không được phép", "Not allowed")

    with pytest.raises(DomainError):
        loaded.run_command("raise", REF, {"text": "X"}, actor="so-a", at=moment, authorize=refuse)
    assert loaded_by_command(loaded, REF) == replay(loaded, REF)
    assert loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Hai") == 2
    assert [d.text for d in loaded.get_task(REF).difficulties] == ["Một", "Hai"]


def test_a_change_the_callers_make_to_the_returned_task_never_reaches_the_next_command(
    loaded: PlanflowApp,
) -> None:
    moment = LOADED + timedelta(days=1)
    outcome = loaded.run_command("raise", REF, {"text": "Một"}, actor="so-a", at=moment)
    with clock.at(moment):
        outcome.state.raise_difficulty(actor="so-a", text="Chỉ trong bộ nhớ của người gọi")
    assert loaded.raise_difficulty(REF, actor="so-a", at=moment, text="Hai") == 2
    assert [d.text for d in loaded.get_task(REF).difficulties] == ["Một", "Hai"]
    assert loaded_by_command(loaded, REF) == replay(loaded, REF)
