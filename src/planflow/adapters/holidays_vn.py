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
    wanted = sorted(set(years))
    english = holidays.country_holidays("VN", years=wanted, language="en_US")
    vietnamese = holidays.country_holidays("VN", years=wanted, language="vi")
    days_off: set[date] = set()
    working: set[date] = set()
    names: dict[date, str] = {}
    for day, name in english.items():
        days_off.add(day)
        names[day] = f"{vietnamese.get(day, '')} / {name}".strip(" /")
        # Parsed from the English name, whose wording the package keeps stable.
        for swapped in _SUBSTITUTED.findall(str(name)):
            worked = datetime.strptime(swapped, "%m/%d/%Y").date()
            working.add(worked)
            names[worked] = (
                f"Ngày làm việc bù cho {day:%d/%m/%Y} / working day swapped for {day.isoformat()}"
            )
    return WorkingCalendar(frozenset(days_off), frozenset(working), names)
