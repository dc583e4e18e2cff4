"""A plan revision that changes only reminder days, applied to the due index from its own rows.

Reminders are the only due-index rows such a revision changes. A task's pending reminders follow
from its board row (deadline, duty, whether it is chased at all), its other due-index rows (an
open lead task without its ``overdue`` row was marked overdue; fewer escalation rows than ladder
steps means it was escalated: either way it gets no more reminders) and the ledger (the lowest
reminder already recorded for its deadline). So the revision rewrites the reminder rows of the
tasks whose duty's reminder days changed, in a few set statements, instead of loading and
replaying every open task (``PlanflowApp._reindex_plan``, which stays for any other revision).
The result equals what ``readmodels.due_rows`` computes from each task (tested against a rebuild).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import and_, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from planflow.application.readmodels import board, chases, due, to_db
from planflow.domain.chase import ChaseKind
from planflow.domain.chasing import ASSIGNEE_HEAD, PlanRules, reminders_pending
from planflow.domain.task import COOPERATING, ReportState

_CHUNK = 500

_DELETE_REMINDERS = delete(due).where(
    and_(
        due.c.kind == ChaseKind.REMINDER.value,
        due.c.task_id.in_(bindparam("ids", expanding=True)),
    )
)


def only_reminders_changed(old: PlanRules | None, new: PlanRules) -> bool:
    """Whether the two rules differ in reminder days alone (calendar, ladder, heads, terms and
    signer equal)."""
    if old is None:
        return False
    return dataclasses.replace(old, reminders=(), duty_reminders={}) == dataclasses.replace(
        new, reminders=(), duty_reminders={}
    )


def reindex_reminders(
    session: Session, code: str, old: PlanRules, new: PlanRules, skip: Iterable[UUID]
) -> int:
    """Rewrite the reminder rows of the plan's open lead tasks whose duty's reminder days
    changed from ``old`` to ``new`` (tasks in ``skip`` were saved in this transaction and get
    their rows from the projector). Returns the number of tasks rewritten."""
    skipped = {str(ref) for ref in skip}
    tasks = [
        row
        for row in session.execute(
            select(board.c.id, board.c.duty, board.c.due, board.c.agency).where(
                and_(
                    board.c.plan == code,
                    board.c.cancelled.is_(False),
                    board.c.completed_at.is_(None),
                    board.c.role != COOPERATING,
                    board.c.report_state != ReportState.SUBMITTED.value,
                )
            )
        )
        if row.id not in skipped and old.reminder_days(row.duty) != new.reminder_days(row.duty)
    ]
    if not tasks:
        return 0
    awaiting = _awaiting_overdue(session, code)
    ledger = _ledger(session, code)
    rows: list[dict[str, Any]] = []
    memo: dict[tuple[date, tuple[int, ...], int | None], list[Any]] = {}
    for task in tasks:
        marked = task.id not in awaiting
        escalated = (task.id, task.due, ChaseKind.ESCALATION.value) in ledger
        if marked or escalated:
            continue  # no reminder is pending, before or after the revision
        days = new.reminder_days(task.duty)
        floor = ledger.get((task.id, task.due, ChaseKind.REMINDER.value))
        key = (task.due, days, floor)
        items = memo.get(key)
        if items is None:
            items = memo[key] = reminders_pending(task.due, days, floor, new.calendar)
        rows.extend(
            {
                "task_id": task.id,
                "kind": ChaseKind.REMINDER.value,
                "step": item.key.step,
                "plan": code,
                "agency": task.agency,
                "due": task.due,
                "fire_on": item.fire_on,
                "fire_at": to_db(item.fire_at),
                "working_days": item.working_days,
                "recipient_role": ASSIGNEE_HEAD,
            }
            for item in items
        )
    ids = [task.id for task in tasks]
    for start in range(0, len(ids), _CHUNK):
        session.execute(_DELETE_REMINDERS, {"ids": ids[start : start + _CHUNK]})
    if rows:
        session.execute(insert(due), rows)
    return len(tasks)


def _awaiting_overdue(session: Session, code: str) -> set[str]:
    """The plan's tasks whose index still holds the ``overdue`` row: an open lead task lacks it
    only when it was marked overdue for its current deadline."""
    rows = session.execute(
        select(due.c.task_id).where(and_(due.c.plan == code, due.c.kind == ChaseKind.OVERDUE.value))
    )
    return {r.task_id for r in rows}


def _ledger(session: Session, code: str) -> dict[tuple[str, date, str], int]:
    """(task, deadline, kind) → the lowest step recorded for that deadline (the ledger), for
    reminders and escalations."""
    kinds = [ChaseKind.REMINDER.value, ChaseKind.ESCALATION.value]
    rows = session.execute(
        select(chases.c.task_id, chases.c.due, chases.c.kind, func.min(chases.c.step))
        .where(and_(chases.c.plan == code, chases.c.kind.in_(kinds)))
        .group_by(chases.c.task_id, chases.c.due, chases.c.kind)
    )
    return {(task_id, day, kind): int(step) for task_id, day, kind, step in rows}
