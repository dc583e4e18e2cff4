"""The chasing policy (đôn đốc): when each reminder, overdue mark and escalation of a task falls
due, and how a due step is recorded on the task. Pure: no I/O, no wall clock.

- The deadline is the task's due date, or the next working day when that date is a day off (Civil
  Code 2015, art. 148(5): a time limit ending on a day off ends at the end of the next working day).
- Reminder ``n`` (nhắc hạn): from the start (00:00, Vietnam time) of the working day ``n`` working
  days before the deadline. Only the latest reminder that is due is sent: one that was missed (the
  task was assigned late, the scheduler was down) is superseded, not sent late.
- Overdue (quá hạn): from the start of the first working day after the deadline.
- Escalation level ``k`` with ``d`` working days after the deadline: from the start of the working
  day ``d`` working days after the deadline, and never before the first working day after it
  (``d = 0``: as soon as the deadline has passed).
- Every step fires on a working day, and ``due_now`` records nothing on a weekend or a holiday: a
  step that fell due before one waits for the next working day.
Nothing is due for a task that is cancelled, done, or whose report awaits the Office's review.
Chase keys keep the task's own due date, so the history of a task does not depend on the calendar.

Mergers (an agency's ``valid_until`` and ``successor``): from the day after an agency's last day,
its open tasks pass to its successor (the first agency along the successor chain still in office
that day), or are cancelled when it has none (``handover_due``); and every step names the head of
the body in office on the day it is recorded, never the head of a body that has ended
(``PlanRules.recipient``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from planflow.domain import clock
from planflow.domain.calendar import WorkingCalendar
from planflow.domain.chase import ChaseKey, ChaseKind, Recipient
from planflow.domain.clock import LOCAL_TZ, local_date
from planflow.domain.task import Task

ASSIGNEE_HEAD = "assignee_head"
SIGNER = "signer"


@dataclass(frozen=True)
class LadderRule:
    level: int
    recipient: str  # "assignee_head", "signer" or an agency code
    working_days_after_due: int


@dataclass(frozen=True)
class Head:
    title: str
    name: str = ""
    contact: str = ""


@dataclass(frozen=True)
class Term:
    """An agency's term in the plan: its last day and who takes its duties over after it."""

    valid_until: date | None = None
    successor: str | None = None

    def ended_by(self, day: date) -> bool:
        return self.valid_until is not None and day > self.valid_until


@dataclass(frozen=True)
class PlanRules:
    """What a plan says about chasing its tasks, with the calendar its days are counted in."""

    plan: str
    calendar: WorkingCalendar
    reminders: tuple[int, ...]
    ladder: tuple[LadderRule, ...]
    heads: Mapping[str, Head]
    signer: Head
    duty_reminders: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    terms: Mapping[str, Term] = field(default_factory=dict)  # agencies with an end or successor

    def reminder_days(self, duty: str) -> tuple[int, ...]:
        return self.duty_reminders.get(duty, self.reminders)

    def ended(self, agency: str, day: date) -> bool:
        """Whether the agency's last day is before ``day``."""
        term = self.terms.get(agency)
        return term is not None and term.ended_by(day)

    def in_office(self, agency: str, day: date) -> str | None:
        """The agency that holds ``agency``'s duties on ``day``: itself while it has not ended,
        else the first successor along the chain that has not; None when the chain ends (or
        turns in a cycle) without one."""
        current = agency
        seen = {agency}
        while self.ended(current, day):
            term = self.terms.get(current)
            following = term.successor if term else None
            if following is None or following in seen:
                return None
            seen.add(following)
            current = following
        return current

    def recipient(self, role: str, task_agency: str, on: date | None = None) -> Recipient:
        """Who a step recorded on ``on`` names, as the plan describes them now. An agency that
        has ended by then is replaced by its successor in office; a step naming an agency that
        ended without one goes to the plan's signer."""
        if role != SIGNER:
            agency = task_agency if role == ASSIGNEE_HEAD else role
            holder = agency if on is None else self.in_office(agency, on)
            if holder is not None:
                named = role if role == ASSIGNEE_HEAD else holder
                head = self.heads.get(holder, Head(title=f"Thủ trưởng {holder}"))
                return Recipient(named, holder, head.title, head.name, head.contact)
        return Recipient(SIGNER, "", self.signer.title, self.signer.name, self.signer.contact)


@dataclass(frozen=True)
class Handover:
    """An open task whose agency has ended: it passes to ``to``, or is cancelled (``to`` None)."""

    since: date  # the first day its agency is no longer valid
    to: str | None


def handover_on(task: Task, rules: PlanRules) -> date | None:
    """The day an open task must leave its agency (the day after the agency's last day)."""
    term = rules.terms.get(task.agency)
    if task.cancelled or task.is_done or term is None or term.valid_until is None:
        return None
    return term.valid_until + timedelta(days=1)


