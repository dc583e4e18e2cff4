"""Read models, written in the same transaction as the events that cause them.

- ``planflow_board``: one row per task, its state after its latest event (the status board).
- ``planflow_task_events``: one row per task event — its timestamp, type and actor, and the task's
  state right after it. This is the index that shows any task, or the whole board, as it stood at a
  past time.
- ``planflow_plans``: the workflow file in force for each plan.
- ``planflow_due``: the due index — one row per open task with something still to record: its
  next reminder, overdue mark or escalation step, or its ``handover`` when its agency ends first
  (from the start of the day after the agency's last day), with the moment it falls due
  (``fire_at``). A scheduler tick reads only the rows whose moment has come, records what the
  domain says is due (``chasing.due_now``), and the save puts the task's next step in the row
  (docs/scheduler.md).
- ``planflow_chases``: one row per reminder, escalation and manual chase-up recorded, naming the
  official it named (the responsibility ledger).

Rows are computed from aggregate state (``summarize``), never by re-implementing the events, so the
read models cannot drift from the domain. ``rebuild`` replays every event to recreate them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import psycopg
from sqlalchemy import (
    Column,
    Connection,
    Table,
    bindparam,
    delete,
    insert,
    update,
)
from sqlalchemy.orm import Session

from planflow.adapters.connections import connection_of
from planflow.application.bulk import BULK_FROM, insert_rows
from planflow.application.tables import board, chases, due, plans, task_events, to_db
from planflow.domain import chase
from planflow.domain.chasing import DueItem, PlanRules, handover_on, pending, start_of
from planflow.domain.plan import Plan
from planflow.domain.task import ReportState, Task
from planflow.prepared import Prepared, driver_of, execute_rows, on_driver, pipelined

RulesFor = Callable[[str], PlanRules | None]


def lifecycle(task: Task) -> str:
    """One word for where the task is in its life (the status words are computed at read time)."""
    if task.cancelled:
        return "cancelled"
    if task.report_state is ReportState.ACCEPTED:
        return "accepted"
    if task.is_done:
        return "executed"
    if task.report_state is ReportState.SUBMITTED:
        return "submitted"
    if task.report_state is ReportState.RETURNED:
        return "returned"
    return "assigned"


def summarize(task: Task) -> dict[str, Any]:
    return {
        "agency": task.agency,
        "due": task.due,
        "planned_due": task.planned_due,
        "state": lifecycle(task),
        "report_state": task.report_state.value,
        "completed_at": to_db(task.completed_at),
        "review_pending_since": to_db(task.review_pending_since),
        "cancelled": task.cancelled,
        "open_difficulties": task.difficulties.open_count,
        "activities": task.activities,
    }


HANDOVER = "handover"  # the due index's kind for an open task whose agency ends (a merger)


def due_rows(task: Task, rules: PlanRules | None) -> list[dict[str, Any]]:
    """The task's row in the due index (none or one): its next step still to record, and from
    when."""
    return due_rows_of([task], lambda _: rules)


def _step_row(task: Task, item: DueItem) -> dict[str, Any]:
    return {
        "kind": item.key.kind.value,
        "step": item.key.step,
        "plan": task.plan,
        "due": item.key.due,
        "fire_on": item.fire_on,
        "fire_at": to_db(item.fire_at),
        "working_days": item.working_days,
        "recipient_role": item.recipient_role,
    }


def _handover_row(task: Task, since: date) -> dict[str, Any]:
    return {
        "kind": HANDOVER,
        "step": 0,
        "plan": task.plan,
        "due": task.due,
        "fire_on": since,
        "fire_at": to_db(start_of(since)),
        "working_days": 0,
        "recipient_role": "",
    }


def due_rows_of(
    tasks: Iterable[Task], rules_of: Callable[[str], PlanRules | None]
) -> list[dict[str, Any]]:
    """The due-index row of every task that has a step still to record, in order: the earliest
    of its pending steps (``chasing.pending``, which sorts them as a tick takes them) and its
    handover, the handover first at the same moment. The tick records what is due and the save
    re-projects the task, so the step after it then takes the row. A load gives many tasks the
    same duty and deadline (one a receiving agency): their next step is computed once and shared."""
    return _due_rows_keyed(((str(task.id), task) for task in tasks), rules_of)


def _due_rows_keyed(
    tasks: Iterable[tuple[str, Task]], rules_of: Callable[[str], PlanRules | None]
) -> list[dict[str, Any]]:
    """``due_rows_of`` over (id text, task) pairs: the Projector has each id's text already."""
    rows: list[dict[str, Any]] = []
    shared: dict[tuple[Any, ...], dict[str, Any] | None] = {}
    chosen: dict[tuple[Any, ...], dict[str, Any] | None] = {}
    plan: str | None = None
    rules: PlanRules | None = None
    for key, task in tasks:
        if task.plan != plan:  # a load's tasks are all of one plan: its rules looked up once
            plan, rules = task.plan, rules_of(task.plan)
        if rules is None:
            continue
        since = handover_on(task, rules)
        steps_key = _steps_key(task)
        chosen_key = (steps_key, since)  # the row chosen depends on nothing else (plan, due)
        if chosen_key in chosen:
            step = chosen[chosen_key]
        else:
            if steps_key in shared:
                step = shared[steps_key]
            else:
                items = pending(task, rules)
                step = shared[steps_key] = _step_row(task, items[0]) if items else None
            if since is not None:
                handover = _handover_row(task, since)
                if step is None or handover["fire_at"] <= step["fire_at"]:
                    step = handover
            chosen[chosen_key] = step
        if step is not None:
            rows.append({**step, "task_id": key, "agency": task.agency})
    return rows


