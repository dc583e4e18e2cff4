"""Every read of the read models, in one place: entry points (web, scheduler, CLI, delivery) call
these functions with the application's Engine and get plain dataclasses back, never SQL.

- ``tasks``: the board's tasks now or as of a past time, a task's version at a time, task ids;
- ``board``: counts per agency and status (aggregated by the database for the current board);
- ``catalog``: plans, agencies and duties from the stored Plan documents;
- ``due``: the tasks with a step due (the scheduler's range scan of the due index);
- ``inbox``: each account's inbox and its read marks;
- ``responsibility``: the responsibility ledger (``ledger``), per head.
"""

from planflow.application.queries.board import AgencyRow, counts_by_agency, per_agency
from planflow.application.queries.catalog import (
    AgencyInfo,
    PlanInfo,
    agencies,
    agencies_of,
    agency_codes,
    duty_titles,
    get_plan,
    list_plans,
    plan_codes,
)
from planflow.application.queries.due import DueTask, due_tasks
from planflow.application.queries.inbox import (
    AGENCY_EVENTS,
    OFFICE_EVENTS,
    Audience,
    InboxItem,
    inbox,
    inbox_count,
    mark_read,
    unread_count,
)
from planflow.application.queries.responsibility import HeadLedger, LedgerEntry, ledger
from planflow.application.queries.tasks import (
    BoardFilter,
    TaskView,
    list_tasks,
    resolve_task,
    task_parties,
    version_at,
)

__all__ = [
    "AGENCY_EVENTS",
    "OFFICE_EVENTS",
    "AgencyInfo",
    "AgencyRow",
    "Audience",
    "BoardFilter",
    "DueTask",
    "HeadLedger",
    "InboxItem",
    "LedgerEntry",
    "PlanInfo",
    "TaskView",
    "agencies",
    "agencies_of",
    "agency_codes",
    "counts_by_agency",
    "due_tasks",
    "duty_titles",
    "get_plan",
    "inbox",
    "inbox_count",
    "ledger",
    "list_plans",
    "list_tasks",
    "mark_read",
    "per_agency",
    "plan_codes",
    "resolve_task",
    "task_parties",
    "unread_count",
    "version_at",
]
