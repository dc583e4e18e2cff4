"""Mergers without gaps: a revised file ends agencies on 30 Jun 2022, some named directly by a
duty (the Office, also named by the ladder), some through a group; one has no successor.

Loaded before or after the end date and ticked across it, on SQLite and PostgreSQL, no task stays
open with a body that has ended, no step names the head of one, and history keeps the old names.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from conftest import FIXTURES
from planflow.application.app import DISSOLVED, MERGED, PLAN_REVISED, PlanflowApp
from planflow.application.tables import board, chases, task_events, to_db
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import task_id
from planflow.scheduler.tick import Ticker
from planflow.workflow.loader import load_workflow

BEFORE = FIXTURES / "merger-before.yaml"
AFTER = FIXTURES / "merger-after.yaml"
PLAN = "mini-2022"
ENDED = {"vp", "so-a", "so-b"}  # their last day: 30 Jun 2022
FIRST_DAY_AFTER = datetime(2022, 7, 1, tzinfo=LOCAL_TZ)

A_Q1 = task_id(PLAN, "D2", "so-a", "2022-Q1")  # done before the end: stays with Sở A
A_Q2 = task_id(PLAN, "D2", "so-a", "2022-Q2")  # due 16 Jun, open on 1 Jul: to Sở C (a group)
A_Q3 = task_id(PLAN, "D2", "so-a", "2022-Q3")  # due after the end: to Sở C
B_Q2 = task_id(PLAN, "D2", "so-b", "2022-Q2")  # Sở B has no successor
B_Q3 = task_id(PLAN, "D2", "so-b", "2022-Q3")
VP_Q2 = task_id(PLAN, "D3", "vp", "2022-Q2")  # named directly; its report awaits review on 1 Jul
VP_Q3 = task_id(PLAN, "D3", "vp", "2022-Q3")  # named directly, due after the end


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=LOCAL_TZ)


def run_year(app: PlanflowApp, revised_on: date, check: list[datetime]) -> None:
    """Load the plan in February, tick every morning from March to October, load the revised
    file on ``revised_on`` (before that morning's tick) and check the board at each ``check``."""
    app.load_plan(load_workflow(BEFORE), actor="loader", at=morning(date(2022, 2, 15)))
    app.submit_report(A_Q1, actor="so-a", at=morning(date(2022, 3, 10)), document="q1.pdf")
    app.accept_report(A_Q1, actor="vp", at=morning(date(2022, 3, 11)))
    ticker = Ticker(app)
    day = date(2022, 3, 1)
    while day <= date(2022, 10, 31):
        if day == revised_on:
            result = app.load_plan(load_workflow(AFTER), actor="loader", at=morning(day))
            assert result.changed
            check.append(morning(day))
        if day == date(2022, 6, 27):
            app.submit_report(VP_Q2, actor="vp", at=morning(day), document="vp-q2.pdf")
        ticker.tick(morning(day))
        day += timedelta(days=1)


def open_with_ended_body(app: PlanflowApp) -> list[tuple[str, str, str]]:
    query = select(board.c.duty, board.c.agency, board.c.period).where(
        board.c.cancelled.is_(False), board.c.completed_at.is_(None), board.c.agency.in_(ENDED)
    )
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(query)]


def steps_since(app: PlanflowApp, moment: datetime) -> list[tuple[str, str, str]]:
    """(kind, task agency, agency whose head is named) of every chase recorded from ``moment``."""
    query = select(chases.c.kind, chases.c.task_agency, chases.c.recipient_agency).where(
        chases.c.timestamp >= to_db(moment)
    )
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(query)]


def history(app: PlanflowApp, ref: object) -> list[tuple[str, str]]:
    query = (
        select(task_events.c.event_type, task_events.c.agency)
        .where(task_events.c.task_id == str(ref))
        .order_by(task_events.c.version)
    )
    with app.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(query)]


