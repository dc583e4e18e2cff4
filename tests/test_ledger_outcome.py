"""The ledger judges how a task ended with the same rule as the board."""

from __future__ import annotations

from datetime import datetime

from planflow.application.app import PlanflowApp
from planflow.application.queries import ledger
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan


def vn(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=LOCAL_TZ)


def test_a_reminded_head_whose_report_awaits_review_is_not_counted_overdue(
    app: PlanflowApp, mini_plan: LoadedPlan
) -> None:
    app.load_plan(mini_plan, actor="loader", at=vn(2, 15))
    ref = task_id("mini-2022", "D2", "so-a", "2022-Q1")  # due Wed 16 Mar 2022
    fired = Ticker(app).tick(vn(3, 15, 8)).fired  # one working day before: a reminder
    assert any(f.task_id == str(ref) and f.kind == "reminder" for f in fired)
    app.submit_report(ref, actor="so-a", at=vn(3, 15, 10), document="bao-cao.pdf")

    heads = ledger(app.engine, vn(3, 18), agency="so-a")
    outcomes = {e.outcome for h in heads for e in h.entries if e.task_id == str(ref)}
    assert outcomes == {"open_in_time"}

    app.return_report(ref, actor="vp", at=vn(3, 18, 10), reason="thiếu số liệu")
    heads = ledger(app.engine, vn(3, 18, 11), agency="so-a")
    outcomes = {e.outcome for h in heads for e in h.entries if e.task_id == str(ref)}
    assert outcomes == {"open_overdue"}
