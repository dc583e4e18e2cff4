"""A plan revision that changes only reminder days, applied to the due index from its own rows.

The due index holds each open task's next step (readmodels.due_rows_of). Reminder days change
nothing for a task marked overdue or escalated for its deadline: it gets no more reminders. Every
other chased task (open, lead, no report awaiting review) has its overdue mark pending, so its row
is that mark, a reminder, or its handover; its next step under the new days is the earliest of its
handover, its overdue mark (the first working day after the deadline) and the reminders of the new
days below the lowest one already recorded for its deadline (the ledger). So the revision
computes the new next step of the tasks whose duty's days changed and whose row is a reminder or
the overdue mark, with one INSERT … SELECT into a temporary table (the board joined to small
temporary tables: each changed duty's new days; each deadline's fire day per step and its
first working day after, computed on the plan's working calendar in Python; each ending agency's
handover), then rewrites those rows that differ. A task whose row is its handover does not tell
whether it was marked overdue: those few are returned for the caller to replay
(``PlanflowApp._save``). Any other revision replays every open task (``PlanflowApp._reindex_plan``).
The result equals what ``readmodels.due_rows`` computes from each task (tested against a rebuild).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from planflow.application.bulk import roomy_cache
from planflow.application.readmodels import HANDOVER
from planflow.application.tables import board, chases, due, to_db
from planflow.domain.chase import ChaseKind
from planflow.domain.chasing import ASSIGNEE_HEAD, PlanRules, reminders_pending, start_of
from planflow.domain.task import COOPERATING, ReportState

REMINDER = ChaseKind.REMINDER.value
_CHUNK = 500  # task ids per IN (...) list
_NO_FLOOR = 1_000_000  # above any reminder day: no reminder recorded yet

# Scratch tables of one revision, created and dropped inside its transaction.
_scratch = MetaData()
_days = Table(
    "planflow_tmp_reminder_days",
    _scratch,
    Column("duty", String(64), primary_key=True),
    Column("step", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
_fires = Table(
    "planflow_tmp_reminder_fires",
    _scratch,
    Column("due", Date, primary_key=True),
    Column("step", Integer, primary_key=True),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    prefixes=["TEMPORARY"],
)
_after = Table(  # each deadline's overdue mark: the first working day after it
    "planflow_tmp_overdue_fires",
    _scratch,
    Column("due", Date, primary_key=True),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    prefixes=["TEMPORARY"],
)
_handovers = Table(  # each ending agency's handover: the day after its last day
    "planflow_tmp_handovers",
    _scratch,
    Column("agency", String(64), primary_key=True),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    prefixes=["TEMPORARY"],
)
_ledger = Table(  # what the ledger holds for each of the plan's deadlines: one lookup a task
    "planflow_tmp_ledger",
    _scratch,
    Column("task_id", String(36), primary_key=True),
    Column("floor", Integer, nullable=True),  # the lowest reminder recorded, if any
    Column("escalated", Integer, nullable=False),  # 1 if an escalation is recorded
    prefixes=["TEMPORARY"],
)
_next = Table(  # each affected task's next step under the new days
    "planflow_tmp_next_steps",
    _scratch,
    Column("task_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("step", Integer, nullable=False),
    Column("fire_on", Date, nullable=False),
    Column("fire_at", DateTime, nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("recipient_role", String(64), nullable=False),
    Column("agency", String(64), nullable=False),
    prefixes=["TEMPORARY"],
)


def only_reminders_changed(old: PlanRules | None, new: PlanRules) -> bool:
    """Whether the two rules differ in reminder days alone (calendar, ladder, heads, terms and
    signer equal)."""
    if old is None:
        return False
    return dataclasses.replace(old, reminders=(), duty_reminders={}) == dataclasses.replace(
        new, reminders=(), duty_reminders={}
    )


def _open_lead(code: str) -> Any:
    """The plan's tasks that are chased at all: open, lead, no report awaiting review."""
    return and_(
        board.c.plan == code,
        board.c.cancelled.is_(False),
        board.c.completed_at.is_(None),
        board.c.role != COOPERATING,
        board.c.report_state != ReportState.SUBMITTED.value,
    )


