"""The workflow file's models (pydantic). ``planflow schema`` prints the JSON Schema made from them.

The file's format is documented in docs/workflow-format.md. Every string and list has an upper
bound (the limits below), so a file cannot put megabytes into one field of the event log.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from planflow.workflow.schedule_model import (
    MAX_PERIODS,
    Deadlines,
    PeriodPart,
    WindowSchedule,
)

FORMAT = "planflow/v1"

# --- limits (docs/workflow-format.md, "Limits and refused input") -----------------------------

MAX_CODE = 64
"""Codes and ids: plan id, agency and group codes, duty ids."""
MAX_SHORT = 200
"""Short references: a plan's number, a section, a legal basis's ref, a person's name, contact,
signature formula."""
MAX_NAME = 1000
"""Names and titles: issuer, plan title, agency and group names, a person's title."""
MAX_TEXT = 4000
"""Free text: a duty's title, a legal basis's title, an override's reason."""
MAX_PATH = 1024
"""The calendar overrides path."""
MAX_AGENCIES = 2000
"""Agencies in a file, and codes in one group's members or exclude, or one duty's assignees."""
MAX_GROUPS = 500
MAX_DUTIES = 2000
MAX_SMALL_LIST = 100
"""Legal bases, group kinds, ladder steps, reminder days (``every`` lists each kind once: ≤ 4)."""
MAX_LEVEL = 100
"""The highest escalation level."""
MAX_WORKING_DAYS = 366
"""Reminder days before a due date and escalation days after it: about a year and a half of
working days, and far from the end of the calendar."""

Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", min_length=1, max_length=MAX_CODE)]
NonEmpty = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Short = Annotated[str, Field(max_length=MAX_SHORT)]
NonEmptyShort = Annotated[str, Field(min_length=1, max_length=MAX_SHORT)]
Name = Annotated[str, Field(max_length=MAX_NAME)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
NonEmptyText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
WorkingDays = Annotated[int, Field(le=MAX_WORKING_DAYS)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgencyKind(StrEnum):
    OFFICE = "office"
    DEPARTMENT = "department"
    BOARD = "board"
    DISTRICT = "district"
    PRESS = "press"
    COMMITTEE = "committee"
    DIVISION = "division"
    """A specialised division of a district committee (phòng chuyên môn thuộc UBND cấp huyện), e.g.
    its finance office, named as the recipient of reports."""
    # Provincial bodies of central ministries (cơ quan Trung ương đóng trên địa bàn tỉnh).
    POLICE = "police"
    """Công an tỉnh."""
    SOCIAL_INSURANCE = "social_insurance"
    """Bảo hiểm xã hội tỉnh."""
    TREASURY = "treasury"
    """Kho bạc Nhà nước tỉnh."""
    TAX = "tax"
    """Cục Thuế tỉnh (Thuế tỉnh)."""
    STATE_BANK = "state_bank"
    """Ngân hàng Nhà nước chi nhánh tỉnh (State Bank branch)."""
    ENTERPRISE = "enterprise"
    """Doanh nghiệp: a company (state-owned or not), e.g. the power or water company."""
    MASS_ORGANISATION = "mass_organisation"
    """Tổ chức chính trị - xã hội: the Fatherland Front, unions, the Youth Union, …"""
    COMMUNE = "commune"
    """Ủy ban nhân dân xã."""
    WARD = "ward"
    """Ủy ban nhân dân phường."""
    SPECIAL_ZONE = "special_zone"
    """Ủy ban nhân dân đặc khu (a special administrative-economic zone, e.g. Phú Quốc)."""


class Person(Strict):
    """A named official: the head who bears personal responsibility (chịu trách nhiệm cá nhân)."""

    title_vi: NonEmpty = Field(description="Chức danh, e.g. 'Giám đốc Sở Tư pháp'")
    title_en: Name | None = None
    name: Short | None = Field(None, description="Họ và tên, when known")
    contact: Short | None = Field(None, description="E-mail or phone for reminders")


class LegalBasis(Strict):
    ref: NonEmptyShort = Field(description="Số, ký hiệu, e.g. '61/2018/NĐ-CP'")
    date: dt.date | None = None
    title: Text | None = None


class Signer(Person):
    signs_as: Short | None = Field(None, description="e.g. 'KT. CHỦ TỊCH — PHÓ CHỦ TỊCH'")


class PlanMeta(Strict):
    id: Code = Field(description="Stable identifier of the plan; part of every task id")
    issuer: NonEmpty = Field(description="Cơ quan ban hành")
    number: NonEmptyShort = Field(description="Số, ký hiệu văn bản, e.g. '39/KH-UBND'")
    date: dt.date | None = Field(None, description="Ngày ban hành, when known")
    year: int = Field(
        ge=2000,
        le=2100,
        description="The plan's year: deadlines fall in it or in the year after (at the latest "
        "31 Dec of the next year)",
    )
    title_vi: NonEmpty
    title_en: Name | None = None
    legal_bases: list[LegalBasis] = Field(default_factory=list, max_length=MAX_SMALL_LIST)
    signer: Signer


class CalendarSpec(Strict):
    country: Literal["VN"] = "VN"
    overrides: Annotated[str, Field(max_length=MAX_PATH)] | None = Field(
        None,
        description="Path, relative to the workflow file and inside its folder, of a calendar "
        "overrides file",
    )


class Agency(Strict):
    code: Code
    name_vi: NonEmpty
    name_en: Name | None = None
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
    name_en: Name | None = None
    kinds: list[AgencyKind] = Field(
        default_factory=list, max_length=MAX_SMALL_LIST, description="Every agency of these kinds"
    )
    members: list[Code] = Field(
        default_factory=list, max_length=MAX_AGENCIES, description="These agencies too"
    )
    exclude: list[Code] = Field(
        default_factory=list, max_length=MAX_AGENCIES, description="Minus these agencies"
    )
    condition_vi: Text | None = Field(
        None,
        description="A group the plan defines by a condition ('các sở được giao chủ trì soạn "
        "thảo …') or whose members it never lists: no kinds, members or exclude; a person "
        "resolves it (``planflow group resolve``) and until then its duties have no tasks",
    )
    condition_en: Text | None = None


class Done(StrEnum):
    ACTIVITY = "activity"
    REPORT = "report"


class Recurrence(StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    MONTH = "month"
    WEEK = "week"


class FixedSchedule(Strict):
    due: dt.date = Field(description="Hạn hoàn thành")


class RecurringSchedule(Strict):
    every: list[Recurrence] | None = Field(
        None,
        min_length=1,
        max_length=len(Recurrence),
        description="One obligation per kind of period (or ``periods``)",
    )
    periods: list[PeriodPart] | None = Field(
        None,
        min_length=1,
        max_length=MAX_PERIODS,
        description="Only these periods of the plan's year (or ``every``), e.g. "
        "[Q1, H1, Q3, Y] for 'quý I, 6 tháng, quý III, năm'",
    )
    submit_working_days_after_cutoff: int | None = Field(
        None,
        ge=1,
        le=60,
        description="Working days after the data cut-off (Decree 09/2019/NĐ-CP) for submission; "
        "the deadline of every kind of period that ``deadlines`` leaves out",
    )
    deadlines: Deadlines | None = Field(
        None, description="The deadline per kind of period: working days or a day of the month"
    )


class CheckIn(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class OngoingSchedule(Strict):
    """Thường xuyên, trong năm: no due date; the task stays in progress and the assignee checks
    in once per period (docs/workflow-format.md, "Ongoing duties")."""

    ongoing: Literal[True] = Field(description="Always true: the duty is ongoing")
    check_in: CheckIn = Field(description="How often the assignee records a check-in")
    check_in_working_days_after_period: int = Field(
        0,
        ge=0,
        le=60,
        description="Working days after a period's last day by which its check-in is due (0: "
        "that day, or the next working day when it is a day off)",
    )


class EventSchedule(Strict):
    """Due in working days before or after an event the plan names (a legal document's effective
    date, a decision's signature); no task exists until the Office records the event's date."""

    event: Code = Field(description="The code of an event in ``events``")
    working_days_before: int | None = Field(None, ge=1, le=MAX_WORKING_DAYS)
    working_days_after: int | None = Field(
        None, ge=0, le=MAX_WORKING_DAYS, description="0: on the event's day (ngay khi …)"
    )

    @model_validator(mode="after")
    def _one_side(self) -> EventSchedule:
        if (self.working_days_before is None) == (self.working_days_after is None):
            raise ValueError("give exactly one of working_days_before and working_days_after")
        return self


class PlanEvent(Strict):
    """An event a duty's deadline counts from, recorded by the Office when it happens."""

    code: Code
    name_vi: NonEmpty = Field(description="e.g. 'Ngày Quyết định công bố TTHC có hiệu lực'")
    name_en: Name | None = None


class TargetPer(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Target(Strict):
    """A quantity target: 'ít nhất 02 tin, bài/tháng' is {at_least: 2, unit_vi: 'tin, bài',
    per: month}."""

    at_least: int = Field(ge=1, le=1_000_000)
    unit_vi: NonEmptyShort = Field(description="e.g. 'tin, bài'")
    unit_en: Short | None = None
    per: TargetPer | None = Field(
        None, description="Per week, month, quarter or year; unset: in all"
    )


class Duty(Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", max_length=MAX_CODE)]
    section: NonEmptyShort = Field(description="Where the plan says it, e.g. 'IV.1.a.2'")
    title_vi: NonEmptyText
    title_en: Text | None = None
    assignees: list[Code] = Field(
        min_length=1, max_length=MAX_AGENCIES, description="Agency codes or group codes"
    )
    done_when: Done
    schedule: FixedSchedule | RecurringSchedule | WindowSchedule | OngoingSchedule | EventSchedule
    reminders_working_days_before: list[WorkingDays] | None = Field(
        None,
        max_length=MAX_SMALL_LIST,
        description="Overrides the plan's reminder days for this duty",
    )
    cooperating: list[Code] = Field(
        default_factory=list,
        max_length=MAX_AGENCIES,
        description="Cơ quan phối hợp: agency or group codes that help the lead agencies "
        "(``assignees``); each gets a task that is never chased",
    )
    report_to: Code | None = Field(
        None,
        description="Who receives the report and accepts or returns it: an agency code, or the "
        "code of a recipient rule (``recipient_rules``) resolved per assignee",
    )
    personal_responsibility: bool | None = Field(
        None,
        description="The assignee's head bears personal responsibility (chịu trách nhiệm cá "
        "nhân); unset: as the duty's section says",
    )
    start: dt.date | None = Field(
        None,
        description="The duty's first day: periods that end before it make no task, and a "
        "deadline or window before it is refused",
    )
    target: Target | None = Field(None, description="Chỉ tiêu: a quantity target")
    products: list[NonEmptyText] = Field(
        default_factory=list,
        max_length=MAX_SMALL_LIST,
        description="Sản phẩm: what the duty must produce (the appendix's 'Sản phẩm' column)",
    )


class Section(Strict):
    """What a section of the plan says of all its duties (``IV.1.a`` covers ``IV.1.a.1``, …)."""

    id: NonEmptyShort = Field(
        description="A section, e.g. 'IV.1.a'; covers the duties whose "
        "``section`` is it or lies under it"
    )
    personal_responsibility: bool | None = Field(
        None, description="Default of the duties under it (chịu trách nhiệm cá nhân)"
    )


class RecipientResolution(Strict):
    assignees: list[Code] = Field(
        min_length=1, max_length=MAX_AGENCIES, description="Agency or group codes"
    )
    recipient: Code = Field(description="The agency that receives their reports")


class RecipientRule(Strict):
    """A recipient named by a rule, e.g. 'cơ quan tài chính cùng cấp' (the finance agency at the
    same level): who it is depends on the assignee."""

    code: Code
    name_vi: NonEmpty
    name_en: Name | None = None
    resolve: list[RecipientResolution] = Field(
        min_length=1, max_length=MAX_AGENCIES, description="The first entry naming an assignee wins"
    )


class LadderRecipient(StrEnum):
    ASSIGNEE_HEAD = "assignee_head"
    SIGNER = "signer"


class LadderStep(Strict):
    level: int = Field(ge=1, le=MAX_LEVEL)
    recipient: LadderRecipient | Code = Field(
        union_mode="left_to_right",
        description="'assignee_head', 'signer', or the code of an agency whose head is named",
    )
    working_days_after_due: int = Field(ge=0, le=MAX_WORKING_DAYS)


class Escalation(Strict):
    reminders_working_days_before: list[WorkingDays] = Field(
        default_factory=lambda: [7, 3, 1], max_length=MAX_SMALL_LIST
    )
    ladder: list[LadderStep] = Field(min_length=1, max_length=MAX_SMALL_LIST)

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
    agencies: list[Agency] = Field(min_length=1, max_length=MAX_AGENCIES)
    groups: list[Group] = Field(default_factory=list, max_length=MAX_GROUPS)
    events: list[PlanEvent] = Field(
        default_factory=list,
        max_length=MAX_GROUPS,
        description="Events that event-relative duties count from",
    )
    sections: list[Section] = Field(default_factory=list, max_length=MAX_DUTIES)
    recipient_rules: list[RecipientRule] = Field(default_factory=list, max_length=MAX_GROUPS)
    duties: list[Duty] = Field(min_length=1, max_length=MAX_DUTIES)
    escalation: Escalation
