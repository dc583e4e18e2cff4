"""A plan's duties for the board's duty filter (``pages.duties``), walked on the board's duty index
once, then kept per process until a task of the plan is created or cancelled.

The duties of a plan's tasks of one role that are not cancelled change only when such a task is
created (a plan load or revision, a duty counted from a recorded event) or cancelled: a task's
plan, duty and role are fixed when it is assigned, and a reassignment changes only its agency.
So the walk's result is kept with two numbers read cheaply: the plan's tasks of that role that
are not cancelled (from the request's tally, which the page reads anyway) and those cancelled (a
count on the index's ``cancelled`` entries, a handful). A creation raises the first number; a
cancellation raises the second and no step lowers it, so a key once left behind never comes back
and a kept list is never served after its duties changed."""

from __future__ import annotations

import threading
import weakref

from sqlalchemy import Connection, Engine, and_, false, func, select, true

from planflow.application.tables import board

Key = tuple[int, int]  # (tasks not cancelled, tasks cancelled)

_KEPT: weakref.WeakKeyDictionary[Engine, dict[tuple[str, str], tuple[Key, list[str]]]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()


def walk(connection: Connection, plan: str, role: str) -> list[str]:
    """The distinct duties, one seek per duty on ``ix_planflow_board_duties`` (the next duty
    after the last one found, a recursive query) instead of reading every task's entry."""
    c = board.c
    mine = and_(c.plan == plan, c.cancelled == false(), c.role == role)
    found = select(func.min(c.duty).label("duty")).where(mine).cte("duties", recursive=True)
    after = select(func.min(c.duty)).where(mine, c.duty > found.c.duty).scalar_subquery()
    found = found.union_all(select(after.label("duty")).where(found.c.duty.is_not(None)))
    query = select(found.c.duty).where(found.c.duty.is_not(None))
    return sorted(str(d) for d in connection.execute(query).scalars())


def duties(connection: Connection, plan: str, role: str, live: int) -> list[str]:
    """The duties of ``plan``'s tasks of ``role`` that are not cancelled, given how many such
    tasks there are (``live``, as the request's tally counted them)."""
    c = board.c
    cancelled = select(func.count()).where(c.plan == plan, c.cancelled == true(), c.role == role)
    key = (live, int(connection.execute(cancelled).scalar_one()))
    engine = connection.engine
    with _LOCK:
        kept = _KEPT.get(engine, {}).get((plan, role))
    if kept is not None and kept[0] == key:
        return list(kept[1])
    found = walk(connection, plan, role)
    with _LOCK:
        _KEPT.setdefault(engine, {})[(plan, role)] = (key, found)
    return list(found)
