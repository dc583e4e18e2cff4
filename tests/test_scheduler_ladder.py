"""A moving clock over the Kiên Giang plan: every reminder and escalation fires on its working day,
once, and stops when the work is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from planflow.application.app import PlanflowApp
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.task import Task, task_id
from planflow.scheduler.tick import Ticker

PLAN = "kien-giang-2022-tthc"
Q1_REPORT = task_id(PLAN, "IV.1.a.2", "so-tu-phap", "2022-Q1")  # due Wed 16 Mar 2022
Q1_SETUP = task_id(PLAN, "IV.1.a.1", "so-tu-phap", "2022")  # due Thu 31 Mar 2022


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=LOCAL_TZ)


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def chase_steps(app: PlanflowApp, ref: UUID) -> list[tuple[str, int, date]]:
    """(kind, step, local date) of every chase event of the task, in order."""
    out: list[tuple[str, int, date]] = []
    for event in app.task_events(ref):
        day = event.timestamp.astimezone(LOCAL_TZ).date()
        if isinstance(event, Task.ReminderSent):
            out.append(("reminder", event.working_days_before, day))
        elif isinstance(event, Task.Escalated):
            out.append(("escalation", event.level, day))
        elif isinstance(event, Task.MarkedOverdue):
            out.append(("overdue", 0, day))
    return out


@pytest.fixture
def loaded(kg_any_app: PlanflowApp) -> PlanflowApp:
    """The Kiên Giang plan, loaded by ``loader`` on 15 Feb 2022 (a copy of the session's store)."""
    return kg_any_app


def play(app: PlanflowApp, first: date, last: date, twice: bool = True) -> None:
    ticker = Ticker(app)
    for day in days(first, last):
        ticker.tick(morning(day))
        if twice:
            again = ticker.tick(morning(day) + timedelta(hours=2))
            assert again.fired == [], f"a second tick on {day} recorded {again.fired}"


def test_a_late_q1_report_is_reminded_marked_and_escalated_on_its_working_days_once(
    loaded: PlanflowApp,
) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 4, 30))
    assert chase_steps(loaded, Q1_REPORT) == [
        ("reminder", 7, date(2022, 3, 7)),  # Mon: 7 working days before Wed 16 Mar
        ("reminder", 3, date(2022, 3, 11)),  # Fri
        ("reminder", 1, date(2022, 3, 15)),  # Tue
        ("overdue", 0, date(2022, 3, 17)),  # the deadline passed at the end of Wed 16
        ("escalation", 1, date(2022, 3, 17)),  # the head, as soon as it is late
        ("escalation", 2, date(2022, 3, 21)),  # the Office director, 3 working days late
        ("escalation", 3, date(2022, 3, 25)),  # the signer, 7 working days late
    ]


def test_the_ladder_skips_hung_kings_day(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 14), date(2022, 4, 20), twice=False)
    steps = chase_steps(loaded, Q1_SETUP)
    # Due Thu 31 Mar: 7 working days later would be Mon 11 Apr, Hùng Kings' day (observed): Tue 12.
    assert ("escalation", 3, date(2022, 4, 12)) in steps
    assert ("escalation", 2, date(2022, 4, 5)) in steps
    assert not [s for s in steps if s[2] == date(2022, 4, 11)]


def test_escalations_name_the_head_the_office_director_and_the_signer(
    loaded: PlanflowApp,
) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 31), twice=False)
    named = [
        (e.level, e.recipient_role, e.recipient_agency, e.recipient_title, e.recipient_name)
        for e in loaded.task_events(Q1_REPORT)
        if isinstance(e, Task.Escalated)
    ]
    assert named == [
        (1, "assignee_head", "so-tu-phap", "Giám đốc Sở Tư pháp", ""),
        (2, "vp-ubnd", "vp-ubnd", "Chánh Văn phòng", ""),
        (3, "signer", "", "Phó Chủ tịch Ủy ban nhân dân tỉnh Kiên Giang", "Nguyễn Thanh Nhàn"),
    ]


def test_nothing_is_chased_after_the_report_is_accepted(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 21))
    loaded.submit_report(
        Q1_REPORT, actor="so-tu-phap", at=morning(date(2022, 3, 22)), document="BC 1"
    )
    play(loaded, date(2022, 3, 22), date(2022, 3, 22))
    loaded.accept_report(Q1_REPORT, actor="vp-ubnd", at=morning(date(2022, 3, 23)))
    before = chase_steps(loaded, Q1_REPORT)
    play(loaded, date(2022, 3, 23), date(2022, 5, 31))
    assert chase_steps(loaded, Q1_REPORT) == before
    assert before[-1] == ("escalation", 2, date(2022, 3, 21))


