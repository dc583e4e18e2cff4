"""The shipped calendar of announcements, year by year, against the official schedules it cites.

Each year's expectations are written here by hand from the documents named in docs/calendar.md
(weekdays off and weekend days worked by officials and public employees), independently of the
data file: a test fails if the file, the package or the way they are combined drifts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ROOT
from planflow.adapters.holidays_vn import compare_year, package_calendar, vietnam_calendar
from planflow.adapters.vn_announcements import load_announcements, parse_announcements
from planflow.domain.calendar import WorkingCalendar

D = date


def weekdays_off(calendar: WorkingCalendar, year: int) -> set[date]:
    day, out = D(year, 1, 1), set()
    while day.year == year:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            out.add(day)
        day += timedelta(days=1)
    return out


def weekends_worked(calendar: WorkingCalendar, year: int) -> set[date]:
    day, out = D(year, 1, 1), set()
    while day.year == year:
        if day.weekday() >= 5 and calendar.is_working_day(day):
            out.add(day)
        day += timedelta(days=1)
    return out


def check_year(year: int, off: set[date], worked: set[date]) -> WorkingCalendar:
    calendar = vietnam_calendar([year])
    assert weekdays_off(calendar, year) == off
    assert weekends_worked(calendar, year) == worked
    for day in off | worked:
        assert calendar.source_of(day), day
    return calendar


def test_2022_has_tet_from_31_january_and_no_swap() -> None:
    # 245/VPCP-KGVX (11 Jan 2022): Tết Mon 31 Jan – Fri 4 Feb. Labour Code art. 111(3):
    # 1 Jan (Sat) → Mon 3 Jan; Hùng Kings 10 Apr (Sun) → Mon 11 Apr; 30 Apr (Sat) and 1 May (Sun) →
    # Mon 2 and Tue 3 May. National Day Thu 1 and Fri 2 Sep.
    off = {D(2022, 1, 3), D(2022, 4, 11), D(2022, 5, 2), D(2022, 5, 3), D(2022, 9, 1)}
    off |= {D(2022, 1, 31) + timedelta(days=i) for i in range(5)} | {D(2022, 9, 2)}
    check_year(2022, off, set())
    assert compare_year(2022).agree


def test_2023_has_tet_from_20_to_26_january_and_the_compensatory_days() -> None:
    # 8056/VPCP-KGVX (1 Dec 2022): Tết 20–26 Jan, National Day 1–4 Sep. Art. 111(3): Mon 2 Jan for
    # 1 Jan (Sun); Tue 2 and Wed 3 May for Hùng Kings (Sat 29 Apr) and 30 Apr (Sun).
    off = {D(2023, 1, 2), D(2023, 1, 20), D(2023, 1, 23), D(2023, 1, 24), D(2023, 1, 25)}
    off |= {D(2023, 1, 26), D(2023, 5, 1), D(2023, 5, 2), D(2023, 5, 3), D(2023, 9, 1)}
    off |= {D(2023, 9, 4)}
    check_year(2023, off, set())
    assert compare_year(2023).agree


def test_2024_swaps_monday_29_april_with_saturday_4_may() -> None:
    # 8662/VPCP-KGVX and 5015/TB-LĐTBXH: Tết Thu 8 – Wed 14 Feb, National Day 31 Aug – 3 Sep;
    # 2450/VPCP-KGVX (12 Apr 2024): Mon 29 Apr off, Sat 4 May worked.
    off = {D(2024, 1, 1), D(2024, 2, 8), D(2024, 2, 9), D(2024, 2, 12), D(2024, 2, 13)}
    off |= {D(2024, 2, 14), D(2024, 4, 18), D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 1)}
    off |= {D(2024, 9, 2), D(2024, 9, 3)}
    calendar = check_year(2024, off, {D(2024, 5, 4)})
    assert calendar.source_of(D(2024, 5, 4)) == "2450/VPCP-KGVX (2024-04-12)"
    assert compare_year(2024).agree


def test_2025_swaps_friday_2_may_with_saturday_26_april_and_tet_has_no_swap() -> None:
    # 8726/VPCP-KGVX (26 Nov 2024), 6150/TB-BLĐTBXH: Tết Sat 25 Jan – Sun 2 Feb (Mon–Fri off),
    # 30 Apr – 4 May with Fri 2 May off and Sat 26 Apr worked, National Day 30 Aug – 2 Sep.
    off = {D(2025, 1, 1), D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2)}
    off |= {D(2025, 1, 27) + timedelta(days=i) for i in range(5)}
    off |= {D(2025, 9, 1), D(2025, 9, 2)}
    calendar = check_year(2025, off, {D(2025, 4, 26)})
    # The level-1 escalations of the issue went out on these days: they are days off.
    assert not calendar.is_working_day(D(2025, 1, 25))
    assert not calendar.is_working_day(D(2025, 1, 1))
    assert compare_year(2025).agree


def test_2026_has_the_new_year_swap_of_dispatch_12729_and_no_24_november() -> None:
    # 12729/VPCP-KGVX (25 Dec 2025): Fri 2 Jan off, Sat 10 Jan worked. 9441/TB-BNV (16 Oct 2025):
    # Tết Mon 16 – Fri 20 Feb; National Day 29 Aug – 2 Sep with Mon 31 Aug off, Sat 22 Aug worked.
    # Art. 111(3): Hùng Kings 26 Apr (Sun) → Mon 27 Apr. 24 Nov: no instrument found, worked.
    off = {D(2026, 1, 1), D(2026, 1, 2), D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1)}
    off |= {D(2026, 2, 16) + timedelta(days=i) for i in range(5)}
    off |= {D(2026, 8, 31), D(2026, 9, 1), D(2026, 9, 2)}
    calendar = check_year(2026, off, {D(2026, 1, 10), D(2026, 8, 22)})
    assert calendar.source_of(D(2026, 1, 2)) == "12729/VPCP-KGVX (2025-12-25)"
    assert calendar.is_working_day(D(2026, 11, 24))
    result = compare_year(2026)
    assert result.covered and not result.agree
    assert [d.day for d in result.disagreements] == [D(2026, 1, 2), D(2026, 1, 10), D(2026, 11, 24)]


def test_31_december_2025_plus_five_working_days_is_friday_9_january_2026() -> None:
    calendar = vietnam_calendar([2025, 2026, 2027])
    # Thu 1 and Fri 2 Jan off, Sat 10 Jan worked: Mon 5 (1) … Fri 9 Jan (5).
    assert calendar.add_working_days(D(2025, 12, 31), 5) == D(2026, 1, 9)
    # The package alone got it wrong.
    assert package_calendar([2025, 2026]).add_working_days(D(2025, 12, 31), 5) == D(2026, 1, 8)
    assert calendar.add_working_days(D(2026, 1, 9), 1) == D(2026, 1, 10)


def test_2027_is_not_covered_yet_and_the_package_fills_in_without_24_november() -> None:
    calendar = vietnam_calendar([2027])
    assert not calendar.is_working_day(D(2027, 2, 8))  # Tết by the Labour Code, per the package
    assert calendar.is_working_day(D(2027, 11, 24))
    result = compare_year(2027)
    assert not result.covered and not result.agree
    assert [d.day for d in result.disagreements] == [D(2027, 11, 24)]


def test_every_entry_cites_a_document_with_a_number_a_date_and_an_issuer() -> None:
    shipped = load_announcements()
    assert {y for y, data in shipped.years.items() if data.complete} >= set(range(2022, 2027))
    for key, document in shipped.documents.items():
        assert "/" in key and document.date[:4].isdigit() and document.issuer, key
    used = {e.source for y in shipped.years.values() for e in (*y.days_off, *y.working_days)}
    assert used <= set(shipped.documents)
    assert "12729/VPCP-KGVX" in used and "9441/TB-BNV" in used


def test_the_data_file_ships_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.yaml" in config["tool"]["setuptools"]["package-data"]["planflow"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{date: 2026-01-03, name: x, source: A/1}", "weekend"),
        ("{date: 2025-01-05, name: x, source: A/1}", "not in 2026"),
        ("{date: 2026-01-05, name: x, source: B/2}", "unknown source"),
    ],
)
def test_a_broken_announcements_file_is_refused(entry: str, message: str) -> None:
    text = (
        "documents:\n  A/1: {title: t, date: '2026-01-01', issuer: i}\n"
        f"years:\n  2026:\n    complete: true\n    days_off:\n      - {entry}\n"
    )
    with pytest.raises(ValueError, match=message):
        parse_announcements(text)


def test_a_deployment_can_make_24_november_2026_a_day_off_with_its_overrides() -> None:
    calendar = vietnam_calendar([2026]).with_overrides(days_off=[D(2026, 11, 24)])
    assert not calendar.is_working_day(D(2026, 11, 24))
    # … and can work on a shipped day off: a declared working day takes it back.
    worked = vietnam_calendar([2026]).with_overrides(working_days=[D(2026, 1, 2)])
    assert worked.is_working_day(D(2026, 1, 2))


def _planflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    planflow = shutil.which("planflow")
    assert planflow, "the planflow console script is not installed"
    env = {k: v for k, v in os.environ.items() if k != "PLANFLOW_DATABASE_URL"}
    env.update(COLUMNS="250", NO_COLOR="1")
    return subprocess.run(
        [planflow, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_calendar_command_shows_each_days_source(tmp_path: Path) -> None:
    result = _planflow("calendar", "2026", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "2026-01-02" in x)
    assert "nghỉ / off" in line and "12729/VPCP-KGVX (2025-12-25)" in line
    assert "Văn phòng Chính phủ" in result.stdout  # the legend names the issuer
    saturday = next(x for x in result.stdout.splitlines() if "2026-01-10" in x)
    assert "làm việc / worked" in saturday


def test_calendar_check_exits_0_when_they_agree_and_1_with_a_list_otherwise(
    tmp_path: Path,
) -> None:
    agree = _planflow("calendar", "check", "2025", cwd=tmp_path)
    assert agree.returncode == 0, agree.stdout + agree.stderr
    assert "Khớp / Agree" in agree.stdout
    disagree = _planflow("calendar", "check", "2026", cwd=tmp_path)
    assert disagree.returncode == 1
    listed = [x for x in disagree.stdout.splitlines() if x.startswith("  2026-")]
    assert [x.split()[0] for x in listed] == ["2026-01-02", "2026-01-10", "2026-11-24"]
    bad = _planflow("calendar", "check", cwd=tmp_path)
    assert bad.returncode == 2 and "YEAR" in bad.stderr
