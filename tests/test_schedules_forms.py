"""Each schedule form of docs/workflow-format.md ("Schedules"), written as plans word it in
tests/fixtures/schedules-2026.yaml, makes the tasks and due dates computed here by hand.

The 2026 calendar (Công văn 12729/VPCP-KGVX and the shipped announcements): Thu 1 and Fri 2 Jan
off, Sat 10 Jan worked, 16–20 Feb (Tết), 27 Apr, 30 Apr and 1 May off, Sat 22 Aug worked,
31 Aug – 2 Sep off; Fri 1 Jan 2027 off.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import FIXTURES, KIEN_GIANG, MINI
from planflow.domain.labels import window_words
from planflow.domain.periods import Period, PeriodKind, periods_for
from planflow.ingest.nextyear import next_year
from planflow.workflow.expand import TaskSpec, expand
from planflow.workflow.loader import LoadedPlan, load_workflow

SCHEDULES = FIXTURES / "schedules-2026.yaml"

# duty, period → (due, the date the plan states when it is a day off and moved, else None)
EXPECTED: dict[tuple[str, str], tuple[date, date | None]] = {
    # "trước thứ Sáu của tuần": W01 runs Mon 29 Dec 2025 – Sun 4 Jan 2026; its Friday, 2 Jan, is
    # off → Mon 5 Jan. W53 (2026 has 53 ISO weeks) ends on Sun 3 Jan 2027; Fri 1 Jan 2027 is
    # New Year → Mon 4 Jan 2027.
    ("S1", "2026-W01"): (date(2026, 1, 5), date(2026, 1, 2)),
    ("S1", "2026-W53"): (date(2027, 1, 4), date(2027, 1, 1)),
    # "trước ngày 20 hằng tháng", from 15 Aug: July and before make no task; 20 Sep and 20 Dec
    # are Sundays.
    ("S2", "2026-M08"): (date(2026, 8, 20), None),
    ("S2", "2026-M09"): (date(2026, 9, 21), date(2026, 9, 20)),
    ("S2", "2026-M10"): (date(2026, 10, 20), None),
    ("S2", "2026-M11"): (date(2026, 11, 20), None),
    ("S2", "2026-M12"): (date(2026, 12, 21), date(2026, 12, 20)),
    # "trước ngày 20 của tháng cuối quý": 20 Mar (Fri), 20 Jun (Sat), 20 Sep, 20 Dec (Sun).
    ("S3", "2026-Q1"): (date(2026, 3, 20), None),
    ("S3", "2026-Q2"): (date(2026, 6, 22), date(2026, 6, 20)),
    ("S3", "2026-Q3"): (date(2026, 9, 21), date(2026, 9, 20)),
    ("S3", "2026-Q4"): (date(2026, 12, 21), date(2026, 12, 20)),
    # Quarters 2 working days after the cut-off (Sat 14 Mar → Tue 17 Mar; Sun 14 Jun → Tue 16;
    # Mon 14 Sep → Wed 16; Mon 14 Dec → Wed 16); "6 tháng trước 15/6 và hằng năm trước 15/12".
    ("S4", "2026-Q1"): (date(2026, 3, 17), None),
    ("S4", "2026-Q2"): (date(2026, 6, 16), None),
    ("S4", "2026-Q3"): (date(2026, 9, 16), None),
    ("S4", "2026-Q4"): (date(2026, 12, 16), None),
    ("S4", "2026-H1"): (date(2026, 6, 15), None),
    ("S4", "2026-Y"): (date(2026, 12, 15), None),
    # The annual report due before the 14 Dec cut-off.
    ("S5", "2026-Y"): (date(2026, 12, 10), None),
    # "quý I, 6 tháng, quý III, năm": four reports, 5 working days after each cut-off.
    ("S6", "2026-Q1"): (date(2026, 3, 20), None),
    ("S6", "2026-H1"): (date(2026, 6, 19), None),
    ("S6", "2026-Q3"): (date(2026, 9, 21), None),
    ("S6", "2026-Y"): (date(2026, 12, 21), None),
    # Windows, due at their end.
    ("S7", "2026-Q3"): (date(2026, 9, 30), None),
    ("S8", "2026-M09"): (date(2026, 9, 30), None),
    ("S9", "2026"): (date(2026, 9, 30), None),
    ("S11", "2026-M08"): (date(2026, 9, 3), date(2026, 8, 31)),  # 31 Aug – 2 Sep off
    # After the plan's year.
    ("S10", "2026"): (date(2027, 1, 15), None),
    # "trước ngày 05 tháng sau": Sat 5 Dec → Mon 7 Dec; December's report on Tue 5 Jan 2027.
    ("S12", "2026-M11"): (date(2026, 12, 7), date(2026, 12, 5)),
    ("S12", "2026-M12"): (date(2027, 1, 5), None),
    # 6 working days after the week: W01's cut-off Sun 4 Jan, then 5, 6, 7, 8, 9 and Sat 10 Jan
    # (worked); W02's Sun 11 Jan, then 12–16 and Mon 19 Jan.
    ("S13", "2026-W01"): (date(2026, 1, 10), None),
    ("S13", "2026-W02"): (date(2026, 1, 19), None),
    # A plan issued in August: Q1, Q2 and H1 end before its start and make no task.
    ("S14", "2026-Q3"): (date(2026, 9, 16), None),
    ("S14", "2026-Q4"): (date(2026, 12, 16), None),
    ("S14", "2026-Y"): (date(2026, 12, 16), None),
    # Day 31: February's last day (Sat 28 Feb → Mon 2 Mar); 30 Apr (off, 1 May off) → Mon 4 May.
    ("S15", "2026-M02"): (date(2026, 3, 2), date(2026, 2, 28)),
    ("S15", "2026-M04"): (date(2026, 5, 4), date(2026, 4, 30)),
}


@pytest.fixture(scope="module")
def plan() -> LoadedPlan:
    return load_workflow(SCHEDULES)


@pytest.fixture(scope="module")
def specs(plan: LoadedPlan) -> dict[tuple[str, str], TaskSpec]:
    made = expand(plan.workflow, plan.calendar)
    assert {s.agency for s in made} == {"so-a"}
    return {(s.duty, s.period): s for s in made}


def test_the_test_plan_makes_exactly_the_tasks_computed_by_hand(
    specs: dict[tuple[str, str], TaskSpec],
) -> None:
    assert set(specs) == set(EXPECTED)
    assert len(specs) == 36


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items()))
def test_each_due_date_is_the_one_computed_by_hand(
    specs: dict[tuple[str, str], TaskSpec],
    key: tuple[str, str],
    expected: tuple[date, date | None],
) -> None:
    spec = specs[key]
    assert (spec.due, spec.stated_due) == expected


def test_a_day_of_the_month_before_the_decree_09_cut_off_is_kept_as_written(
    specs: dict[tuple[str, str], TaskSpec],
) -> None:
    year = specs[("S5", "2026-Y")]
    assert year.due < Period(2026, PeriodKind.YEAR).cutoff()[1] == date(2026, 12, 14)


def test_windows_are_carried_with_their_first_and_last_day(
    specs: dict[tuple[str, str], TaskSpec],
) -> None:
    windows = {k: s.window for k, s in specs.items() if s.window is not None}
    assert windows == {
        ("S7", "2026-Q3"): (date(2026, 7, 1), date(2026, 9, 30)),
        ("S8", "2026-M09"): (date(2026, 9, 1), date(2026, 9, 30)),
        ("S9", "2026"): (date(2026, 4, 1), date(2026, 9, 30)),
        ("S11", "2026-M08"): (date(2026, 8, 1), date(2026, 8, 31)),
    }


@pytest.mark.parametrize(
    ("start", "end", "vi", "en"),
    [
        (date(2026, 7, 1), date(2026, 9, 30), "trong quý III năm 2026", "in Q3 2026"),
        (date(2026, 9, 1), date(2026, 9, 30), "trong tháng 9 năm 2026", "in September 2026"),
        (
            date(2026, 4, 1),
            date(2026, 9, 30),
            "trong quý II và quý III năm 2026",
            "in Q2 and Q3 2026",
        ),
        (
            date(2026, 4, 1),
            date(2026, 12, 31),
            "từ quý II đến quý IV năm 2026",
            "from Q2 to Q4 2026",
        ),
        (
            date(2026, 1, 1),
            date(2026, 6, 30),
            "trong 6 tháng đầu năm 2026",
            "in the first half of 2026",
        ),
        (date(2026, 1, 1), date(2026, 12, 31), "trong năm 2026", "during 2026"),
        (date(2026, 1, 26), date(2026, 2, 1), "trong tuần 5 năm 2026", "in week 5 of 2026"),
        (
            date(2026, 4, 5),
            date(2026, 9, 15),
            "từ 05/04/2026 đến 15/09/2026",
            "from 05/04/2026 to 15/09/2026",
        ),
    ],
)
def test_a_window_reads_as_plans_write_it(start: date, end: date, vi: str, en: str) -> None:
    assert window_words(start, end) == (vi, en)


@pytest.mark.parametrize(
    ("code", "label", "span", "cutoff"),
    [
        (
            "2026-M03",
            "Tháng 3 năm 2026",
            (date(2026, 3, 1), date(2026, 3, 31)),
            (date(2026, 2, 15), date(2026, 3, 14)),
        ),
        (
            "2026-M01",
            "Tháng 1 năm 2026",
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2025, 12, 15), date(2026, 1, 14)),
        ),
        (
            "2026-W05",
            "Tuần 5 năm 2026",
            (date(2026, 1, 26), date(2026, 2, 1)),
            (date(2026, 1, 26), date(2026, 2, 1)),
        ),
        (
            "2026-W01",
            "Tuần 1 năm 2026",
            (date(2025, 12, 29), date(2026, 1, 4)),
            (date(2025, 12, 29), date(2026, 1, 4)),
        ),
    ],
)
def test_months_and_iso_weeks_have_codes_labels_spans_and_cut_offs(
    code: str, label: str, span: tuple[date, date], cutoff: tuple[date, date]
) -> None:
    period = Period.parse(code)
    assert (period.code, period.label_vi, period.span(), period.cutoff()) == (
        code,
        label,
        span,
        cutoff,
    )


def test_iso_years_have_52_or_53_weeks_and_a_53rd_week_only_when_they_do() -> None:
    assert len(periods_for(PeriodKind.WEEK, 2026)) == 53  # 1 Jan 2026 is a Thursday
    assert len(periods_for(PeriodKind.WEEK, 2025)) == 52
    assert len(periods_for(PeriodKind.MONTH, 2026)) == 12
    with pytest.raises(ValueError, match="has 52 weeks"):
        Period.parse("2025-W53")


def test_planflow_v1_files_make_the_same_tasks_as_before() -> None:
    kg = load_workflow(KIEN_GIANG)
    assert len(expand(kg.workflow, kg.calendar)) == 515
    mini = load_workflow(MINI)
    made = expand(mini.workflow, mini.calendar)
    assert sorted((s.duty, s.agency, s.period, s.due) for s in made) == sorted(
        [("D1", a, "2022", date(2022, 3, 31)) for a in ("so-a", "so-b")]
        + [
            ("D2", a, f"2022-Q{q}", due)
            for a in ("so-a", "so-b")
            for q, due in [
                (1, date(2022, 3, 16)),
                (2, date(2022, 6, 16)),
                (3, date(2022, 9, 16)),
                (4, date(2022, 12, 16)),
            ]
        ]
    )
    assert all(s.window is None for s in made)


def test_next_years_draft_moves_starts_and_after_year_dates_and_drops_a_missing_week_53(
    tmp_path: Path,
) -> None:
    drafted = next_year(SCHEDULES, 2027, tmp_path)
    path = tmp_path / "lich-2027.yaml"
    path.write_text(drafted.text(str(SCHEDULES)), encoding="utf-8")
    plan = load_workflow(path)
    made = {(s.duty, s.period): s for s in expand(plan.workflow, plan.calendar)}
    # 15/01/2027 in the 2026 plan is 15/01/2028 in the 2027 one: a Saturday, moved back to Friday
    # as next-year moves every fixed date.
    assert made[("S10", "2027")].due == date(2028, 1, 14)
    assert {k[1] for k in made if k[0] == "S2"} == {f"2027-M{m:02d}" for m in range(8, 13)}
    assert {k[1] for k in made if k[0] == "S1"} == {"2027-W01"}  # 2027 has 52 ISO weeks
    assert any("W53 removed" in c for c in drafted.changes)
    assert len(made) == 35
