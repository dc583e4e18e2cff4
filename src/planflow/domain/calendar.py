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
    sources: dict[date, str] = field(default_factory=dict, compare=False)
    # add_working_days results: a plan load or a rebuild asks the same few deadlines thousands
    # of times (the calendar is immutable, so a result never changes).
    _memo: dict[tuple[date, int], date] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )

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
        known = self._memo.get((start, count))
        if known is not None:
            return known
        day = self._add_working_days(start, count)
        self._memo[(start, count)] = day
        return day

    def _add_working_days(self, start: date, count: int) -> date:
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

    def effective_due(self, stated: date) -> date:
        """When a time limit that the plan says ends on ``stated`` really ends.

        Civil Code 2015, art. 148(5): a time limit whose last day is a day off ends at the end of
        the next working day. A working day is its own effective due date.
        """
        return self.add_working_days(stated, 0)

    def first_working_day_after(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def with_overrides(
        self,
        *,
        working_days: Iterable[date] = (),
        days_off: Iterable[date] = (),
        names: dict[date, str] | None = None,
        sources: dict[date, str] | None = None,
    ) -> WorkingCalendar:
        days_off = frozenset(days_off)
        working_days = frozenset(working_days)
        merged = dict(self.names)
        merged.update(names or {})
        merged_sources = dict(self.sources)
        merged_sources.update(sources or {})
        return WorkingCalendar(
            # A declared working day also takes back a day the calendar had off.
            days_off=(self.days_off - working_days) | days_off,
            working_days=(self.working_days | working_days) - days_off,
            names=merged,
            sources=merged_sources,
        )

    def to_data(self) -> dict[str, list[str]]:
        """Plain JSON data (ISO dates), to record the calendar in force with a plan."""
        return {
            "days_off": sorted(d.isoformat() for d in self.days_off),
            "working_days": sorted(d.isoformat() for d in self.working_days),
        }

    def source_of(self, day: date) -> str:
        """Where the calendar's word on ``day`` comes from ('' for a plain weekday or weekend)."""
        return self.sources.get(day, "")

    @classmethod
    def from_data(cls, data: dict[str, list[str]]) -> WorkingCalendar:
        return cls(
            days_off=frozenset(date.fromisoformat(d) for d in data.get("days_off", [])),
            working_days=frozenset(date.fromisoformat(d) for d in data.get("working_days", [])),
        )


def effective_due(stated: date, calendar: WorkingCalendar) -> date:
    """The date a deadline stated as ``stated`` really falls on (Civil Code 2015, art. 148(5))."""
    return calendar.effective_due(stated)


def due_note(stated: date, calendar: WorkingCalendar) -> str:
    """What the read side says about a stated due date on a day off; '' on a working day.

    e.g. "hạn 30/04/2026 là ngày nghỉ, chuyển sang 04/05/2026 / due 2026-04-30 is a day off,
    moved to 2026-05-04 (Civil Code art. 148(5))".
    """
    effective = calendar.effective_due(stated)
    if effective == stated:
        return ""
    return (
        f"hạn {stated:%d/%m/%Y} là ngày nghỉ, chuyển sang {effective:%d/%m/%Y} "
        f"(Điều 148 khoản 5 Bộ luật Dân sự 2015) / due {stated.isoformat()} is a day off, moved "
        f"to {effective.isoformat()} (Civil Code art. 148(5))"
    )
