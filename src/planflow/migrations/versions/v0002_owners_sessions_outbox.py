"""Lead and cooperating agencies, report recipients and personal responsibility on the board and
the ledger; server-side sessions; delivery leases and records; inbox read marks; the agency
register.

The new board and ledger columns get the values a task had before they existed (lead agency, the
Office reviews, no personal responsibility); ``planflow rebuild`` recomputes them from the events
when the plan says otherwise.

Revision ID: 0002
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from planflow.migrations.helpers import has_column, has_index, has_table

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BOARD_COLUMNS: list[tuple[str, Any, Any]] = [
    ("role", sa.String(16), sa.text("'lead'")),
    ("recipient", sa.String(64), sa.text("''")),
    ("personal_responsibility", sa.Boolean, sa.false()),
]
CHASE_COLUMNS: list[tuple[str, Any, Any]] = [
    ("personal_responsibility", sa.Boolean, sa.false()),
    ("responsible_title", sa.Text, sa.text("''")),
    ("responsible_name", sa.Text, sa.text("''")),
]


def _add_columns(table: str, columns: list[tuple[str, Any, Any]]) -> None:
    missing = [c for c in columns if not has_column(table, c[0])]
    if not missing:
        return
    with op.batch_alter_table(table) as batch:
        for name, kind, default in missing:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=default))


def upgrade() -> None:
    _add_columns("planflow_board", BOARD_COLUMNS)
    _add_columns("planflow_chases", CHASE_COLUMNS)
    if not has_table("planflow_sessions"):
        op.create_table(
            "planflow_sessions",
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("username", sa.String(64), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.Column("expires_at", sa.DateTime, nullable=False),
            sa.Column("revoked_at", sa.DateTime, nullable=True),
        )
    if not has_index("planflow_sessions", "planflow_sessions_user_idx"):
        op.create_index("planflow_sessions_user_idx", "planflow_sessions", ["username"])
    if not has_index("planflow_sessions", "planflow_sessions_expiry_idx"):
        op.create_index("planflow_sessions_expiry_idx", "planflow_sessions", ["expires_at"])
    if not has_table("planflow_outbox_leases"):
        op.create_table(
            "planflow_outbox_leases",
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("holder", sa.String(128), nullable=True),
            sa.Column("expires_at", sa.DateTime, nullable=True),
        )
    if not has_table("planflow_outbox_deliveries"):
        op.create_table(
            "planflow_outbox_deliveries",
            sa.Column("channel", sa.String(64), primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("event_id", sa.String(36), nullable=False),
            sa.Column("key", sa.String(128), nullable=False),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("holder", sa.String(128), nullable=False),
            sa.Column("delivered_at", sa.DateTime, nullable=False),
        )
    if not has_table("planflow_inbox_reads"):
        op.create_table(
            "planflow_inbox_reads",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("task_id", sa.String(36), primary_key=True),
            sa.Column("version", sa.Integer, primary_key=True),
            sa.Column("read_at", sa.DateTime, nullable=False),
        )
    if not has_table("planflow_agencies"):
        op.create_table(
            "planflow_agencies",
            sa.Column("register", sa.String(100), primary_key=True),
            sa.Column("code", sa.String(64), primary_key=True),
            sa.Column("name_vi", sa.Text, nullable=False),
            sa.Column("name_en", sa.Text, nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("head_title_vi", sa.Text, nullable=False),
            sa.Column("head_name", sa.Text, nullable=False),
            sa.Column("valid_from", sa.Date, nullable=True),
            sa.Column("valid_until", sa.Date, nullable=True),
            sa.Column("successor", sa.String(64), nullable=False),
            sa.Column("aliases", sa.Text, nullable=False),
        )


def downgrade() -> None:
    for table in (
        "planflow_agencies",
        "planflow_inbox_reads",
        "planflow_outbox_deliveries",
        "planflow_outbox_leases",
        "planflow_sessions",
    ):
        op.drop_table(table)
    with op.batch_alter_table("planflow_chases") as batch:
        for name, _, _ in CHASE_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("planflow_board") as batch:
        for name, _, _ in BOARD_COLUMNS:
            batch.drop_column(name)
