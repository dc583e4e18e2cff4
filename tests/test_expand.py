"""Expansion: one task per duty × agency × period, with Decree 09 report deadlines."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from conftest import MINI
from planflow.domain.task import Completion, task_id
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, expand_group, load_workflow

SO_BAN_NGANH = 21
CAP_HUYEN = 15


def test_the_kien_giang_plan_expands_to_515_tasks(kien_giang: LoadedPlan) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    assignees = SO_BAN_NGANH + CAP_HUYEN
    assert assignees == 36
    # 14 duties' worth of tasks per agency (III.4-b, IV.1.a.1, 6 reports, IV.1.a.3-7, IV.2.b),
    # III.4: the Office leads and the two press bodies cooperate; the Office's 8 of IV.1.b.
    assert len(specs) == 515 == assignees * 14 + 3 + 8
    assert len({s.id for s in specs}) == 515
    assert Counter(s.role for s in specs) == {"lead": 513, "cooperating": 2}


def test_the_kien_giang_tasks_per_duty(kien_giang: LoadedPlan) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    assert Counter(s.duty for s in specs) == {
        "III.4": 3,
        "III.4-b": 36,
        "IV.1.a.1": 36,
        "IV.1.a.2": 36 * 6,
        "IV.1.a.3": 36,
        "IV.1.a.4": 36,
        "IV.1.a.5": 36,
        "IV.1.a.6": 36,
        "IV.1.a.7": 36,
        "IV.1.b.1": 1,
        "IV.1.b.2": 6,
        "IV.1.b.3": 1,
        "IV.2.b": 36,
    }


def test_the_kien_giang_groups(kien_giang: LoadedPlan) -> None:
    workflow = kien_giang.workflow
    assert len(expand_group(workflow, "so-ban-nganh")) == SO_BAN_NGANH
    assert len(expand_group(workflow, "ubnd-cap-huyen")) == CAP_HUYEN
    assert expand_group(workflow, "co-quan-bao-chi") == ["dai-ptth", "bao-kien-giang"]
    assert "vp-ubnd" not in expand_group(workflow, "so-ban-nganh")
    assert expand_group(workflow, "vp-ubnd") == ["vp-ubnd"]
    assert expand_group(workflow, "nobody") == []


def test_the_kien_giang_report_deadlines(kien_giang: LoadedPlan) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    dues = {(s.duty, s.period): s.due for s in specs if s.duty in ("IV.1.a.2", "IV.1.b.2")}
    assert dues == {
        ("IV.1.a.2", "2022-Q1"): date(2022, 3, 16),
        ("IV.1.a.2", "2022-Q2"): date(2022, 6, 16),
        ("IV.1.a.2", "2022-H1"): date(2022, 6, 16),
        ("IV.1.a.2", "2022-Q3"): date(2022, 9, 16),
        ("IV.1.a.2", "2022-Q4"): date(2022, 12, 16),
        ("IV.1.a.2", "2022-Y"): date(2022, 12, 16),
        ("IV.1.b.2", "2022-Q1"): date(2022, 3, 21),
        ("IV.1.b.2", "2022-Q2"): date(2022, 6, 21),
        ("IV.1.b.2", "2022-H1"): date(2022, 6, 21),
        ("IV.1.b.2", "2022-Q3"): date(2022, 9, 21),
        ("IV.1.b.2", "2022-Q4"): date(2022, 12, 21),
        ("IV.1.b.2", "2022-Y"): date(2022, 12, 21),
    }
    q1 = [s for s in specs if s.duty == "IV.1.a.2" and s.period == "2022-Q1"]
    assert len(q1) == 36
    assert all(s.completion is Completion.REPORT for s in q1)


def test_kien_giang_fixed_duties_are_activities_with_their_chosen_dates(
    kien_giang: LoadedPlan,
) -> None:
    specs = expand(kien_giang.workflow, kien_giang.calendar)
    fixed = {(s.duty, s.due, s.period, s.completion) for s in specs if s.period == "2022"}
    assert ("III.4", date(2022, 3, 31), "2022", Completion.ACTIVITY) in fixed
    assert ("IV.1.a.4", date(2022, 6, 30), "2022", Completion.ACTIVITY) in fixed
    assert ("IV.1.b.3", date(2022, 12, 30), "2022", Completion.ACTIVITY) in fixed
    assert {d for _, d, _, _ in fixed} == {date(2022, 3, 31), date(2022, 6, 30), date(2022, 12, 30)}


def test_task_ids_are_deterministic(mini_plan: LoadedPlan) -> None:
    first = expand(mini_plan.workflow, mini_plan.calendar)
    second = expand(load_workflow(MINI).workflow, mini_plan.calendar)
    assert [s.id for s in first] == [s.id for s in second]
    spec = first[0]
    assert spec.id == task_id(spec.plan, spec.duty, spec.agency, spec.period)
    assert task_id("p", "d", "a", "2022") != task_id("p", "d", "a", "2022-Q1")


def test_the_mini_plan_expands_per_duty_agency_and_period(mini_plan: LoadedPlan) -> None:
    specs = expand(mini_plan.workflow, mini_plan.calendar)
    assert sorted((s.duty, s.agency, s.period, s.due) for s in specs) == sorted(
        [("D1", a, "2022", date(2022, 3, 31)) for a in ("so-a", "so-b")]
        + [
            ("D2", a, p, d)
            for a in ("so-a", "so-b")
            for p, d in [
                ("2022-Q1", date(2022, 3, 16)),
                ("2022-Q2", date(2022, 6, 16)),
                ("2022-Q3", date(2022, 9, 16)),
                ("2022-Q4", date(2022, 12, 16)),
            ]
        ]
    )


def _mini(tmp_path: Path, old: str, new: str) -> LoadedPlan:
    text = MINI.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "mini.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return load_workflow(path)


def test_an_agency_reached_twice_gets_one_task(tmp_path: Path) -> None:
    loaded = _mini(
        tmp_path,
        "assignees: [cac-so]\n    done_when: activity",
        "assignees: [so-a, cac-so, so-a]\n    done_when: activity",
    )
    d1 = [s.agency for s in expand(loaded.workflow, loaded.calendar) if s.duty == "D1"]
    assert d1 == ["so-a", "so-b"]


def test_an_agency_not_valid_on_the_due_date_gets_no_task(tmp_path: Path) -> None:
    loaded = _mini(
        tmp_path,
        "    head: {title_vi: Giám đốc Sở B}\n",
        "    head: {title_vi: Giám đốc Sở B}\n    valid_until: 2022-06-30\n",
    )
    periods = sorted(
        s.period for s in expand(loaded.workflow, loaded.calendar) if s.agency == "so-b"
    )
    # D1 (31 Mar), Q1 (16 Mar) and Q2 (16 Jun) fall before 30 Jun; Q3 and Q4 after.
    assert periods == ["2022", "2022-Q1", "2022-Q2"]


def test_nine_months_and_year_reports_follow_their_cutoffs(tmp_path: Path) -> None:
    loaded = _mini(tmp_path, "every: [quarter]", "every: [nine_months, year, half_year]")
    dues = {s.period: s.due for s in expand(loaded.workflow, loaded.calendar) if s.duty == "D2"}
    assert dues == {
        "2022-9M": date(2022, 9, 16),
        "2022-Y": date(2022, 12, 16),
        "2022-H1": date(2022, 6, 16),
    }
