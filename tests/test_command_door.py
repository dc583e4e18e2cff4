"""The application is the one door for task commands: one load, atomic expected versions,
contention retried, and nothing written when a command is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Repository
from typer.testing import CliRunner

from conftest import ROOT, utc
from planflow.application.app import PlanflowApp
from planflow.application.commands import BY_NAME, COMMANDS, command_table
from planflow.application.errors import ConcurrencyConflict
from planflow.application.loading import TaskLoader
from planflow.cli.main import app as cli
from planflow.domain.errors import DomainError
from planflow.domain.task import Task, task_id
from planflow.workflow.loader import LoadedPlan

PLAN = "mini-2022"
REPORT = task_id(PLAN, "D2", "so-a", "2022-Q1")
ACTIVITY = task_id(PLAN, "D1", "so-a", "2022")


@pytest.fixture
def loaded(any_app: PlanflowApp, mini_plan: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    return any_app


def events(app: PlanflowApp) -> int:
    return int(app.recorder.max_notification_id() or 0)


@pytest.fixture
def task_loads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[UUID]]:
    """Every aggregate load of a task, in any application of this process: the repository's
    and the command loader's (application/loading.py)."""
    loads: list[UUID] = []
    original = Repository.get

    def counting(self: Repository, aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
        aggregate = original(self, aggregate_id, *args, **kwargs)
        if isinstance(aggregate, Task):
            loads.append(aggregate_id)
        return aggregate

    monkeypatch.setattr(Repository, "get", counting)
    loader = TaskLoader.load

    def counting_loader(self: TaskLoader, connection: Any, ref: UUID, **kwargs: Any) -> Any:
        task = loader(self, connection, ref, **kwargs)
        if task is not None:
            loads.append(ref)
        return task

    monkeypatch.setattr(TaskLoader, "load", counting_loader)
    yield loads


# --- one load per command ------------------------------------------------------------------


def test_every_command_through_the_application_loads_its_task_once(
    loaded: PlanflowApp, task_loads: list[UUID]
) -> None:
    steps: list[tuple[str, UUID, dict[str, Any]]] = [
        ("raise", ACTIVITY, {"text": "thiếu kinh phí"}),
        ("request-extension", ACTIVITY, {"new_due": date(2022, 12, 31), "reason": "chờ"}),
        ("answer", ACTIVITY, {"number": 1, "answer": "đã rõ"}),
        ("extend", ACTIVITY, {"new_due": date(2022, 12, 31), "reason": "ok", "answers": 2}),
        ("chase", ACTIVITY, {"note": "khẩn"}),
        ("execute", ACTIVITY, {"note": "xong"}),
        ("report", REPORT, {"document": "bc.pdf"}),
        ("return", REPORT, {"reason": "thiếu"}),
        ("report", REPORT, {"document": "bc2.pdf"}),
        ("accept", REPORT, {}),
    ]
    moment = utc(2022, 3, 1)
    for name, ref, data in steps:
        task_loads.clear()
        outcome = loaded.run_command(name, ref, data, actor="x", at=moment)
        assert task_loads == [ref], name
        assert outcome.version == loaded.get_task(ref).version
    assert loaded.get_task(ACTIVITY).due == date(2022, 12, 31)


def test_a_command_from_the_command_line_loads_its_task_once(
    tmp_path: Path, mini_plan: LoadedPlan, task_loads: list[UUID]
) -> None:
    db = tmp_path / "cli.db"
    app = PlanflowApp(f"sqlite:///{db}")
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.close()
    task_loads.clear()
    args = ["--db", str(db), "raise", str(ACTIVITY), "--actor", "so-a", "--text", "khó"]
    result = CliRunner().invoke(cli, [*args, "--at", "2022-03-01"])
    assert result.exit_code == 0, result.output
    assert task_loads == [ACTIVITY]


def test_a_command_over_http_loads_its_task_once(
    tmp_path: Path, template: Path, task_loads: list[UUID]
) -> None:
    from webkit import make_world

    for world in make_world(tmp_path, template):
        task = world.task_id("D1", "so-a")
        task_loads.clear()
        response = world.client.post(
            f"/api/v1/tasks/{task}/raise",
            json={"text": "khó khăn"},
            headers=world.token("officer-a"),
        )
        assert response.status_code == 200, response.text
        assert task_loads == [UUID(task)]
        task_loads.clear()
        response = world.client.post(
            f"/api/v1/tasks/{task}/extend",
            json={"new_due": "2022-12-30", "reason": "ok", "answers": 1},
            headers=world.token("director"),
        )
        assert response.status_code == 200, response.text
        assert task_loads == [UUID(task)]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, mini_plan: LoadedPlan) -> Path:
    from webkit import seed_database

    return seed_database(tmp_path_factory.mktemp("door") / "seed.db", mini_plan)


# --- no stale write wins ------------------------------------------------------------------


