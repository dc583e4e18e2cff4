"""Ongoing duties (thường xuyên, trong năm): no invented due date, periodic check-ins with
reminders, a missed check-in marked and escalated, the last check-in closing the task.

The plan is tests/fixtures/forms-2026.yaml. The 2026 days off planflow ships: 1–2 Jan, 16–20 Feb
(Tết), 27 Apr (Hùng Kings), 30 Apr, 1 May, 31 Aug, 1–2 Sep; Sat 10 Jan and Sat 22 Aug are worked.
Every date below is counted by hand from that calendar.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from conftest import FIXTURES
from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_plan
from planflow.domain.clock import LOCAL_TZ
from planflow.domain.errors import TaskStateError
from planflow.domain.status import TaskStatus
from planflow.domain.task import Task, task_id
from planflow.notify.channels import render_mail
from planflow.notify.notices import build_notice
from planflow.workflow.errors import WorkflowError
from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, load_workflow
from test_cli import Run, run  # noqa: F401  (the ``run`` fixture)
from test_scheduler_ladder import chase_steps, morning, play

PLAN = "forms-2026"
FORMS = FIXTURES / "forms-2026.yaml"
REVIEW = task_id(PLAN, "II.1", "so-tp", "2026")  # quarterly check-ins, 5 working days after
PRESS = task_id(PLAN, "II.2", "bao", "2026")  # monthly check-ins, on the month's last day


@pytest.fixture(scope="module")
def forms() -> LoadedPlan:
    return load_workflow(FORMS)


@pytest.fixture
def loaded(any_app: PlanflowApp, forms: LoadedPlan) -> PlanflowApp:
    any_app.load_plan(forms, actor="loader", at=morning(date(2026, 1, 5)))
    return any_app


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


def test_quarterly_check_ins_fall_five_working_days_after_each_quarter(
    forms: LoadedPlan,
) -> None:
    spec = next(s for s in expand(forms.workflow, forms.calendar) if s.duty == "II.1")
    assert spec.period == "2026"
    assert [due for _, due in spec.check_ins] == [
        date(2026, 4, 7),  # Tue 31 Mar + 5: 1, 2, 3, 6, 7 Apr
        date(2026, 7, 7),  # Tue 30 Jun + 5: 1, 2, 3, 6, 7 Jul
        date(2026, 10, 7),  # Wed 30 Sep + 5: 1, 2, 5, 6, 7 Oct
        date(2027, 1, 8),  # Thu 31 Dec + 5: Fri 1 Jan 2027 is off: 4, 5, 6, 7, 8 Jan
    ]
    assert [opens for opens, _ in spec.check_ins] == [
        date(2026, 1, 1),
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    ]
    assert spec.due == date(2026, 4, 7)  # the first check-in, not an invented end date


def test_monthly_check_ins_move_off_weekends_and_holidays(forms: LoadedPlan) -> None:
    spec = next(s for s in expand(forms.workflow, forms.calendar) if s.duty == "II.2")
    assert [due for _, due in spec.check_ins] == [
        date(2026, 2, 2),  # Sat 31 Jan → Mon 2 Feb
        date(2026, 3, 2),  # Sat 28 Feb → Mon 2 Mar
        date(2026, 3, 31),
        date(2026, 5, 4),  # Thu 30 Apr and Fri 1 May off, then the weekend → Mon 4 May
        date(2026, 6, 1),  # Sun 31 May → Mon 1 Jun
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 9, 3),  # Mon 31 Aug, 1 and 2 Sep off → Thu 3 Sep
        date(2026, 9, 30),
        date(2026, 11, 2),  # Sat 31 Oct → Mon 2 Nov
        date(2026, 11, 30),
        date(2026, 12, 31),
    ]


def test_a_missed_check_in_is_reminded_marked_and_escalated_then_a_late_check_in_clears_it(
    loaded: PlanflowApp,
) -> None:
    play(loaded, date(2026, 3, 20), date(2026, 4, 8), twice=False)
    assert chase_steps(loaded, REVIEW) == [
        ("reminder", 7, date(2026, 3, 27)),  # 7 working days before Tue 7 Apr
        ("reminder", 3, date(2026, 4, 2)),
        ("reminder", 1, date(2026, 4, 6)),
        ("overdue", 0, date(2026, 4, 8)),  # the check-in was missed
        ("escalation", 1, date(2026, 4, 8)),  # the head of Sở Tư pháp
    ]
    task = loaded.get_task(REVIEW)
    assert task.status(at(date(2026, 4, 8))) is TaskStatus.OPEN_OVERDUE
    loaded.run_command(
        "check-in",
        REVIEW,
        {"note": "Quý I: đã rà soát 120 thủ tục"},
        actor="so-tp-1",
        at=at(date(2026, 4, 9)),
    )
    task = loaded.get_task(REVIEW)
    assert task.due == date(2026, 7, 7)
    assert task.check_ins_done == 1
    assert task.status(at(date(2026, 4, 9))) is TaskStatus.OPEN_IN_TIME
    play(loaded, date(2026, 4, 9), date(2026, 4, 20), twice=False)
    # Level 2 (3 working days after 7 Apr: Fri 10 Apr) is not recorded: the check-in came first.
    assert ("escalation", 2, date(2026, 4, 10)) not in chase_steps(loaded, REVIEW)


def test_check_ins_recorded_on_time_keep_the_task_in_time_all_year_and_the_last_closes_it(
    loaded: PlanflowApp,
) -> None:
    for day in (date(2026, 4, 2), date(2026, 7, 1), date(2026, 10, 1), date(2027, 1, 4)):
        task = loaded.get_task(REVIEW)
        day_ = date(2026, 1, 5)
        while day_ < day:
            assert task.status(at(day_, 20)) is TaskStatus.OPEN_IN_TIME, day_
            day_ += timedelta(days=1)
        loaded.run_command("check-in", REVIEW, {"note": "ok"}, actor="so-tp-1", at=at(day))
    task = loaded.get_task(REVIEW)
    assert task.is_done
    assert task.check_ins_done == 4
    assert task.status(at(date(2027, 3, 1))) is TaskStatus.DONE_ON_TIME


def test_a_check_in_before_its_period_opens_is_refused_and_nothing_is_written(
    loaded: PlanflowApp,
) -> None:
    loaded.run_command(
        "check-in", PRESS, {"note": "Tháng 1"}, actor="bao-1", at=at(date(2026, 1, 30))
    )
    version = loaded.get_task(PRESS).version
    with pytest.raises(TaskStateError, match="01/02/2026"):
        loaded.run_command(
            "check-in", PRESS, {"note": "Tháng 2"}, actor="bao-1", at=at(date(2026, 1, 31))
        )
    assert loaded.get_task(PRESS).version == version
    assert loaded.get_task(PRESS).due == date(2026, 3, 2)


def test_an_activity_on_an_ongoing_duty_does_not_close_it(loaded: PlanflowApp) -> None:
    loaded.run_command(
        "execute", REVIEW, {"note": "rà soát"}, actor="so-tp-1", at=at(date(2026, 2, 3))
    )
    task = loaded.get_task(REVIEW)
    assert not task.is_done
    assert task.activities == 1
    assert task.due == date(2026, 4, 7)


def test_the_cli_records_a_check_in_and_show_prints_the_schedule(run: Run) -> None:  # noqa: F811
    assert run("--db", "p.db", "load", str(FORMS), "--at", "05/01/2026").returncode == 0
    ran = run(
        "--db", "p.db", "check-in", str(PRESS)[:8], "--actor", "bao-1",
        "--note", "Tháng 1: 03 tin, bài", "--at", "02/02/2026",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    shown = run("--db", "p.db", "show", str(PRESS)[:8], "--format", "json", "--as-of", "02/02/2026")
    assert '"check_ins_done": 1' in shown.stdout
    assert '"due": "2026-03-02"' in shown.stdout
    assert '"ongoing": true' in shown.stdout
    refused = run(
        "--db", "p.db", "check-in", str(task_id(PLAN, "II.6", "thue", "2026"))[:8],
        "--actor", "thue-1", "--note", "x", "--at", "02/02/2026",
    )  # fmt: skip
    assert refused.returncode == 3
    assert "không phải nhiệm vụ thường xuyên" in refused.stderr


def test_the_reminder_and_the_escalation_of_a_check_in_say_it_is_a_check_in(
    loaded: PlanflowApp,
) -> None:
    play(loaded, date(2026, 3, 27), date(2026, 4, 8), twice=False)
    plan = loaded.get_plan(PLAN)
    assert plan is not None
    task = loaded.get_task(REVIEW)
    events = loaded.task_events(REVIEW)
    reminder = next(e for e in events if isinstance(e, Task.ReminderSent))
    escalation = next(e for e in events if isinstance(e, Task.Escalated))
    rules = rules_from_plan(plan)
    subject, body = render_mail(build_notice(reminder, task, plan.document, rules), "vi")
    assert subject.startswith("[Nhắc cập nhật tiến độ]")
    assert "đến kỳ cập nhật tiến độ số 1/4 vào ngày 07/04/2026" in body
    subject, body = render_mail(build_notice(reminder, task, plan.document, rules), "en")
    assert subject.startswith("[Check-in reminder]")
    _, body = render_mail(build_notice(escalation, task, plan.document, rules), "vi")
    assert "quá hạn cập nhật tiến độ (kỳ số 1/4, nhiệm vụ thường xuyên)" in body
    # A duty with a deadline is reminded as before.
    fixed = task_id(PLAN, "II.6", "thue", "2026")
    plain = next(e for e in loaded.task_events(fixed) if isinstance(e, Task.ReminderSent))
    subject, _ = render_mail(
        build_notice(plain, loaded.get_task(fixed), plan.document, rules), "vi"
    )
    assert subject.startswith("[Nhắc hạn]")


def test_an_ongoing_duty_done_by_a_report_is_refused(tmp_path: Path) -> None:
    text = FORMS.read_text(encoding="utf-8").replace(
        "    assignees: [so-tp]\n    done_when: activity\n    schedule: {ongoing: true",
        "    assignees: [so-tp]\n    done_when: report\n    schedule: {ongoing: true",
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WorkflowError) as caught:
        load_workflow(path)
    assert [p.field for p in caught.value.problems] == ["duties[0].done_when"]
