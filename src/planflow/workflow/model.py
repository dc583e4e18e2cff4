"""The workflow file's models (pydantic). ``planflow schema`` prints the JSON Schema made from them.

The file's format is documented in docs/workflow-format.md.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT = "planflow/v1"

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=1, max_length=64)]
NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyKind(StrEnum):
    OFFICE = "office"
    DEPARTMENT = "department"
    BOARD = "board"
    DISTRICT = "district"
    PRESS = "press"
    COMMITTEE = "committee"


class Person(Strict):
    """A named official: the head who bears personal responsibility (chịu trách nhiệm cá nhân)."""

    title_vi: NonEmpty = Field(description="Chức danh, e.g. 'Giám đốc Sở Tư pháp'")
    title_en: str | None = None
    name: str | None = Field(None, description="Họ và tên, when known")
    contact: str | None = Field(None, description="E-mail or phone for reminders")


class LegalBasis(Strict):
    ref: NonEmpty = Field(description="Số, ký hiệu, e.g. '61/2018/NĐ-CP'")
    date: dt.date | None = None
    title: str | None = None


class Signer(Person):
    signs_as: str | None = Field(None, description="e.g. 'KT. CHỦ TỊCH — PHÓ CHỦ TỊCH'")


class PlanMeta(Strict):
    id: Code = Field(description="Stable identifier of the plan; part of every task id")
    issuer: NonEmpty = Field(description="Cơ quan ban hành")
    number: NonEmpty = Field(description="Số, ký hiệu văn bản, e.g. '39/KH-UBND'")
    date: dt.date | None = Field(None, description="Ngày ban hành, when known")
    year: int = Field(ge=2000, le=2100, description="The plan's year: deadlines must fall in it")
    title_vi: NonEmpty
    title_en: str | None = None
    legal_bases: list[LegalBasis] = Field(default_factory=list)
    signer: Signer


class CalendarSpec(Strict):
    country: Literal["VN"] = "VN"
    overrides: str | None = Field(
        None, description="Path, relative to the workflow file, of a calendar overrides file"
    )


class Agency(Strict):
    code: Code
    name_vi: NonEmpty
    name_en: str | None = None
    kind: AgencyKind
    head: Person
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    successor: Code | None = Field(None, description="The agency that takes over its duties")

    @model_validator(mode="after")
    def _validity_ordered(self) -> Agency:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Group(Strict):
    """A named set of assignees: 'every department and board', 'every district committee'."""

    code: Code
    name_vi: NonEmpty
    name_en: str | None = None
    kinds: list[AgencyKind] = Field(default_factory=list, description="Every agency of these kinds")
    members: list[Code] = Field(default_factory=list, description="These agencies too")
    exclude: list[Code] = Field(default_factory=list, description="Minus these agencies")


class Done(StrEnum):
    ACTIVITY = "activity"
    REPORT = "report"


class Recurrence(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"


class FixedSchedule(Strict):
    due: dt.date = Field(description="Hạn hoàn thành")


class RecurringSchedule(Strict):
    every: list[Recurrence] = Field(min_length=1, description="One obligation per kind of period")
    submit_working_days_after_cutoff: int = Field(
        ge=1,
        le=60,
        description="Working days after the data cut-off (Decree 09/2019/NĐ-CP) for submission",
    )


class Duty(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", max_length=64)]
    section: NonEmpty = Field(description="Where the plan says it, e.g. 'IV.1.a.2'")
    title_vi: NonEmpty
    title_en: str | None = None
    assignees: list[Code] = Field(min_length=1, description="Agency codes or group codes")
    done_when: Done
    schedule: FixedSchedule | RecurringSchedule
    reminders_working_days_before: list[int] | None = Field(
        None, description="Overrides the plan's reminder days for this duty"
    )


class LadderRecipient(StrEnum):
    ASSIGNEE_HEAD = "assignee_head"
    SIGNER = "signer"


class LadderStep(Strict):
    level: int = Field(ge=1)
    recipient: LadderRecipient | Code = Field(
        union_mode="left_to_right",
        description="'assignee_head', 'signer', or the code of an agency whose head is named",
    )
    working_days_after_due: int = Field(ge=0)


class Escalation(Strict):
    reminders_working_days_before: list[int] = Field(default_factory=lambda: [7, 3, 1])
    ladder: list[LadderStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _ladder_climbs(self) -> Escalation:
        levels = [s.level for s in self.ladder]
        if levels != sorted(set(levels)):
            raise ValueError("ladder levels must be distinct and increasing")
        days = [s.working_days_after_due for s in self.ladder]
        if days != sorted(days):
            raise ValueError("ladder steps must not come earlier than the step below them")
        return self


class Workflow(Strict):
    """A plan (kế hoạch) as a workflow file."""

    format: Literal["planflow/v1"] = Field(description="Always 'planflow/v1'")
    plan: PlanMeta
    calendar: CalendarSpec = Field(default_factory=CalendarSpec)
    agencies: list[Agency] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)
    duties: list[Duty] = Field(min_length=1)
    escalation: Escalation
