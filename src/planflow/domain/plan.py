"""The Plan aggregate: which version of a workflow file is in force.

The document is kept as plain JSON data so the history of the file survives renames and mergers of
the agencies it names.
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

    class Revised(Event):
        """Kế hoạch được điều chỉnh: a new version of the workflow file is in force."""

        sha256: str
        source: str
        document: dict[str, Any]

        def apply(self, plan: Plan) -> None:
            plan.sha256 = self.sha256
            plan.source = self.source
            plan.document = self.document
            plan.revisions += 1

    def __init__(
        self, *, code: str, sha256: str, source: str, document: dict[str, Any], actor: str
    ) -> None:
        self.code = code
        self.sha256 = sha256
        self.source = source
        self.document = document
        self.revisions = 0

    @classmethod
    def load(
        cls, *, code: str, sha256: str, source: str, document: dict[str, Any], actor: str
    ) -> Plan:
        return cls._create(
            cls.Loaded,
            id=plan_id(code),
            code=code,
            sha256=sha256,
            source=source,
            document=document,
            actor=actor,
        )

    def revise(self, *, sha256: str, source: str, document: dict[str, Any], actor: str) -> bool:
        if sha256 == self.sha256:
            return False
        self.trigger_event(
            self.Revised, sha256=sha256, source=source, document=document, actor=actor
        )
        return True
