"""The scheduler's heartbeat: each node's last tick (/readyz, /metrics).

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planflow.migrations.helpers import has_table

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if not has_table("planflow_ticks"):
        op.create_table(
            "planflow_ticks",
            sa.Column("node", sa.String(128), primary_key=True),
            sa.Column("at", sa.DateTime, nullable=False),
            sa.Column("finished_at", sa.DateTime, nullable=False),
            sa.Column("duration_seconds", sa.Float, nullable=False),
            sa.Column("tasks_due", sa.Integer, nullable=False),
            sa.Column("fired", sa.Integer, nullable=False),
            sa.Column("errors", sa.Integer, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("planflow_ticks")
