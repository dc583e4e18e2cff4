"""Workflow files: a good file loads; every bad one names the file, the line and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import KIEN_GIANG, MINI, ROOT, edited_mini
from planflow.workflow.errors import Problem, WorkflowError
from planflow.workflow.loader import LoadedPlan, load_workflow
from planflow.workflow.model import Workflow


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    problems = info.value.problems
    assert problems
    assert all(p.file == path for p in problems)
    return problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


# --- good files --------------------------------------------------------------------------


def test_the_kien_giang_file_validates(kien_giang: LoadedPlan) -> None:
    workflow = kien_giang.workflow
    assert workflow.plan.id == "kien-giang-2022-tthc"
    assert workflow.plan.year == 2022
    assert len(workflow.agencies) == 55  # 40 of the 2018 list + 15 district finance offices
    assert len(workflow.duties) == 13
    assert kien_giang.path == KIEN_GIANG
    assert len(kien_giang.sha256) == 64


def test_the_mini_fixture_validates(mini_plan: LoadedPlan) -> None:
    assert [d.id for d in mini_plan.workflow.duties] == ["D1", "D2"]


def test_the_digest_changes_with_the_file(tmp_path: Path, mini_plan: LoadedPlan) -> None:
    same = tmp_path / "same.yaml"
    same.write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_workflow(same).sha256 == mini_plan.sha256
    changed = edited_mini(tmp_path, ("# A small plan", "# A changed small plan"))
    assert load_workflow(changed).sha256 != mini_plan.sha256


# --- syntax ------------------------------------------------------------------------------


def test_broken_yaml_reports_the_line_where_the_parser_stopped(tmp_path: Path) -> None:
    # The flow list opened on line 33 is not closed; the parser stops on line 34.
    path = edited_mini(
        tmp_path,
        (
            "assignees: [cac-so]\n    done_when: activity",
            "assignees: [cac-so\n    done_when: activity",
        ),
    )
    problem = only_problem(path)
    assert problem.line == 34
    assert problem.field == ""
    assert "broken YAML" in problem.message


def test_a_tab_in_the_indentation_is_reported_on_its_line(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("format: planflow/v1\n", "format: planflow/v1\n\tx: 1\n"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (3, "")
    assert str(problem).startswith(f"{path}:3: (file): YAML không hợp lệ")


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    problem = only_problem(path)
    assert "mapping" in problem.message


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    problem = only_problem(path)
    assert problem.line is None
    assert "not found" in problem.message


# --- the models --------------------------------------------------------------------------


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("  year: 2022\n", "  year: 2022\n  colour: red\n"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (8, "plan.colour")
    assert "Extra inputs are not permitted" in problem.message


def test_an_unknown_field_deep_in_a_duty_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path, ("    done_when: report\n", "    done_when: report\n    owner: x\n")
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (41, "duties[1].owner")


def test_a_wrong_type_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("year: 2022", "year: nam"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (7, "plan.year")
    assert "integer" in problem.message


def test_a_wrong_enum_value_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("kind: office", "kind: ministry"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (15, "agencies[0].kind")


def test_a_wrong_type_inside_a_recurring_schedule_is_the_only_problem_reported(
    tmp_path: Path,
) -> None:
    # The schedule is a union (fixed or recurring): the fixed member's complaints ("due" missing,
    # "every" not allowed) are not the user's problem and are not reported.
    path = edited_mini(
        tmp_path, ("submit_working_days_after_cutoff: 2", "submit_working_days_after_cutoff: two")
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (
        43,
        "duties[1].schedule.submit_working_days_after_cutoff",
    )
    assert "integer" in problem.message


def test_an_unknown_recurrence_is_the_only_problem_reported(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("every: [quarter]", "every: [fortnight]"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (42, "duties[1].schedule.every[0]")


def test_a_schedule_mixing_fixed_and_recurring_fields_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-03-31, every: [quarter]}"),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (35, "duties[0].schedule.every")


def test_a_bad_ladder_recipient_code_names_the_field_without_pydantic_tags(
    tmp_path: Path,
) -> None:
    path = edited_mini(tmp_path, ("recipient: vp,", "recipient: Zz,"))
    problems = problems_of(path)
    assert {(p.line, p.field) for p in problems} == {(47, "escalation.ladder[1].recipient")}


def test_an_impossible_date_is_reported_on_its_line(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2022-13-31}"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (35, "duties[0].schedule.due")
    assert "invalid date" in problem.message


def test_a_date_in_another_format_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 31/03/2022}"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (35, "duties[0].schedule.due")


def test_a_missing_required_field_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("    title_vi: Xây dựng kế hoạch\n", ""))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (30, "duties[0].title_vi")
    assert "required" in problem.message


def test_a_code_that_breaks_the_pattern_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("  - code: so-b\n", "  - code: Sở B\n"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (21, "agencies[2].code")


def test_a_validity_that_ends_before_it_starts_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        (
            "    head: {title_vi: Giám đốc Sở B}\n",
            "    head: {title_vi: Giám đốc Sở B}\n    valid_from: 2022-05-01\n"
            "    valid_until: 2022-01-01\n",
        ),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (21, "agencies[2]")
    assert "valid_until" in problem.message


def test_ladder_levels_must_climb(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("level: 2,", "level: 4,"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (44, "escalation")
    assert "increasing" in problem.message


# --- consistency -------------------------------------------------------------------------


def test_an_unknown_agency_in_assignees_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        (
            "    assignees: [cac-so]\n    done_when: report",
            "    assignees: [cac-so, so-zz]\n    done_when: report",
        ),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (39, "duties[1].assignees[1]")
    assert "'so-zz'" in problem.message


def test_a_duplicate_duty_id_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("  - id: D2\n", "  - id: D1\n"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (36, "duties[1].id")
    assert "duplicate duty id 'D1'" in problem.message


def test_a_duplicate_agency_code_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("  - code: so-b\n", "  - code: so-a\n"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (21, "agencies[2].code")


def test_a_group_code_equal_to_an_agency_code_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        ("  - code: cac-so\n", "  - code: so-a\n"),
        (
            "    assignees: [cac-so]\n    done_when: activity",
            "    assignees: [so-a]\n    done_when: activity",
        ),
        (
            "    assignees: [cac-so]\n    done_when: report",
            "    assignees: [so-a]\n    done_when: report",
        ),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (26, "groups[0].code")


def test_a_deadline_outside_the_plans_year_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("schedule: {due: 2022-03-31}", "schedule: {due: 2024-03-31}"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (35, "duties[0].schedule.due")
    assert "2024-03-31" in problem.message and "2023-12-31" in problem.message


def test_a_group_that_expands_to_nobody_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("kinds: [department]", "kinds: [press]"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (26, "groups[0]")
    assert "no agency" in problem.message


def test_a_group_that_excludes_all_its_members_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path, ("kinds: [department]", "kinds: [department]\n    exclude: [so-a, so-b]")
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (26, "groups[0]")


def test_an_unknown_group_member_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path, ("kinds: [department]", "kinds: [department]\n    members: [so-zz]")
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (29, "groups[0].members[0]")


def test_an_unknown_successor_is_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        (
            "    head: {title_vi: Giám đốc Sở B}\n",
            "    head: {title_vi: Giám đốc Sở B}\n    successor: so-zz\n",
        ),
    )
    problem = only_problem(path)
    assert (problem.line, problem.field) == (25, "agencies[2].successor")


def test_an_unknown_ladder_recipient_is_refused(tmp_path: Path) -> None:
    path = edited_mini(tmp_path, ("recipient: vp,", "recipient: zz,"))
    problem = only_problem(path)
    assert (problem.line, problem.field) == (47, "escalation.ladder[1].recipient")
    assert "'zz'" in problem.message


def test_reminder_days_below_one_are_refused(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        (
            "escalation:\n  ladder:",
            "escalation:\n  reminders_working_days_before: [3, 0]\n  ladder:",
        ),
        (
            "    done_when: activity\n",
            "    done_when: activity\n    reminders_working_days_before: [0]\n",
        ),
    )
    problems = problems_of(path)
    assert [(p.line, p.field) for p in problems] == [
        (35, "duties[0].reminders_working_days_before[0]"),
        (46, "escalation.reminders_working_days_before[1]"),
    ]


def test_all_consistency_problems_are_listed_together(tmp_path: Path) -> None:
    path = edited_mini(
        tmp_path,
        ("  - id: D2\n", "  - id: D1\n"),
        ("recipient: vp,", "recipient: zz,"),
        ("schedule: {due: 2022-03-31}", "schedule: {due: 2021-12-31}"),
    )
    problems = problems_of(path)
    assert {p.field for p in problems} == {
        "duties[0].schedule.due",
        "duties[1].id",
        "escalation.ladder[1].recipient",
    }
    with pytest.raises(WorkflowError) as info:
        load_workflow(path)
    text = str(info.value)
    assert f"{path}:36: duties[1].id:" in text
    assert f"{path}:47: escalation.ladder[1].recipient:" in text


# --- the JSON Schema ---------------------------------------------------------------------


def test_the_shipped_schema_is_the_models_schema() -> None:
    shipped = json.loads(
        (ROOT / "src" / "planflow" / "schema" / "workflow.schema.json").read_text(encoding="utf-8")
    )
    assert shipped == Workflow.model_json_schema()
