"""The four status words, judged against the end of the due day in Vietnam time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from planflow.domain import clock
from planflow.domain.status import TaskStatus, classify
from planflow.domain.task import Completion, Task

DUE = date(2022, 3, 16)
VN = clock.LOCAL_TZ


def vn(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2022, month, day, hour, minute, tzinfo=VN)


def report_task() -> Task:
    with clock.at(datetime(2022, 2, 15, tzinfo=UTC)):
        return Task.assign(
            plan="p",
            duty="D2",
            agency="so-a",
            period="2022-Q1",
            due=DUE,
            completion=Completion.REPORT,
            title="t",
            actor="loader",
        )


def activity_task() -> Task:
    with clock.at(datetime(2022, 2, 15, tzinfo=UTC)):
        return Task.assign(
            plan="p",
            duty="D1",
            agency="so-a",
            period="2022",
            due=DUE,
            completion=Completion.ACTIVITY,
            title="t",
            actor="loader",
        )


def test_an_open_task_is_in_time_at_23_30_local_on_its_due_day() -> None:
    moment = vn(16, 23, 30)
    assert moment.astimezone(UTC).date() == DUE
    assert report_task().status(moment) is TaskStatus.OPEN_IN_TIME


def test_an_open_task_is_overdue_at_00_30_local_the_day_after() -> None:
    moment = vn(17, 0, 30)
    # Still 16 March in UTC: a UTC-dated deadline would wrongly say "in time".
    assert moment.astimezone(UTC).date() == DUE
    assert report_task().status(moment) is TaskStatus.OPEN_OVERDUE


def test_an_open_task_before_its_due_day_is_in_time() -> None:
    assert report_task().status(vn(1, 9)) is TaskStatus.OPEN_IN_TIME


def test_a_report_submitted_at_23_30_local_on_the_due_day_and_accepted_later_is_on_time() -> None:
    task = report_task()
    with clock.at(vn(16, 23, 30)):
        task.submit_report(actor="so-a", document="bc")
    with clock.at(vn(22, 9)):
        task.accept_report(actor="vp")
    assert task.status(vn(30, 9)) is TaskStatus.DONE_ON_TIME


def test_a_report_submitted_at_00_30_local_the_day_after_is_done_late() -> None:
    task = report_task()
    with clock.at(vn(17, 0, 30)):
        task.submit_report(actor="so-a", document="bc")
    with clock.at(vn(17, 9)):
        task.accept_report(actor="vp")
    assert task.status(vn(30, 9)) is TaskStatus.DONE_LATE


def test_a_report_sent_on_time_and_awaiting_review_is_open_but_not_overdue() -> None:
    task = report_task()
    with clock.at(vn(15, 9)):
        task.submit_report(actor="so-a", document="bc")
    assert task.status(vn(16, 12)) is TaskStatus.OPEN_IN_TIME
    # The deadline passes while the Office has not reviewed it: the agency did its part in time.
    assert task.status(vn(17, 12)) is TaskStatus.OPEN_IN_TIME


def test_a_report_sent_late_and_awaiting_review_is_overdue() -> None:
    task = report_task()
    with clock.at(vn(17, 9)):
        task.submit_report(actor="so-a", document="bc")
    assert task.status(vn(17, 12)) is TaskStatus.OPEN_OVERDUE


def test_a_report_returned_after_the_deadline_is_overdue_again() -> None:
    task = report_task()
    with clock.at(vn(15, 9)):
        task.submit_report(actor="so-a", document="bc")
    with clock.at(vn(18, 9)):
        task.return_report(actor="vp", reason="thiếu số liệu")
    assert task.status(vn(18, 12)) is TaskStatus.OPEN_OVERDUE
    with clock.at(vn(18, 13)):
        assert task.mark_overdue(actor="scheduler") is True


def test_no_overdue_mark_while_an_on_time_report_awaits_review() -> None:
    task = report_task()
    with clock.at(vn(15, 9)):
        task.submit_report(actor="so-a", document="bc")
    with clock.at(vn(18, 9)):
        assert task.mark_overdue(actor="scheduler") is False


def test_a_report_returned_and_resubmitted_late_is_done_late() -> None:
    task = report_task()
    with clock.at(vn(15, 9)):
        task.submit_report(actor="so-a", document="v1")
    with clock.at(vn(16, 9)):
        task.return_report(actor="vp", reason="thiếu")
    with clock.at(vn(18, 9)):
        task.submit_report(actor="so-a", document="v2")
    with clock.at(vn(21, 9)):
        task.accept_report(actor="vp")
    assert task.status(vn(22, 9)) is TaskStatus.DONE_LATE


def test_an_activity_executed_on_the_due_day_is_on_time_and_the_day_after_is_late() -> None:
    on_time, late = activity_task(), activity_task()
    with clock.at(vn(16, 23, 59)):
        on_time.execute_activity(actor="so-a")
    with clock.at(vn(17, 0, 1)):
        late.execute_activity(actor="so-a")
    assert on_time.status(vn(20, 9)) is TaskStatus.DONE_ON_TIME
    assert late.status(vn(20, 9)) is TaskStatus.DONE_LATE


def test_an_extension_makes_an_overdue_task_in_time_again() -> None:
    task = report_task()
    assert task.status(vn(18, 9)) is TaskStatus.OPEN_OVERDUE
    with clock.at(vn(18, 9)):
        task.extend_deadline(actor="vp", new_due=date(2022, 3, 25), reason="lý do")
    assert task.status(vn(18, 10)) is TaskStatus.OPEN_IN_TIME


@pytest.mark.parametrize(
    ("completed_on", "today", "expected"),
    [
        (DUE, date(2022, 12, 1), TaskStatus.DONE_ON_TIME),
        (date(2022, 3, 1), date(2022, 3, 1), TaskStatus.DONE_ON_TIME),
        (date(2022, 3, 17), date(2022, 3, 17), TaskStatus.DONE_LATE),
        (None, DUE, TaskStatus.OPEN_IN_TIME),
        (None, date(2022, 3, 17), TaskStatus.OPEN_OVERDUE),
    ],
)
def test_classify_speaks_the_four_words(
    completed_on: date | None, today: date, expected: TaskStatus
) -> None:
    assert classify(DUE, completed_on, today) is expected


def test_each_status_word_has_the_officials_vietnamese_label() -> None:
    assert {s.value: s.label_vi for s in TaskStatus} == {
        "done_on_time": "Hoàn thành đúng hạn",
        "done_late": "Hoàn thành quá hạn",
        "open_in_time": "Đang thực hiện trong hạn",
        "open_overdue": "Quá hạn chưa hoàn thành",
    }
    assert all(s.label_en for s in TaskStatus)
