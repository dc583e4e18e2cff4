"""``planflow status`` on a SQLite store, read straight through the standard library's sqlite3.

A status table is one query and a few milliseconds of text; importing SQLAlchemy, the read models'
declarations and the domain behind them would cost several times the query itself. So on SQLite
(the single-office deployment) the table is read here with hand-written SQL: the same rows, the
same order and the same status judgement as ``queries.status_table`` (the SQL ``CASE`` of
``queries.board.status_case``, which matches ``status.classify``), checked row for row against it
by tests/test_status_table.py. One scan gives every row's status word (the counts) and the first
``limit`` rows (the table). Any other store, or a store without the read models yet, is answered
by ``queries.status_table`` through SQLAlchemy.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from planflow.domain import clock
from planflow.domain.status import TaskStatus

READ_TABLES = frozenset(
    {"planflow_board", "planflow_task_events", "planflow_plans", "planflow_schema_version"}
)
BUSY_TIMEOUT_S = 30  # storage.SQLITE_BUSY_TIMEOUT_MS

# The judgement of ``status.classify`` over a row's state (alias {s}): done
# on time if the local completion date is on or before the due date; a report sent by the
# deadline and awaiting review is open in time; other open tasks are overdue once :today passes.
_STATUS = """CASE
  WHEN {s}.completed_at IS NOT NULL AND date({s}.completed_at, :hours) <= date({s}.due)
    THEN 'done_on_time'
  WHEN {s}.completed_at IS NOT NULL THEN 'done_late'
  WHEN {s}.review_pending_since IS NOT NULL
    AND date({s}.review_pending_since, :hours) <= date({s}.due) THEN 'open_in_time'
  WHEN {s}.due >= :today THEN 'open_in_time'
  ELSE 'open_overdue'
END"""

# Each task as it stood at :cutoff: its last version recorded by then, a lookup on the task's own
# entries of the event index (primary key), joined to that version's state (alias e).
_AS_OF = """SELECT b.id, b.duty, e.agency, b.period, e.due, e.state, {status}
FROM planflow_board AS b
JOIN planflow_task_events AS e ON e.task_id = b.id AND e.version = (
  SELECT max(x.version) FROM planflow_task_events AS x
  WHERE x.task_id = b.id AND x.timestamp <= :cutoff)
WHERE {where}
ORDER BY e.due, b.plan, b.duty, e.agency, b.period"""

# The board as it is now (the state is the board row's own, alias b).
_NOW = """SELECT b.id, b.duty, b.agency, b.period, b.due, b.state, {status}
FROM planflow_board AS b
WHERE {where}
ORDER BY b.due, b.plan, b.duty, b.agency, b.period"""


Line = tuple[str, str, str, str, str, TaskStatus, str]
# One row of the table: (task id, duty, agency, period, due as an ISO date, status, state).


@dataclass(frozen=True)
class StatusLines:
    counts: dict[TaskStatus, int]  # every task the filters match, per status word
    lines: list[Line]  # the first ``limit`` of them

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def connect(url: str) -> sqlite3.Connection | None:
    """A connection to the SQLite store at ``url`` if it has the read models, else None (another
    database, no store yet, a store from before the schema was versioned). Creates nothing."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error:
        return None
    if not names >= READ_TABLES:
        connection.close()
        return None
    return connection


def status_lines(
    connection: sqlite3.Connection,
    moment: datetime,
    *,
    as_of: bool,
    plan: str | None = None,
    status: TaskStatus | None = None,
    include_cancelled: bool = False,
    limit: int | None = None,
) -> StatusLines:
    """The counts and the first ``limit`` rows (all with None) of the board at ``moment``, as
    ``queries.status_table`` gives them for these filters."""
    state = "e" if as_of else "b"
    conditions = ["1 = 1"]
    if plan:
        conditions.append("b.plan = :plan")
    if not include_cancelled:
        conditions.append(f"{state}.cancelled = 0")
    sql = (_AS_OF if as_of else _NOW).format(
        status=_STATUS.format(s=state), where=" AND ".join(conditions)
    )
    offset = moment.astimezone(clock.LOCAL_TZ).utcoffset()
    assert offset is not None
    parameters = {
        "hours": f"{int(offset.total_seconds() // 3600):+d} hours",
        "today": clock.local_date(moment).isoformat(),
        "cutoff": moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
        "plan": plan,
    }
    counts = dict.fromkeys(TaskStatus, 0)
    words = {s.value: s for s in TaskStatus}
    lines: list[Line] = []
    for task, duty, agency, period, due, state, word in connection.execute(sql, parameters):
        judged = words[word]
        if status is not None and judged is not status:
            continue
        counts[judged] += 1
        if limit is None or len(lines) < limit:
            lines.append((task, duty, agency, period, str(due), judged, state))
    return StatusLines(counts, lines)


def plan_codes(connection: sqlite3.Connection) -> list[str]:
    return sorted(str(row[0]) for row in connection.execute("SELECT code FROM planflow_plans"))


def plans_that_may_wait(connection: sqlite3.Connection, plan: str | None) -> list[str]:
    """``queries.status_table.plans_that_may_wait`` on this connection."""
    rows = connection.execute(
        "SELECT code, document FROM planflow_plans WHERE :plan IS NULL OR code = :plan "
        "ORDER BY code",
        {"plan": plan},
    ).fetchall()
    return [str(code) for code, document in rows if may_wait(json.loads(document))]


def may_wait(document: Any) -> bool:
    """A plan can wait for something (facts.waiting) only if its document has a group defined by
    a condition or an event some duty may count from."""
    if not isinstance(document, dict):
        return True  # not a document this check understands: ask the event store
    groups = document.get("groups") or []
    conditional = any(isinstance(g, dict) and g.get("condition_vi") is not None for g in groups)
    return conditional or bool(document.get("events"))
