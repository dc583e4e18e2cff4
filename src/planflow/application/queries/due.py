"""The due index (planflow_due): which tasks have a reminder, overdue mark or escalation step due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Engine, select

from planflow.application.tables import board, due, to_db

CHUNK = 500  # task ids per IN (...) list


@dataclass(frozen=True)
class DueTask:
    id: UUID
    plan: str
    duty: str
    agency: str
    period: str


def due_tasks(engine: Engine, now: datetime, limit: int | None = None) -> list[DueTask]:
    """Tasks with a step due at ``now``, the longest-waiting first.

    One range scan of the ``fire_at`` index, which holds one row per task (its next step).
    """
    rows = (
        select(due.c.task_id)
        .where(due.c.fire_at <= to_db(now))
        .order_by(due.c.fire_at, due.c.task_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        ordered = list(connection.execute(rows).scalars())
        info: dict[str, DueTask] = {}
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            query = select(board.c.id, board.c.plan, board.c.duty, board.c.agency, board.c.period)
            for r in connection.execute(query.where(board.c.id.in_(chunk))):
                info[r.id] = DueTask(UUID(r.id), r.plan, r.duty, r.agency, r.period)
    return [info[t] for t in ordered if t in info]