ChaseEvent = Task.ReminderSent | Task.Escalated | Task.ChaseUpSent
_CHASE_EVENTS = (
    Task.ReminderSent,
    Task.Escalated,
    Task.ChaseUpSent,
)  # isinstance: a tuple is faster
CHASE_UP = chase.CHASE_UP  # the ledger's kind for a manual chase-up (ChaseUpSent)


def chase_row(event: ChaseEvent, task: Task) -> dict[str, Any]:
    """A ledger row. A chase-up is no ladder step: its step and working days are 0."""
    if isinstance(event, Task.ReminderSent):
        kind, step, days = "reminder", event.working_days_before, event.working_days_before
    elif isinstance(event, Task.Escalated):
        kind, step, days = "escalation", event.level, event.working_days_after_due
    else:
        kind, step, days = CHASE_UP, 0, 0
    responsible = (
        (event.recipient_title, event.recipient_name)
        if event.recipient_agency == task.agency
        else (getattr(event, "responsible_title", ""), getattr(event, "responsible_name", ""))
    )
    personal = task.personal_responsibility
    return {
        "task_id": str(task.id),
        "version": event.originator_version,
        "timestamp": to_db(event.timestamp),
        "kind": kind,
        "step": step,
        "working_days": days,
        "due": event.due,
        "plan": task.plan,
        "duty": task.duty,
        "period": task.period,
        "task_agency": task.agency,
        "recipient_role": event.recipient_role,
        "recipient_agency": event.recipient_agency,
        "recipient_title": event.recipient_title,
        "recipient_name": event.recipient_name,
        "personal_responsibility": personal,
        "responsible_title": responsible[0] if personal else "",
        "responsible_name": responsible[1] if personal else "",
    }


