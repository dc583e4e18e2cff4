"""Bad input in the new schedule forms is refused, and each problem names its line and field."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planflow.cli.main import app as cli
from planflow.workflow.errors import Problem, WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import load_workflow

PLAN = """\
format: planflow/v1
plan:
  id: lich-kiem-tra
  issuer: Ủy ban nhân dân tỉnh Thử nghiệm
  number: 1/KH-UBND
  year: {year}
  title_vi: Kế hoạch kiểm tra
  signer: {{title_vi: Phó Chủ tịch}}
agencies:
  - code: so-a
    name_vi: Sở A
    kind: department
    head: {{title_vi: Giám đốc Sở A}}
duties:
  - id: D1
    section: I.1
    title_vi: Nhiệm vụ
    assignees: [so-a]
    done_when: report
{start}    schedule:
      {schedule}
escalation:
  ladder:
    - {{level: 1, recipient: assignee_head, working_days_after_due: 0}}
"""
SCHEDULE_LINE = 21  # the line of ``schedule:``'s value


def write(tmp_path: Path, schedule: str, *, start: str | None = None, year: int = 2026) -> Path:
    path = tmp_path / "plan.yaml"
    begin = f"    start: {start}\n" if start else ""
    path.write_text(PLAN.format(year=year, start=begin, schedule=schedule), encoding="utf-8")
    return path


def problems(path: Path) -> list[Problem]:
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    return info.value.problems


def fields(path: Path) -> list[str]:
    return [p.field for p in problems(path)]


def test_the_template_loads_as_it_is(tmp_path: Path) -> None:
    assert load_workflow(
        write(tmp_path, "every: [month]\n      submit_working_days_after_cutoff: 3")
    )


@pytest.mark.parametrize(
    ("schedule", "field", "words"),
    [
        (
            "{every: [quarter], periods: [Q1], submit_working_days_after_cutoff: 2}",
            "duties[0].schedule",
            "exactly one of 'every' or 'periods'",
        ),
        (
            "{submit_working_days_after_cutoff: 2}",
            "duties[0].schedule",
            "exactly one of 'every' or 'periods'",
        ),
        (
            "{periods: [Q1, H1, Q1], submit_working_days_after_cutoff: 2}",
            "duties[0].schedule.periods[2]",
            "period 'Q1' is listed twice",
        ),
        (
            "{periods: [Q5], submit_working_days_after_cutoff: 2}",
            "duties[0].schedule.periods[0]",
            "should match pattern",
        ),
        ("{periods: [M01]}", "duties[0].schedule.deadlines.month", "have no deadline"),
        (
            "{every: [quarter], submit_working_days_after_cutoff: 2, deadlines: {month: {day: 5}}}",
            "duties[0].schedule.deadlines.month",
            "no period of kind 'month'",
        ),
        (
            "{every: [quarter], deadlines: {quarter: {day: 32}}}",
            "duties[0].schedule.deadlines.quarter.day",
            "less than or equal to 31",
        ),
        (
            "{every: [month], deadlines: {month: {day: 5, month: 13}}}",
            "duties[0].schedule.deadlines.month.month",
            "less than or equal to 12",
        ),
        (
            "{every: [week], deadlines: {week: {weekday: fryday}}}",
            "duties[0].schedule.deadlines.week.weekday",
            "'friday'",
        ),
        ("{within: [Q1, Q3]}", "duties[0].schedule.within[1]", "does not follow 2026-Q1"),
        ("{within: [2028-Q1]}", "duties[0].schedule.within[0]", "outside the plan's year"),
        ("{within: [Q13]}", "duties[0].schedule.within[0]", "should match pattern"),
        ("{due: 2028-01-03}", "duties[0].schedule.due", "2027-12-31"),
        ("{due: 2025-12-31}", "duties[0].schedule.due", "2026-01-01"),
    ],
)
def test_bad_schedules_are_refused_on_their_field(
    tmp_path: Path, schedule: str, field: str, words: str
) -> None:
    found = problems(write(tmp_path, schedule))
    assert [p.field for p in found] == [field], found
    assert found[0].line in (SCHEDULE_LINE - 1, SCHEDULE_LINE)  # the key or its value
    assert words in found[0].message
    assert " / " in found[0].message  # Vietnamese, then English


def test_a_day_of_the_week_is_refused_for_periods_other_than_weeks(tmp_path: Path) -> None:
    found = problems(write(tmp_path, "{every: [quarter], deadlines: {quarter: {weekday: friday}}}"))
    weekday = [p for p in found if p.field == "duties[0].schedule.deadlines.quarter.weekday"]
    assert weekday and "not permitted" in weekday[0].message
    assert all(p.field.startswith("duties[0].schedule.deadlines.quarter.") for p in found)


def test_a_deadline_before_its_period_begins_is_refused_for_each_period(tmp_path: Path) -> None:
    found = problems(
        write(tmp_path, "{every: [quarter], deadlines: {quarter: {day: 15, month: 6}}}")
    )
    assert [p.field for p in found] == ["duties[0].schedule.deadlines.quarter"] * 2
    assert "2026-Q3" in found[0].message and "2026-Q4" in found[1].message


def test_a_week_53_in_a_year_of_52_weeks_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "{periods: [W53], submit_working_days_after_cutoff: 1}", year=2025)
    found = problems(path)
    assert [p.field for p in found] == ["duties[0].schedule.periods[0]"]
    assert "ISO year 2025 has 52 weeks" in found[0].message


@pytest.mark.parametrize(
    ("schedule", "start", "words"),
    [
        ("{due: 2026-03-31}", "2026-04-01", "comes before the duty's start 2026-04-01"),
        ("{within: [Q2]}", "2026-07-01", "comes before the duty's start 2026-07-01"),
        (
            "{every: [quarter], submit_working_days_after_cutoff: 2}",
            "2027-01-01",
            "every period ends before the duty's start 2027-01-01",
        ),
    ],
)
def test_a_start_after_every_deadline_is_refused_on_the_start(
    tmp_path: Path, schedule: str, start: str, words: str
) -> None:
    found = problems(write(tmp_path, schedule, start=start))
    assert words in found[-1].message
    assert {p.field for p in found} == {"duties[0].start"}


def test_planflow_validate_names_the_field_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "{within: [Q2, Q4]}")
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    result = CliRunner().invoke(cli, ["validate", str(path)], env=env | {"COLUMNS": "250"})
    assert result.exit_code == 2
    assert f"{path}:{SCHEDULE_LINE}: duties[0].schedule.within[1]:" in result.stderr
    assert "không nối tiếp" in result.stderr and "does not follow 2026-Q2" in result.stderr
    assert not (tmp_path / "planflow.db").exists()


def test_a_period_due_before_the_duty_starts_makes_no_task(tmp_path: Path) -> None:
    # A plan of 15 Aug 2026: "báo cáo trước ngày 05 hằng tháng". August has begun, but its report
    # was due on 5 Aug, before the duty existed; September's is due Sat 5 Sep → Mon 7 Sep.
    path = write(tmp_path, "{every: [month], deadlines: {month: {day: 5}}}", start="2026-08-15")
    plan = load_workflow(path)
    made = expand(plan.workflow, plan.calendar)
    assert [(s.period, s.due) for s in made] == [
        ("2026-M09", date(2026, 9, 7)),
        ("2026-M10", date(2026, 10, 5)),
        ("2026-M11", date(2026, 11, 5)),
        ("2026-M12", date(2026, 12, 7)),  # Sat 5 Dec
    ]
