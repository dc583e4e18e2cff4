"""Reporting periods (kỳ báo cáo) and their data cut-offs under Decree 09/2019/NĐ-CP.

Codes: ``2022-Q1`` … ``2022-Q4`` (quarters), ``2022-H1`` (six months), ``2022-9M`` (nine months),
``2022-Y`` (the year), and ``2022`` for a one-off duty of the plan's year.
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


_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>Q[1-4]|H1|9M|Y))?$")

_LABEL_VI = {
    PeriodKind.QUARTER: "Quý {n} năm {y}",
    PeriodKind.HALF_YEAR: "6 tháng đầu năm {y}",
    PeriodKind.NINE_MONTHS: "9 tháng năm {y}",
    PeriodKind.YEAR: "Năm {y}",
    PeriodKind.ONCE: "Năm {y}",
}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    number: int = 0  # the quarter for QUARTER, else 0

    @classmethod
    def parse(cls, code: str) -> Period:
        match = _CODE.match(code)
        if not match:
            raise ValueError(
                f"kỳ báo cáo không hợp lệ: {code!r} / invalid period {code!r} "
                "(expected 2022-Q1 … 2022-Q4, 2022-H1, 2022-9M, 2022-Y or 2022)"
            )
        year = int(match["year"])
        part = match["part"]
        if part is None:
            return cls(year, PeriodKind.ONCE)
        if part.startswith("Q"):
            return cls(year, PeriodKind.QUARTER, int(part[1]))
        return cls(
            year,
            {"H1": PeriodKind.HALF_YEAR, "9M": PeriodKind.NINE_MONTHS, "Y": PeriodKind.YEAR}[part],
        )

    @property
    def code(self) -> str:
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
        A one-off duty's period is the calendar year.
        """
        y = self.year
        if self.kind is PeriodKind.ONCE:
            return date(y, 1, 1), date(y, 12, 31)
        if self.kind is PeriodKind.QUARTER:
            last_month = self.number * 3
            first_month = last_month - 3  # the month before the quarter
            start = date(y - 1, 12, 15) if first_month == 0 else date(y, first_month, 15)
            return start, date(y, last_month, 14)
        end_month = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9, PeriodKind.YEAR: 12}[
            self.kind
        ]
        return date(y - 1, 12, 15), date(y, end_month, 14)

    def __str__(self) -> str:
        return self.code


def periods_for(kind: PeriodKind, year: int) -> list[Period]:
    """Every period of one kind in a year: four quarters, or one of the others."""
    if kind is PeriodKind.QUARTER:
        return [Period(year, kind, n) for n in range(1, 5)]
    return [Period(year, kind)]
