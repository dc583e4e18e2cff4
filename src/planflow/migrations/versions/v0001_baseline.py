"""Baseline: the read-model tables of the first release (board, task-event index, plans, due
index, ledger, accounts, outbox positions).

Revision ID: 0001
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from planflow.migrations.helpers import has_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _state_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("planned_due", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("report_state", sa.String(16), nullable=False),
        sa.Column("completed_at", sa.DateTime, nullable=True),
        sa.Column("review_pending_since", sa.DateTime, nullable=True),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("open_difficulties", sa.Integer, nullable=False),
        sa.Column("activities", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    if not has_table("planflow_board"):
        op.create_table(
            "planflow_board",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("plan", sa.String(64), nullable=False),
            sa.Column("duty", sa.String(64), nullable=False),
            sa.Column("period", sa.String(16), nullable=False),
            sa.Column("original_agency", sa.String(64), nullable=False),
            sa.Column("completion", sa.String(16), nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            *_state_columns(),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        )
        op.create_index(
            "ix_planflow_board_plan_agency_period", "planflow_board", ["plan", "agency", "period"]
        )
        op.create_index("ix_planflow_board_due", "planflow_board", ["due"])
    if not has_table("planflow_task_events"):
        op.create_table(
            "planflow_task_events",
            sa.Column("task_id", sa.String(36), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column("timestamp", sa.DateTime, nullable=False),
            sa.Column("event_type", sa.String(32), nullable=False),
            sa.Column("actor", sa.String(128), nullable=False),
            *_state_columns(),
        )
        op.create_index(
            "ix_planflow_task_events_task_time", "planflow_task_events", ["task_id", "timestamp"]
        )
        op.create_index("ix_planflow_task_events_time", "planflow_task_events", ["timestamp"])
    if not has_table("planflow_plans"):
        op.create_table(
            "planflow_plans",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("code", sa.String(64), nullable=False, unique=True),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("title_vi", sa.Text, nullable=False),
            sa.Column("document", sa.JSON, nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        )
    if not has_table("planflow_due"):
        op.create_table(
            "planflow_due",
            sa.Column("task_id", sa.String(36), primary_key=True),
            sa.Column("kind", sa.String(16), primary_key=True),
            sa.Column("step", sa.Integer, primary_key=True),
            sa.Column("plan", sa.String(64), nullable=False),
            sa.Column("agency", sa.String(64), nullable=False),
            sa.Column("due", sa.Date, nullable=False),
            sa.Column("fire_on", sa.Date, nullable=False),
            sa.Column("fire_at", sa.DateTime, nullable=False),
            sa.Column("working_days", sa.Integer, nullable=False),
            sa.Column("recipient_role", sa.String(64), nullable=False),
        )
        op.create_index("ix_planflow_due_fire_at", "planflow_due", ["fire_at"])
    if not has_table("planflow_chases"):
        op.create_table(
            "planflow_chases",
            sa.Column("task_id", sa.String(36), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column("timestamp", sa.DateTime, nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("step", sa.Integer, nullable=False),
            sa.Column("working_days", sa.Integer, nullable=False),
            sa.Column("due", sa.Date, nullable=False),
            sa.Column("plan", sa.String(64), nullable=False),
            sa.Column("duty", sa.String(64), nullable=False),
            sa.Column("period", sa.String(16), nullable=False),
            sa.Column("task_agency", sa.String(64), nullable=False),
            sa.Column("recipient_role", sa.String(64), nullable=False),
            sa.Column("recipient_agency", sa.String(64), nullable=False),
            sa.Column("recipient_title", sa.Text, nullable=False),
            sa.Column("recipient_name", sa.Text, nullable=False),
        )
        op.create_index(
            "ix_planflow_chases_recipient",
            "planflow_chases",
            ["recipient_agency", "recipient_title"],
        )
    if not has_table("planflow_users"):
        op.create_table(
            "planflow_users",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("password_hash", sa.String(255), nullable=False),
            sa.Column("role", sa.String(32), nullable=False),
            sa.Column("agency", sa.String(64), nullable=True),
            sa.Column("active", sa.Boolean, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
        )
    if not has_table("planflow_outbox"):
        op.create_table(
            "planflow_outbox",
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("next_attempt_at", sa.DateTime, nullable=True),
            sa.Column("last_error", sa.Text, nullable=True),
            sa.Column("delivered", sa.Integer, nullable=False),
        )


def downgrade() -> None:
    for table in (
        "planflow_outbox",
        "planflow_users",
        "planflow_chases",
        "planflow_due",
        "planflow_plans",
        "planflow_task_events",
        "planflow_board",
    ):
        op.drop_table(table)
