"""The pure rules of when a step falls due, and the Task's chase commands."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import utc
from planflow.adapters.holidays_vn import vietnam_calendar
from planflow.domain import clock
from planflow.domain.chase import ChaseKind, Recipient
from planflow.domain.chasing import Head, LadderRule, PlanRules, due_now, pending, start_of
from planflow.domain.errors import TaskStateError
from planflow.domain.task import Completion, Task

CALENDAR = vietnam_calendar([2021, 2022, 2023])
RULES = PlanRules(
    plan="p",
    calendar=CALENDAR,
    reminders=(7, 3, 1),
    ladder=(
        LadderRule(1, "assignee_head", 0),
        LadderRule(2, "vp", 3),
        LadderRule(3, "signer", 7),
    ),
    heads={
        "so-a": Head("Giám đốc Sở A", "Trần Văn B", "b@example.vn"),
        "vp": Head("Chánh Văn phòng"),
    },
    signer=Head("Phó Chủ tịch", "Nguyễn Văn A"),
    duty_reminders={"quiet": ()},
)
HEAD = Recipient("assignee_head", "so-a", "Giám đốc Sở A")


def new_task(due: date, duty: str = "D1") -> Task:
    with clock.at(utc(2021, 12, 1)):
        return Task.assign(
            plan="p",
            duty=duty,
            agency="so-a",
            period="2022",
            due=due,
            completion=Completion.ACTIVITY,
            title="Việc",
            actor="loader",
        )


def fire_days(task: Task) -> dict[tuple[str, int], date]:
    return {(i.key.kind.value, i.key.step): i.fire_on for i in pending(task, RULES)}


def test_reminders_before_tet_skip_the_lunar_new_year_holidays() -> None:
    # Due Mon 7 Feb 2022, the first working day after Tết (Mon 31 Jan – Fri 4 Feb off).
    days = fire_days(new_task(date(2022, 2, 7)))
    assert days[("reminder", 1)] == date(2022, 1, 28)  # Fri before Tết
    assert days[("reminder", 3)] == date(2022, 1, 26)
    assert days[("reminder", 7)] == date(2022, 1, 20)


def test_escalation_days_skip_hung_kings_day() -> None:
    days = fire_days(new_task(date(2022, 3, 31)))
    assert days[("overdue", 0)] == date(2022, 4, 1)
    assert days[("escalation", 1)] == date(2022, 4, 1)
    assert days[("escalation", 2)] == date(2022, 4, 5)
    assert days[("escalation", 3)] == date(2022, 4, 12)  # Mon 11 Apr is off


def test_a_step_falls_due_at_midnight_vietnam_time() -> None:
    item = next(i for i in pending(new_task(date(2022, 3, 16)), RULES) if i.key.step == 1)
    assert item.fire_at == start_of(date(2022, 3, 15))
    assert item.fire_at.astimezone(clock.LOCAL_TZ).hour == 0


def test_a_duty_can_turn_reminders_off() -> None:
    kinds = {k for k, _ in fire_days(new_task(date(2022, 3, 16), duty="quiet"))}
    assert kinds == {"overdue", "escalation"}


def test_only_the_latest_due_reminder_is_sent_and_it_supersedes_the_earlier_ones() -> None:
    task = new_task(date(2022, 3, 16))
    at = datetime(2022, 3, 15, 9, tzinfo=clock.LOCAL_TZ)
    items = due_now(task, RULES, at)
    assert [(i.key.kind, i.key.step) for i in items] == [(ChaseKind.REMINDER, 1)]
    with clock.at(at):
        task.send_reminder(
            actor="s", working_days_before=1, fire_on=items[0].fire_on, recipient=HEAD
        )
    assert due_now(task, RULES, at) == []
    assert {i.key.kind for i in pending(task, RULES)} == {ChaseKind.OVERDUE, ChaseKind.ESCALATION}


def test_the_recipient_is_the_plans_head_with_name_and_contact() -> None:
    assert RULES.recipient("assignee_head", "so-a") == Recipient(
        "assignee_head", "so-a", "Giám đốc Sở A", "Trần Văn B", "b@example.vn"
    )
    assert RULES.recipient("signer", "so-a").agency == ""


def test_a_step_is_recorded_once_per_deadline() -> None:
    task = new_task(date(2022, 3, 16))
    with clock.at(utc(2022, 3, 15, 2)):
        task.send_reminder(
            actor="s", working_days_before=1, fire_on=date(2022, 3, 15), recipient=HEAD
        )
        with pytest.raises(TaskStateError, match="already recorded"):
            task.send_reminder(
                actor="s", working_days_before=1, fire_on=date(2022, 3, 15), recipient=HEAD
            )


def test_no_reminder_before_its_day_and_no_escalation_before_the_deadline() -> None:
    task = new_task(date(2022, 3, 16))
    with clock.at(utc(2022, 3, 10, 2)), pytest.raises(TaskStateError, match="has not come"):
        task.send_reminder(
            actor="s", working_days_before=1, fire_on=date(2022, 3, 15), recipient=HEAD
        )
    with clock.at(utc(2022, 3, 16, 2)), pytest.raises(TaskStateError, match="has not passed"):
        task.escalate(
            actor="s", level=1, working_days_after_due=0, fire_on=date(2022, 3, 16), recipient=HEAD
        )


def test_done_and_cancelled_tasks_cannot_be_chased() -> None:
    done = new_task(date(2022, 3, 16))
    cancelled = new_task(date(2022, 3, 16))
    with clock.at(utc(2022, 3, 1)):
        done.execute_activity(actor="so-a")
        cancelled.cancel(actor="vp", reason="không cần nữa")
    for task, words in ((done, "already done"), (cancelled, "cancelled")):
        assert pending(task, RULES) == []
        with clock.at(utc(2022, 3, 20)), pytest.raises(TaskStateError, match=words):
            task.escalate(
                actor="s",
                level=1,
                working_days_after_due=0,
                fire_on=date(2022, 3, 17),
                recipient=HEAD,
            )
