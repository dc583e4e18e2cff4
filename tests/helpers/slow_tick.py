"""A ``planflow`` process whose ticks are slow and observable, for the kill-mid-tick tests.

    python tests/helpers/slow_tick.py DELAY [QUICK] -- PLANFLOW-ARGS...

Runs the real command line (``planflow PLANFLOW-ARGS...``) with one addition, made here in the
test process only: while ``PlanflowApp.record_due`` records a task, just before its transaction
commits, the process prints ``tick-hook: <task id>`` on stderr and sleeps DELAY seconds (the first
QUICK tasks, default 0, do not sleep). A test can then kill the process while a task's transaction
is open. Production code has no seam for this: the hook wraps the application's method and
listens for SQLAlchemy's commit event.
"""

from __future__ import annotations

import functools
import sys
import time
from contextvars import ContextVar
from typing import Any
from uuid import UUID

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from planflow.application.app import PlanflowApp

recording: ContextVar[UUID | None] = ContextVar("recording", default=None)


def install(delay: float, quick: int = 0) -> None:
    """Make every task's commit in ``record_due`` announce itself and wait ``delay`` seconds (all
    but the first ``quick`` ones)."""
    original = PlanflowApp.record_due
    announced = 0

    @functools.wraps(original)
    def record_due(self: PlanflowApp, ref: UUID, *args: Any, **kwargs: Any) -> Any:
        token = recording.set(ref)
        try:
            return original(self, ref, *args, **kwargs)
        finally:
            recording.reset(token)

    def before_commit(connection: Connection) -> None:
        nonlocal announced
        task = recording.get()
        if task is None:
            return
        sys.stderr.write(f"tick-hook: {task}\n")
        sys.stderr.flush()
        announced += 1
        if announced > quick:
            time.sleep(delay)

    PlanflowApp.record_due = record_due  # type: ignore[method-assign]
    event.listen(Engine, "commit", before_commit)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    own, planflow_args = argv[:split], argv[split + 1 :]
    install(float(own[0]), int(own[1]) if len(own) > 1 else 0)
    from planflow.cli.main import app

    app(args=planflow_args, prog_name="planflow")


if __name__ == "__main__":
    main(sys.argv[1:])
