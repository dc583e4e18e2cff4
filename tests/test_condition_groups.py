"""Groups the plan defines by a condition ("các sở được giao chủ trì soạn thảo …") or by members
it never lists: the group states its condition, a person resolves it (recorded with the actor),
and until then its duties have no tasks and `validate` and `status` say which groups wait."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from planflow.application.app import PlanflowApp
from planflow.domain.errors import FactConflict, InvalidArgument
from planflow.domain.plan import Plan
from planflow.domain.task import task_id
from planflow.workflow.errors import WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_cli import Run, run  # noqa: F401  (the ``run`` fixture)
from test_ongoing_duties import FORMS, PLAN, at
from test_scheduler_ladder import morning
from webkit import WebWorld, make_world, seed_database

GROUP = "so-chu-tri-soan-thao"
DRAFTERS = task_id(PLAN, "II.5", "so-tp", "2026")


@pytest.fixture(scope="module")
def forms() -> LoadedPlan:
    return load_workflow(FORMS)


@pytest.fixture
def loaded(app: PlanflowApp, forms: LoadedPlan) -> PlanflowApp:
    app.load_plan(forms, actor="loader", at=morning(date(2026, 1, 5)))
    return app


def test_an_unresolved_group_stands_for_no_agency_and_its_duty_has_no_task(
    forms: LoadedPlan,
) -> None:
    specs = expand(forms.workflow, forms.calendar)
    assert not [s for s in specs if s.duty == "II.5"]
    resolved = expand(forms.workflow, forms.calendar, resolved={GROUP: ["so-tp", "so-yt"]})
    drafters = [s for s in resolved if s.duty == "II.5"]
    assert [(s.agency, s.due) for s in drafters] == [
        ("so-tp", date(2026, 6, 30)),
        ("so-yt", date(2026, 6, 30)),
    ]
    assert drafters[0].products == ("Báo cáo đánh giá tác động thủ tục hành chính",)


def test_a_group_with_a_condition_that_also_lists_members_is_refused(tmp_path: Path) -> None:
    text = FORMS.read_text(encoding="utf-8").replace(
        "    condition_en: The departments",
        "    kinds: [department]\n    condition_en: The departments",
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    assert any(p.field == "groups[2].kinds" for p in caught.value.problems), caught.value.problems


def test_a_person_resolves_the_group_and_its_tasks_appear(loaded: PlanflowApp) -> None:
    result = loaded.resolve_group(
        PLAN, GROUP, ["so-tp", "so-yt"], actor="chanh-van-phong", at=at(date(2026, 3, 2))
    )
    assert (result.recorded, result.assigned) == (True, 2)
    task = loaded.get_task(DRAFTERS)
    assert task.due == date(2026, 6, 30)
    assert task.completion.value == "report"
    plan = loaded.get_plan(PLAN)
    assert plan is not None
    assert plan.resolved == {GROUP: ["so-tp", "so-yt"]}
    assert plan.resolved_by == {GROUP: "chanh-van-phong"}
    last = list(loaded.events.get(plan.id))[-1]
    assert isinstance(last, Plan.GroupResolved)
    assert last.actor == "chanh-van-phong"


def test_resolving_again_is_idempotent_and_other_members_are_a_conflict(
    loaded: PlanflowApp, forms: LoadedPlan
) -> None:
    loaded.resolve_group(PLAN, GROUP, ["so-tp", "so-yt"], actor="vp", at=at(date(2026, 3, 2)))
    again = loaded.resolve_group(
        PLAN, GROUP, ["so-yt", "so-tp"], actor="vp", at=at(date(2026, 3, 3))
    )
    assert (again.recorded, again.assigned) == (False, 0)
    version = loaded.get_plan(PLAN).version  # type: ignore[union-attr]
    with pytest.raises(FactConflict, match="so-tp, so-yt"):
        loaded.resolve_group(PLAN, GROUP, ["so-tc"], actor="vp", at=at(date(2026, 3, 3)))
    assert loaded.get_plan(PLAN).version == version  # type: ignore[union-attr]
    # Loading the file again keeps the resolved group's tasks.
    assert not loaded.load_plan(forms, actor="loader", at=at(date(2026, 3, 4))).changed
    assert not loaded.get_task(DRAFTERS).cancelled


def test_unknown_groups_and_members_are_refused_naming_what_is_valid(loaded: PlanflowApp) -> None:
    with pytest.raises(InvalidArgument, match=GROUP):
        loaded.resolve_group(PLAN, "cap-xa", ["xa-a"], actor="vp", at=at(date(2026, 3, 2)))
    with pytest.raises(InvalidArgument, match="so-khong-co"):
        loaded.resolve_group(
            PLAN, GROUP, ["so-tp", "so-khong-co"], actor="vp", at=at(date(2026, 3, 2))
        )
    with pytest.raises(InvalidArgument):
        loaded.resolve_group(PLAN, GROUP, [], actor="vp", at=at(date(2026, 3, 2)))
    assert loaded.get_plan(PLAN).resolved == {}  # type: ignore[union-attr]


def test_the_cli_says_which_groups_wait_and_resolves_one(run: Run) -> None:  # noqa: F811
    validated = run("validate", str(FORMS))
    assert f"group waiting to be resolved: {GROUP}" in validated.stdout
    assert "chủ trì soạn thảo" in validated.stdout
    assert run("--db", "p.db", "load", str(FORMS), "--at", "05/01/2026").returncode == 0
    assert f"group waiting to be resolved: {GROUP}" in run("--db", "p.db", "status").stdout
    args = ("--db", "p.db", "group", "resolve", "--plan", PLAN, GROUP, "--actor", "chanh-vp")
    done = run(*args, "--members", "so-tp,so-yt", "--at", "02/03/2026")
    assert done.returncode == 0, done.stderr
    assert "2 tasks assigned" in done.stdout
    assert f"group waiting to be resolved: {GROUP}" not in run("--db", "p.db", "status").stdout
    assert run(*args, "--members", "so-tc", "--at", "03/03/2026").returncode == 5
    assert run(*args, "--members", "khong-co", "--at", "03/03/2026").returncode == 2


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, forms: LoadedPlan) -> Path:
    folder = tmp_path_factory.mktemp("groups")
    return seed_database(folder / "seed.db", forms, agency_a="so-tp", agency_b="so-yt")


@pytest.fixture
def world(tmp_path: Path, template: Path) -> Iterator[WebWorld]:
    yield from make_world(tmp_path, template)


def test_only_the_office_director_resolves_a_group_through_the_api(world: WebWorld) -> None:
    world.clock.set(at(date(2026, 3, 2)))
    path = f"/api/v1/plans/{PLAN}/groups/{GROUP}"
    body = {"members": ["so-tp"]}
    for username in ("staff", "officer-a"):
        assert world.client.post(path, json=body, headers=world.token(username)).status_code == 403
    done = world.client.post(path, json=body, headers=world.token("director"))
    assert done.status_code == 200, done.text
    assert done.json() == {"plan": PLAN, "recorded": True, "assigned": 1}
    assert world.app.get_plan(PLAN).resolved_by == {GROUP: "director"}  # type: ignore[union-attr]
