"""The parts of a duty's schedule that say what plans write (docs/workflow-format.md, "Schedules"):
deadlines per kind of period, an explicit list of periods, windows. Models only; what they mean
is computed in ``workflow.schedules``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

PART = r"Q[1-4]|H1|9M|Y|M(?:0[1-9]|1[0-2])|W(?:0[1-9]|[1-4]\d|5[0-3])"
"""A period of a year without the year: Q1 … Q4, H1, 9M, Y, M01 … M12, W01 … W53."""

PeriodPart = Annotated[
    str,
    Field(
        pattern=rf"^(?:{PART})$",
        description="A period of the plan's year: Q1 … Q4, H1 (6 tháng), 9M, Y (năm), "
        "M01 … M12 (tháng), W01 … W53 (ISO week)",
    ),
]
WindowPart = Annotated[
    str,
    Field(
        pattern=rf"^(?:\d{{4}}-)?(?:{PART})$",
        description="A period, of the plan's year (Q3, M09) or of a named year (2027-Q1)",
    ),
]

MAX_PERIODS = 60
"""Periods listed in one schedule's ``periods`` or ``within``."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AfterCutoff(_Strict):
    """N working days after the period's data cut-off (Decree 09/2019/NĐ-CP, Art. 12)."""

    working_days_after_cutoff: int = Field(
        ge=1, le=60, description="Working days after the data cut-off, the cut-off not counted"
    )


class DayOfMonth(_Strict):
    """A day of a month: "trước ngày 20 của tháng cuối quý" is ``{day: 20, month: last}``,
    "trước 15/6" is ``{day: 15, month: 6}``, "trước ngày 05 tháng sau" ``{day: 5, month: next}``."""

    day: int = Field(
        ge=1, le=31, description="The day; past the month's end it is the month's last day"
    )
    month: Literal["last", "next"] | Annotated[int, Field(ge=1, le=12)] = Field(
        "last",
        union_mode="left_to_right",
        description="'last': the period's last month; 'next': the month after the period; "
        "1–12: that month of the period's year",
    )


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class DayOfWeek(_Strict):
    """A day of the week itself: "thứ Sáu hằng tuần" is ``{weekday: friday}``."""

    weekday: Weekday


PeriodDeadline = AfterCutoff | DayOfMonth


class Deadlines(_Strict):
    """When each kind of period's report is due; a kind left out takes the schedule's
    ``submit_working_days_after_cutoff``."""

    week: AfterCutoff | DayOfWeek | None = None
    month: PeriodDeadline | None = None
    quarter: PeriodDeadline | None = None
    half_year: PeriodDeadline | None = None
    nine_months: PeriodDeadline | None = None
    year: PeriodDeadline | None = None


class WindowSchedule(_Strict):
    """Trong quý III, trong tháng 9, quý II và quý III: the work is done within the window and
    due at its end."""

    within: list[WindowPart] = Field(
        min_length=1,
        max_length=MAX_PERIODS,
        description="Periods in order, each following the one before: one window from the first "
        "one's first day to the last one's last day",
    )
