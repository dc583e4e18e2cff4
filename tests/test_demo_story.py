"""``planflow serve --demo`` tells a story: the plan assigned at its real start, the days up to the
demo clock played (reminders, reports, a returned report, a chase-up, overdue tasks), and the same
board as the README's run command (load at 15/02/2022, then serve --demo)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from typer.testing import CliRunner

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.tables import task_events
from planflow.cli.main import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
CLOCK = datetime(2022, 3, 20, 1, 0, tzinfo=UTC)  # 20/03/2022 08:00 in Vietnam


@pytest.fixture
def no_listening(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def fake_run(web: Any, **options: Any) -> None:
        return None

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PLANFLOW_UPLOAD_DIR", str(tmp_path / "uploads"))


def _serve_demo(db: Path) -> str:
    result = runner.invoke(app, ["--db", str(db), "serve", "--demo", "--tick-interval", "3600"])
    assert result.exit_code == 0, result.output
    return result.output


def _board(db: Path) -> dict[tuple[str, str, str], tuple[str, str]]:
    application = PlanflowApp(f"sqlite:///{db}")
    try:
        views = list_tasks(application.engine, CLOCK, BoardFilter(), as_of=False)
        return {(v.duty, v.agency, v.period): (v.status.value, v.state) for v in views}
    finally:
        application.close()


def _events(db: Path) -> list[tuple[str, str, datetime]]:
    application = PlanflowApp(f"sqlite:///{db}")
    try:
        with application.engine.connect() as connection:
            rows = connection.execute(
                select(task_events.c.task_id, task_events.c.event_type, task_events.c.timestamp)
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]
    finally:
        application.close()


def test_serve_demo_assigns_the_plan_at_its_start_and_plays_the_days_up_to_its_clock(
    tmp_path: Path, no_listening: None
) -> None:
    db = tmp_path / "demo.db"
    output = _serve_demo(db)
    assert "clock starts at 20/03/2022 08:0" in output  # the README's clock, by default
    events = _events(db)
    assigned = {at.replace(tzinfo=None) for _, kind, at in events if kind == "Assigned"}
    assert assigned == {datetime(2022, 2, 15, 1, 0)}  # 15/02/2022 08:00 in Vietnam
    kinds = Counter(kind for _, kind, _ in events)
    for kind in ("ReminderSent", "ReportSubmitted", "ReportAccepted", "ReportReturned"):
        assert kinds[kind] > 0, (kind, kinds)
    for kind in ("ChaseUpSent", "DifficultyRaised", "DifficultyAnswered", "MarkedOverdue"):
        assert kinds[kind] > 0, (kind, kinds)
    assert max(at for _, _, at in events).replace(tzinfo=UTC) <= CLOCK
    board = _board(db)
    statuses = Counter(status for status, _ in board.values())
    assert set(statuses) == {"done_on_time", "done_late", "open_in_time", "open_overdue"}
    assert board[("IV.1.a.2", "so-tu-phap", "2022-Q1")][1] == "returned"  # the officer's to-do
    # The past has something to show: on 01/03/2022 every task already stood, in time.
    application = PlanflowApp(f"sqlite:///{db}")
    try:
        past = list_tasks(
            application.engine, datetime(2022, 3, 1, 3, tzinfo=UTC), BoardFilter(), as_of=True
        )
    finally:
        application.close()
    assert len(past) == len(board) == 515
    # A second start changes nothing.
    before = len(events)
    _serve_demo(db)
    assert len(_events(db)) == before


def test_the_readme_run_command_and_serve_demo_alone_show_the_same_board(
    tmp_path: Path, no_listening: None
) -> None:
    alone = tmp_path / "alone.db"
    _serve_demo(alone)
    readme = tmp_path / "readme.db"
    workflow = str(ROOT / "workflows" / "kien-giang-2022.yaml")
    loaded = runner.invoke(app, ["--db", str(readme), "load", workflow, "--at", "2022-02-15"])
    assert loaded.exit_code == 0, loaded.output
    _serve_demo(readme)
    assert _board(readme) == _board(alone)


def test_the_readme_runs_the_demo_as_this_test_does() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    run_it = readme.split("## Run it", 1)[1].split("##", 1)[0]
    command = run_it.split("```sh", 1)[1].split("```", 1)[0].strip()
    assert command == "pip install -e . && planflow serve --demo"
    assert "20/03/2022 08:00" in run_it and "--at 2022-02-15" in run_it
