"""Vietnam's working-day calendar from the ``holidays`` package, plus declared swaps.

The package lists public holidays, Tết, compensatory days and many announced swaps. It names the
day off of a swap ("Day off (substituted from 04/26/2025)") but does not list the Saturday worked in
exchange, so that Saturday is read back out of the name. Announcements that come late go in an
overrides file (see docs/workflow-format.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import holidays

from planflow.domain.calendar import WorkingCalendar

_SUBSTITUTED = re.compile(r"substituted from (\d{2}/\d{2}/\d{4})")


def vietnam_calendar(years: Iterable[int]) -> WorkingCalendar:
    table = holidays.country_holidays("VN", years=sorted(set(years)), language="en_US")
    days_off: set[date] = set()
    working: set[date] = set()
    names: dict[date, str] = {}
    for day, name in table.items():
        days_off.add(day)
        names[day] = str(name)
        for swapped in _SUBSTITUTED.findall(str(name)):
            worked = datetime.strptime(swapped, "%m/%d/%Y").date()
            working.add(worked)
            names[worked] = f"Working day (swapped for {day.isoformat()})"
    return WorkingCalendar(frozenset(days_off), frozenset(working), names)
