"""The Plan aggregate: which version of a workflow file is in force.

The document is kept as plain JSON data so the history of the file survives renames and mergers of
the agencies it names. The working-day calendar in force (public holidays, declared working
Saturdays and extra days off, resolved when the file was loaded) is recorded beside it as plain
data, so reminders and escalations can be counted later even if the overrides file is gone.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from planflow.domain import clock
from planflow.domain.errors import FactConflict

PLAN_NAMESPACE = uuid5(NAMESPACE_URL, "https://planflow.invalid/plan")


def plan_id(code: str) -> UUID:
    return uuid5(PLAN_NAMESPACE, code)


class Plan(Aggregate):
    class Event(Aggregate.Event):
        actor: str
        create_timestamp: ClassVar[Any] = staticmethod(clock.now)

    class Loaded(Aggregate.Created, Event):
        """Kế hoạch được nạp: the first version of the workflow file."""

        code: str
        sha256: str
        source: str
        document: dict[str, Any]
        calendar: dict[str, Any]

    class Revised(Event):
        """Kế hoạch được điều chỉnh: a new version of the workflow file is in force."""

        sha256: str
        source: str
        document: dict[str, Any]
        calendar: dict[str, Any]

        def apply(self, plan: Plan) -> None:
            plan.sha256 = self.sha256
            plan.source = self.source
            plan.document = self.document
            plan.calendar = self.calendar
            plan.revisions += 1

    def __init__(
        self,
        *,
        code: str,
        sha256: str,
        source: str,
        document: dict[str, Any],
        actor: str,
        calendar: dict[str, Any] | None = None,
    ) -> None:
        self.code = code
        self.sha256 = sha256
        self.source = source
        self.document = document
        # {"days_off": [ISO dates], "working_days": [ISO dates]}; {} when none was recorded.
        self.calendar: dict[str, Any] = calendar or {}
        self.revisions = 0
        self.occurred: dict[str, date] = {}  # event code → the date the Office recorded
        self.resolved: dict[str, list[str]] = {}  # group code → the members a person gave it
        self.resolved_by: dict[str, str] = {}

    @classmethod
    def load(
        cls,
        *,
        code: str,
        sha256: str,
        source: str,
        document: dict[str, Any],
        actor: str,
        calendar: dict[str, Any] | None = None,
    ) -> Plan:
        return cls._create(
            cls.Loaded,
            id=plan_id(code),
            code=code,
            sha256=sha256,
            source=source,
            document=document,
            calendar=calendar or {},
            actor=actor,
        )

    def revise(
        self,
        *,
        sha256: str,
        source: str,
        document: dict[str, Any],
        actor: str,
        calendar: dict[str, Any] | None = None,
    ) -> bool:
        """A new version of the file, or of the calendar it resolves to; False if neither changed."""
        calendar = self.calendar if calendar is None else calendar
        if sha256 == self.sha256 and calendar == self.calendar:
            return False
        self.trigger_event(
            self.Revised,
            sha256=sha256,
            source=source,
            document=document,
            calendar=calendar,
            actor=actor,
        )
        return True

    # --- facts the file cannot know: events that happened, groups a person resolved -----------

    class EventOccurred(Event):
        """Sự kiện được ghi nhận: the Office records the date of an event duties count from."""

        event: str
        date: date

        def apply(self, plan: Plan) -> None:
            plan.occurred = {**_occurred(plan), self.event: self.date}

    def record_event(self, *, event: str, day: date, actor: str) -> bool:
        """Record that ``event`` happened on ``day``; False if it was already recorded so.
        Another date for a recorded event is refused (a conflict)."""
        known = _occurred(self).get(event)
        if known == day:
            return False
        if known is not None:
            raise FactConflict(
                f"Sự kiện {event!r} đã được ghi nhận ngày {known:%d/%m/%Y}, không thể ghi ngày "
                f"{day:%d/%m/%Y}",
                f"event {event!r} was already recorded on {known.isoformat()}; it cannot be "
                f"recorded on {day.isoformat()}",
            )
        self.trigger_event(self.EventOccurred, event=event, date=day, actor=actor)
        return True

    class GroupResolved(Event):
        """Nhóm được xác định: a person names the members of a group the plan defines by a
        condition."""

        group: str
        members: list[str]

        def apply(self, plan: Plan) -> None:
            plan.resolved = {**_resolved(plan), self.group: list(self.members)}
            plan.resolved_by = {**getattr(plan, "resolved_by", {}), self.group: self.actor}

    def resolve_group(self, *, group: str, members: list[str], actor: str) -> bool:
        """Name the group's members; False if it was already resolved to the same members.
        Other members for a resolved group are refused (a conflict)."""
        known = _resolved(self).get(group)
        if known is not None and sorted(known) == sorted(members):
            return False
        if known is not None:
            raise FactConflict(
                f"Nhóm {group!r} đã được xác định: {', '.join(known)}",
                f"group {group!r} was already resolved: {', '.join(known)}",
            )
        self.trigger_event(self.GroupResolved, group=group, members=list(members), actor=actor)
        return True


def _occurred(plan: Plan) -> dict[str, date]:
    return dict(getattr(plan, "occurred", {}))


def _resolved(plan: Plan) -> dict[str, list[str]]:
    return dict(getattr(plan, "resolved", {}))
