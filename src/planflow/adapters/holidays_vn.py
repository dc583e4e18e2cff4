"""Vietnam's working-day calendar: the ``holidays`` package and the announcements planflow ships.

The package knows the Labour Code's holidays, compensatory days and some announced swaps. It names
the day off of a swap ("Day off (substituted from 04/26/2025)") but does not list the Saturday worked
in exchange, so that Saturday is read back out of the name. On top of the package planflow ships the
Government's announcements year by year (``vn_announcements``, docs/calendar.md): for a year they
cover completely they are the calendar, and ``compare_year`` lists where the package disagrees. A
deployment's overrides file comes last (see docs/workflow-format.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import version

import holidays

from planflow.adapters.vn_announcements import Announcements, load_announcements
from planflow.domain.calendar import WorkingCalendar

_SUBSTITUTED = re.compile(r"substituted from (\d{2}/\d{2}/\d{4})")
NOT_IN_FORCE = (
    "không tính là ngày nghỉ: chưa thấy văn bản có hiệu lực / not a day off: no instrument in "
    "force found (docs/calendar.md)"
)
NOT_ANNOUNCED = "không có trong lịch đã công bố / not in the announced schedule"
_VERSION = version("holidays")
PACKAGE = f"gói holidays {_VERSION} / holidays package {_VERSION}"


@dataclass(frozen=True)
class _PackageDay:
    day: date
    english: str
    name: str


def _package_days(years: list[int]) -> tuple[list[_PackageDay], dict[date, str]]:
    """The package's days off, and the Saturdays it implies are worked (with their names)."""
    english = holidays.country_holidays("VN", years=years, language="en_US")
    vietnamese = holidays.country_holidays("VN", years=years, language="vi")
    off: list[_PackageDay] = []
    worked: dict[date, str] = {}
    for day, name in sorted(english.items()):
        off.append(_PackageDay(day, str(name), f"{vietnamese.get(day, '')} / {name}".strip(" /")))
        # Parsed from the English name, whose wording the package keeps stable.
        for swapped in _SUBSTITUTED.findall(str(name)):
            saturday = datetime.strptime(swapped, "%m/%d/%Y").date()
            worked[saturday] = (
                f"Ngày làm việc bù cho {day:%d/%m/%Y} / working day swapped for {day.isoformat()}"
            )
    return off, worked


def package_calendar(years: Iterable[int]) -> WorkingCalendar:
    """What the ``holidays`` package alone says (for ``calendar check``)."""
    off, worked = _package_days(sorted(set(years)))
    names = {p.day: p.name for p in off} | worked
    return WorkingCalendar(
        frozenset(p.day for p in off),
        frozenset(worked),
        names,
        {day: PACKAGE for day in names},
    )


def vietnam_calendar(
    years: Iterable[int], announcements: Announcements | None = None
) -> WorkingCalendar:
    """The calendar deadlines are counted in: announcements where shipped, else the package."""
    shipped = announcements or load_announcements()
    wanted = sorted(set(years))
    off, worked = _package_days(wanted)
    days_off: set[date] = set()
    working: set[date] = set()
    names: dict[date, str] = {}
    sources: dict[date, str] = {}
    for year in wanted:
        data = shipped.year(year)
        if data is None or not data.complete:
            for p in (p for p in off if p.day.year == year):
                rule = shipped.not_in_force(p.english, year)
                names[p.day] = p.name
                if rule is None:
                    days_off.add(p.day)
                    sources[p.day] = PACKAGE
                else:
                    sources[p.day] = NOT_IN_FORCE
            for day in (d for d in worked if d.year == year):
                working.add(day)
                names[day] = worked[day]
                sources[day] = PACKAGE
        if data is None:
            continue
        if data.complete:
            # Package holidays the announcements leave out stay working days; say why.
            for p in (p for p in off if p.day.year == year and p.day.weekday() < 5):
                names.setdefault(p.day, p.name)
                ruled = shipped.not_in_force(p.english, year) is not None
                sources.setdefault(p.day, NOT_IN_FORCE if ruled else NOT_ANNOUNCED)
        for entry in data.days_off:
            days_off.add(entry.date)
            working.discard(entry.date)
            names[entry.date] = entry.name
            sources[entry.date] = shipped.cite(entry.source)
        for entry in data.working_days:
            working.add(entry.date)
            days_off.discard(entry.date)
            names[entry.date] = entry.name
            sources[entry.date] = shipped.cite(entry.source)
    return WorkingCalendar(frozenset(days_off), frozenset(working), names, sources)


@dataclass(frozen=True)
class Disagreement:
    day: date
    package: str  # what the package says, e.g. "nghỉ / off: Vietnam Cultural Day"
    announced: str  # what the shipped announcements say, with the source


@dataclass(frozen=True)
class YearComparison:
    year: int
    covered: bool  # the shipped file covers the year completely
    disagreements: tuple[Disagreement, ...]
    notes: tuple[str, ...]

    @property
    def agree(self) -> bool:
        return self.covered and not self.disagreements


def compare_year(year: int, announcements: Announcements | None = None) -> YearComparison:
    """Where the package and the shipped announcements disagree on a weekday or a worked weekend."""
    shipped = announcements or load_announcements()
    package = package_calendar([year])
    announced = vietnam_calendar([year], shipped)
    data = shipped.year(year)
    days = sorted(
        d
        for d in package.days_off
        | package.working_days
        | announced.days_off
        | announced.working_days
        | set(announced.sources)
        if d.year == year
    )
    out: list[Disagreement] = []
    for day in days:
        if package.is_working_day(day) == announced.is_working_day(day):
            continue
        out.append(
            Disagreement(
                day,
                f"{_kind(package, day)}: {package.names.get(day, '')}".rstrip(": "),
                f"{_kind(announced, day)}: {announced.source_of(day) or announced.names.get(day, '')}",
            )
        )
    notes = data.notes if data else ()
    return YearComparison(year, bool(data and data.complete), tuple(out), notes)


def _kind(calendar: WorkingCalendar, day: date) -> str:
    return "làm việc / worked" if calendar.is_working_day(day) else "nghỉ / off"
