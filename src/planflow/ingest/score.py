"""Measure a draft against a hand-made workflow file: precision and recall of duties, assignees
(duty × agency), schedules (duty × period × due date) and the task set (duty × agency × period ×
due date). Plan ids are ignored: renaming the plan is a review, not a reading error.
"""

from __future__ import annotations

from dataclasses import dataclass

from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, expand_group


@dataclass(frozen=True)
class Score:
    found: int
    expected: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0

    def __str__(self) -> str:
        return f"P {self.precision:.2f} R {self.recall:.2f} ({self.correct}/{self.expected})"


def _score(found: set[tuple[str, ...]], expected: set[tuple[str, ...]]) -> Score:
    return Score(len(found), len(expected), len(found & expected))


def _assignees(plan: LoadedPlan) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for duty in plan.workflow.duties:
        for code in duty.assignees:
            out.update((duty.id, agency) for agency in expand_group(plan.workflow, code))
    return out


def score(draft: LoadedPlan, truth: LoadedPlan) -> dict[str, Score]:
    d_tasks = expand(draft.workflow, draft.calendar)
    t_tasks = expand(truth.workflow, truth.calendar)
    return {
        "duties": _score(
            {(d.id,) for d in draft.workflow.duties}, {(d.id,) for d in truth.workflow.duties}
        ),
        "assignees": _score(_assignees(draft), _assignees(truth)),
        "schedules": _score(
            {(t.duty, t.period, t.due.isoformat()) for t in d_tasks},
            {(t.duty, t.period, t.due.isoformat()) for t in t_tasks},
        ),
        "tasks": _score(
            {(t.duty, t.agency, t.period, t.due.isoformat()) for t in d_tasks},
            {(t.duty, t.agency, t.period, t.due.isoformat()) for t in t_tasks},
        ),
    }
