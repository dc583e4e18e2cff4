"""Working days (ngày làm việc): Monday–Friday, minus public holidays, plus declared working Saturdays.

The calendar itself is pure data; ``planflow.adapters.holidays_vn`` fills it from the ``holidays``
package and an overrides file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are worked.

    ``days_off`` are public holidays and declared extra days off; ``working_days`` are weekend days
    declared worked (a swapped Saturday). A day in both is a day off: an extra day off wins.
    """

    days_off: frozenset[date] = field(default_factory=frozenset)
    working_days: frozenset[date] = field(default_factory=frozenset)
    names: dict[date, str] = field(default_factory=dict, compare=False)

    def is_working_day(self, day: date) -> bool:
        if day in self.days_off:
            return False
        if day in self.working_days:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """The day ``count`` working days after ``start`` (before it if negative).

        ``start`` itself is not counted: one working day after a Friday is the next Monday.
        ``count == 0`` gives ``start`` if it is a working day, else the next working day.
        """
        step = 1 if count >= 0 else -1
        day = start
        if count == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        remaining = abs(count)
        while remaining:
            day += timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = (start, end) if sign > 0 else (end, start)
        count = 0
        day = low + timedelta(days=1)
        while day <= high:
            if self.is_working_day(day):
                count += 1
            day += timedelta(days=1)
        return sign * count

    def with_overrides(
        self,
        *,
        working_days: Iterable[date] = (),
        days_off: Iterable[date] = (),
        names: dict[date, str] | None = None,
    ) -> WorkingCalendar:
        merged = dict(self.names)
        merged.update(names or {})
        return WorkingCalendar(
            days_off=self.days_off | frozenset(days_off),
            working_days=(self.working_days | frozenset(working_days)) - frozenset(days_off),
            names=merged,
        )

    def to_data(self) -> dict[str, list[str]]:
        """Plain JSON data (ISO dates), to record the calendar in force with a plan."""
        return {
            "days_off": sorted(d.isoformat() for d in self.days_off),
            "working_days": sorted(d.isoformat() for d in self.working_days),
        }

    @classmethod
    def from_data(cls, data: dict[str, list[str]]) -> WorkingCalendar:
        return cls(
            days_off=frozenset(date.fromisoformat(d) for d in data.get("days_off", [])),
            working_days=frozenset(date.fromisoformat(d) for d in data.get("working_days", [])),
        )