def _race(workers: int, job: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(workers)
    results: list[Any] = [None] * workers

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = job(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_of_writers_with_the_same_expected_version_exactly_one_wins(
    loaded: PlanflowApp, database_url: str
) -> None:
    apps = [PlanflowApp(database_url) for _ in range(8)]  # as separate processes would
    try:
        for round_ in range(5):
            version = loaded.get_task(ACTIVITY).version

            def write(i: int, round_: int = round_, version: int = version) -> Any:
                return apps[i].run_command(
                    "raise",
                    ACTIVITY,
                    {"text": f"r{round_}w{i}"},
                    actor=f"w{i}",
                    at=utc(2022, 3, 1, round_, i),
                    expected_version=version,
                )

            results = _race(8, write)
            wins = [r for r in results if not isinstance(r, Exception)]
            conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
            assert len(wins) == 1 and len(conflicts) == 7, results
            assert all(c.current_version == version + 1 for c in conflicts)
            assert loaded.get_task(ACTIVITY).version == version + 1
    finally:
        for a in apps:
            a.close()


def test_writers_without_an_expected_version_all_land_on_a_hot_task(
    loaded: PlanflowApp, database_url: str
) -> None:
    apps = [PlanflowApp(database_url) for _ in range(6)]
    before = loaded.get_task(ACTIVITY).version
    clock_lock = threading.Lock()
    ticks = [0]

    def now() -> Any:
        # A shared clock that moves forward, read by each command after its write lock.
        with clock_lock:
            ticks[0] += 1
            return utc(2022, 3, 2, 0, 0, ticks[0])

    try:
        results = _race(
            6,
            lambda i: [
                apps[i].run_command("raise", ACTIVITY, {"text": f"w{i}-{n}"}, actor="w", at=now)
                for n in range(5)
            ],
        )
    finally:
        for a in apps:
            a.close()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert loaded.get_task(ACTIVITY).version == before + 30


# --- a refused command writes nothing -------------------------------------------------------


def test_an_extension_answering_a_difficulty_that_does_not_exist_records_nothing(
    loaded: PlanflowApp,
) -> None:
    count = events(loaded)
    due = loaded.get_task(ACTIVITY).due
    with pytest.raises(DomainError, match="999"):
        loaded.run_command(
            "extend",
            ACTIVITY,
            {"new_due": date(2022, 12, 31), "reason": "ok", "answers": 999},
            actor="vp",
            at=utc(2022, 3, 1),
        )
    assert events(loaded) == count
    assert loaded.get_task(ACTIVITY).due == due


def _invalid_inputs() -> list[tuple[str, dict[str, Any]]]:
    """For every command: each required field missing, each text field too long or blank, a
    field the command does not take, and a wrong type."""
    cases: list[tuple[str, dict[str, Any]]] = []
    valid: dict[str, dict[str, Any]] = {
        "execute": {"note": "n"},
        "report": {"document": "bc.pdf"},
        "accept": {},
        "return": {"reason": "r"},
        "raise": {"text": "t"},
        "answer": {"number": 1, "answer": "a"},
        "extend": {"new_due": "2022-12-31", "reason": "r"},
        "request-extension": {"new_due": "2022-12-31", "reason": "r"},
        "reassign": {"new_agency": "so-b", "reason": "r"},
        "cancel": {"reason": "r"},
        "chase": {},
        "check-in": {"note": "n"},
    }
    for spec in COMMANDS:
        good = valid[spec.name.value]
        cases.append((spec.name.value, {**good, "unexpected": "x"}))
        for name, info in spec.input.model_fields.items():
            if info.is_required():
                cases.append((spec.name.value, {k: v for k, v in good.items() if k != name}))
            if info.annotation is str:
                cases.append((spec.name.value, {**good, name: "x" * 5000}))
                if info.is_required():
                    cases.append((spec.name.value, {**good, name: "   "}))
            if info.annotation is date:
                cases.append((spec.name.value, {**good, name: "31/13/2022"}))
            if "int" in str(info.annotation):
                cases.append((spec.name.value, {**good, name: "many"}))
    return cases


@pytest.mark.parametrize(("name", "data"), _invalid_inputs())
def test_an_invalid_input_is_refused_and_nothing_is_written(
    app: PlanflowApp, mini_plan: LoadedPlan, name: str, data: dict[str, Any]
) -> None:
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    ref = REPORT if BY_NAME[name].name.value in ("report", "accept", "return") else ACTIVITY
    count = events(app)
    with pytest.raises(DomainError):
        app.run_command(name, ref, data, actor="x", at=utc(2022, 3, 1))
    assert events(app) == count


def test_every_command_refused_by_the_tasks_state_writes_nothing(loaded: PlanflowApp) -> None:
    """Accept/return without a report, answer without a difficulty, a report on an activity
    duty, reassign to an unknown agency, extend to an earlier date."""
    refused = [
        ("accept", REPORT, {}),
        ("return", REPORT, {"reason": "r"}),
        ("answer", ACTIVITY, {"number": 1, "answer": "a"}),
        ("report", ACTIVITY, {"document": "bc.pdf"}),
        ("reassign", ACTIVITY, {"new_agency": "so-khong-co", "reason": "r"}),
        ("extend", ACTIVITY, {"new_due": date(2022, 1, 1), "reason": "r"}),
        ("request-extension", ACTIVITY, {"new_due": date(2022, 1, 1), "reason": "r"}),
        ("check-in", ACTIVITY, {"note": "not an ongoing duty"}),
    ]
    for name, ref, data in refused:
        count = events(loaded)
        with pytest.raises(DomainError):
            loaded.run_command(name, ref, data, actor="x", at=utc(2022, 3, 1))
        assert events(loaded) == count, name


def test_the_command_table_in_the_docs_is_the_declared_one() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert command_table() in text
