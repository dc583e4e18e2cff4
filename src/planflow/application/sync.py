"""How a (re)loaded workflow file changes the tasks already recorded. Pure: no I/O.

- a task the file assigns and the store lacks → Assigned;
- a recorded open task the file no longer assigns → Cancelled ("plan revised");
- a task whose deadline the file moved later → DeadlineExtended (by plan revision);
- a deadline the file moved earlier → refused: deadlines only move later.
Loading the same file twice therefore changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from planflow.workflow.expand import TaskSpec


@dataclass(frozen=True)
class Recorded:
    """What the sync needs to know of a recorded task."""

    id: UUID
    duty: str
    agency: str
    period: str
    due: date
    planned_due: date
    cancelled: bool
    done: bool


@dataclass
class Revision:
    assign: list[TaskSpec] = field(default_factory=list)
    cancel: list[Recorded] = field(default_factory=list)
    extend: list[tuple[Recorded, date]] = field(default_factory=list)
    moved_earlier: list[tuple[Recorded, date]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.assign or self.cancel or self.extend or self.moved_earlier)


def revise(specs: list[TaskSpec], recorded: list[Recorded]) -> Revision:
    by_id = {r.id: r for r in recorded}
    wanted = {s.id for s in specs}
    revision = Revision()
    for spec in specs:
        existing = by_id.get(spec.id)
        if existing is None:
            revision.assign.append(spec)
        elif existing.cancelled or existing.done or spec.due == existing.planned_due:
            revision.unchanged += 1
        elif spec.due < existing.planned_due:
            revision.moved_earlier.append((existing, spec.due))
        elif spec.due > existing.due:
            revision.extend.append((existing, spec.due))
        else:
            # An extension already granted goes beyond the file's new date: keep it.
            revision.unchanged += 1
    for existing in recorded:
        if existing.id not in wanted and not existing.cancelled and not existing.done:
            revision.cancel.append(existing)
    return revision
