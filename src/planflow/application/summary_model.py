"""What the consolidated report says: plain data, filled by ``application.summary``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from planflow.domain.calendar import WorkingCalendar
from planflow.domain.periods import Period
from planflow.domain.status import TaskStatus

STATUS_WORDS = (
    TaskStatus.DONE_ON_TIME,
    TaskStatus.DONE_LATE,
    TaskStatus.OPEN_IN_TIME,
    TaskStatus.OPEN_OVERDUE,
)


@dataclass(frozen=True)
class PlanHeader:
    code: str
    number: str
    title_vi: str
    issuer: str
    office_name: str
    office_head_title: str
    office_codes: tuple[str, ...]
    agency_names: dict[str, str]
    duty_sections: dict[str, str]
    calendar: WorkingCalendar


@dataclass
class AgencyFigures:
    agency: str
    name: str
    counts: dict[str, int]
    total: int = 0
    late_tasks: int = 0
    late_working_days: int = 0
    max_late_working_days: int = 0
    reports: int = 0
    reports_accepted: int = 0
    reports_returned: int = 0  # times a report was sent back
    reports_in_review: int = 0
    reports_awaited: int = 0  # not sent, or sent back and not sent again
    difficulties_raised: int = 0
    difficulties_answered: int = 0
    extensions: int = 0
    escalations: int = 0

    @classmethod
    def empty(cls, agency: str, name: str) -> AgencyFigures:
        return cls(agency, name, {s.value: 0 for s in STATUS_WORDS})

    @classmethod
    def total_of(cls, rows: list[AgencyFigures]) -> AgencyFigures:
        out = cls.empty("", "Tổng cộng")
        for row in rows:
            for word, n in row.counts.items():
                out.counts[word] += n
            for name in NUMBER_FIELDS:
                if name == "max_late_working_days":
                    out.max_late_working_days = max(
                        out.max_late_working_days, row.max_late_working_days
                    )
                else:
                    setattr(out, name, getattr(out, name) + getattr(row, name))
        return out

    def count(self, status: TaskStatus) -> int:
        return self.counts[status.value]

    @property
    def done(self) -> int:
        return self.count(TaskStatus.DONE_ON_TIME) + self.count(TaskStatus.DONE_LATE)

    @property
    def on_time_rate(self) -> float | None:
        """Done on time among the tasks done or past their deadline (as on the board's chart)."""
        judged = self.total - self.count(TaskStatus.OPEN_IN_TIME)
        return self.count(TaskStatus.DONE_ON_TIME) / judged if judged else None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"agency": self.agency, "name": self.name, "counts": self.counts}
        out.update({name: getattr(self, name) for name in NUMBER_FIELDS})
        out["on_time_rate"] = self.on_time_rate
        return out


NUMBER_FIELDS = (
    "total",
    "late_tasks",
    "late_working_days",
    "max_late_working_days",
    "reports",
    "reports_accepted",
    "reports_returned",
    "reports_in_review",
    "reports_awaited",
    "difficulties_raised",
    "difficulties_answered",
    "extensions",
    "escalations",
)


@dataclass
class HeadEscalations:
    agency: str  # "" for the plan's signer
    agency_name: str
    title: str
    name: str
    escalations: int = 0
    tasks: set[str] = field(default_factory=set)
    task_agencies: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class MissingReport:
    agency: str
    agency_name: str
    duty: str
    section: str
    period: str
    due: date
    working_days_late: int


@dataclass(frozen=True)
class Difficulty:
    agency: str
    agency_name: str
    section: str
    period: str
    number: int
    text: str
    raised_on: date
    answer: str | None
    answered_on: date | None


@dataclass(frozen=True)
class Trend:
    periods: list[str]  # quarter codes, oldest first
    rates: dict[str, list[float | None]]  # agency → on-time share per period (None: nothing due)


@dataclass(frozen=True)
class Summary:
    header: PlanHeader
    period: Period
    moment: datetime
    agencies: list[AgencyFigures]
    totals: AgencyFigures
    heads: list[HeadEscalations]
    missing: list[MissingReport]
    difficulties: list[Difficulty]
    trend: Trend

    @property
    def agencies_missing(self) -> list[str]:
        """The names of the agencies that did not send a report due by now, in the plan's order."""
        seen: dict[str, str] = {}
        for m in self.missing:
            seen.setdefault(m.agency, m.agency_name)
        return list(seen.values())
