"""Loading a plan: idempotent, deterministic, and revisions of the file become events."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import revised_mini, utc
from planflow.application.app import PlanflowApp
from planflow.application.errors import PlanRevisionRefused
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.tables import board, plans, task_events
from planflow.domain.plan import Plan, plan_id
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan

LOADED_AT = utc(2022, 2, 15, 2)
REVISED_AT = utc(2022, 3, 1, 2)
PLAN = "mini-2022"


def event_count(app: PlanflowApp) -> int:
    return app.recorder.max_notification_id() or 0


def table_rows(app: PlanflowApp, table: Any) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        return sorted(tuple(row) for row in connection.execute(select(table)))


def history(app: PlanflowApp, ref: Any) -> list[str]:
    return [type(e).__name__ for e in app.task_events(ref)]


def test_loading_the_kien_giang_plan_assigns_479_tasks(
    any_app: PlanflowApp, kien_giang: LoadedPlan
) -> None:
    result = any_app.load_plan(kien_giang, actor="loader", at=LOADED_AT)
    assert (result.tasks_in_file, result.assigned, result.unchanged) == (515, 515, 0)
    assert result.plan_recorded and result.changed
    assert event_count(any_app) == 516  # 515 tasks + the plan
    views = list_tasks(any_app.engine, LOADED_AT, BoardFilter(), as_of=False)
    assert len(views) == 515
    q1 = [v for v in views if v.duty == "IV.1.a.2" and v.period == "2022-Q1"]
    assert len(q1) == 36 and {v.due for v in q1} == {date(2022, 3, 16)}


def test_loading_twice_changes_nothing(any_app: PlanflowApp, kien_giang: LoadedPlan) -> None:
    any_app.load_plan(kien_giang, actor="loader", at=LOADED_AT)
    before = (event_count(any_app), table_rows(any_app, board), table_rows(any_app, task_events))
    again = any_app.load_plan(kien_giang, actor="loader", at=REVISED_AT)
    assert not again.changed
    assert (again.assigned, again.cancelled, again.extended, again.unchanged) == (0, 0, 0, 515)
    assert not again.plan_recorded
    after = (event_count(any_app), table_rows(any_app, board), table_rows(any_app, task_events))
    assert after == before


def test_task_ids_are_deterministic(any_app: PlanflowApp, mini_plan: LoadedPlan) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    ref = task_id(PLAN, "D2", "so-a", "2022-Q1")
    task = any_app.get_task(ref)
    assert (task.plan, task.duty, task.agency, task.period) == (PLAN, "D2", "so-a", "2022-Q1")
    ids = {v.id for v in list_tasks(any_app.engine, LOADED_AT, BoardFilter(), as_of=False)}
    expected = {str(task_id(PLAN, "D1", a, "2022")) for a in ("so-a", "so-b")} | {
        str(task_id(PLAN, "D2", a, f"2022-Q{n}")) for a in ("so-a", "so-b") for n in range(1, 5)
    }
    assert ids == expected


def test_the_plan_is_recorded_with_its_file(any_app: PlanflowApp, mini_plan: LoadedPlan) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    plan = any_app.get_plan(PLAN)
    assert isinstance(plan, Plan)
    assert plan.id == plan_id(PLAN)
    assert plan.sha256 == mini_plan.sha256
    assert plan.document["plan"]["number"] == "1/KH-UBND"
    [row] = table_rows(any_app, plans)
    assert row[1] == PLAN and row[2] == mini_plan.sha256
    assert any_app.get_plan("nope") is None


def test_a_comment_only_change_records_a_plan_revision_but_touches_no_task(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    tasks_before = table_rows(any_app, task_events)
    result = any_app.load_plan(
        revised_mini(tmp_path, ("# A small plan", "# A revised small plan")),
        actor="loader",
        at=REVISED_AT,
    )
    assert result.plan_recorded and (result.assigned, result.cancelled, result.extended) == (
        0,
        0,
        0,
    )
    plan = any_app.get_plan(PLAN)
    assert plan is not None and plan.revisions == 1
    assert table_rows(any_app, task_events) == tasks_before


def test_a_removed_duty_cancels_its_open_tasks_with_plan_revised(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    done = task_id(PLAN, "D1", "so-a", "2022")
    any_app.execute_activity(done, actor="so-a", at=utc(2022, 2, 20))
    without_d1 = revised_mini(
        tmp_path,
        (
            "  - id: D1\n    section: IV.1.a.1\n    title_vi: Xây dựng kế hoạch\n"
            "    assignees: [cac-so]\n    done_when: activity\n    schedule: {due: 2022-03-31}\n",
            "",
        ),
    )
    result = any_app.load_plan(without_d1, actor="loader", at=REVISED_AT)
    assert (result.cancelled, result.assigned, result.extended) == (1, 0, 0)
    open_one = any_app.get_task(task_id(PLAN, "D1", "so-b", "2022"))
    assert open_one.cancelled
    assert open_one.cancel_reason is not None and "plan revised" in open_one.cancel_reason
    last = any_app.task_events(open_one.id)[-1]
    assert isinstance(last, Task.Cancelled)
    assert (last.actor, last.timestamp) == ("loader", REVISED_AT)
    assert not any_app.get_task(done).cancelled, "a done task is history, not cancelled"
    # Loading the revised file again changes nothing more.
    assert not any_app.load_plan(without_d1, actor="loader", at=utc(2022, 3, 2)).changed


def test_a_new_agency_is_assigned(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    with_so_c = revised_mini(
        tmp_path,
        (
            "groups:\n",
            "  - code: so-c\n    name_vi: Sở C\n    kind: department\n"
            "    head: {title_vi: Giám đốc Sở C}\ngroups:\n",
        ),
    )
    result = any_app.load_plan(with_so_c, actor="loader", at=REVISED_AT)
    assert (result.assigned, result.cancelled, result.extended, result.unchanged) == (5, 0, 0, 10)
    new = any_app.get_task(task_id(PLAN, "D2", "so-c", "2022-Q1"))
    [assigned] = any_app.task_events(new.id)
    assert isinstance(assigned, Task.Assigned)
    assert assigned.timestamp == REVISED_AT
    assert new.due == date(2022, 3, 16)


def test_a_deadline_moved_later_is_extended_by_plan_revision(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    later = revised_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-04-15}"))
    result = any_app.load_plan(later, actor="loader", at=REVISED_AT)
    assert (result.extended, result.assigned, result.cancelled) == (2, 0, 0)
    task = any_app.get_task(task_id(PLAN, "D1", "so-a", "2022"))
    last = any_app.task_events(task.id)[-1]
    assert isinstance(last, Task.DeadlineExtended)
    assert last.by_plan_revision is True
    assert (last.previous_due, last.new_due) == (date(2022, 3, 31), date(2022, 4, 15))
    assert "plan revised" in last.reason
    assert task.due == task.planned_due == date(2022, 4, 15)
    assert task.original_due == date(2022, 3, 31)


def test_a_granted_extension_beyond_the_files_new_date_is_kept(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    ref = task_id(PLAN, "D1", "so-a", "2022")
    any_app.extend_deadline(
        ref, actor="vp", at=utc(2022, 2, 20), new_due=date(2022, 5, 31), reason="x"
    )
    later = revised_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-04-15}"))
    result = any_app.load_plan(later, actor="loader", at=REVISED_AT)
    assert result.extended == 1  # so-b only
    assert any_app.get_task(ref).due == date(2022, 5, 31)
    assert history(any_app, ref) == ["Assigned", "DeadlineExtended"]


def test_a_deadline_moved_earlier_is_refused_and_nothing_is_written(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    before = (
        event_count(any_app),
        table_rows(any_app, board),
        table_rows(any_app, task_events),
        table_rows(any_app, plans),
    )
    earlier = revised_mini(
        tmp_path,
        ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-03-30}"),
        # and an agency added in the same file: it must not be assigned either
        (
            "groups:\n",
            "  - code: so-c\n    name_vi: Sở C\n    kind: department\n"
            "    head: {title_vi: Giám đốc Sở C}\ngroups:\n",
        ),
    )
    with pytest.raises(PlanRevisionRefused, match="2022-03-31 → 2022-03-30"):
        any_app.load_plan(earlier, actor="loader", at=REVISED_AT)
    after = (
        event_count(any_app),
        table_rows(any_app, board),
        table_rows(any_app, task_events),
        table_rows(any_app, plans),
    )
    assert after == before
    plan = any_app.get_plan(PLAN)
    assert plan is not None and plan.revisions == 0


def test_a_deadline_extended_by_revision_cannot_be_moved_back(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    later = revised_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-04-15}"))
    any_app.load_plan(later, actor="loader", at=REVISED_AT)
    count = event_count(any_app)
    with pytest.raises(PlanRevisionRefused):
        any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 3, 2))
    assert event_count(any_app) == count


def test_a_revision_leaves_done_tasks_alone(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=LOADED_AT)
    done = task_id(PLAN, "D1", "so-a", "2022")
    any_app.execute_activity(done, actor="so-a", at=utc(2022, 2, 20))
    earlier = revised_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-04-15}"))
    result = any_app.load_plan(earlier, actor="loader", at=REVISED_AT)
    assert result.extended == 1
    assert any_app.get_task(done).due == date(2022, 3, 31)
    assert history(any_app, done) == ["Assigned", "ActivityExecuted"]


def test_the_count_of_board_rows_matches_the_tasks(
    any_app: PlanflowApp, kien_giang: LoadedPlan
) -> None:
    any_app.load_plan(kien_giang, actor="loader", at=LOADED_AT)
    with any_app.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(board)).scalar()
        history_rows = connection.execute(select(func.count()).select_from(task_events)).scalar()
    assert rows == history_rows == 515
