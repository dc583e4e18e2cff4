"""What the API answers, as pydantic models: /openapi.json documents every output from these.

Input and output are separate models (the inputs are the routes' query, path and form
parameters; ``TokenForm`` is the sign-in form). Times are ISO 8601 strings as the read models
write them; dates are ``YYYY-MM-DD``. Outputs forbid extra fields, so a field added to a read
model without being documented here fails the tests instead of leaking out undocumented.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- session ---------------------------------------------------------------------------------


class TokenForm(BaseModel):
    """The sign-in form (``application/x-www-form-urlencoded``)."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(Out):
    access_token: str
    token_type: str = Field(description="Always `bearer`")
    expires_in: int = Field(description="Seconds")
    username: str
    role: str
    agency: str | None


class MeOut(Out):
    username: str
    role: str
    role_vi: str
    agency: str | None


# --- plans and agencies ----------------------------------------------------------------------


class FactOut(Out):
    """What recording a plan's event or resolving its group did."""

    plan: str
    recorded: bool = Field(description="False: the same fact was already recorded")
    assigned: int = Field(description="Tasks it brought into being")


class PlanOut(Out):
    code: str
    title_vi: str
    title_en: str | None
    number: str
    year: int
    sha256: str
    version: int


class PlanDocumentOut(PlanOut):
    document: dict[str, Any] = Field(description="The plan document as loaded")


class PlanList(Out):
    count: int
    plans: list[PlanOut]


class AgencyOut(Out):
    code: str
    name_vi: str
    name_en: str | None
    kind: str
    head_title_vi: str
    valid_until: str | None


class AgencyList(Out):
    count: int
    agencies: list[AgencyOut]


# --- tasks -----------------------------------------------------------------------------------


class TaskRow(Out):
    """A task as listed on the board."""

    id: str
    plan: str
    duty: str
    agency: str
    period: str
    due: str
    status: str
    status_vi: str
    state: str
    completion: str
    title: str
    completed_at: str | None
    cancelled: bool
    open_difficulties: int
    version: int
    role: str = Field(description="lead (chủ trì) or cooperating (phối hợp: never chased)")
    recipient: str | None = Field(
        description="The agency that reviews the report (null: the Office)"
    )
    personal_responsibility: bool = Field(description="The head bears personal responsibility")


class TaskPage(Out):
    moment: str
    total: int
    page: int
    per_page: int
    pages: int
    tasks: list[TaskRow]


class AgencyCounts(Out):
    agency: str
    total: int
    counts: dict[str, int] = Field(description="Tasks per status word")


class BoardOut(Out):
    moment: str
    total: int
    totals: dict[str, int] = Field(description="Tasks per status word")
    agencies: list[AgencyCounts]


class DifficultyOut(Out):
    number: int
    text: str
    raised_by: str
    raised_at: str
    answer: str | None
    answered_by: str | None


class TaskOut(Out):
    """One task, now or as it stood at ``moment`` (``as_of``)."""

    id: str
    plan: str
    duty: str
    agency: str
    original_agency: str
    period: str
    title: str
    due: str
    original_due: str
    completion: str
    status: str
    status_vi: str
    status_en: str
    report_state: str
    report_document: str | None
    cancelled: bool
    completed_at: str | None
    activities: int = Field(description="Activities executed so far")
    ongoing: bool = Field(False, description="An ongoing duty: due at its next check-in")
    check_ins: list[str] = Field(default_factory=list, description="An ongoing duty's check-ins")
    check_ins_done: int = 0
    target: str = Field("", description="Chỉ tiêu: the duty's quantity target")
    products: list[str] = Field(default_factory=list, description="Sản phẩm: expected products")
    due_basis: str = Field("", description="How an event-relative due date was counted")
    difficulties: list[DifficultyOut]
    version: int
    moment: str
    as_of: bool


class FileOut(Out):
    """A file an event carries, as stored (``size`` is null if the file is not kept here)."""

    name: str
    sha256: str
    size: int | None


class EventOut(Out):
    version: int
    timestamp: str
    type: str
    actor: str
    details: dict[str, Any]
    sentence_vi: str = Field(description="The event told as a sentence, in Vietnamese")
    sentence_en: str = Field(description="The event told as a sentence, in English")
    fields_vi: list[tuple[str, str]] = Field(description="(label, value) in Vietnamese")
    fields_en: list[tuple[str, str]] = Field(description="(label, value) in English")
    file: FileOut | None = None


class HistoryOut(Out):
    task: str
    events: list[EventOut]
