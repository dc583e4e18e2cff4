"""Facts about a plan that its file cannot know: the date an event happened (a legal document's
effective date, a decision's signature) and the members of a group the plan defines by a
condition. Each is recorded on the Plan aggregate with its actor; the duties that wait for it then
get their tasks (PlanflowApp.record_event, PlanflowApp.resolve_group)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.errors import InvalidArgument
from planflow.domain.plan import Plan
from planflow.domain.task import Task
from planflow.workflow.expand import TaskSpec
from planflow.workflow.forms import waiting_events, waiting_groups
from planflow.workflow.model import Workflow


@dataclass(frozen=True)
class FactResult:
    plan: str
    recorded: bool  # False: the same fact was already recorded (nothing written)
    assigned: int  # tasks the fact brought into being


@dataclass(frozen=True)
class Waiting:
    """What a loaded plan still waits for before some of its duties have tasks."""

    groups: list[tuple[str, str]]  # (code, condition in Vietnamese)
    events: list[tuple[str, str]]  # (code, name in Vietnamese)


def waiting(plan: Plan) -> Waiting:
    """What a recorded plan still waits for."""
    return waiting_of(Workflow.model_validate(plan.document), plan.occurred, plan.resolved)


def waiting_of(
    workflow: Workflow, occurred: Mapping[str, date], resolved: Mapping[str, list[str]]
) -> Waiting:
    groups = {g.code: g.condition_vi or "" for g in workflow.groups}
    events = {e.code: e.name_vi for e in workflow.events}
    return Waiting(
        [(c, groups[c]) for c in waiting_groups(workflow, resolved)],
        [(c, events[c]) for c in waiting_events(workflow, occurred)],
    )


def assign_spec(spec: TaskSpec, actor: str) -> Task:
    return Task.assign(
        plan=spec.plan,
        duty=spec.duty,
        agency=spec.agency,
        period=spec.period,
        due=spec.due,
        completion=spec.completion,
        title=spec.title,
        actor=actor,
        role=spec.role,
        recipient=spec.recipient or "",
        personal_responsibility=spec.personal_responsibility,
        window=spec.window,
        check_ins=list(spec.check_ins),
        target=spec.target,
        products=list(spec.products),
        basis=spec.basis,
    )


def calendar_of(plan: Plan, workflow: Workflow) -> WorkingCalendar:
    if plan.calendar:
        return WorkingCalendar.from_data(plan.calendar)
    year = workflow.plan.year
    return vietnam_calendar(range(year - 1, year + 2))


def check_fact(
    workflow: Workflow,
    *,
    event: str | None = None,
    day: date | None = None,
    group: str | None = None,
    members: list[str] | None = None,
) -> None:
    """Refuse an unknown event or group, a date outside the plan's calendar, unknown members."""
    year = workflow.plan.year
    if event is not None:
        codes = [e.code for e in workflow.events]
        if event not in codes:
            valid = ", ".join(codes) or "—"
            raise InvalidArgument(
                f"Kế hoạch không có sự kiện {event!r}; các sự kiện: {valid}",
                f"the plan names no event {event!r}; its events: {valid}",
            )
        if day is not None and not year - 1 <= day.year <= year + 1:
            raise InvalidArgument(
                f"Ngày {day:%d/%m/%Y} nằm ngoài lịch của kế hoạch ({year - 1}–{year + 1})",
                f"{day.isoformat()} is outside the plan's calendar ({year - 1}–{year + 1})",
            )
    if group is not None:
        conditional = [g.code for g in workflow.groups if g.condition_vi is not None]
        if group not in conditional:
            valid = ", ".join(conditional) or "—"
            raise InvalidArgument(
                f"Kế hoạch không có nhóm theo điều kiện {group!r}; các nhóm chờ xác định: {valid}",
                f"the plan has no group defined by a condition {group!r}; such groups: {valid}",
            )
        agencies = [a.code for a in workflow.agencies]
        chosen = members or []
        unknown = [m for m in chosen if m not in agencies]
        if not chosen or unknown or len(set(chosen)) != len(chosen):
            what = ", ".join(unknown) if unknown else "—"
            raise InvalidArgument(
                f"Thành viên không hợp lệ (không rỗng, không trùng, là mã cơ quan trong kế hoạch; "
                f"không có: {what})",
                f"invalid members (non-empty, no repeats, agency codes of the plan; unknown: "
                f"{what})",
            )
