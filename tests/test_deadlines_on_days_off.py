"""Deadlines that fall on days off (Civil Code 2015, art. 148(5)) and chasing only on working days."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date, datetime, time
from pathlib import Path

from conftest import MINI, utc
from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain import clock
from planflow.domain.calendar import due_note, effective_due
from planflow.domain.chasing import Head, LadderRule, PlanRules, due_now, pending
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Completion, Task
from planflow.workflow.expand import expand
from planflow.workflow.loader import load_workflow

CALENDAR = vietnam_calendar([2024, 2025, 2026])
RULES = PlanRules(
    plan="p",
    calendar=CALENDAR,
    reminders=(3, 1),
    ladder=(LadderRule(1, "assignee_head", 0), LadderRule(2, "vp", 3)),
    heads={"so-a": Head("Giám đốc Sở A")},
    signer=Head("Phó Chủ tịch"),
)


def new_task(due: date) -> Task:
    with clock.at(utc(2024, 12, 1)):
        return Task.assign(
            plan="p",
            duty="D1",
            agency="so-a",
            period="2025",
            due=due,
            completion=Completion.ACTIVITY,
            title="Việc",
            actor="loader",
        )


def fire_days(task: Task) -> dict[tuple[str, int], date]:
    return {(i.key.kind.value, i.key.step): i.fire_on for i in pending(task, RULES)}


def at_local(day: date, hour: int = 8) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def test_a_due_date_on_a_saturday_moves_to_the_monday() -> None:
    assert effective_due(date(2025, 3, 15), CALENDAR) == date(2025, 3, 17)
    assert effective_due(date(2025, 3, 14), CALENDAR) == date(2025, 3, 14)


def test_a_due_date_on_30_april_2026_moves_past_the_holidays_and_says_so() -> None:
    assert effective_due(date(2026, 4, 30), CALENDAR) == date(2026, 5, 4)
    note = due_note(date(2026, 4, 30), CALENDAR)
    assert note.startswith("hạn 30/04/2026 là ngày nghỉ, chuyển sang 04/05/2026")
    assert "art. 148(5)" in note
    assert due_note(date(2026, 5, 4), CALENDAR) == ""


def _mini_with_fixed_due(tmp_path: Path, due: str) -> Path:
    text = MINI.read_text(encoding="utf-8")
    assert "due: 2022-03-31" in text
    path = tmp_path / "mini.yaml"
    path.write_text(text.replace("due: 2022-03-31", f"due: {due}"), encoding="utf-8")
    return path


def test_expand_moves_a_fixed_due_date_on_a_saturday_to_monday_and_keeps_the_stated_one(
    tmp_path: Path,
) -> None:
    loaded = load_workflow(_mini_with_fixed_due(tmp_path, "2022-03-19"))
    [spec] = {
        s.due: s for s in expand(loaded.workflow, loaded.calendar) if s.period == "2022"
    }.values()
    assert (spec.due, spec.stated_due, spec.due_as_stated) == (
        date(2022, 3, 21),
        date(2022, 3, 19),
        date(2022, 3, 19),
    )


def test_expand_leaves_a_fixed_due_date_on_a_working_day_alone(tmp_path: Path) -> None:
    loaded = load_workflow(_mini_with_fixed_due(tmp_path, "2022-03-18"))
    specs = [s for s in expand(loaded.workflow, loaded.calendar) if s.period == "2022"]
    assert {(s.due, s.stated_due) for s in specs} == {(date(2022, 3, 18), None)}


def test_no_escalation_on_new_years_day_2025() -> None:
    # Due Tue 31 Dec 2024: the overdue mark and the level-1 escalation used to fire on Wed 1 Jan.
    days = fire_days(new_task(date(2024, 12, 31)))
    assert days[("overdue", 0)] == date(2025, 1, 2)
    assert days[("escalation", 1)] == date(2025, 1, 2)
    assert days[("escalation", 2)] == date(2025, 1, 6)


def test_no_escalation_on_saturday_25_january_2025_before_tet() -> None:
    # Due Fri 24 Jan 2025: Sat 25 Jan – Sun 2 Feb are off; the first working day is Mon 3 Feb.
    days = fire_days(new_task(date(2025, 1, 24)))
    assert days[("overdue", 0)] == date(2025, 2, 3)
    assert days[("escalation", 1)] == date(2025, 2, 3)
    assert days[("escalation", 2)] == date(2025, 2, 5)  # Mon 3 (1), Tue 4 (2), Wed 5 (3)
    assert days[("reminder", 1)] == date(2025, 1, 23)


def test_a_task_due_on_a_day_off_is_chased_from_its_effective_deadline() -> None:
    # Due Sat 15 Mar 2025 (a date recorded before the rule, or set by hand): it ends Mon 17 Mar.
    days = fire_days(new_task(date(2025, 3, 15)))
    assert days[("reminder", 1)] == date(2025, 3, 14)
    assert days[("overdue", 0)] == date(2025, 3, 18)
    assert days[("escalation", 2)] == date(2025, 3, 20)


def test_nothing_is_recorded_on_a_weekend_and_what_waited_goes_out_on_the_next_working_day() -> (
    None
):
    task = new_task(date(2025, 1, 24))
    for day in (date(2025, 1, 25), date(2025, 1, 29), date(2025, 2, 2)):
        assert due_now(task, RULES, at_local(day)) == [], day
    monday = due_now(task, RULES, at_local(date(2025, 2, 3), 0))
    assert {(i.key.kind.value, i.key.step) for i in monday} == {("overdue", 0), ("escalation", 1)}


def test_what_is_due_is_recorded_on_the_worked_saturday_of_a_swap() -> None:
    # Sat 26 Apr 2025 is a working day (8726/VPCP-KGVX): what is due is recorded then.
    task = new_task(date(2025, 4, 24))
    steps = due_now(task, RULES, at_local(date(2025, 4, 26)))
    assert {(i.key.kind.value, i.key.step) for i in steps} == {("overdue", 0), ("escalation", 1)}
    assert [i.fire_on for i in steps] == [date(2025, 4, 25), date(2025, 4, 25)]


def test_validate_says_which_stated_due_dates_fall_on_a_day_off(tmp_path: Path) -> None:
    planflow = shutil.which("planflow")
    assert planflow, "the planflow console script is not installed"
    path = _mini_with_fixed_due(tmp_path, "2022-04-30")
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1"}
    result = subprocess.run(
        [planflow, "validate", str(path)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "hạn 30/04/2022 là ngày nghỉ, chuyển sang 04/05/2022" in result.stdout
