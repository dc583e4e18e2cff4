"""The Plan aggregate: which version of a workflow file is in force.

The document is kept as plain JSON data so the history of the file survives renames and mergers of
the agencies it names. The working-day calendar in force (public holidays, declared working
Saturdays and extra days off, resolved when the file was loaded) is recorded beside it as plain
data, so reminders and escalations can be counted later even if the overrides file is gone.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from planflow.domain import clock

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
