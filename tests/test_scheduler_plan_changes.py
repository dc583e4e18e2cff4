"""The plan's rules and calendar, as recorded, drive the due index, even when files change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.application.tables import due
from planflow.domain.task import task_id
from planflow.workflow.loader import load_workflow

D2_SO_A = task_id("mini-2022", "D2", "so-a", "2022-Q1")  # due Wed 16 Mar 2022


def reminder_days(app: PlanflowApp) -> dict[int, date]:
    with app.engine.connect() as connection:
        rows = connection.execute(
            select(due.c.step, due.c.fire_on).where(
                due.c.task_id == str(D2_SO_A), due.c.kind == "reminder"
            )
        )
        return {row.step: row.fire_on for row in rows}


def test_the_calendar_recorded_at_load_is_used_after_the_overrides_file_is_gone(
    app: PlanflowApp, tmp_path: Path
) -> None:
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text(
        "days_off:\n  - {date: 2022-03-14, reason: Nghỉ bù (thử nghiệm)}\n", encoding="utf-8"
    )
    text = MINI.read_text(encoding="utf-8") + "calendar:\n  overrides: overrides.yaml\n"
    plan = tmp_path / "mini.yaml"
    plan.write_text(text, encoding="utf-8")
    app.load_plan(load_workflow(plan), actor="loader", at=utc(2022, 2, 15))
    overrides.unlink()
    # The task's next step is its first reminder, 7 working days before Wed 16 Mar: with Mon 14
    # off, Fri 4 Mar (Mon 7 without the day off).
    assert reminder_days(app) == {7: date(2022, 3, 4)}
    app.rebuild_read_models()
    assert reminder_days(app) == {7: date(2022, 3, 4)}


def test_a_revised_plan_recomputes_the_due_index_of_its_open_tasks(
    app: PlanflowApp, tmp_path: Path
) -> None:
    app.load_plan(load_workflow(MINI), actor="loader", at=utc(2022, 2, 15))
    assert reminder_days(app) == {7: date(2022, 3, 7)}  # the next step: the first reminder
    revised = tmp_path / "mini.yaml"
    revised.write_text(
        MINI.read_text(encoding="utf-8").replace(
            "escalation:\n", "escalation:\n  reminders_working_days_before: [2]\n"
        ),
        encoding="utf-8",
    )
    result = app.load_plan(load_workflow(revised), actor="loader", at=utc(2022, 2, 16))
    assert result.plan_recorded and result.assigned == 0
    assert reminder_days(app) == {2: date(2022, 3, 14)}
