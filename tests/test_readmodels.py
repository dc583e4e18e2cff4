"""Read models: rebuilt exactly from the events, and the board and tasks as they stood then."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, select

from conftest import MINI, utc
from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks, version_at
from planflow.application.tables import board, chases, due, metadata, plans, task_events
from planflow.domain.status import TaskStatus
from planflow.domain.task import ReportState, Task, task_id
from planflow.workflow.loader import LoadedPlan, load_workflow

PLAN = "mini-2022"
A_REPORT = task_id(PLAN, "D2", "so-a", "2022-Q1")
B_REPORT = task_id(PLAN, "D2", "so-b", "2022-Q1")
A_ACTIVITY = task_id(PLAN, "D1", "so-a", "2022")
B_ACTIVITY = task_id(PLAN, "D1", "so-b", "2022")
B_Q4 = task_id(PLAN, "D2", "so-b", "2022-Q4")

EVERY_TASK_EVENT = {
    "Assigned",
    "ActivityExecuted",
    "ReportSubmitted",
    "ReportAccepted",
    "ReportReturned",
    "DifficultyRaised",
    "DifficultyAnswered",
    "DeadlineExtended",
    "Reassigned",
    "Cancelled",
    "MarkedOverdue",
    "ChaseUpSent",
}


def dump(app: PlanflowApp, table: Table) -> list[tuple[Any, ...]]:
    with app.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(select(table))]
    return sorted(rows, key=repr)


def dump_all(app: PlanflowApp) -> dict[str, list[tuple[Any, ...]]]:
    return {t.name: dump(app, t) for t in (board, task_events, plans, chases)}


def play_scenario(app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path) -> None:
    """Every kind of event, plan and task, on the mini plan."""
    app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    app.execute_activity(A_ACTIVITY, actor="so-a", at=utc(2022, 3, 1), note="xong")
    app.raise_difficulty(A_REPORT, actor="so-a", at=utc(2022, 3, 2), text="thiếu số liệu")
    app.answer_difficulty(A_REPORT, actor="vp", at=utc(2022, 3, 3), number=1, answer="bổ sung")
    app.raise_difficulty(A_REPORT, actor="so-a", at=utc(2022, 3, 4), text="còn mở")
    app.reassign(B_ACTIVITY, actor="vp", at=utc(2022, 3, 5), new_agency="vp", reason="điều chuyển")
    app.cancel(B_Q4, actor="vp", at=utc(2022, 3, 6), reason="không cần")
    app.submit_report(A_REPORT, actor="so-a", at=utc(2022, 3, 10), document="v1")
    app.return_report(A_REPORT, actor="vp", at=utc(2022, 3, 11), reason="thiếu")
    app.submit_report(A_REPORT, actor="so-a", at=utc(2022, 3, 14), document="v2")
    app.chase_up(B_REPORT, actor="vp", at=utc(2022, 3, 16, 2), note="khẩn trương")
    app.mark_overdue(B_REPORT, actor="scheduler", at=utc(2022, 3, 17, 2))
    app.accept_report(A_REPORT, actor="vp", at=utc(2022, 3, 18))
    app.extend_deadline(
        B_REPORT, actor="vp", at=utc(2022, 3, 18), new_due=date(2022, 3, 25), reason="gia hạn"
    )
    # A revision: D1 removed (the open, reassigned one is cancelled), reports due a day later.
    text = MINI.read_text(encoding="utf-8")
    text = text.replace(
        "  - id: D1\n    section: IV.1.a.1\n    title_vi: Xây dựng kế hoạch\n"
        "    assignees: [cac-so]\n    done_when: activity\n    schedule: {due: 2022-03-31}\n",
        "",
    ).replace("submit_working_days_after_cutoff: 2", "submit_working_days_after_cutoff: 3")
    path = tmp_path / "revised.yaml"
    path.write_text(text, encoding="utf-8")
    result = app.load_plan(load_workflow(path), actor="loader", at=utc(2022, 4, 1))
    assert result.cancelled == 1 and result.extended >= 4


def test_the_scenario_has_every_kind_of_event(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    kinds = {row[3] for row in dump(any_app, task_events)}
    assert kinds == EVERY_TASK_EVENT
    plan = any_app.get_plan(PLAN)
    assert plan is not None and plan.revisions == 1
    revised = [e for e in any_app.task_events(B_REPORT) if isinstance(e, Task.DeadlineExtended)]
    assert [e.by_plan_revision for e in revised] == [False]  # the extension beyond the file holds
    q2 = any_app.task_events(task_id(PLAN, "D2", "so-a", "2022-Q2"))[-1]
    assert isinstance(q2, Task.DeadlineExtended) and q2.by_plan_revision


def test_rebuilding_the_read_models_reproduces_them_exactly(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    before = dump_all(any_app)
    assert all(before.values())
    replayed = any_app.rebuild_read_models()
    assert replayed == any_app.recorder.max_notification_id()
    assert dump_all(any_app) == before


def test_commands_that_leave_the_due_index_alone_leave_it_as_a_replay_computes_it(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    # Difficulties, activities and reports skip the task's due rows; the rest rewrite them.
    play_scenario(any_app, mini_plan, tmp_path)
    any_app.raise_difficulty(B_REPORT, actor="so-b", at=utc(2022, 4, 2), text="sau điều chỉnh")
    q2 = task_id(PLAN, "D2", "so-a", "2022-Q2")
    any_app.submit_report(q2, actor="so-a", at=utc(2022, 4, 3), document="q2")  # no more chasing
    written = dump(any_app, due)
    assert written
    any_app.rebuild_read_models()
    assert dump(any_app, due) == written


def test_rebuilding_after_the_read_models_were_lost_restores_them(
    any_app: PlanflowApp, database_url: str, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    before = dump_all(any_app)
    metadata.drop_all(any_app.engine)
    restarted = PlanflowApp(database_url)
    try:
        assert dump_all(restarted) == {
            "planflow_board": [],
            "planflow_task_events": [],
            "planflow_plans": [],
            "planflow_chases": [],
        }
        progress: list[int] = []
        restarted.rebuild_read_models(progress.append)
        assert progress and progress[-1] == restarted.recorder.max_notification_id()
        assert dump_all(restarted) == before
    finally:
        restarted.close()


def test_rebuilding_replaces_rows_that_were_tampered_with(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    before = dump_all(any_app)
    with any_app.engine.begin() as connection:
        connection.execute(board.update().values(state="tampered"))
        connection.execute(task_events.delete().where(task_events.c.version > 1))
    assert dump_all(any_app) != before
    any_app.rebuild_read_models()
    assert dump_all(any_app) == before


def test_the_kien_giang_read_models_rebuild_exactly(kg_any_app: PlanflowApp) -> None:
    before = dump_all(kg_any_app)
    assert kg_any_app.rebuild_read_models() == 516
    assert dump_all(kg_any_app) == before


def counts(app: PlanflowApp, moment: datetime, *, as_of: bool, **filters: Any) -> Counter[str]:
    views = list_tasks(app.engine, moment, BoardFilter(**filters), as_of=as_of)
    return Counter(v.status.value for v in views)


def test_the_as_of_board_shows_the_earlier_state(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    engine = any_app.engine
    assert list_tasks(engine, utc(2022, 2, 14), BoardFilter(), as_of=True) == []
    assert counts(any_app, utc(2022, 2, 16), as_of=True) == {"open_in_time": 10}
    # 12 Mar: so-a's Q1 report was returned; so-b's D1 was reassigned; so-b's Q4 cancelled.
    then = {
        (v.duty, v.agency, v.period): v
        for v in list_tasks(engine, utc(2022, 3, 12), BoardFilter(), as_of=True)
    }
    assert len(then) == 9
    assert then[("D2", "so-a", "2022-Q1")].state == "returned"
    assert then[("D2", "so-a", "2022-Q1")].open_difficulties == 1
    assert ("D1", "vp", "2022") in then and ("D1", "so-b", "2022") not in then
    assert then[("D1", "so-a", "2022")].status is TaskStatus.DONE_ON_TIME
    # The cancelled task shows when asked, as it stood before its cancellation too.
    with_cancelled = list_tasks(
        engine, utc(2022, 3, 5, 12), BoardFilter(include_cancelled=True), as_of=True
    )
    assert len(with_cancelled) == 10
    assert sum(v.cancelled for v in with_cancelled) == 0
    assert len(list_tasks(engine, utc(2022, 3, 5, 12), BoardFilter(), as_of=True)) == 10
    # 17 Mar, 12:00 local: so-b's report is overdue (due 16 Mar, not yet extended).
    b = list_tasks(
        engine,
        datetime(2022, 3, 17, 12, tzinfo=utc(2022, 1, 1).tzinfo),
        BoardFilter(agency="so-b", period="2022-Q1"),
        as_of=True,
    )
    assert [(v.status, v.due) for v in b] == [(TaskStatus.OPEN_OVERDUE, date(2022, 3, 16))]
    # Now: extended to 25 Mar then judged at 20 Mar it is in time again.
    now = list_tasks(
        engine, utc(2022, 3, 20), BoardFilter(agency="so-b", period="2022-Q1"), as_of=False
    )
    assert [(v.status, v.due) for v in now] == [(TaskStatus.OPEN_IN_TIME, date(2022, 3, 25))]


def test_the_current_board_judges_statuses_at_the_moment_asked(
    any_app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    any_app.load_plan(mini_plan, actor="loader", at=utc(2022, 2, 15))
    assert counts(any_app, utc(2022, 3, 1), as_of=False) == {"open_in_time": 10}
    assert counts(any_app, utc(2022, 3, 20), as_of=False) == {
        "open_overdue": 2,
        "open_in_time": 8,
    }
    assert counts(any_app, utc(2022, 3, 20), as_of=False, status=TaskStatus.OPEN_OVERDUE) == {
        "open_overdue": 2
    }
    assert counts(any_app, utc(2022, 3, 20), as_of=False, agency="so-a", duty="D2") == {
        "open_overdue": 1,
        "open_in_time": 3,
    }
    assert counts(any_app, utc(2022, 3, 20), as_of=False, plan="other") == {}


def test_a_task_as_it_stood_at_a_past_time(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    engine = any_app.engine
    assert version_at(engine, A_REPORT, utc(2022, 2, 14)) is None
    assert version_at(engine, A_REPORT, utc(2022, 2, 15)) == 1
    version = version_at(engine, A_REPORT, utc(2022, 3, 12))
    assert version == 6  # assigned, raised, answered, raised, submitted, returned
    then = any_app.get_task(A_REPORT, version=version)
    assert then.report_state is ReportState.RETURNED
    assert [d.answer for d in then.difficulties] == ["bổ sung", None]
    assert not then.is_done
    now = any_app.get_task(A_REPORT)
    assert now.report_state is ReportState.ACCEPTED and now.is_done
    assert now.version > version
    reassigned_then = any_app.get_task(
        B_ACTIVITY, version=version_at(engine, B_ACTIVITY, utc(2022, 3, 4))
    )
    assert reassigned_then.agency == "so-b"
    assert any_app.get_task(B_ACTIVITY).agency == "vp"


@pytest.mark.parametrize("moment", [utc(2022, 3, 10), utc(2022, 3, 10, 0, 0, 1)])
def test_an_event_at_exactly_the_moment_asked_counts(
    any_app: PlanflowApp, mini_plan: LoadedPlan, tmp_path: Path, moment: datetime
) -> None:
    play_scenario(any_app, mini_plan, tmp_path)
    assert version_at(any_app.engine, A_REPORT, moment) == 5
