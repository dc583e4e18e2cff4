"""Tasks of the new schedule forms, recorded and chased: reminders, escalations and statuses on
hand-computed days of the 2026 calendar; windows carried on the task and shown by the CLI and the
pages; events recorded before windows existed still replay."""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import FIXTURES, utc
from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_workflow
from planflow.cli.main import app as cli
from planflow.domain import clock
from planflow.domain.chase import ChaseKind
from planflow.domain.chasing import PlanRules, due_now, pending
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.status import TaskStatus
from planflow.domain.task import Task, task_id
from planflow.web.names import Names
from planflow.workflow.expand import TaskSpec, expand
from planflow.workflow.loader import LoadedPlan, load_workflow
from webkit import PASSWORD, make_world, seed_database

SCHEDULES = FIXTURES / "schedules-2026.yaml"
PLAN = "lich-2026"


@pytest.fixture(scope="module")
def plan() -> LoadedPlan:
    return load_workflow(SCHEDULES)


@pytest.fixture(scope="module")
def rules(plan: LoadedPlan) -> PlanRules:
    return rules_from_workflow(plan.workflow, plan.calendar)


def assigned(plan: LoadedPlan, duty: str, period: str) -> Task:
    spec: TaskSpec = next(
        s for s in expand(plan.workflow, plan.calendar) if (s.duty, s.period) == (duty, period)
    )
    with clock.at(utc(2025, 12, 1)):
        return Task.assign(
            plan=spec.plan,
            duty=spec.duty,
            agency=spec.agency,
            period=spec.period,
            due=spec.due,
            completion=spec.completion,
            title=spec.title,
            actor="loader",
            window=spec.window,
        )


def steps(task: Task, rules: PlanRules) -> dict[str, date]:
    names = {ChaseKind.REMINDER: "r", ChaseKind.OVERDUE: "overdue", ChaseKind.ESCALATION: "e"}
    return {
        f"{names[i.key.kind]}{i.key.step if i.key.kind is not ChaseKind.OVERDUE else ''}": i.fire_on
        for i in pending(task, rules)
    }


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


# Reminders 7, 3 and 1 working days before; overdue and level 1 on the first working day after the
# deadline; level 2 three and level 3 seven working days after it.
CHASES = {
    # Weekly, "thứ Sáu": Fri 2 Jan 2026 is off → due Mon 5 Jan. Before it: Wed 31 Dec 2025 (1),
    # 30, Mon 29 Dec (3), 26, 25, 24, Tue 23 Dec (7). After it: Tue 6 Jan, 7, Thu 8 Jan (3), 9,
    # Sat 10 Jan (worked), 12, Tue 13 Jan (7).
    ("S1", "2026-W01"): {
        "r7": date(2025, 12, 23),
        "r3": date(2025, 12, 29),
        "r1": date(2025, 12, 31),
        "overdue": date(2026, 1, 6),
        "e1": date(2026, 1, 6),
        "e2": date(2026, 1, 8),
        "e3": date(2026, 1, 13),
    },
    # Due on Sat 10 Jan 2026, a working day: 9 (1), 8, Wed 7 (3), 6, 5, [4, 3, 2, 1 off],
    # 31 Dec, Tue 30 Dec 2025 (7); after: Mon 12, 13, Wed 14 (3), 15, 16, 19, Tue 20 Jan (7).
    ("S13", "2026-W01"): {
        "r7": date(2025, 12, 30),
        "r3": date(2026, 1, 7),
        "r1": date(2026, 1, 9),
        "overdue": date(2026, 1, 12),
        "e1": date(2026, 1, 12),
        "e2": date(2026, 1, 14),
        "e3": date(2026, 1, 20),
    },
    # "Trong tháng 8": 31 Aug – 2 Sep off → due Thu 3 Sep; before it: Fri 28 Aug (1), 27,
    # Wed 26 (3), 25, 24, Sat 22 Aug (worked), Fri 21 Aug (7); after: Fri 4, 7, Tue 8 Sep (3),
    # 9, 10, 11, Mon 14 Sep (7).
    ("S11", "2026-M08"): {
        "r7": date(2026, 8, 21),
        "r3": date(2026, 8, 26),
        "r1": date(2026, 8, 28),
        "overdue": date(2026, 9, 4),
        "e1": date(2026, 9, 4),
        "e2": date(2026, 9, 8),
        "e3": date(2026, 9, 14),
    },
    # Due Fri 15 Jan 2027: 14 (1), 13, Tue 12 (3), 11, 8, 7, Wed 6 Jan (7); after: Mon 18,
    # 19, Wed 20 (3), 21, 22, 25, Tue 26 Jan 2027 (7).
    ("S10", "2026"): {
        "r7": date(2027, 1, 6),
        "r3": date(2027, 1, 12),
        "r1": date(2027, 1, 14),
        "overdue": date(2027, 1, 18),
        "e1": date(2027, 1, 18),
        "e2": date(2027, 1, 20),
        "e3": date(2027, 1, 26),
    },
}


@pytest.mark.parametrize(("key", "expected"), sorted(CHASES.items()))
def test_reminders_and_escalations_fall_on_the_working_days_computed_by_hand(
    plan: LoadedPlan, rules: PlanRules, key: tuple[str, str], expected: dict[str, date]
) -> None:
    assert steps(assigned(plan, *key), rules) == expected


