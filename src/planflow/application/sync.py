"""How a (re)loaded workflow file changes the tasks already recorded. Pure: no I/O.

A recorded task *covers* a task of the file when it is the same task (same id: plan, duty, original
agency, period), or when it has been reassigned to the agency the file now names (same duty and
period). Then:

- a task of the file that no recorded task covers → Assigned;
- a recorded open task that covers nothing, whose agency's successor (``successor`` in the file,
  the first one along the chain that the file now assigns the same duty and period) → Reassigned
  to that successor, so the task's history goes on under the agency that took over (a merger);
- the same, for a task already done: the successor is not assigned the duty again;
- any other recorded open task that covers nothing → Cancelled ("plan revised");
- a covered task whose deadline the file moved later → DeadlineExtended (by plan revision);
- a deadline the file moved earlier → refused: deadlines only move later.
Done and cancelled tasks are left as they are. Loading the same file twice changes nothing.

Then ``handovers_due`` lists the open tasks whose agency (after the revision) has already ended on
the day the file is loaded: the application hands each over to the successor in office, or
cancels it (domain.chasing.handover_due), as the scheduler does from the day after the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from planflow.domain.chasing import PlanRules
from planflow.domain.task import LEAD, duty_key
from planflow.workflow.expand import TaskSpec

Key = tuple[str, str, str]  # duty key (a cooperating task's is apart: ``duty_key``), agency, period


@dataclass(frozen=True)
class Recorded:
    """What the sync needs to know of a recorded task."""

    id: UUID
    duty: str
    agency: str  # the agency it was first assigned to (part of its id)
    period: str
    due: date
    planned_due: date
    cancelled: bool
    done: bool
    current_agency: str = ""  # where it is now, after any reassignment ("" = ``agency``)
    role: str = LEAD

    @property
    def key_duty(self) -> str:
        return duty_key(self.duty, self.role)

    @property
    def now_with(self) -> str:
        return self.current_agency or self.agency


@dataclass
class Revision:
    assign: list[TaskSpec] = field(default_factory=list)
    cancel: list[Recorded] = field(default_factory=list)
    reassign: list[tuple[Recorded, str]] = field(default_factory=list)
    extend: list[tuple[Recorded, date]] = field(default_factory=list)
    moved_earlier: list[tuple[Recorded, date]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not (
            self.assign or self.cancel or self.reassign or self.extend or self.moved_earlier
        )


def revise(
    specs: list[TaskSpec],
    recorded: list[Recorded],
    successors: Mapping[str, str] | None = None,
) -> Revision:
    revision = Revision()
    by_key: dict[Key, TaskSpec] = {(s.key_duty, s.agency, s.period): s for s in specs}
    spec_ids = {s.id: s for s in specs} if recorded else {}  # a first load has none to match
    covered: set[Key] = set()
    leftovers: list[Recorded] = []
    for existing in recorded:
        spec = spec_ids.get(existing.id) or by_key.get(
            (existing.key_duty, existing.now_with, existing.period)
        )
        if spec is None:
            leftovers.append(existing)
            continue
        covered.add((spec.key_duty, spec.agency, spec.period))
        _compare_due(spec, existing, revision)
    for existing in leftovers:
        if existing.cancelled:
            continue
        heir = next(
            (
                c
                for c in _chain(existing.now_with, successors or {})
                if (existing.key_duty, c, existing.period) in by_key
                and (existing.key_duty, c, existing.period) not in covered
            ),
            None,
        )
        if heir is not None:
            key = (existing.key_duty, heir, existing.period)
            covered.add(key)
            if existing.done:
                # Done before the merger: the successor does not owe it again.
                revision.unchanged += 1
            else:
                revision.reassign.append((existing, heir))
                _compare_due(by_key[key], existing, revision)
        elif not existing.done:
            revision.cancel.append(existing)
    revision.assign = [s for s in specs if (s.key_duty, s.agency, s.period) not in covered]
    return revision


def _compare_due(spec: TaskSpec, existing: Recorded, revision: Revision) -> None:
    if existing.cancelled or existing.done or spec.due == existing.planned_due:
        revision.unchanged += 1
    elif spec.due < existing.planned_due:
        revision.moved_earlier.append((existing, spec.due))
    elif spec.due > existing.due:
        revision.extend.append((existing, spec.due))
    else:
        # An extension already granted goes beyond the file's new date: keep it.
        revision.unchanged += 1


def _chain(agency: str, successors: Mapping[str, str]) -> list[str]:
    """The agency's successors, in order (empty without one; a cycle stops)."""
    seen = {agency}
    chain: list[str] = []
    current = successors.get(agency)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = successors.get(current)
    return chain


def handovers_due(
    revision: Revision, recorded: list[Recorded], rules: PlanRules, today: date
) -> list[Recorded]:
    """The recorded tasks still open after ``revision`` whose agency has ended by ``today``."""
    cancelled = {r.id for r in revision.cancel}
    moved = {r.id: heir for r, heir in revision.reassign}
    return [
        r
        for r in recorded
        if not (r.cancelled or r.done or r.id in cancelled)
        and rules.ended(moved.get(r.id, r.now_with), today)
    ]
