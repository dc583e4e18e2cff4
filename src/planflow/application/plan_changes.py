"""What loading a workflow file does to the recorded tasks, one line per task: the list that
``planflow load --dry-run`` prints and the browser shows before a plan is loaded.

It is built by ``PlanflowApp.load_plan`` itself from the revision it applies (``sync.revise``) and
the hand-overs it makes, so a dry run and a real load cannot disagree. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from planflow.application.sync import Revision
from planflow.domain.task import Task


class ChangeKind(StrEnum):
    ASSIGN = "assign"
    CANCEL = "cancel"
    MOVE = "move"
    REASSIGN = "reassign"

    @property
    def label_vi(self) -> str:
        return LABELS[self][0]

    @property
    def label_en(self) -> str:
        return LABELS[self][1]


LABELS = {
    ChangeKind.ASSIGN: ("Giao mới", "assigned"),
    ChangeKind.CANCEL: ("Hủy", "cancelled"),
    ChangeKind.MOVE: ("Dời hạn", "moved"),
    ChangeKind.REASSIGN: ("Giao lại", "reassigned"),
}


@dataclass(frozen=True)
class TaskChange:
    kind: ChangeKind
    duty: str
    agency: str  # the agency that holds the task before the load (the new one for ASSIGN)
    period: str
    due: date
    new_due: date | None = None  # MOVE
    new_agency: str | None = None  # REASSIGN
    why: str = ""  # "plan" (the file says so) or "ended" (the agency ended by the load day)

    def line(self) -> str:
        head = f"{self.duty} / {self.agency} / {self.period}"
        if self.kind is ChangeKind.MOVE:
            return f"{head}: {self.due.isoformat()} → {self.new_due}"
        if self.kind is ChangeKind.REASSIGN:
            return f"{head} → {self.new_agency}"
        return f"{head} ({self.due.isoformat()})"


def describe(revision: Revision, handed: Iterable[tuple[Task, str]]) -> tuple[TaskChange, ...]:
    """The revision's changes, then the hand-overs (``(task after it, agency before it)``)."""
    out: list[TaskChange] = [
        TaskChange(ChangeKind.ASSIGN, s.duty, s.agency, s.period, s.due, why="plan")
        for s in revision.assign
    ]
    out += [
        TaskChange(ChangeKind.CANCEL, r.duty, r.now_with, r.period, r.due, why="plan")
        for r in revision.cancel
    ]
    out += [
        TaskChange(
            ChangeKind.REASSIGN, r.duty, r.now_with, r.period, r.due, new_agency=h, why="plan"
        )
        for r, h in revision.reassign
    ]
    out += [
        TaskChange(ChangeKind.MOVE, r.duty, r.now_with, r.period, r.due, new_due=d, why="plan")
        for r, d in revision.extend
    ]
    for task, before in handed:
        if task.cancelled:
            out.append(
                TaskChange(ChangeKind.CANCEL, task.duty, before, task.period, task.due, why="ended")
            )
        else:
            out.append(
                TaskChange(
                    ChangeKind.REASSIGN,
                    task.duty,
                    before,
                    task.period,
                    task.due,
                    new_agency=task.agency,
                    why="ended",
                )
            )
    return tuple(out)
