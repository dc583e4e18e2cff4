"""From a validated plan to the tasks it assigns: one per duty × agency × period. Pure.

A fixed due date that falls on a day off moves to the next working day (Civil Code 2015,
art. 148(5)): the task's ``due`` is that effective date, and ``stated_due`` keeps the date the plan
wrote (``domain.calendar.due_note`` words it for the read side). A recurring deadline counted in
working days always lands on a working day; a day of the month or of the week, or a window's end,
may not, and moves the same way. What each schedule's obligations are is ``workflow.schedules``'s.

An agency named (directly or through a group) gets a task only if it is valid on the due date; a
due date after its last day goes to its successor instead (the first along the ``successor`` chain
that has not ended by then), whether the duty names the agency directly or through a group, and
once only when the successor is named too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from planflow.domain.calendar import WorkingCalendar
from planflow.domain.task import COOPERATING, LEAD, Completion, duty_key, task_id
from planflow.workflow.forms import FormDeadline, form_deadline, target_text, with_resolutions
from planflow.workflow.loader import expand_group
from planflow.workflow.model import Agency, EventSchedule, OngoingSchedule, Workflow
from planflow.workflow.roles import (
    cached,
    offices,
    personal_responsibility,
    recipient_of,
    rule_maps,
)
from planflow.workflow.schedules import Obligation, obligations


@dataclass(frozen=True)
class TaskSpec:
    plan: str
    duty: str
    agency: str
    period: str
    due: date
    completion: Completion
    title: str
    stated_due: date | None = None  # the plan's date when it is a day off and ``due`` moved
    role: str = LEAD  # or COOPERATING (phối hợp): never chased
    recipient: str | None = None  # the agency that reviews the report (None: the Office)
    personal_responsibility: bool = False
    window: tuple[date, date] | None = None  # first and last day, for a window (trong quý III)
    # Ongoing duties (workflow/forms.py): the check-ins, each (opens, due); ``due`` is the first.
    check_ins: tuple[tuple[date, date], ...] = ()
    target: str = ""  # chỉ tiêu, as the plan words it
    products: tuple[str, ...] = ()  # sản phẩm
    basis: str = ""  # how an event-relative due date was counted

    @property
    def due_as_stated(self) -> date:
        return self.stated_due or self.due

    @property
    def key_duty(self) -> str:
        """The duty part of the task's identity: a cooperating task is keyed apart from a lead
        task, so lead tasks keep the ids they always had."""
        return duty_key(self.duty, self.role)

    @property
    def id(self) -> UUID:
        return task_id(self.plan, self.key_duty, self.agency, self.period)


def expand(
    workflow: Workflow,
    calendar: WorkingCalendar,
    occurred: Mapping[str, date] | None = None,
    resolved: Mapping[str, list[str]] | None = None,
) -> list[TaskSpec]:
    """``occurred``: the dates recorded for the plan's events; ``resolved``: the members a person
    gave the groups defined by a condition (an unresolved one stands for no agency)."""
    workflow = with_resolutions(workflow, resolved or {})
    plan = workflow.plan
    agencies = {a.code: a for a in workflow.agencies}
    specs: list[TaskSpec] = []
    groups: dict[str, list[str]] = {}  # each code expanded once, however many duties name it

    def expanded(codes: list[str]) -> dict[str, None]:
        out: dict[str, None] = {}  # ordered, without repeats
        for code in codes:
            if code not in groups:
                groups[code] = expand_group(workflow, code)
            out.update(dict.fromkeys(groups[code]))
        return out

    maps = rule_maps(workflow, cached(lambda code: expand_group(workflow, code), groups))
    office = offices(workflow)
    for duty in workflow.duties:
        leads = expanded(duty.assignees)
        helpers = [c for c in expanded(duty.cooperating) if c not in leads]
        personal = personal_responsibility(workflow, duty)
        form: FormDeadline | None = None
        if isinstance(duty.schedule, OngoingSchedule | EventSchedule):
            form = form_deadline(workflow, duty.schedule, calendar, occurred or {})
            found = [] if form is None else [Obligation(form.period, form.due)]
        else:
            found = obligations(duty, plan.year, calendar)
        # The same for every task of the duty (a large plan names many agencies per duty).
        lead_completion = Completion(duty.done_when.value)
        target = target_text(duty.target)
        products = tuple(duty.products)
        basis = form.basis if form else ""
        lead_check_ins = tuple((c.opens, c.due) for c in form.check_ins) if form else ()
        for obligation in found:
            period, stated = obligation.period.code, obligation.stated
            due = calendar.effective_due(stated)
            holders: dict[tuple[str, str], None] = {}  # (agency, role), ordered, no repeats
            for code, role in [*((c, LEAD) for c in leads), *((c, COOPERATING) for c in helpers)]:
                holder = _holder(agencies, code, due)
                if holder is not None and (holder, LEAD) not in holders:
                    holders[(holder, role)] = None
            for code, role in holders:
                lead = role == LEAD
                specs.append(
                    TaskSpec(
                        plan=plan.id,
                        duty=duty.id,
                        agency=code,
                        period=period,
                        due=due,
                        completion=lead_completion if lead else Completion.ACTIVITY,
                        title=duty.title_vi,
                        stated_due=stated if stated != due else None,
                        role=role,
                        recipient=recipient_of(duty, code, maps, office) if lead else None,
                        personal_responsibility=personal and lead,
                        window=obligation.window,
                        check_ins=lead_check_ins if lead else (),
                        target=target,
                        products=products,
                        basis=basis,
                    )
                )
    return specs


def _holder(agencies: dict[str, Agency], code: str, due: date) -> str | None:
    """Who owes a task that ``code`` is named for, due on ``due``: ``code`` if valid then; after
    its last day, the first successor that has not ended by then (None if none: a cycle stops)."""
    seen = {code}
    agency = agencies[code]
    while agency.valid_until is not None and due > agency.valid_until:
        if agency.successor is None or agency.successor in seen:
            return None
        seen.add(agency.successor)
        agency = agencies[agency.successor]
    return agency.code if agency.is_valid_on(due) or agency.code != code else None