def reindex_reminders(session: Session, code: str, old: PlanRules, new: PlanRules) -> list[str]:
    """Rewrite the due-index rows of the plan's chased tasks whose duty's reminder days changed
    from ``old`` to ``new``. Tasks saved in the same transaction are rewritten from their board
    row as it was (what the due index depends on is unchanged, or the projector rewrites their
    rows afterwards). Returns the ids of the tasks to replay instead (their row is their
    handover)."""
    duties = [
        d
        for d in session.execute(select(board.c.duty).where(_open_lead(code)).distinct()).scalars()
        if old.reminder_days(d) != new.reminder_days(d)
    ]
    if not duties:
        return []
    steps = sorted({n for d in duties for n in new.reminder_days(d)}, reverse=True)
    dues = list(
        session.execute(
            select(board.c.due).where(and_(_open_lead(code), board.c.duty.in_(duties))).distinct()
        ).scalars()
    )
    cal = new.calendar
    fires = [
        {"due": day, "step": item.key.step, "fire_on": item.fire_on, "fire_at": to_db(item.fire_at)}
        for day in dues
        for item in reminders_pending(day, tuple(steps), None, cal)
    ]
    after = [
        {"due": day, "fire_on": on, "fire_at": to_db(start_of(on))}
        for day in dues
        for on in [cal.first_working_day_after(cal.effective_due(day))]
    ]
    handovers = [
        {"agency": agency, "fire_on": on, "fire_at": to_db(start_of(on))}
        for agency, term in new.terms.items()
        if term.valid_until is not None
        for on in [term.valid_until + timedelta(days=1)]
    ]
    # Created inside the transaction: a failure rolls their creation back with everything else
    # (on SQLite and PostgreSQL alike), so they are dropped only on the way out of a success.
    connection = session.connection()
    with roomy_cache(connection):
        _scratch.drop_all(connection, checkfirst=True)
        _scratch.create_all(connection)
        session.execute(
            insert(_days), [{"duty": d, "step": n} for d in duties for n in new.reminder_days(d)]
        )
        for table, rows in ((_fires, fires), (_after, after), (_handovers, handovers)):
            if rows:
                session.execute(insert(table), rows)
        ending = [str(h["agency"]) for h in handovers]
        replay = _handover_rows(session, code, duties, ending)
        _next_steps(session, code, bool(handovers))
        _rewrite(session)
        _scratch.drop_all(connection)
    return replay


def _handover_rows(session: Session, code: str, duties: list[str], ending: list[str]) -> list[str]:
    """The affected tasks whose row is their handover (their agency ends): the caller replays
    them. Read from the few handover rows (one pass over the due index), then their board rows."""
    if not ending:
        return []
    ids = list(session.execute(select(due.c.task_id).where(due.c.kind == HANDOVER)).scalars())
    replay: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chosen = select(board.c.id).where(
            and_(
                board.c.id.in_(ids[start : start + _CHUNK]),
                _open_lead(code),
                board.c.agency.in_(ending),
                board.c.duty.in_(duties),
            )
        )
        replay.extend(session.execute(chosen).scalars())
    return sorted(replay)


