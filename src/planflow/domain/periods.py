"""Reporting periods (kỳ báo cáo) and their data cut-offs under Decree 09/2019/NĐ-CP.

Codes: ``2022-Q1`` … ``2022-Q4`` (quarters), ``2022-H1`` (six months), ``2022-9M`` (nine months),
``2022-Y`` (the year), ``2022-M01`` … ``2022-M12`` (months), ``2022-W01`` … ``2022-W53`` (ISO 8601
weeks: Monday to Sunday, week 1 holds the year's first Thursday, so ``2026-W01`` starts on Mon
29 Dec 2025 and 2026 has 53 weeks), and ``2022`` for a one-off duty of the plan's year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    ONCE = "once"
    MONTH = "month"
    WEEK = "week"


_CODE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H1|9M|Y|M(?:0[1-9]|1[0-2])|W(?:0[1-9]|[1-4]\d|5[0-3])))?$"
)

_LABEL_VI = {
    PeriodKind.QUARTER: "Quý {n} năm {y}",
    PeriodKind.HALF_YEAR: "6 tháng đầu năm {y}",
    PeriodKind.NINE_MONTHS: "9 tháng năm {y}",
    PeriodKind.YEAR: "Năm {y}",
    PeriodKind.ONCE: "Năm {y}",
    PeriodKind.MONTH: "Tháng {n} năm {y}",
    PeriodKind.WEEK: "Tuần {n} năm {y}",
}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    number: int = 0  # the quarter, month or ISO week; else 0

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _CODE.match(code)
        if not match:
            raise ValueError(
                f"kỳ báo cáo không hợp lệ: {code!r} / invalid period {code!r} "
                "(expected 2022-Q1 … 2022-Q4, 2022-H1, 2022-9M, 2022-Y, 2022-M01 … 2022-M12, "
                "2022-W01 … 2022-W53 or 2022)"
            )
        year = int(match["year"])
        part = match["part"]
        if part is None:
            return cls(year, PeriodKind.ONCE)
        if part.startswith("Q"):
            return cls(year, PeriodKind.QUARTER, int(part[1]))
        if part.startswith("M"):
            return cls(year, PeriodKind.MONTH, int(part[1:]))
        if part.startswith("W"):
            if int(part[1:]) > iso_weeks(year):
                raise ValueError(
                    f"năm {year} không có tuần {int(part[1:])} / invalid period {code!r}: "
                    f"ISO year {year} has {iso_weeks(year)} weeks"
                )
            return cls(year, PeriodKind.WEEK, int(part[1:]))
        return cls(
            year,
            {"H1": PeriodKind.HALF_YEAR, "9M": PeriodKind.NINE_MONTHS, "Y": PeriodKind.YEAR}[part],
        )

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-M{self.number:02d}"
        if self.kind is PeriodKind.WEEK:
            return f"{self.year}-W{self.number:02d}"
        suffix = {
            PeriodKind.QUARTER: f"-Q{self.number}",
            PeriodKind.HALF_YEAR: "-H1",
            PeriodKind.NINE_MONTHS: "-9M",
            PeriodKind.YEAR: "-Y",
            PeriodKind.ONCE: "",
        }[self.kind]
        return f"{self.year}{suffix}"

    @property
    def label_vi(self) -> str:
        return _LABEL_VI[self.kind].format(n=self.number, y=self.year)

    def cutoff(self) -> tuple[date, date]:
        """First and last day of the data period (Decree 09/2019/NĐ-CP, Art. 12).

        Quarter: 15th of the month before the quarter to the 14th of its last month. Six months:
        15 Dec of the previous year to 14 Jun. Nine months: 15 Dec to 14 Sep. Year: 15 Dec to 14 Dec.
        Month: 15th of the month before to the 14th of the month (Art. 12(1)). A week is not
        in the decree: its data run over the ISO week itself, Monday to Sunday. A one-off duty's
        period is the calendar year.
        """
        y = self.year
        if self.kind in (PeriodKind.ONCE, PeriodKind.WEEK):
            return self.span()
        if self.kind is PeriodKind.MONTH:
            before = date(y - 1, 12, 15) if self.number == 1 else date(y, self.number - 1, 15)
            return before, date(y, self.number, 14)
        if self.kind is PeriodKind.QUARTER:
            last_month = self.number * 3
            first_month = last_month - 3  # the month before the quarter
            start = date(y - 1, 12, 15) if first_month == 0 else date(y, first_month, 15)
            return start, date(y, last_month, 14)
        end_month = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9, PeriodKind.YEAR: 12}[
            self.kind
        ]
        return date(y - 1, 12, 15), date(y, end_month, 14)

    def span(self) -> tuple[date, date]:
        """First and last calendar day of the period (not its data cut-off): a quarter's three
        months, January to June for six months, the ISO week's Monday to Sunday, …"""
        y = self.year
        if self.kind is PeriodKind.WEEK:
            first = date.fromisocalendar(y, self.number, 1)
            return first, date.fromordinal(first.toordinal() + 6)
        if self.kind is PeriodKind.MONTH:
            return date(y, self.number, 1), month_end(y, self.number)
        if self.kind is PeriodKind.QUARTER:
            return date(y, self.number * 3 - 2, 1), month_end(y, self.number * 3)
        last = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9}.get(self.kind, 12)
        return date(y, 1, 1), month_end(y, last)

    def __str__(self) -> str:
        return self.code


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def iso_weeks(year: int) -> int:
    """How many ISO weeks the ISO year has: 52 or 53 (28 Dec is always in the last one)."""
    return date(year, 12, 28).isocalendar().week


def periods_for(kind: PeriodKind, year: int) -> list[Period]:
    """Every period of one kind in a year: four quarters, twelve months, the ISO year's 52 or 53
    weeks, or one of the others."""
    if kind is PeriodKind.QUARTER:
        return [Period(year, kind, n) for n in range(1, 5)]
    if kind is PeriodKind.MONTH:
        return [Period(year, kind, n) for n in range(1, 13)]
    if kind is PeriodKind.WEEK:
        return [Period(year, kind, n) for n in range(1, iso_weeks(year) + 1)]
    return [Period(year, kind)]
