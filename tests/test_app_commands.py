"""Commands through the application: saved with their read-model rows, or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.application.errors import AmbiguousTaskId, ConcurrencyConflict, TaskNotFound
from planflow.application.queries import BoardFilter, list_tasks, resolve_task
from planflow.application.tables import board, task_events
from planflow.domain import clock
from planflow.domain.errors import (
    ClockWentBackwards,
    DomainError,
    InvalidArgument,
    InvalidDeadline,
    TaskStateError,
    UnknownDifficulty,
)
from planflow.domain.status import TaskStatus
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan, load_workflow

PLAN = "mini-2022"
REPORT = task_id(PLAN, "D2", "so-a", "2022-Q1")
ACTIVITY = task_id(PLAN, "D1", "so-a", "2022")


@pytest.fixture
def loaded(any_app: PlanflowApp, mini_plan: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    return any_app


def snapshot(app: PlanflowApp) -> tuple[Any, ...]:
    with app.engine.connect() as connection:
        return (
            app.recorder.max_notification_id(),
            sorted(tuple(r) for r in connection.execute(select(board))),
            sorted(tuple(r) for r in connection.execute(select(task_events))),
        )


def board_row(app: PlanflowApp, ref: UUID) -> Any:
    with app.engine.connect() as connection:
        return connection.execute(select(board).where(board.c.id == str(ref))).one()


def test_a_report_submitted_and_accepted_shows_on_the_board(loaded: PlanflowApp) -> None:
    loaded.submit_report(
        REPORT, actor="so-a", at=utc(2022, 3, 15, 3), document="bc.pdf", sha256="ab"
    )
    row = board_row(loaded, REPORT)
    assert (row.state, row.report_state, row.completed_at) == ("submitted", "submitted", None)
    loaded.accept_report(REPORT, actor="vp", at=utc(2022, 3, 18, 3), note="đạt")
    row = board_row(loaded, REPORT)
    assert (row.state, row.report_state, row.version) == ("accepted", "accepted", 3)
    [view] = list_tasks(
        loaded.engine, utc(2022, 4, 1), BoardFilter(agency="so-a", period="2022-Q1"), as_of=False
    )
    assert view.status is TaskStatus.DONE_ON_TIME
    assert view.completed_at == utc(2022, 3, 15, 3)


def test_every_command_goes_through_the_application(loaded: PlanflowApp) -> None:
    t = 0

    def at() -> Any:
        nonlocal t
        t += 1
        return utc(2022, 3, 1, t)

    loaded.execute_activity(ACTIVITY, actor="so-a", at=at(), note="n", evidence="e")
    assert loaded.raise_difficulty(REPORT, actor="so-a", at=at(), text="khó") == 1
    loaded.answer_difficulty(REPORT, actor="vp", at=at(), number=1, answer="gỡ")
    loaded.submit_report(REPORT, actor="so-a", at=at(), document="v1")
    loaded.return_report(REPORT, actor="vp", at=at(), reason="thiếu")
    loaded.extend_deadline(REPORT, actor="vp", at=at(), new_due=date(2022, 3, 25), reason="r")
    loaded.reassign(REPORT, actor="vp", at=at(), new_agency="so-b", reason="r")
    other = task_id(PLAN, "D2", "so-b", "2022-Q2")
    loaded.cancel(other, actor="vp", at=at(), reason="r")
    overdue = task_id(PLAN, "D2", "so-b", "2022-Q1")
    assert loaded.mark_overdue(overdue, actor="scheduler", at=utc(2022, 3, 17, 3)) is True
    assert loaded.mark_overdue(overdue, actor="scheduler", at=utc(2022, 3, 18, 3)) is False
    assert [type(e).__name__ for e in loaded.task_events(REPORT)] == [
        "Assigned",
        "DifficultyRaised",
        "DifficultyAnswered",
        "ReportSubmitted",
        "ReportReturned",
        "DeadlineExtended",
        "Reassigned",
    ]
    row = board_row(loaded, REPORT)
    assert (row.agency, row.original_agency, row.due, row.state) == (
        "so-b",
        "so-a",
        date(2022, 3, 25),
        "returned",
    )
    assert board_row(loaded, ACTIVITY).state == "executed"
    assert board_row(loaded, other).cancelled is True
    assert [type(e).__name__ for e in loaded.task_events(overdue)][-1] == "MarkedOverdue"
    assert len(loaded.task_events(overdue)) == 2


REFUSALS: dict[str, tuple[type[DomainError], Callable[[PlanflowApp], object]]] = {
    "accept never submitted": (
        TaskStateError,
        lambda a: a.accept_report(REPORT, actor="vp", at=utc(2022, 3, 1)),
    ),
    "return never submitted": (
        TaskStateError,
        lambda a: a.return_report(REPORT, actor="vp", at=utc(2022, 3, 1), reason="x"),
    ),
    "report on an activity": (
        TaskStateError,
        lambda a: a.submit_report(ACTIVITY, actor="so-a", at=utc(2022, 3, 1), document="d"),
    ),
    "extension to an earlier date": (
        InvalidDeadline,
        lambda a: a.extend_deadline(
            REPORT, actor="vp", at=utc(2022, 3, 1), new_due=date(2022, 3, 1), reason="x"
        ),
    ),
    "reassign to the same agency": (
        InvalidArgument,
        lambda a: a.reassign(REPORT, actor="vp", at=utc(2022, 3, 1), new_agency="so-a", reason="x"),
    ),
    "unknown difficulty": (
        UnknownDifficulty,
        lambda a: a.answer_difficulty(REPORT, actor="vp", at=utc(2022, 3, 1), number=1, answer="a"),
    ),
    "empty actor": (
        InvalidArgument,
        lambda a: a.execute_activity(ACTIVITY, actor="", at=utc(2022, 3, 1)),
    ),
    "clock went backwards": (
        ClockWentBackwards,
        lambda a: a.execute_activity(ACTIVITY, actor="so-a", at=utc(2022, 1, 1)),
    ),
    "unknown task": (
        TaskNotFound,
        lambda a: a.execute_activity(uuid4(), actor="so-a", at=utc(2022, 3, 1)),
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_failed_command_writes_nothing(loaded: PlanflowApp, name: str) -> None:
    error, command = REFUSALS[name]
    before = snapshot(loaded)
    with pytest.raises(error):
        command(loaded)
    assert snapshot(loaded) == before


def test_an_error_after_the_command_inside_the_transaction_rolls_everything_back(
    loaded: PlanflowApp,
) -> None:
    before = snapshot(loaded)
    with pytest.raises(RuntimeError), clock.at(utc(2022, 3, 1)), loaded.transaction() as session:
        task = loaded.get_task(ACTIVITY)
        task.execute_activity(actor="so-a")
        loaded._save(session, task)
        raise RuntimeError("power cut")
    assert snapshot(loaded) == before


def test_the_history_of_an_unknown_task_is_not_found(loaded: PlanflowApp) -> None:
    with pytest.raises(TaskNotFound):
        loaded.task_events(uuid4())
    with pytest.raises(TaskNotFound):
        loaded.get_task(uuid4())


def test_a_task_is_found_by_a_unique_prefix_of_its_id(loaded: PlanflowApp) -> None:
    assert resolve_task(loaded.engine, str(REPORT)) == REPORT
    assert resolve_task(loaded.engine, str(REPORT)[:8].upper()) == REPORT
    with pytest.raises(TaskNotFound):
        resolve_task(loaded.engine, str(REPORT)[:5])
    with pytest.raises(TaskNotFound):
        resolve_task(loaded.engine, "zzzzzzzz")
    with pytest.raises(TaskNotFound):
        resolve_task(loaded.engine, "ffffffff-0000")


def test_an_ambiguous_prefix_is_refused(any_app: PlanflowApp, tmp_path: Path) -> None:
    # Duties X311 and X3494 were found by search: their tasks' ids both start with 3bf817.
    first, second = (task_id(PLAN, duty, "so-a", "2022") for duty in ("X311", "X3494"))
    assert str(first)[:6] == str(second)[:6] == "3bf817"
    duty = (
        "  - id: {id}\n    section: I\n    title_vi: t\n    assignees: [so-a]\n"
        "    done_when: activity\n    schedule: {{due: 2022-03-31}}\n"
    )
    text = MINI.read_text(encoding="utf-8").replace(
        "duties:\n", "duties:\n" + duty.format(id="X311") + duty.format(id="X3494"), 1
    )
    path = tmp_path / "ambiguous.yaml"
    path.write_text(text, encoding="utf-8")
    any_app.load_plan(load_workflow(path), actor="loader", at=utc(2022, 2, 15))
    with pytest.raises(AmbiguousTaskId):
        resolve_task(any_app.engine, "3bf817")
    assert resolve_task(any_app.engine, str(first)[:7]) == first
    assert resolve_task(any_app.engine, str(first)) == first


@pytest.fixture
def second_app(database_url: str, loaded: PlanflowApp) -> Iterator[PlanflowApp]:
    application = PlanflowApp(database_url)
    yield application
    application.close()


def test_two_instances_changing_the_same_task_from_the_same_version_conflict(
    loaded: PlanflowApp, second_app: PlanflowApp
) -> None:
    mine = loaded.get_task(REPORT)
    theirs = second_app.get_task(REPORT)
    assert mine.version == theirs.version == 1
    second_app.raise_difficulty(REPORT, actor="so-a", at=utc(2022, 3, 1), text="khó")
    before = snapshot(loaded)
    with (
        pytest.raises(ConcurrencyConflict) as info,
        clock.at(utc(2022, 3, 2)),
        loaded.transaction() as session,
    ):
        mine.submit_report(actor="so-a", document="bc")
        loaded._save(session, mine)
    assert info.value.current_version == 2
    assert str(REPORT) in str(info.value)
    assert snapshot(loaded) == before
    # Reloading and trying again works.
    loaded.submit_report(REPORT, actor="so-a", at=utc(2022, 3, 2), document="bc")
    assert [type(e).__name__ for e in second_app.task_events(REPORT)] == [
        "Assigned",
        "DifficultyRaised",
        "ReportSubmitted",
    ]
    assert board_row(second_app, REPORT).version == 3


def test_two_instances_see_each_others_commands(
    loaded: PlanflowApp, second_app: PlanflowApp
) -> None:
    loaded.execute_activity(ACTIVITY, actor="so-a", at=utc(2022, 3, 1))
    with pytest.raises(TaskStateError):
        second_app.extend_deadline(
            ACTIVITY, actor="vp", at=utc(2022, 3, 2), new_due=date(2022, 4, 30), reason="x"
        )
    assert second_app.get_task(ACTIVITY).is_done


def test_a_task_event_keeps_its_details(loaded: PlanflowApp) -> None:
    loaded.submit_report(
        REPORT, actor="so-a", at=utc(2022, 3, 1), document="bc.pdf", sha256="ab", note="n"
    )
    event = loaded.task_events(REPORT)[-1]
    assert isinstance(event, Task.ReportSubmitted)
    assert (event.document, event.sha256, event.note, event.actor) == ("bc.pdf", "ab", "n", "so-a")
    assert event.timestamp == utc(2022, 3, 1)
