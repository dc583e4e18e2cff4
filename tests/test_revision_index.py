"""A revision that only changes reminder days rewrites the due index from its own rows (board,
due index, ledger) and leaves it exactly as a replay of every task would."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from conftest import MINI
from planflow.application import revision_index
from planflow.application.app import PlanflowApp
from planflow.application.bulk import ROOMY_CACHE_KIB
from planflow.application.tables import due
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import load_workflow

PLAN = "mini-2022"


def vn(month: int, day: int, hour: int = 8) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=LOCAL_TZ)


def due_index(app: PlanflowApp) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        rows = connection.execute(select(due).order_by(due.c.task_id, due.c.kind, due.c.step))
        return [tuple(row) for row in rows]


def written(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    text = MINI.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def no_replay(*_: object, **__: object) -> None:
    raise AssertionError("the revision replayed the plan's open tasks")


def test_a_revision_of_reminder_days_leaves_the_due_index_a_replay_would_compute(
    any_app: PlanflowApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = any_app
    app.load_plan(load_workflow(MINI), actor="loader", at=vn(2, 15))
    ticker = Ticker(app)
    # D2 Q1 is due Wed 16 Mar: reminders 7, 3 and 1 working days before, then overdue and the
    # ladder; one agency's report awaits review, the other's D1 is done.
    app.submit_report(
        task_id(PLAN, "D2", "so-b", "2022-Q1"), actor="so-b", at=vn(3, 10, 9), document="bc.pdf"
    )
    app.execute_activity(task_id(PLAN, "D1", "so-a", "2022"), actor="so-a", at=vn(3, 10, 9))
    for day in (7, 11, 15, 17, 22, 29):
        ticker.tick(vn(3, day))
    before = due_index(app)
    monkeypatch.setattr(PlanflowApp, "_reindex_plan", no_replay)

    widened = written(
        tmp_path,
        "widened.yaml",
        ("escalation:\n", "escalation:\n  reminders_working_days_before: [10, 5, 2]\n"),
    )
    result = app.load_plan(load_workflow(widened), actor="loader", at=vn(3, 29, 9))
    assert result.plan_recorded and not result.assigned and not result.extended
    after = due_index(app)
    assert after != before
    assert {r[2] for r in after if r[1] == "reminder"} <= {10, 5, 2}

    per_duty = written(
        tmp_path,
        "per-duty.yaml",
        ("escalation:\n", "escalation:\n  reminders_working_days_before: [10, 5, 2]\n"),
        (
            "    done_when: activity\n",
            "    done_when: activity\n    reminders_working_days_before: [4]\n",
        ),
    )
    app.load_plan(load_workflow(per_duty), actor="loader", at=vn(3, 29, 10))
    revised = due_index(app)
    assert revised != after

    monkeypatch.undo()
    app.rebuild_read_models()
    assert due_index(app) == revised


def test_a_revision_that_changes_more_than_reminders_still_recomputes_every_open_task(
    app: PlanflowApp, tmp_path: Path
) -> None:
    app.load_plan(load_workflow(MINI), actor="loader", at=vn(2, 15))
    # D2 Q1 is due Wed 16 Mar: on Thu 17 it is marked overdue and escalated to level 1, and its
    # next step is level 2, 3 working days after the deadline (Mon 21), then 5 (Wed 23).
    Ticker(app).tick(vn(3, 17))
    lead = str(task_id(PLAN, "D2", "so-a", "2022-Q1"))

    def next_step() -> tuple[Any, ...]:
        [row] = [r for r in due_index(app) if r[0] == lead]
        return row[1], row[2], row[6].isoformat()

    assert next_step() == ("escalation", 2, "2022-03-21")
    later_ladder = written(
        tmp_path,
        "ladder.yaml",
        ("working_days_after_due: 3}", "working_days_after_due: 5}"),
    )
    app.load_plan(load_workflow(later_ladder), actor="loader", at=vn(3, 17, 9))
    revised = due_index(app)
    assert next_step() == ("escalation", 2, "2022-03-23")
    app.rebuild_read_models()
    assert due_index(app) == revised


def test_on_sqlite_the_rewrite_runs_with_a_large_page_cache_and_gives_the_default_back(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = PlanflowApp(sqlite_url)

    def cache_size() -> int:
        with app.engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA cache_size").scalar() or 0)

    app.load_plan(load_workflow(MINI), actor="loader", at=vn(2, 15))
    default = cache_size()
    seen: list[int] = []
    next_steps = revision_index._next_steps

    def watched(session: Session, code: str, handovers: bool) -> int:
        seen.append(int(session.execute(text("PRAGMA cache_size")).scalar() or 0))
        return next_steps(session, code, handovers)

    monkeypatch.setattr(revision_index, "_next_steps", watched)
    widened = written(
        tmp_path,
        "widened.yaml",
        ("escalation:\n", "escalation:\n  reminders_working_days_before: [10, 5, 2]\n"),
    )
    app.load_plan(load_workflow(widened), actor="loader", at=vn(2, 16))
    assert seen == [-ROOMY_CACHE_KIB]
    assert cache_size() == default != seen[0]
    app.close()


def test_a_task_whose_next_step_is_its_handover_is_replayed_and_can_get_a_reminder_first(
    any_app: PlanflowApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = any_app
    head = "    head: {title_vi: Giám đốc Sở B}\n"
    ending = (head, f"{head}    valid_until: 2022-03-16\n")  # Sở B ends on the deadline
    fewer = ("escalation:\n", "escalation:\n  reminders_working_days_before: [7, 3]\n")
    first = written(tmp_path, "first.yaml", ending, fewer)
    app.load_plan(load_workflow(first), actor="loader", at=vn(2, 15))
    ticker = Ticker(app)
    for day in (7, 11):  # its reminders 7 and 3 working days before Wed 16 Mar
        ticker.tick(vn(3, day))
    d2 = str(task_id(PLAN, "D2", "so-b", "2022-Q1"))

    def row_of(task: str) -> tuple[Any, ...]:
        [row] = [r for r in due_index(app) if r[0] == task]
        return row[1], row[2], row[6].isoformat()

    # Its handover and its overdue mark both fall due on Thu 17: the handover comes first, and
    # the row does not tell whether the task was marked overdue.
    assert row_of(d2) == ("handover", 0, "2022-03-17")
    monkeypatch.setattr(PlanflowApp, "_reindex_plan", no_replay)
    again = written(tmp_path, "again.yaml", ending)  # reminders 7, 3 and 1
    app.load_plan(load_workflow(again), actor="loader", at=vn(3, 11, 9))
    assert row_of(d2) == ("reminder", 1, "2022-03-15")  # now before the handover
    revised = due_index(app)
    monkeypatch.undo()
    app.rebuild_read_models()
    assert due_index(app) == revised
