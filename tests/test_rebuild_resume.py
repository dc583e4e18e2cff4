"""`planflow rebuild` commits as it goes and an interrupted rebuild resumes from its position."""

from __future__ import annotations

from pathlib import Path

import pytest

from planflow.application import rebuild as rebuilding
from planflow.application.app import PlanflowApp
from planflow.application.rebuild import interrupted_at
from planflow.application.tables import board
from test_cli import Run, count_rows, kg, run  # noqa: F401  (fixtures)
from test_readmodels import dump, dump_all


class Interrupted(Exception):
    """Stands for a crash, Ctrl-C or a lost connection in the middle of a rebuild."""


def interrupt_after(events: int) -> rebuilding.Progress:
    def progress(done: int) -> None:
        if done >= events:
            raise Interrupted

    return progress


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    # 516 events in commits of 100, so an interruption falls between commits.
    monkeypatch.setattr(rebuilding, "PAGE", 50)
    monkeypatch.setattr(rebuilding, "PAGES_PER_COMMIT", 2)


@pytest.mark.usefixtures("small_pages")
def test_an_interrupted_rebuild_resumes_from_its_position_and_ends_as_a_full_one(
    kg_any_app: PlanflowApp,
) -> None:
    app = kg_any_app
    before = dump_all(app)
    due_before = dump(app, rebuilding.due)
    with pytest.raises(Interrupted):
        app.rebuild_read_models(interrupt_after(300))
    # The pages committed before the interruption stay, with their position.
    assert interrupted_at(app.engine) == 300
    assert app.rebuild_state() == (516, 300)
    assert 0 < len(dump(app, board)) < len(before["planflow_board"])
    assert dump(app, rebuilding.due) == []  # the due index is written last

    seen: list[int] = []
    assert app.rebuild_read_models(seen.append, resume=True) == 516
    assert seen[0] == 300  # the first 300 events were replayed, not written again
    assert seen[1:] == [400, 500, 516]
    assert interrupted_at(app.engine) is None
    assert dump_all(app) == before
    assert dump(app, rebuilding.due) == due_before


@pytest.mark.usefixtures("small_pages")
def test_a_rebuild_without_resume_starts_over_and_resume_with_nothing_interrupted_is_a_full_one(
    kg_app: PlanflowApp,
) -> None:
    before = dump_all(kg_app)
    with pytest.raises(Interrupted):
        kg_app.rebuild_read_models(interrupt_after(200))
    seen: list[int] = []
    assert kg_app.rebuild_read_models(seen.append) == 516
    assert seen[0] == 0
    assert dump_all(kg_app) == before
    assert kg_app.rebuild_read_models(resume=True) == 516
    assert dump_all(kg_app) == before


@pytest.mark.usefixtures("small_pages")
def test_the_rebuild_command_says_an_earlier_one_stopped_and_resumes_it(
    run: Run,  # noqa: F811  (test_cli's fixture)
    kg: Path,  # noqa: F811
) -> None:
    application = PlanflowApp(f"sqlite:///{kg}")
    try:
        with pytest.raises(Interrupted):
            application.rebuild_read_models(interrupt_after(100))
    finally:
        application.close()
    partial = count_rows(kg, "planflow_task_events")
    assert 0 < partial < 515
    result = run("rebuild", "--resume")
    assert result.returncode == 0, result.stderr
    assert "516" in result.stdout
    assert "starting over" not in result.stdout
    assert count_rows(kg, "planflow_task_events") == 515

    application = PlanflowApp(f"sqlite:///{kg}")
    try:
        with pytest.raises(Interrupted):
            application.rebuild_read_models(interrupt_after(100))
    finally:
        application.close()
    result = run("rebuild")
    assert result.returncode == 0, result.stderr
    assert "stopped at event 100; starting over" in result.stdout
    assert count_rows(kg, "planflow_task_events") == 515
