"""The auditor's page's order as an index on the board: deadline, plan, duty, agency, period, id,
the strings by code point (``COLLATE "C"`` on PostgreSQL; SQLite's default collation already
is), so that the first page of ``/audit`` walks 100 entries instead of sorting every task.

Revision ID: 0007
"""

from __future__ import annotations

from alembic import op

from planflow.migrations.helpers import has_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLE = "planflow_board"
INDEX = "ix_planflow_board_audit_order"


def _columns(dialect: str) -> str:
    collate = ' COLLATE "C"' if dialect == "postgresql" else ""
    texts = ", ".join(f"{name}{collate}" for name in ("plan", "duty", "agency", "period"))
    return f"due, {texts}, id"


def upgrade() -> None:
    if not has_index(TABLE, INDEX):
        dialect = op.get_bind().dialect.name
        op.execute(f"CREATE INDEX {INDEX} ON {TABLE} ({_columns(dialect)})")


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
