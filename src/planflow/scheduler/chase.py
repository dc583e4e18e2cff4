"""Turn a due item into the Task command that records it. Pure: the clock is already set."""

from __future__ import annotations

from planflow.domain.chase import ChaseKind
from planflow.domain.task import Task
from planflow.scheduler.rules import ASSIGNEE_HEAD, DueItem, PlanRules


def record(task: Task, item: DueItem, rules: PlanRules, actor: str) -> bool:
    """Record ``item`` on the task; False if there was nothing to record."""
    kind = item.key.kind
    if kind is ChaseKind.OVERDUE:
        return task.mark_overdue(actor=actor)
    if kind is ChaseKind.REMINDER:
        task.send_reminder(
            actor=actor,
            working_days_before=item.key.step,
            fire_on=item.fire_on,
            recipient=rules.recipient(ASSIGNEE_HEAD, task.agency),
        )
        return True
    task.escalate(
        actor=actor,
        level=item.key.step,
        working_days_after_due=item.working_days,
        fire_on=item.fire_on,
        recipient=rules.recipient(item.recipient_role, task.agency),
    )
    return True