class Projector:
    """Turns task and plan events into read-model rows (live and during a rebuild).

    With ``rules`` (a plan code → its chasing rules), each task touched also gets its due-index
    rows recomputed from its state at flush time.
    """

    def __init__(self, rules: RulesFor | None = None) -> None:
        self._board: dict[str, dict[str, Any]] = {}
        self._history: list[dict[str, Any]] = []
        self._plans: dict[str, dict[str, Any]] = {}
        self._chases: list[dict[str, Any]] = []
        self._rules = rules
        self._due_tasks: dict[str, Task] = {}
        self._new: set[str] = set()
        self._moment: datetime | None = None  # the last event's time, and ``to_db`` of it
        self._stamp: datetime | None = None

    def task_event(self, event: Task.Event, task: Task, before: Task | None = None) -> None:
        """``task`` is the state right after ``event``; ``before``, if known, the state right
        before it: when the two agree on everything the due index is computed from, the task's
        due-index rows are left as they are (a difficulty, a report, an activity)."""
        key = str(task.id)
        version = event.originator_version
        if version == 1 and key not in self._board:
            self._new.add(key)  # its board row is inserted; any other is updated
        state = summarize(task)
        moment = event.timestamp
        if moment is self._moment:  # a load's events share one timestamp: converted once
            stamp = self._stamp
        else:
            stamp = self._stamp = to_db(moment)
            self._moment = moment
        history: dict[str, Any] = {
            "task_id": key,
            "version": version,
            "timestamp": stamp,
            "event_type": type(event).__name__,
            "actor": event.actor,
        }
        history.update(state)
        self._history.append(history)
        row: dict[str, Any] = {
            "id": key,
            "plan": task.plan,
            "duty": task.duty,
            "period": task.period,
            "original_agency": task.original_agency,
            "completion": task.completion.value,
            "title": task.title,
            "role": task.role,
            "recipient": task.recipient,
            "personal_responsibility": task.personal_responsibility,
        }
        row.update(state)
        modified = task.modified_on  # the event's own time when ``task`` is the state after it
        row["version"] = task.version
        row["updated_at"] = stamp if modified == moment else to_db(modified)
        self._board[key] = row
        if isinstance(event, _CHASE_EVENTS):
            self._chases.append(chase_row(event, task))
        if self._rules is not None and (
            key in self._due_tasks or before is None or due_key(before) != due_key(task)
        ):
            self._due_tasks[key] = task

    def reindex(self, task: Task) -> None:
        """Recompute the task's due-index rows at flush (after a plan's rules changed)."""
        self._due_tasks[str(task.id)] = task

    def plan_event(self, plan: Plan) -> None:
        self._plans[str(plan.id)] = {
            "id": str(plan.id),
            "code": plan.code,
            "sha256": plan.sha256,
            "source": plan.source,
            "title_vi": str(plan.document.get("plan", {}).get("title_vi", "")),
            "document": plan.document,
            "version": plan.version,
            "updated_at": to_db(plan.modified_on),
        }

    def flush(self, session: Session) -> None:
        """Write the rows gathered: a new task's board row by an insert, any other by an update,
        the history and ledger rows by one insert each, the due-index rows of the tasks whose due
        state changed (statements built once per process, so SQLAlchemy only looks up their
        compiled form), on the session's connection (Core, without the ORM's execute layer)."""
        connection = connection_of(session)
        driver = driver_of(connection)
        if isinstance(driver, psycopg.Connection) and self._few():
            self._flush_pipelined(connection, driver)
        else:
            _write_board(connection, self._board, self._new)
            _replace(connection, plans, plans.c.id, list(self._plans.values()))
            if self._history:
                _insert(connection, task_events, self._history)
            if self._chases:
                _insert(connection, chases, self._chases)
            if self._due_tasks and self._rules is not None:
                rules = self._rules
                keys = list(self._due_tasks)
                for chunk in _chunks(keys, 500):
                    connection.execute(_DELETE_DUE, {"ids": list(chunk)})
                rows = _due_rows_keyed(self._due_tasks.items(), rules)
                if rows:
                    insert_rows(connection, due, rows)
        self._board.clear()
        self._history.clear()
        self._plans.clear()
        self._chases.clear()
        self._due_tasks.clear()
        self._new.clear()

    def _few(self) -> bool:
        """A command's rows (no plan, fewer than a bulk insert's): written pipelined on psycopg."""
        return not self._plans and all(
            len(rows) < BULK_FROM
            for rows in (self._board, self._history, self._chases, self._due_tasks)
        )

    def _flush_pipelined(self, connection: Connection, driver: psycopg.Connection[Any]) -> None:
        """``flush``'s writes for a command on psycopg: the due-index rows computed first (their
        rules may be read), then the statements sent together (pipeline mode, one round trip)
        in ``flush``'s order, each compiled once (planflow/prepared.py). A board row that was not
        there after all is replaced once the updates' counts are back."""
        due_rows: list[dict[str, Any]] = []
        if self._due_tasks and self._rules is not None:
            due_rows = _due_rows_keyed(self._due_tasks.items(), self._rules)
        added = [row for key, row in self._board.items() if key in self._new]
        changed = [row for key, row in self._board.items() if key not in self._new]
        with pipelined(driver):
            if added:
                execute_rows(connection, _INSERT["planflow_board"], added)
            updates = [
                _prepared_on(connection, _UPDATE_BOARD, _board_values(row)).execute(
                    driver, _board_values(row), reuse=False
                )
                for row in changed
            ]
            if self._history:
                execute_rows(connection, _INSERT[task_events.name], self._history)
            if self._chases:
                execute_rows(connection, _INSERT[chases.name], self._chases)
            if self._due_tasks and self._rules is not None:
                execute_rows(
                    connection, _DELETE_DUE_ONE, [{"due_task": k} for k in self._due_tasks]
                )
                if due_rows:
                    execute_rows(connection, _INSERT_DUE, due_rows)
        missing = [
            row for row, cursor in zip(changed, updates, strict=True) if cursor.rowcount != 1
        ]
        if missing:
            _replace(connection, board, board.c.id, missing)