def _next_steps(session: Session, code: str, handovers: bool) -> int:
    """Each affected task's next step under the new days, into ``_next``: its earliest pending
    reminder where it has one (the highest of the new days below the lowest recorded for its
    deadline; reminders fall due before the deadline), else its overdue mark; then, where its
    agency ends (``handovers``), its handover if that comes first or at the same moment —
    ``chasing.pending``'s order with the handover first, as ``readmodels.due_rows_of`` computes
    it. One pass over the plan's board rows."""
    _fill_ledger(session, code)
    earliest = (  # the highest new day below the lowest reminder recorded (which supersedes)
        select(func.max(_days.c.step))
        .where(
            and_(
                _days.c.duty == board.c.duty,
                _days.c.step < func.coalesce(_ledger.c.floor, _NO_FLOOR),
            )
        )
        .correlate(board, _ledger)
        .scalar_subquery()
    )
    # The tasks whose row is a reminder or the overdue mark (not marked overdue), not escalated.
    affected = (
        select(
            board.c.id,
            board.c.duty,
            board.c.due,
            board.c.agency,
            earliest.label("reminder"),
        )
        .select_from(
            board.join(due, due.c.task_id == board.c.id).outerjoin(
                _ledger, _ledger.c.task_id == board.c.id
            )
        )
        .where(
            and_(
                _open_lead(code),
                board.c.duty.in_(select(_days.c.duty)),
                due.c.kind.in_([REMINDER, ChaseKind.OVERDUE.value]),
                func.coalesce(_ledger.c.escalated, 0) == 0,
            )
        )
        .subquery()
    )
    reminder = _fires.c.step.is_not(None)
    steps = select(
        affected.c.id,
        case((reminder, REMINDER), else_=ChaseKind.OVERDUE.value),
        func.coalesce(_fires.c.step, 0),
        func.coalesce(_fires.c.fire_on, _after.c.fire_on),
        func.coalesce(_fires.c.fire_at, _after.c.fire_at),
        func.coalesce(_fires.c.step, 0),
        literal(ASSIGNEE_HEAD),
        affected.c.agency,
    ).select_from(
        affected.join(_after, _after.c.due == affected.c.due).outerjoin(
            _fires, and_(_fires.c.due == affected.c.due, _fires.c.step == affected.c.reminder)
        )
    )
    result = session.execute(insert(_next).from_select([c.name for c in _next.c], steps))
    if handovers:
        session.execute(
            update(_next)
            .where(
                and_(_handovers.c.agency == _next.c.agency, _handovers.c.fire_at <= _next.c.fire_at)
            )
            .values(
                kind=HANDOVER,
                step=0,
                fire_on=_handovers.c.fire_on,
                fire_at=_handovers.c.fire_at,
                working_days=0,
                recipient_role="",
            )
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _fill_ledger(session: Session, code: str) -> None:
    """``_ledger``: for each of the plan's tasks with reminders or escalations recorded for its
    current deadline, the lowest reminder and whether it was escalated — one grouped pass over
    the plan's ledger rows instead of two correlated lookups per board row."""
    current = and_(board.c.id == chases.c.task_id, board.c.due == chases.c.due)
    escalation = ChaseKind.ESCALATION.value
    rows = (
        select(
            chases.c.task_id,
            func.min(case((chases.c.kind == REMINDER, chases.c.step))),
            func.max(case((chases.c.kind == escalation, 1), else_=0)),
        )
        .select_from(chases.join(board, current))
        .where(and_(chases.c.plan == code, chases.c.kind.in_([REMINDER, escalation])))
        .group_by(chases.c.task_id)
    )
    session.execute(insert(_ledger).from_select(["task_id", "floor", "escalated"], rows))


def _rewrite(session: Session) -> None:
    """The rows of ``_next`` that differ from the index replace them."""
    differs = and_(
        _next.c.task_id == due.c.task_id,
        or_(
            _next.c.kind != due.c.kind,
            _next.c.step != due.c.step,
            _next.c.fire_at != due.c.fire_at,
        ),
    )
    session.execute(
        update(due)
        .where(differs)
        .values(
            kind=_next.c.kind,
            step=_next.c.step,
            fire_on=_next.c.fire_on,
            fire_at=_next.c.fire_at,
            working_days=_next.c.working_days,
            recipient_role=_next.c.recipient_role,
        )
    )
