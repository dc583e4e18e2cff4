"""Working days: weekends, Vietnamese public holidays, declared swaps and an overrides file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import MINI, ROOT
from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain.calendar import WorkingCalendar
from planflow.workflow.errors import WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import load_overrides, load_workflow


@pytest.fixture(scope="module")
def vn2022() -> WorkingCalendar:
    return vietnam_calendar([2021, 2022, 2023])


@pytest.fixture(scope="module")
def vn2025() -> WorkingCalendar:
    return vietnam_calendar([2025])


def test_plain_weekdays_and_weekends() -> None:
    calendar = WorkingCalendar()
    assert calendar.is_working_day(date(2022, 3, 18))  # Friday
    assert not calendar.is_working_day(date(2022, 3, 19))  # Saturday
    assert not calendar.is_working_day(date(2022, 3, 20))  # Sunday
    assert calendar.add_working_days(date(2022, 3, 18), 1) == date(2022, 3, 21)


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    calendar = WorkingCalendar()
    assert calendar.add_working_days(date(2022, 3, 16), 0) == date(2022, 3, 16)
    assert calendar.add_working_days(date(2022, 3, 19), 0) == date(2022, 3, 21)


def test_counting_backwards_skips_the_weekend() -> None:
    assert WorkingCalendar().add_working_days(date(2022, 3, 21), -1) == date(2022, 3, 18)


def test_tet_2022_is_five_days_off(vn2022: WorkingCalendar) -> None:
    for offset in range(5):
        day = date(2022, 1, 31) + timedelta(days=offset)
        assert not vn2022.is_working_day(day), day
    assert vn2022.is_working_day(date(2022, 1, 28))
    assert vn2022.is_working_day(date(2022, 2, 7))


def test_five_working_days_after_the_friday_before_tet_2022_is_friday_11_february(
    vn2022: WorkingCalendar,
) -> None:
    # Fri 28 Jan; Mon 31 Jan–Fri 4 Feb Tết; 5–6 Feb weekend; Mon 7 (1), Tue 8 (2), Wed 9 (3),
    # Thu 10 (4), Fri 11 Feb (5).
    assert vn2022.add_working_days(date(2022, 1, 28), 5) == date(2022, 2, 11)
    assert vn2022.working_days_between(date(2022, 1, 28), date(2022, 2, 11)) == 5
    assert vn2022.working_days_between(date(2022, 2, 11), date(2022, 1, 28)) == -5
    assert vn2022.add_working_days(date(2022, 2, 7), -1) == date(2022, 1, 28)


def test_new_year_2022_is_observed_on_monday_3_january(vn2022: WorkingCalendar) -> None:
    assert not vn2022.is_working_day(date(2022, 1, 3))
    assert vn2022.add_working_days(date(2021, 12, 31), 1) == date(2022, 1, 4)


def test_hung_kings_day_2022_is_observed_on_monday_11_april(vn2022: WorkingCalendar) -> None:
    assert not vn2022.is_working_day(date(2022, 4, 11))
    assert vn2022.add_working_days(date(2022, 4, 8), 1) == date(2022, 4, 12)


def test_the_swap_of_2025_makes_saturday_26_april_worked_and_friday_2_may_off(
    vn2025: WorkingCalendar,
) -> None:
    assert date(2025, 4, 26).weekday() == 5
    assert vn2025.is_working_day(date(2025, 4, 26))
    assert "02/05/2025" in vn2025.names[date(2025, 4, 26)]
    assert vn2025.source_of(date(2025, 4, 26)).startswith("8726/VPCP-KGVX")
    assert not vn2025.is_working_day(date(2025, 5, 2))
    # Fri 25 Apr → Sat 26 Apr is the next working day.
    assert vn2025.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    # Tue 29 Apr → 30 Apr, 1 May, 2 May off, 3–4 weekend → Mon 5 May.
    assert vn2025.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


def test_an_extra_day_off_wins_over_a_declared_working_day() -> None:
    saturday = date(2022, 3, 19)
    calendar = WorkingCalendar().with_overrides(working_days=[saturday], days_off=[saturday])
    assert not calendar.is_working_day(saturday)


def test_overrides_keep_existing_names_and_add_their_own(vn2022: WorkingCalendar) -> None:
    calendar = vn2022.with_overrides(
        working_days=[date(2022, 3, 19)], names={date(2022, 3, 19): "làm bù"}
    )
    assert calendar.names[date(2022, 3, 19)] == "làm bù"
    assert calendar.names[date(2022, 1, 3)] == vn2022.names[date(2022, 1, 3)]


def _mini_with_overrides(tmp_path: Path, overrides: str) -> Path:
    (tmp_path / "overrides.yaml").write_text(overrides, encoding="utf-8")
    text = MINI.read_text(encoding="utf-8").replace(
        "agencies:\n", "calendar:\n  overrides: overrides.yaml\nagencies:\n", 1
    )
    path = tmp_path / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _due(path: Path, period: str) -> date:
    loaded = load_workflow(path)
    dues = {s.due for s in expand(loaded.workflow, loaded.calendar) if s.period == period}
    assert len(dues) == 1
    return dues.pop()


def test_an_overrides_file_with_a_working_saturday_and_a_day_off_moves_a_deadline(
    tmp_path: Path,
) -> None:
    # Q2 2022: cut-off Tue 14 Jun, 2 working days → Thu 16 Jun without overrides.
    empty = _mini_with_overrides(tmp_path, "working_days: []\ndays_off: []\n")
    assert _due(empty, "2022-Q2") == date(2022, 6, 16)
    # 15 and 16 Jun off, Sat 18 Jun worked: Fri 17 (1), Sat 18 (2).
    changed = _mini_with_overrides(
        tmp_path,
        "working_days:\n  - {date: 2022-06-18, reason: làm bù}\n"
        "days_off:\n  - {date: 2022-06-15, reason: nghỉ}\n  - {date: 2022-06-16, reason: nghỉ}\n",
    )
    loaded = load_workflow(changed)
    assert loaded.calendar.add_working_days(date(2022, 6, 14), 2) == date(2022, 6, 18)
    assert loaded.calendar.add_working_days(date(2022, 6, 17), 1) == date(2022, 6, 18)
    assert _due(changed, "2022-Q2") == date(2022, 6, 18)
    assert loaded.calendar.names[date(2022, 6, 15)] == "nghỉ"


def test_an_empty_overrides_file_changes_nothing(tmp_path: Path) -> None:
    path = _mini_with_overrides(tmp_path, "# nothing announced yet\n")
    assert _due(path, "2022-Q1") == date(2022, 3, 16)


def test_a_malformed_overrides_file_names_that_file_and_line(tmp_path: Path) -> None:
    path = _mini_with_overrides(
        tmp_path,
        "working_days:\n  - {date: 2022-06-18, reason: làm bù}\n"
        "days_off:\n  - {date: not-a-date, reason: nghỉ}\n",
    )
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    problems = info.value.problems
    inner = [p for p in problems if p.file.name == "overrides.yaml"]
    assert inner, problems
    assert inner[0].line == 4
    assert inner[0].field == "days_off[0].date"
    outer = [p for p in problems if p.file == path]
    assert outer and outer[0].field == "calendar.overrides"
    assert "overrides.yaml:4: days_off[0].date" in str(info.value)


def test_an_impossible_date_in_an_overrides_file_names_that_file_and_line(
    tmp_path: Path,
) -> None:
    path = _mini_with_overrides(
        tmp_path, "working_days: []\ndays_off:\n  - {date: 2022-02-30, reason: nghỉ}\n"
    )
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    inner = [p for p in info.value.problems if p.file.name == "overrides.yaml"]
    assert [(p.line, p.field) for p in inner] == [(3, "days_off[0].date")]


def test_broken_yaml_in_an_overrides_file_names_its_line(tmp_path: Path) -> None:
    overrides = tmp_path / "o.yaml"
    overrides.write_text("working_days:\n  - {date: 2022-06-18, reason: [\n", encoding="utf-8")
    with pytest.raises(WorkflowError) as info:
        load_overrides(overrides)
    [problem] = info.value.problems
    assert problem.file == overrides
    assert problem.line is not None and problem.line >= 2


def test_an_unknown_field_in_an_overrides_file_is_refused(tmp_path: Path) -> None:
    overrides = tmp_path / "o.yaml"
    overrides.write_text("working_days: []\nholidays: []\n", encoding="utf-8")
    with pytest.raises(WorkflowError) as info:
        load_overrides(overrides)
    [problem] = info.value.problems
    assert (problem.line, problem.field) == (2, "holidays")


def test_a_missing_overrides_file_is_a_workflow_error(tmp_path: Path) -> None:
    path = _mini_with_overrides(tmp_path, "")
    (tmp_path / "overrides.yaml").unlink()
    with pytest.raises(WorkflowError, match="file not found") as info:
        load_workflow(path)
    assert any(p.file.name == "overrides.yaml" for p in info.value.problems)


def test_the_shipped_vietnam_overrides_file_is_valid() -> None:
    overrides = load_overrides(ROOT / "workflows" / "calendar-vn-overrides.yaml")
    assert overrides.working_days == [] and overrides.days_off == []