def _board_values(row: dict[str, Any]) -> dict[str, Any]:
    return {"board_id": row["id"], **{k: v for k, v in row.items() if k != "id"}}


def _prepared_on(connection: Connection, statement: Any, row: dict[str, Any]) -> Prepared:
    driven = on_driver(connection, statement, list(row))
    assert driven is not None
    return driven[1]


def due_key(task: Task) -> tuple[Any, ...]:
    """Everything a task's due-index rows are computed from (``due_rows``: ``pending`` and
    ``handover_on``), besides the plan's rules."""
    return (task.agency, *_steps_key(task))


def _steps_key(task: Task) -> tuple[Any, ...]:
    """What a task's pending steps depend on besides its rules (tasks alike in these share them
    whatever their agency: ``due_rows_of``)."""
    return (
        task.plan,
        task.due,
        task.duty,
        task.role,
        task.cancelled,
        task.is_done,
        task.report_state,
        task.marked_overdue_for,
        frozenset(task.chased),
    )


_UPDATE_BOARD = update(board).where(board.c.id == bindparam("board_id"))
_DELETE_DUE = delete(due).where(due.c.task_id.in_(bindparam("ids", expanding=True)))
_DELETE_DUE_ONE = delete(due).where(due.c.task_id == bindparam("due_task"))
_INSERT_DUE = insert(due)


def _write_board(session: Connection, rows: dict[str, dict[str, Any]], new: set[str]) -> None:
    """Insert the new tasks' rows, update the others' (a row that is not there after all, as
    in a store whose board was emptied by hand, is replaced instead)."""
    added = [row for key, row in rows.items() if key in new]
    if added:
        insert_rows(session, board, added)
    changed = [row for key, row in rows.items() if key not in new]
    if not changed:
        return
    values = [_board_values(row) for row in changed]
    if execute_rows(session, _UPDATE_BOARD, values) != len(changed):
        _replace(session, board, board.c.id, changed)


_INSERT = {table.name: insert(table) for table in (board, task_events, chases)}


def _insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A command's few rows through ``execute_rows`` (on SQLite, the driver); many through
    ``insert_rows``."""
    if len(rows) < BULK_FROM:
        execute_rows(connection, _INSERT[table.name], rows)
    else:
        insert_rows(connection, table, rows)


def _replace(
    session: Connection, table: Table, key: Column[Any], rows: Sequence[dict[str, Any]]
) -> None:
    if not rows:
        return
    ids = [row[key.name] for row in rows]
    for chunk in _chunks(ids, 500):
        session.execute(delete(table).where(key.in_(chunk)))
    session.execute(insert(table), list(rows))


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
