"""The four status words officials use (Decision 42/2014/QĐ-TTg, amended by 23/2018/QĐ-TTg)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from planflow.domain.clock import local_date
from planflow.domain.errors import InvalidArgument


class TaskStatus(StrEnum):
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    OPEN_IN_TIME = "open_in_time"
    OPEN_OVERDUE = "open_overdue"

    @property
    def label_vi(self) -> str:
        return _LABELS_VI[self]

    @property
    def label_en(self) -> str:
        return _LABELS_EN[self]


_LABELS_VI = {
    TaskStatus.DONE_ON_TIME: "Hoàn thành đúng hạn",
    TaskStatus.DONE_LATE: "Hoàn thành quá hạn",
    TaskStatus.OPEN_IN_TIME: "Đang thực hiện trong hạn",
    TaskStatus.OPEN_OVERDUE: "Quá hạn chưa hoàn thành",
}
_LABELS_EN = {
    TaskStatus.DONE_ON_TIME: "Done on time",
    TaskStatus.DONE_LATE: "Done late",
    TaskStatus.OPEN_IN_TIME: "Open, within deadline",
    TaskStatus.OPEN_OVERDUE: "Open, overdue",
}


def classify(
    due: date, completed_on: date | None, today: date, review_pending_since: date | None = None
) -> TaskStatus:
    """A task is due by the end of its due day (Vietnam time).

    ``completed_on`` is the local date the work was done (the activity executed, or the accepted
    report submitted); ``today`` is the local date of the moment asked about.
    ``review_pending_since`` is the local date of a report that awaits the Office's review: sent by
    the deadline, the task is still open but not overdue — the agency did its part in time and the
    next move is the Office's.
    """
    if completed_on is not None:
        return TaskStatus.DONE_ON_TIME if completed_on <= due else TaskStatus.DONE_LATE
    if review_pending_since is not None and review_pending_since <= due:
        return TaskStatus.OPEN_IN_TIME
    return TaskStatus.OPEN_IN_TIME if today <= due else TaskStatus.OPEN_OVERDUE


def status_at(
    due: date,
    completed_at: datetime | None,
    review_pending_since: datetime | None,
    moment: datetime,
) -> TaskStatus:
    """``classify`` for timezone-aware times: each is judged by its date in Vietnam."""
    return classify(
        due,
        local_date(completed_at) if completed_at else None,
        local_date(moment),
        local_date(review_pending_since) if review_pending_since else None,
    )


def parse_status(value: str) -> TaskStatus:
    """One of the four words, or a clear refusal naming them."""
    try:
        return TaskStatus(value)
    except ValueError:
        words = ", ".join(s.value for s in TaskStatus)
        raise InvalidArgument(
            f"Tình trạng không hợp lệ {value!r}; dùng: {words}",
            f"unknown status {value!r}; use one of: {words}",
        ) from None
