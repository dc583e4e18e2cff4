"""The board pages' indexes (queries/pages.py, pagecounts.py): a covering index for the pass that
counts a plan's tasks by role, period, agency, deadline and status and for ordering a list's page,
and one for the distinct duties of a plan or of some agencies in a period; on the task-event index,
one by event type and time for the inboxes and the unread count in every page's header.

Revision ID: 0005
"""

from __future__ import annotations

from alembic import op

from planflow.migrations.helpers import has_index

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {  # on planflow_board
    "ix_planflow_board_pages": [
        "plan",
        "cancelled",
        "role",
        "period",
        "agency",
        "due",
        "completed_at",
        "review_pending_since",
        "state",
        "open_difficulties",
        "duty",
        "id",
    ],
    "ix_planflow_board_duties": ["plan", "cancelled", "role", "duty", "period", "agency"],
}


EVENT_INDEX = "ix_planflow_task_events_type_time"


def upgrade() -> None:
    for name, columns in INDEXES.items():
        if not has_index("planflow_board", name):
            op.create_index(name, "planflow_board", columns)
    if not has_index("planflow_task_events", EVENT_INDEX):
        op.create_index(EVENT_INDEX, "planflow_task_events", ["event_type", "timestamp"])


def downgrade() -> None:
    op.drop_index(EVENT_INDEX, table_name="planflow_task_events")
    for name in INDEXES:
        op.drop_index(name, table_name="planflow_board")