def handover_due(task: Task, rules: PlanRules, today: date) -> Handover | None:
    """What must happen to the task on ``today`` because its agency has ended, if anything."""
    since = handover_on(task, rules)
    if since is None or today < since:
        return None
    return Handover(since, rules.in_office(task.agency, today))


@dataclass(frozen=True)
class DueItem:
    key: ChaseKey
    fire_on: date
    fire_at: datetime  # UTC
    working_days: int  # before the deadline (reminder) or after it (escalation)
    recipient_role: str = ASSIGNEE_HEAD


def start_of(day: date) -> datetime:
    """00:00 Vietnam time on ``day``, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def pending(task: Task, rules: PlanRules) -> list[DueItem]:
    """Every step still to record for the task's current deadline, earliest first. Nothing for a
    cooperating task (phối hợp): the lead's task carries the deadline and the chasing."""
    if task.is_cooperating or not task.is_chaseable:
        return []
    due = task.due
    cal = rules.calendar
    deadline = cal.effective_due(due)
    day_after = cal.first_working_day_after(deadline)
    overdue = ChaseKey(ChaseKind.OVERDUE, 0, due)
    items: list[DueItem] = []
    escalated = any(k.kind is ChaseKind.ESCALATION and k.due == due for k in task.chased)
    if not task.has_chased(overdue) and not escalated:
        sent = [k.step for k in task.chased if k.kind is ChaseKind.REMINDER and k.due == due]
        items.extend(
            reminders_pending(due, rules.reminder_days(task.duty), min(sent, default=None), cal)
        )
    if not task.has_chased(overdue):
        items.append(DueItem(overdue, day_after, start_of(day_after), 0))
    for step in rules.ladder:
        key = ChaseKey(ChaseKind.ESCALATION, step.level, due)
        if task.has_chased(key):
            continue
        fire_on = max(cal.add_working_days(deadline, step.working_days_after_due), day_after)
        items.append(
            DueItem(key, fire_on, start_of(fire_on), step.working_days_after_due, step.recipient)
        )
    return sorted(items, key=lambda i: (i.fire_at, _ORDER[i.key.kind], i.key.step))


def reminders_pending(
    due: date, days: tuple[int, ...], floor: int | None, cal: WorkingCalendar
) -> list[DueItem]:
    """The reminders still to record for a task due on ``due`` that is neither marked overdue
    nor escalated for it, when the lowest reminder already recorded for it is ``floor`` (a
    reminder supersedes the earlier ones): those of ``days`` below ``floor``, latest first."""
    deadline = cal.effective_due(due)
    items = []
    for n in sorted(set(days), reverse=True):
        if floor is not None and n >= floor:
            continue
        fire_on = cal.add_working_days(deadline, -n) if n else cal.on_or_before(deadline)
        items.append(DueItem(ChaseKey(ChaseKind.REMINDER, n, due), fire_on, start_of(fire_on), n))
    return items


_ORDER = {ChaseKind.OVERDUE: 0, ChaseKind.REMINDER: 1, ChaseKind.ESCALATION: 2}


def due_now(task: Task, rules: PlanRules, now: datetime) -> list[DueItem]:
    """What a tick at ``now`` records for the task: the overdue mark and escalations that are due,
    or else the latest reminder that is due (earlier ones are superseded). Nothing on a day off:
    what is due then is recorded at the start of the next working day."""
    if not rules.calendar.is_working_day(local_date(now)):
        return []
    ready = [i for i in pending(task, rules) if i.fire_at <= now]
    reminders = [i for i in ready if i.key.kind is ChaseKind.REMINDER]
    others = [i for i in ready if i.key.kind is not ChaseKind.REMINDER]
    if others or not reminders:
        return others
    return [min(reminders, key=lambda i: i.key.step)]


def next_fire_at(task: Task, rules: PlanRules) -> datetime | None:
    items = pending(task, rules)
    return items[0].fire_at if items else None


def record_step(task: Task, item: DueItem, rules: PlanRules, actor: str) -> bool:
    """Record ``item`` on the task (the clock is already set); False if there was nothing to
    record. The head named is the one in office on the day it is recorded."""
    today = local_date(clock.now())
    kind = item.key.kind
    if kind is ChaseKind.OVERDUE:
        return task.mark_overdue(actor=actor)
    if kind is ChaseKind.REMINDER:
        task.send_reminder(
            actor=actor,
            working_days_before=item.key.step,
            fire_on=item.fire_on,
            recipient=rules.recipient(ASSIGNEE_HEAD, task.agency, today),
        )
        return True
    task.escalate(
        actor=actor,
        level=item.key.step,
        working_days_after_due=item.working_days,
        fire_on=item.fire_on,
        recipient=rules.recipient(item.recipient_role, task.agency, today),
        responsible=(
            rules.recipient(ASSIGNEE_HEAD, task.agency, today)
            if task.personal_responsibility
            else None
        ),
    )
    return True
