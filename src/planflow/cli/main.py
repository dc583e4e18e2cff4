"""``planflow``: validate and load plans, watch the board, act on tasks.

Exit codes: 0 done; 2 bad input (a malformed workflow file, a bad option); 3 the task's state does
not allow the command; 4 no such task; 5 someone else changed the task first.

Each module registers its commands on the shared Typer app; importing them here, in the order
``--help`` lists them, is all this module does.
"""

from __future__ import annotations

# isort: off
# The order ``--help`` lists the commands in: plans first.
from planflow.cli import (
    plans,
    facts,
    ingest,
    board,
    tasks,
    scheduling,
    summary,
    notifying,
    audit,
    web,
)
from planflow.cli import database
from planflow.cli.common import app

# isort: on

__all__ = [
    "app",
    "audit",
    "board",
    "database",
    "facts",
    "ingest",
    "main",
    "notifying",
    "plans",
    "scheduling",
    "summary",
    "tasks",
    "web",
]


def main() -> None:
    app()