def test_a_report_awaiting_review_is_not_chased_until_it_is_returned(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 13), twice=False)
    loaded.submit_report(
        Q1_REPORT, actor="so-tu-phap", at=morning(date(2022, 3, 14)), document="BC"
    )
    play(loaded, date(2022, 3, 14), date(2022, 3, 21), twice=False)
    assert chase_steps(loaded, Q1_REPORT) == [
        ("reminder", 7, date(2022, 3, 7)),
        ("reminder", 3, date(2022, 3, 11)),
    ]
    loaded.return_report(
        Q1_REPORT, actor="vp-ubnd", at=morning(date(2022, 3, 22)), reason="Thiếu số liệu"
    )
    play(loaded, date(2022, 3, 22), date(2022, 3, 22), twice=False)
    # Returned after its deadline: it is late, and the ladder catches up at once.
    assert chase_steps(loaded, Q1_REPORT)[2:] == [
        ("overdue", 0, date(2022, 3, 22)),
        ("escalation", 1, date(2022, 3, 22)),
        ("escalation", 2, date(2022, 3, 22)),
    ]


def test_a_cancelled_task_is_no_longer_chased(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 8))
    loaded.cancel(Q1_REPORT, actor="vp-ubnd", at=morning(date(2022, 3, 9)), reason="sáp nhập")
    play(loaded, date(2022, 3, 9), date(2022, 4, 30))
    assert chase_steps(loaded, Q1_REPORT) == [("reminder", 7, date(2022, 3, 7))]


def test_an_extension_recomputes_the_reminders_for_the_new_deadline(loaded: PlanflowApp) -> None:
    play(loaded, date(2022, 3, 1), date(2022, 3, 18))
    loaded.extend_deadline(
        Q1_REPORT,
        actor="vp-ubnd",
        at=morning(date(2022, 3, 18)) + timedelta(hours=1),
        new_due=date(2022, 3, 31),
        reason="Gia hạn theo đề nghị",
    )
    play(loaded, date(2022, 3, 19), date(2022, 4, 20))
    steps = chase_steps(loaded, Q1_REPORT)
    assert steps == [
        ("reminder", 7, date(2022, 3, 7)),
        ("reminder", 3, date(2022, 3, 11)),
        ("reminder", 1, date(2022, 3, 15)),
        ("overdue", 0, date(2022, 3, 17)),
        ("escalation", 1, date(2022, 3, 17)),
        # The new deadline, Thu 31 Mar, starts a new series.
        ("reminder", 7, date(2022, 3, 22)),
        ("reminder", 3, date(2022, 3, 28)),
        ("reminder", 1, date(2022, 3, 30)),
        ("overdue", 0, date(2022, 4, 1)),
        ("escalation", 1, date(2022, 4, 1)),
        ("escalation", 2, date(2022, 4, 5)),
        ("escalation", 3, date(2022, 4, 12)),
    ]


def test_a_missed_week_sends_only_the_latest_reminder(loaded: PlanflowApp) -> None:
    """The scheduler was down from 1 to 14 Mar: on the 15th only the 1-day reminder goes out."""
    play(loaded, date(2022, 3, 15), date(2022, 3, 15))
    assert chase_steps(loaded, Q1_REPORT) == [("reminder", 1, date(2022, 3, 15))]


def test_a_tick_with_nothing_due_records_nothing(loaded: PlanflowApp) -> None:
    report = Ticker(loaded).tick(morning(date(2022, 3, 2)))
    assert report.tasks_due == 0 and report.fired == []


def test_rebuilding_the_read_models_rebuilds_the_due_index_and_the_ledger(
    loaded: PlanflowApp,
) -> None:
    from sqlalchemy import select

    from planflow.application.tables import chases, due

    play(loaded, date(2022, 3, 1), date(2022, 3, 21), twice=False)

    def snapshot() -> tuple[list[Any], list[Any]]:
        with loaded.engine.connect() as c:
            d = sorted(tuple(r) for r in c.execute(select(due)))
            h = sorted(tuple(r) for r in c.execute(select(chases)))
        return d, h

    before = snapshot()
    assert before[0] and before[1]
    loaded.rebuild_read_models()
    assert snapshot() == before
