"""What a recorded reminder, escalation or manual chase-up says, ready for any channel: a ``Notice``.

Built from the event, the task as it stood at that event, and the plan document in force, so a
message names the task, the deadline, the working days left (or late) and the official named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from planflow.application.readmodels import CHASE_UP, ChaseEvent
from planflow.domain import clock
from planflow.domain.chasing import PlanRules
from planflow.domain.periods import Period
from planflow.domain.task import Task

EVENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://planflow.invalid/event")


def event_id(originator_id: UUID, version: int) -> str:
    """A stable id for a recorded event: the idempotency key of every delivery of it."""
    return str(uuid5(EVENT_NAMESPACE, f"{originator_id}:{version}"))


def delivery_key(event: str, channel: str) -> str:
    """The idempotency key of an event's delivery on one channel (``X-Planflow-Idempotency-Key``,
    and the mail's ``Message-ID``): the same on every attempt, by every process."""
    return str(uuid5(EVENT_NAMESPACE, f"{event}:{channel}"))


@dataclass(frozen=True)
class Notice:
    event_id: str
    kind: str  # "reminder", "escalation" or "chase_up"
    level: int  # escalation level; 0 for a reminder
    fired_at: datetime
    task_id: str
    plan: str
    plan_title: str
    plan_number: str
    issuer: str
    duty: str
    section: str
    period: str
    period_label: str
    title: str
    agency: str
    agency_name: str
    head_title: str  # the head of the late agency, who bears personal responsibility
    due: date
    working_days_left: int  # before the deadline (reminders)
    working_days_late: int  # after it (escalations)
    recipient_role: str
    recipient_agency: str
    recipient_title: str
    recipient_name: str
    recipient_contact: str
    note: str = ""  # the Office's words, for a chase-up
    requested_by: str = ""  # who sent a chase-up
    check_in: int = 0  # an ongoing duty: the number of the check-in the step is about (0: none)
    check_ins: int = 0  # how many check-ins the duty has

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fired_at"] = self.fired_at.isoformat()
        data["due"] = self.due.isoformat()
        return data


def build_notice(
    event: ChaseEvent,
    task: Task,
    document: dict[str, Any],
    rules: PlanRules | None,
) -> Notice:
    plan = document.get("plan", {})
    agencies = {a["code"]: a for a in document.get("agencies", [])}
    agency = agencies.get(task.agency, {})
    duty: dict[str, Any] = next(
        (d for d in document.get("duties", []) if d.get("id") == task.duty), {}
    )
    fired_on = clock.local_date(event.timestamp)
    if isinstance(event, Task.ReminderSent):
        kind, level = "reminder", 0
        left = (
            rules.calendar.working_days_between(fired_on, event.due)
            if rules
            else event.working_days_before
        )
        late = 0
    elif isinstance(event, Task.Escalated):
        kind, level = "escalation", event.level
        left = 0
        late = (
            rules.calendar.working_days_between(event.due, fired_on)
            if rules
            else event.working_days_after_due
        )
    else:
        kind, level = CHASE_UP, 0
        left = late = 0
        if rules is not None and fired_on <= event.due:
            left = rules.calendar.working_days_between(fired_on, event.due)
        elif rules is not None:
            late = rules.calendar.working_days_between(event.due, fired_on)
    try:
        period_label = Period.parse(task.period).label_vi
    except ValueError:
        period_label = task.period
    return Notice(
        event_id=event_id(event.originator_id, event.originator_version),
        kind=kind,
        level=level,
        fired_at=event.timestamp,
        task_id=str(task.id),
        plan=task.plan,
        plan_title=str(plan.get("title_vi", task.plan)),
        plan_number=str(plan.get("number", "")),
        issuer=str(plan.get("issuer", "")),
        duty=task.duty,
        section=str(duty.get("section", task.duty)),
        period=task.period,
        period_label=period_label,
        title=task.title,
        agency=task.agency,
        agency_name=str(agency.get("name_vi", task.agency)),
        head_title=str(agency.get("head", {}).get("title_vi", f"Thủ trưởng {task.agency}")),
        due=event.due,
        working_days_left=max(left, 0),
        working_days_late=max(late, 0),
        recipient_role=event.recipient_role,
        recipient_agency=event.recipient_agency,
        recipient_title=event.recipient_title,
        recipient_name=event.recipient_name,
        recipient_contact=event.recipient_contact,
        note=event.note if isinstance(event, Task.ChaseUpSent) else "",
        requested_by=event.actor if isinstance(event, Task.ChaseUpSent) else "",
        check_in=_check_in(task, event.due),
        check_ins=len(task.check_ins),
    )


def _check_in(task: Task, due: date) -> int:
    """The number of the check-in due on ``due`` (the task's state may be later than the step)."""
    if not task.is_ongoing:
        return 0
    if due in task.check_ins:
        return task.check_ins.index(due) + 1
    return min(task.check_ins_done + 1, len(task.check_ins))
