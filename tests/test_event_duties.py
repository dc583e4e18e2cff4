"""Event-relative duties ("chậm nhất 10 ngày làm việc trước ngày văn bản có hiệu lực", "ngay sau
khi quyết định được ký"): no task until the Office records the event; then due dates counted in
working days from it. Recording is idempotent, a second date is a conflict, an unknown event is
refused naming the valid ones — from the application, the CLI and the API.

Dates are counted by hand from the 2026 calendar (tests/test_ongoing_duties.py lists it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.domain.errors import FactConflict, InvalidArgument
from planflow.domain.status import TaskStatus
from planflow.domain.task import task_id
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_cli import Run, run  # noqa: F401  (the ``run`` fixture)
from test_ongoing_duties import FORMS, PLAN, at
from test_scheduler_ladder import morning
from webkit import WebWorld, make_world, seed_database

EFFECTIVE = "qd-cong-bo-co-hieu-luc"  # II.3: 10 working days before it (so-tp)
SIGNED = "qd-phe-duyet-ky"  # II.4: on the day it is signed (so-yt, so-tc)
BEFORE = task_id(PLAN, "II.3", "so-tp", "2026")
AFTER_YT = task_id(PLAN, "II.4", "so-yt", "2026")


@pytest.fixture(scope="module")
def forms() -> LoadedPlan:
    return load_workflow(FORMS)


@pytest.fixture
def loaded(any_app: PlanflowApp, forms: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(forms, actor="loader", at=morning(date(2026, 1, 5)))
    return any_app


def _duties(app: PlanflowApp) -> set[str]:
    from planflow.application.queries import BoardFilter, list_tasks

    views = list_tasks(app.engine, at(date(2026, 3, 1)), BoardFilter(plan=PLAN), as_of=False)
    return {v.duty for v in views}


def test_no_task_exists_until_the_event_is_recorded(loaded: PlanflowApp) -> None:
    assert not {"II.3", "II.4"} & _duties(loaded)


def test_ten_working_days_before_an_effective_date_skips_the_april_holidays(
    loaded: PlanflowApp,
) -> None:
    result = loaded.record_event(
        PLAN, EFFECTIVE, date(2026, 5, 11), actor="van-phong", at=at(date(2026, 3, 20))
    )
    assert (result.recorded, result.assigned) == (True, 1)
    task = loaded.get_task(BEFORE)
    # Mon 11 May back 10 working days: 8, 7, 6, 5, 4 May; 1 May, 30 Apr and 27 Apr are off;
    # 29, 28, 24, 23, 22 Apr.
    assert task.due == date(2026, 4, 22)
    assert "11/05/2026" in task.basis
    assert task.status(at(date(2026, 4, 22), 20)) is TaskStatus.OPEN_IN_TIME
    assert task.status(at(date(2026, 4, 23))) is TaskStatus.OPEN_OVERDUE


def test_a_decision_signed_on_a_sunday_before_the_national_day_is_due_on_thursday(
    loaded: PlanflowApp,
) -> None:
    result = loaded.record_event(
        PLAN, SIGNED, date(2026, 8, 30), actor="van-phong", at=at(date(2026, 8, 31))
    )
    assert result.assigned == 2  # Sở Y tế and Sở Tài chính
    # Sun 30 Aug; Mon 31 Aug, Tue 1 and Wed 2 Sep are off: the first working day is Thu 3 Sep.
    assert loaded.get_task(AFTER_YT).due == date(2026, 9, 3)
    assert loaded.get_task(task_id(PLAN, "II.4", "so-tc", "2026")).due == date(2026, 9, 3)


def test_recording_is_idempotent_and_a_second_date_is_a_conflict_that_writes_nothing(
    loaded: PlanflowApp,
) -> None:
    loaded.record_event(PLAN, SIGNED, date(2026, 8, 22), actor="vp", at=at(date(2026, 8, 24)))
    version = loaded.get_plan(PLAN).version  # type: ignore[union-attr]
    again = loaded.record_event(
        PLAN, SIGNED, date(2026, 8, 22), actor="vp", at=at(date(2026, 8, 25))
    )
    assert (again.recorded, again.assigned) == (False, 0)
    with pytest.raises(FactConflict, match="22/08/2026"):
        loaded.record_event(PLAN, SIGNED, date(2026, 8, 23), actor="vp", at=at(date(2026, 8, 25)))
    assert loaded.get_plan(PLAN).version == version  # type: ignore[union-attr]
    # Sat 22 Aug 2026 is a worked Saturday: due that very day.
    assert loaded.get_task(AFTER_YT).due == date(2026, 8, 22)


def test_an_unknown_event_is_refused_naming_the_valid_ones(loaded: PlanflowApp) -> None:
    with pytest.raises(InvalidArgument, match=f"{EFFECTIVE}, {SIGNED}"):
        loaded.record_event(PLAN, "qd-khac", date(2026, 5, 1), actor="vp", at=at(date(2026, 3, 2)))
    with pytest.raises(InvalidArgument, match="2025–2027"):
        loaded.record_event(PLAN, SIGNED, date(2030, 5, 1), actor="vp", at=at(date(2026, 3, 2)))


def test_loading_the_file_again_keeps_the_tasks_of_recorded_events(
    loaded: PlanflowApp, forms: LoadedPlan
) -> None:
    loaded.record_event(PLAN, EFFECTIVE, date(2026, 5, 11), actor="vp", at=at(date(2026, 3, 20)))
    result = loaded.load_plan(forms, actor="loader", at=at(date(2026, 3, 21)))
    assert not result.changed
    assert not loaded.get_task(BEFORE).cancelled


def test_the_cli_records_an_event_once_and_validate_and_status_say_what_waits(
    run: Run,  # noqa: F811
) -> None:
    validated = run("validate", str(FORMS))
    assert validated.returncode == 0
    assert f"event waiting to be recorded: {EFFECTIVE}" in validated.stdout
    assert run("--db", "p.db", "load", str(FORMS), "--at", "05/01/2026").returncode == 0
    args = ("--db", "p.db", "event", "record", "--plan", PLAN, EFFECTIVE, "--at", "20/03/2026")
    first = run(*args, "--date", "11/05/2026")
    assert first.returncode == 0, first.stderr
    assert "1 tasks assigned" in first.stdout
    assert "No change" in run(*args, "--date", "11/05/2026").stdout
    conflict = run(*args, "--date", "12/05/2026")
    assert conflict.returncode == 5
    unknown = run("--db", "p.db", "event", "record", "--plan", PLAN, "x", "--date", "01/05/2026")
    assert unknown.returncode == 2
    assert f"{EFFECTIVE}, {SIGNED}" in unknown.stderr
    status = run("--db", "p.db", "status", "--plan", PLAN)
    assert f"event waiting to be recorded: {SIGNED}" in status.stdout
    assert f"event waiting to be recorded: {EFFECTIVE}" not in status.stdout


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, forms: LoadedPlan) -> Path:
    folder = tmp_path_factory.mktemp("events")
    return seed_database(folder / "seed.db", forms, agency_a="so-yt", agency_b="so-tp")


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def test_the_api_records_an_event_for_the_office_only(world: WebWorld) -> None:
    world.clock.set(at(date(2026, 8, 31)))
    path = f"/api/v1/plans/{PLAN}/events/{SIGNED}"
    body = {"date": "2026-08-30"}
    before = world.event_count()
    refused = world.client.post(path, json=body, headers=world.token("officer-a"))
    assert refused.status_code == 403
    assert world.event_count() == before
    done = world.client.post(path, json=body, headers=world.token("staff"))
    assert done.status_code == 200, done.text
    assert done.json() == {"plan": PLAN, "recorded": True, "assigned": 2}
    assert world.app.get_task(UUID(str(AFTER_YT))).due == date(2026, 9, 3)
    again = world.client.post(path, json=body, headers=world.token("staff"))
    assert again.json()["recorded"] is False
    other = world.client.post(path, json={"date": "2026-08-29"}, headers=world.token("staff"))
    assert other.status_code == 409
    unknown = world.client.post(
        f"/api/v1/plans/{PLAN}/events/khong-co", json=body, headers=world.token("staff")
    )
    assert unknown.status_code == 422
    assert SIGNED in unknown.json()["detail_en"]
    missing = world.client.post(
        f"/api/v1/plans/khong-co/events/{SIGNED}", json=body, headers=world.token("staff")
    )
    assert missing.status_code == 404


def test_a_duty_naming_an_unknown_event_is_refused_with_its_line(tmp_path: Path) -> None:
    from planflow.workflow.errors import WorkflowError

    text = FORMS.read_text(encoding="utf-8").replace(
        "{event: qd-phe-duyet-ky, working_days_after: 0}",
        "{event: qd-khong-co, working_days_after: 0}",
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    (problem,) = caught.value.problems
    assert problem.field == "duties[3].schedule.event"
    assert (
        problem.line
        == text.splitlines().index("    schedule: {event: qd-khong-co, working_days_after: 0}") + 1
    )
    assert f"{EFFECTIVE}, {SIGNED}" in problem.message


def test_an_event_schedule_needs_exactly_one_side(tmp_path: Path) -> None:
    from planflow.workflow.errors import WorkflowError

    text = FORMS.read_text(encoding="utf-8").replace(
        "{event: qd-phe-duyet-ky, working_days_after: 0}",
        "{event: qd-phe-duyet-ky, working_days_after: 0, working_days_before: 3}",
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError, match="exactly one"):
        load_workflow(path)
