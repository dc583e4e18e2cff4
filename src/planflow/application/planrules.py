"""Build a plan's chasing rules from the recorded Plan aggregate (its document and calendar)."""

from __future__ import annotations

from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.chasing import Head, LadderRule, PlanRules, Term
from planflow.domain.plan import Plan
from planflow.workflow.model import Person, Workflow


def rules_from_plan(plan: Plan) -> PlanRules:
    workflow = Workflow.model_validate(plan.document)
    if plan.calendar:
        calendar = WorkingCalendar.from_data(plan.calendar)
    else:
        # A plan recorded before calendars were stored with it: recompute from the package.
        year = workflow.plan.year
        calendar = vietnam_calendar(range(year - 1, year + 2))
    return rules_from_workflow(workflow, calendar)


def rules_from_workflow(workflow: Workflow, calendar: WorkingCalendar) -> PlanRules:
    escalation = workflow.escalation
    return PlanRules(
        plan=workflow.plan.id,
        calendar=calendar,
        reminders=tuple(escalation.reminders_working_days_before),
        ladder=tuple(
            LadderRule(step.level, str(step.recipient), step.working_days_after_due)
            for step in escalation.ladder
        ),
        heads={a.code: _head(a.head) for a in workflow.agencies},
        signer=_head(workflow.plan.signer),
        duty_reminders={
            d.id: tuple(d.reminders_working_days_before)
            for d in workflow.duties
            if d.reminders_working_days_before is not None
        },
        terms={
            a.code: Term(a.valid_until, a.successor)
            for a in workflow.agencies
            if a.valid_until is not None or a.successor is not None
        },
    )


def _head(person: Person) -> Head:
    return Head(title=person.title_vi, name=person.name or "", contact=person.contact or "")
