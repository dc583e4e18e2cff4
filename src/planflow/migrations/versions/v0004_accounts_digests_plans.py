"""The tables of accounts in the browser (details, sign-ins, changes), the daily inbox digests and
plans in the browser (drafts, kept documents, loads).

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from planflow.migrations.helpers import has_table

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "planflow_account_changes",
    "planflow_account_details",
    "planflow_digest_prefs",
    "planflow_digests",
    "planflow_plan_documents",
    "planflow_plan_drafts",
    "planflow_plan_loads",
    "planflow_signins",
)


def upgrade() -> None:
    if not has_table("planflow_account_changes"):
        op.create_table(
            "planflow_account_changes",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("actor", sa.String(64), nullable=False),
            sa.Column("username", sa.String(64), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
        )
        op.create_index(
            "planflow_account_changes_at_idx", "planflow_account_changes", ["at"], unique=False
        )
    if not has_table("planflow_account_details"):
        op.create_table(
            "planflow_account_details",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("full_name", sa.Text(), nullable=False),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("must_change_password", sa.Boolean(), nullable=False),
        )
    if not has_table("planflow_digest_prefs"):
        op.create_table(
            "planflow_digest_prefs",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("enabled", sa.Boolean(), nullable=False),
            sa.Column("changed_at", sa.DateTime(), nullable=False),
        )
    if not has_table("planflow_digests"):
        op.create_table(
            "planflow_digests",
            sa.Column("username", sa.String(64), primary_key=True),
            sa.Column("day", sa.Date(), primary_key=True),
            sa.Column("holder", sa.String(128), nullable=False),
            sa.Column("claimed_at", sa.DateTime(), nullable=False),
            sa.Column("sent_at", sa.DateTime(), nullable=True),
            sa.Column("items", sa.Integer(), nullable=False),
        )
    if not has_table("planflow_plan_documents"):
        op.create_table(
            "planflow_plan_documents",
            sa.Column("sha256", sa.String(64), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("data", sa.LargeBinary(), nullable=False),
            sa.Column("uploaded_by", sa.String(100), nullable=False),
            sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        )
    if not has_table("planflow_plan_drafts"):
        op.create_table(
            "planflow_plan_drafts",
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("origin", sa.String(16), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("plan", sa.String(64), nullable=False),
            sa.Column("source_name", sa.String(200), nullable=False),
            sa.Column("document_sha256", sa.String(64), nullable=True),
            sa.Column("source_text", sa.Text(), nullable=False),
            sa.Column("yaml_text", sa.Text(), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            sa.Column("notes", sa.JSON(), nullable=False),
            sa.Column("created_by", sa.String(100), nullable=False),
            sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_by", sa.String(100), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False),
        )
    if not has_table("planflow_plan_loads"):
        op.create_table(
            "planflow_plan_loads",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("plan", sa.String(64), nullable=False),
            sa.Column("loaded_by", sa.String(100), nullable=False),
            sa.Column("loaded_at", sa.DateTime(), nullable=False),
            sa.Column("workflow_sha256", sa.String(64), nullable=False),
            sa.Column("source", sa.Text(), nullable=False),
            sa.Column("draft", sa.String(36), nullable=True),
            sa.Column("document_sha256", sa.String(64), nullable=True),
            sa.Column("document_name", sa.String(200), nullable=True),
            sa.Column("counts", sa.JSON(), nullable=False),
        )
        op.create_index(
            "ix_planflow_plan_loads_plan", "planflow_plan_loads", ["plan"], unique=False
        )
    if not has_table("planflow_signins"):
        op.create_table(
            "planflow_signins",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("username", sa.String(64), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("address", sa.String(64), nullable=False),
        )
        op.create_index("planflow_signins_at_idx", "planflow_signins", ["at"], unique=False)
        op.create_index("planflow_signins_user_idx", "planflow_signins", ["username"], unique=False)


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