@pytest.mark.parametrize(
    "revised_on",
    [date(2022, 6, 1), date(2022, 8, 15)],
    ids=["revised-before-the-end", "revised-after-the-end"],
)
def test_a_merger_leaves_no_open_task_with_an_ended_body_and_names_no_ended_head(
    any_app: PlanflowApp, revised_on: date
) -> None:
    app = any_app
    checks: list[datetime] = []
    run_year(app, revised_on, checks)
    assert open_with_ended_body(app) == []

    # From the day after the end (or from the late revision), no step names an ended body's head
    # nor is recorded on a task still with one …
    since = max(FIRST_DAY_AFTER, checks[0])
    after = steps_since(app, since)
    assert after, "the scheduler recorded steps after the end"
    assert [s for s in after if s[1] in ENDED or s[2] in ENDED] == []
    # … while the new Office's head takes the ladder's level 2 (the file names `vp` there) and
    # Sở C's head the reminders of the tasks it took over.
    assert ("escalation", "so-c", "vp-moi") in after
    assert ("reminder", "so-c", "so-c") in after
    # Before the end the old bodies were chased as usual: the test can see them.
    before = steps_since(app, datetime(2022, 3, 1, tzinfo=LOCAL_TZ))
    assert ("escalation", "so-b", "vp") in before

    # Done before the end: stays with Sở A.
    a_q1 = app.get_task(A_Q1)
    assert (a_q1.agency, a_q1.is_done) == ("so-a", True)
    # Open over the end (reached through the group): passes to Sở C, its history under Sở A.
    a_q2 = app.get_task(A_Q2)
    assert (a_q2.agency, a_q2.cancelled) == ("so-c", False)
    handed = next(e for e in app.task_events(A_Q2) if type(e).__name__ == "Reassigned")
    assert (handed.previous_agency, handed.new_agency) == ("so-a", "so-c")
    handed_on = handed.timestamp.astimezone(LOCAL_TZ).date()
    if revised_on < FIRST_DAY_AFTER.date():
        assert handed_on == FIRST_DAY_AFTER.date()  # by the tick, with no reload
        assert handed.reason == MERGED
    else:
        assert handed_on == revised_on  # by the late load itself
    rows = history(app, A_Q2)
    cut = [t for t, _ in rows].index("Reassigned")
    assert {agency for _, agency in rows[:cut]} == {"so-a"}
    assert {agency for _, agency in rows[cut:]} == {"so-c"}
    assert app.get_task(A_Q3).agency == "so-c"

    # Named directly (the Office): its tasks pass to the new Office, not cancelled — also the one
    # whose report awaited review over the end.
    for ref in (VP_Q2, VP_Q3):
        task = app.get_task(ref)
        assert (task.agency, task.cancelled) == ("vp-moi", False)
    assert ("ReportSubmitted", "vp") in history(app, VP_Q2)

    # Sở B has no successor: what was open over the end is cancelled with that reason.
    assert app.get_task(B_Q2).cancel_reason == DISSOLVED
    assert app.get_task(B_Q3).cancel_reason in (DISSOLVED, PLAN_REVISED)

    # Loading the revised file again changes nothing.
    again = app.load_plan(load_workflow(AFTER), actor="loader", at=morning(date(2022, 11, 1)))
    assert not again.changed


def test_a_revision_loaded_before_the_end_keeps_the_old_body_until_its_last_day(
    app: PlanflowApp,
) -> None:
    app.load_plan(load_workflow(BEFORE), actor="loader", at=morning(date(2022, 2, 15)))
    app.load_plan(load_workflow(AFTER), actor="loader", at=morning(date(2022, 6, 1)))
    ticker = Ticker(app)
    ticker.tick(morning(date(2022, 6, 30)))
    assert app.get_task(A_Q2).agency == "so-a"
    assert ("D2", "so-a", "2022-Q2") in open_with_ended_body(app)
    # 1 Jul 2022 is a Friday; the hand-over happens at its first moment, whatever the day.
    ticker.tick(datetime(2022, 7, 1, 0, 0, 1, tzinfo=LOCAL_TZ))
    assert app.get_task(A_Q2).agency == "so-c"
    assert app.get_task(B_Q2).cancelled
    assert open_with_ended_body(app) == []


def test_a_chase_up_by_hand_after_the_end_names_the_successors_head(app: PlanflowApp) -> None:
    app.load_plan(load_workflow(BEFORE), actor="loader", at=morning(date(2022, 2, 15)))
    app.load_plan(load_workflow(AFTER), actor="loader", at=morning(date(2022, 6, 1)))
    # No tick has run since the end: the task is still recorded with Sở A.
    named = app.chase_up(A_Q2, actor="vp-moi", at=morning(date(2022, 7, 4)), note="Khẩn trương")
    assert (named.agency, named.name) == ("so-c", "Lê Văn C")
    event = app.task_events(A_Q2)[-1]
    assert (type(event).__name__, event.recipient_agency) == ("ChaseUpSent", "so-c")