def test_nothing_is_recorded_on_the_day_off_a_weekly_deadline_fell_on(
    plan: LoadedPlan, rules: PlanRules
) -> None:
    task = assigned(plan, "S1", "2026-W01")
    assert due_now(task, rules, local(date(2026, 1, 2), 9)) == []  # Fri 2 Jan: off
    assert due_now(task, rules, local(date(2026, 1, 4), 9)) == []  # Sunday
    fired = due_now(task, rules, local(date(2026, 1, 6), 0, 1))
    assert {i.key.kind for i in fired} == {ChaseKind.OVERDUE, ChaseKind.ESCALATION}


def test_a_weekly_task_is_in_time_until_the_end_of_the_moved_deadline(
    plan: LoadedPlan,
) -> None:
    task = assigned(plan, "S1", "2026-W01")
    assert task.status(local(date(2026, 1, 3), 12)) is TaskStatus.OPEN_IN_TIME
    assert task.status(local(date(2026, 1, 5), 23, 59)) is TaskStatus.OPEN_IN_TIME
    assert task.status(local(date(2026, 1, 6))) is TaskStatus.OPEN_OVERDUE


def test_a_window_task_done_inside_the_window_is_on_time_and_late_after_it(
    plan: LoadedPlan,
) -> None:
    on_time = assigned(plan, "S9", "2026")
    with clock.at(local(date(2026, 5, 12), 10)):
        on_time.execute_activity(actor="so-a", note="Đã tập huấn", evidence="")
    assert on_time.status(local(date(2026, 10, 1), 9)) is TaskStatus.DONE_ON_TIME
    late = assigned(plan, "S7", "2026-Q3")
    assert late.status(local(date(2026, 9, 30), 23)) is TaskStatus.OPEN_IN_TIME
    assert late.status(local(date(2026, 10, 1))) is TaskStatus.OPEN_OVERDUE
    with clock.at(local(date(2026, 10, 2), 10)):
        late.execute_activity(actor="so-a", note="Đã tổ chức", evidence="")
    assert late.status(local(date(2026, 10, 5), 9)) is TaskStatus.DONE_LATE


def test_events_recorded_before_windows_existed_still_replay(plan: LoadedPlan) -> None:
    created = next(iter(assigned(plan, "S7", "2026-Q3").collect_events()))
    state = {k: v for k, v in created.__dict__.items() if k not in ("window_start", "window_end")}
    old = Task.Assigned.__new__(Task.Assigned)
    old.__dict__.update(state)
    task = old.mutate(None)
    assert isinstance(task, Task)
    assert (task.window_start, task.window_end, task.due) == (None, None, date(2026, 9, 30))


def test_a_loaded_window_task_carries_its_window_and_the_cli_and_pages_show_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env |= {"COLUMNS": "250", "NO_COLOR": "1"}
    runner = CliRunner()
    loaded = runner.invoke(cli, ["load", str(SCHEDULES), "--at", "2025-12-20"], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "36" in loaded.stdout
    ref = str(task_id(PLAN, "S9", "so-a", "2026"))
    shown = runner.invoke(cli, ["show", ref, "--format", "json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert '"window": {' in shown.stdout
    assert '"start": "2026-04-01"' in shown.stdout and '"end": "2026-09-30"' in shown.stdout
    table = runner.invoke(cli, ["show", ref], env=env)
    assert (
        "Khoảng thời gian / Window: trong quý II và quý III năm 2026 / in Q2 and Q3 2026 "
        "(01/04/2026 – 30/09/2026)" in table.stdout
    )
    application = PlanflowApp(f"sqlite:///{tmp_path / 'planflow.db'}")
    try:
        task = application.get_task(task_id(PLAN, "S7", "so-a", "2026-Q3"))
        assert (task.window_start, task.window_end) == (date(2026, 7, 1), date(2026, 9, 30))
        assert application.get_task(task_id(PLAN, "S4", "so-a", "2026-H1")).window_start is None
    finally:
        application.close()
    vi, en = Names(lang="vi"), Names(lang="en")
    assert (
        vi.period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
        == "Trong quý III năm 2026 (01/07/2026 – 30/09/2026)"
    )
    assert en.period("2026-M09", date(2026, 9, 1), date(2026, 9, 30)).startswith(
        "In September 2026"
    )
    assert vi.period("2026-M03") == "Tháng 3 năm 2026"
    assert en.period("2026-W05") == "Week 5 of 2026"


def test_the_task_page_shows_the_window_as_the_plan_words_it(
    tmp_path: Path, plan: LoadedPlan
) -> None:
    seeded = seed_database(tmp_path / "seed.db", plan)
    for world in make_world(tmp_path, seeded):
        page = world.client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        signed = world.client.post(
            "/login",
            data={"username": "director", "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        window = world.client.get(f"/tasks/{task_id(PLAN, 'S9', 'so-a', '2026')}")
        assert window.status_code == 200
        assert "Trong quý II và quý III năm 2026 (01/04/2026 – 30/09/2026)" in window.text
        monthly = world.client.get(f"/tasks/{task_id(PLAN, 'S2', 'so-a', '2026-M09')}")
        assert "Tháng 9 năm 2026" in monthly.text
