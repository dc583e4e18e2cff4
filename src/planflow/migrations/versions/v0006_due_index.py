"""The due index holds each open task's next step only: one row per task, keyed by the task,
instead of one row per step still to record. Its rows are converted in SQL: of each task's rows,
the one a tick takes first is kept — the earliest ``fire_at``, then a handover before an overdue
mark before a reminder before an escalation, then the lower step (what ``readmodels.due_rows_of`` computes now). No rebuild is
needed. The downgrade restores the older table with these rows; ``planflow rebuild`` then gives
back the later steps (the older code also writes them as each task is saved).

Revision ID: 0006
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "planflow_due"
OLD = "planflow_due_v5"
INDEX = "ix_planflow_due_fire_at"
COLUMNS = "task_id, kind, step, plan, agency, due, fire_on, fire_at, working_days, recipient_role"
# How a tick orders a task's steps at the same moment (chasing.pending; the handover first).
_RANK = (
    "CASE {t}.kind WHEN 'handover' THEN -1 WHEN 'overdue' THEN 0 WHEN 'reminder' THEN 1 ELSE 2 END"
)
_FIRST = f"""
INSERT INTO {TABLE} ({COLUMNS})
SELECT {COLUMNS} FROM {OLD} AS d
WHERE NOT EXISTS (
    SELECT 1 FROM {OLD} AS o
    WHERE o.task_id = d.task_id
      AND (o.fire_at < d.fire_at
           OR (o.fire_at = d.fire_at
               AND ({_RANK.format(t="o")} < {_RANK.format(t="d")}
                    OR ({_RANK.format(t="o")} = {_RANK.format(t="d")} AND o.step < d.step))))
)
"""


def _columns(keyed: tuple[str, ...]) -> list[sa.Column]:  # type: ignore[type-arg]
    types: dict[str, sa.types.TypeEngine[Any]] = {
        "task_id": sa.String(36),
        "kind": sa.String(16),
        "step": sa.Integer(),
        "plan": sa.String(64),
        "agency": sa.String(64),
        "due": sa.Date(),
        "fire_on": sa.Date(),
        "fire_at": sa.DateTime(),
        "working_days": sa.Integer(),
        "recipient_role": sa.String(64),
    }
    return [
        sa.Column(name, kind, primary_key=name in keyed, nullable=False)
        for name, kind in types.items()
    ]


def _set_aside() -> None:
    """The current table renamed out of the way, with its index dropped and, on PostgreSQL, its
    primary key's name freed for the new table."""
    op.drop_index(INDEX, table_name=TABLE)
    op.rename_table(TABLE, OLD)
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        name = sa.inspect(bind).get_pk_constraint(OLD).get("name")
        if name:
            op.execute(f'ALTER TABLE {OLD} RENAME CONSTRAINT "{name}" TO {OLD}_pkey')


def upgrade() -> None:
    _set_aside()
    op.create_table(TABLE, *_columns(("task_id",)))
    op.execute(_FIRST)
    op.create_index(INDEX, TABLE, ["fire_at"])
    op.drop_table(OLD)


def downgrade() -> None:
    _set_aside()
    op.create_table(TABLE, *_columns(("task_id", "kind", "step")))
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}")
    op.create_index(INDEX, TABLE, ["fire_at"])
    op.drop_table(OLD)
