"""The consolidated report's figures, on SQLite and PostgreSQL: the small test plan's first quarter
played by hand, every figure known in advance and the statuses equal to the board's."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.summary import build_summary, covers, months, summary_period
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.errors import InvalidArgument
from planflow.domain.periods import Period
from planflow.domain.task import task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import LoadedPlan

PLAN = "mini-2022"


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)


def ref(duty: str, agency: str, period: str) -> UUID:
    return UUID(str(task_id(PLAN, duty, agency, period)))


def test_every_figure_of_a_hand_played_quarter(any_app: PlanflowApp, mini_plan: LoadedPlan) -> None:
    """Sở A: its Q1 report sent on the due day (16 Mar), returned, sent again on 28 Mar and
    accepted: late by 8 working days; its set-up duty extended from 31 Mar to 8 Apr and done on
    5 Apr: on time; a difficulty raised, not answered. Sở B does nothing; a scheduler tick on
    20 Apr records the whole ladder for both of its tasks (head, Office director, signer)."""
    app = any_app
    app.load_plan(mini_plan, actor="loader", at=local(date(2022, 2, 20), 8))
    report, setup = ref("D2", "so-a", "2022-Q1"), ref("D1", "so-a", "2022")
    app.submit_report(report, actor="so-a", at=local(date(2022, 3, 16), 9), document="v1")
    app.return_report(report, actor="vp", at=local(date(2022, 3, 16), 15), reason="thiếu")
    app.raise_difficulty(setup, actor="so-a", at=local(date(2022, 3, 25), 9), text="Thiếu kinh phí")
    app.submit_report(report, actor="so-a", at=local(date(2022, 3, 28), 9), document="v2")
    app.accept_report(report, actor="vp", at=local(date(2022, 3, 29), 9))
    app.extend_deadline(
        setup, actor="vp", at=local(date(2022, 3, 30), 9), new_due=date(2022, 4, 8), reason="x"
    )
    app.execute_activity(setup, actor="so-a", at=local(date(2022, 4, 5), 9))
    Ticker(app).tick(local(date(2022, 4, 20), 7))

    moment = local(date(2022, 4, 20), 18)
    figures = build_summary(app, PLAN, summary_period("2022-Q1"), moment)
    rows = {a.agency: a for a in figures.agencies}
    assert list(rows) == ["so-a", "so-b"]
    a, b = rows["so-a"], rows["so-b"]
    assert a.counts == {"done_on_time": 1, "done_late": 1, "open_in_time": 0, "open_overdue": 0}
    assert (a.late_tasks, a.late_working_days, a.max_late_working_days) == (1, 8, 8)
    assert (a.reports, a.reports_accepted, a.reports_returned, a.reports_awaited) == (1, 1, 1, 0)
    assert (a.difficulties_raised, a.difficulties_answered, a.extensions, a.escalations) == (
        1,
        0,
        1,
        0,
    )
    assert b.counts["open_overdue"] == 2 and (b.reports_awaited, b.escalations) == (1, 6)
    assert sorted((h.title, h.escalations, len(h.tasks)) for h in figures.heads) == [
        ("Chánh Văn phòng", 2, 2),
        ("Giám đốc Sở B", 2, 2),
        ("Phó Chủ tịch Ủy ban nhân dân tỉnh", 2, 2),
    ]
    assert [m.agency for m in figures.missing] == ["so-b"]
    assert [(d.text, d.answer) for d in figures.difficulties] == [("Thiếu kinh phí", None)]
    assert figures.trend.periods == ["2022-Q1"] and figures.trend.rates["so-a"] == [0.5]

    # The statuses are the board's, as of the same moment.
    board = list_tasks(app.engine, moment, BoardFilter(plan=PLAN), as_of=True)
    covered = [v for v in board if v.period == "2022-Q1" or v.duty == "D1"]  # D1: due 31 Mar
    for agency, row in rows.items():
        assert row.counts == {
            **dict.fromkeys(row.counts, 0),
            **Counter(v.status.value for v in covered if v.agency == agency),
        }
    # And as it stood before the tick and the late report: nothing escalated, one report returned.
    earlier = build_summary(app, PLAN, summary_period("2022-Q1"), local(date(2022, 3, 20), 12))
    early = {x.agency: x for x in earlier.agencies}
    assert early["so-a"].reports_returned == 1 and early["so-a"].reports_awaited == 1
    assert earlier.totals.escalations == 0 and earlier.totals.extensions == 0


def test_periods_in_the_issues_forms_map_to_the_reporting_periods() -> None:
    assert summary_period("2022").code == "2022-Y"
    assert summary_period("2022-9M").code == "2022-9M"
    assert months(Period.parse("2022-Q2")) == (date(2022, 4, 1), date(2022, 6, 30))
    assert months(Period.parse("2022-9M")) == (date(2022, 1, 1), date(2022, 9, 30))
    half = Period.parse("2022-H1")
    assert covers(half, "2022-Q2", date(2022, 6, 16)) and covers(half, "2022-H1", date(2022, 6, 16))
    assert not covers(half, "2022-Q3", date(2022, 9, 16))
    assert covers(half, "2022", date(2022, 6, 30)) and not covers(half, "2022", date(2022, 7, 1))
    with pytest.raises(InvalidArgument) as refused:
        summary_period("2022-Q5")
    assert "Kỳ báo cáo không hợp lệ" in refused.value.vi
