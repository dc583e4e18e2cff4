"""The responsibility ledger (sổ trách nhiệm): per head, every reminder, escalation and manual
chase-up (kind ``chase_up``) that named them, for which task, and how that task ended (the four
status words, or cancelled). Where the plan makes the assignee's head bear personal responsibility
(chịu trách nhiệm cá nhân), the entry says so and names that head, also on an escalation that
named someone above them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select

from planflow.application.readmodels import CHASE_UP
from planflow.application.tables import board, chases, from_db
from planflow.domain.status import status_at


@dataclass(frozen=True)
class LedgerEntry:
    at: datetime
    kind: str
    step: int
    working_days: int
    due: date
    task_id: str
    plan: str
    duty: str
    period: str
    task_agency: str
    outcome: str  # a status word, or "cancelled"
    personal_responsibility: bool = False
    responsible_title: str = ""  # the head who bore it (when ``personal_responsibility``)
    responsible_name: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "step": self.step,
            "working_days": self.working_days,
            "due": self.due.isoformat(),
            "task_id": self.task_id,
            "plan": self.plan,
            "duty": self.duty,
            "period": self.period,
            "task_agency": self.task_agency,
            "outcome": self.outcome,
            "personal_responsibility": self.personal_responsibility,
            "responsible": (
                {"title": self.responsible_title, "name": self.responsible_name or None}
                if self.personal_responsibility
                else None
            ),
        }


@dataclass
class HeadLedger:
    agency: str  # "" for the plan's signer
    title: str
    name: str
    entries: list[LedgerEntry] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "title": self.title,
            "name": self.name,
            "reminders": sum(1 for e in self.entries if e.kind == "reminder"),
            "escalations": sum(1 for e in self.entries if e.kind == "escalation"),
            "chase_ups": sum(1 for e in self.entries if e.kind == CHASE_UP),
            "entries": [e.as_json() for e in self.entries],
        }


def ledger(engine: Engine, moment: datetime, agency: str | None = None) -> list[HeadLedger]:
    """Heads in order of agency and title; each head's entries in time order. Outcomes are judged
    at ``moment``."""
    query = (
        select(
            chases,
            board.c.due.label("task_due"),
            board.c.completed_at,
            board.c.review_pending_since,
            board.c.cancelled,
        )
        .join(board, board.c.id == chases.c.task_id)
        .order_by(chases.c.recipient_agency, chases.c.recipient_title, chases.c.timestamp)
    )
    if agency is not None:
        query = query.where(chases.c.recipient_agency == agency)
    heads: dict[tuple[str, str, str], HeadLedger] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            key = (row.recipient_agency, row.recipient_title, row.recipient_name)
            head = heads.setdefault(key, HeadLedger(*key))
            status = status_at(
                row.task_due, from_db(row.completed_at), from_db(row.review_pending_since), moment
            )
            outcome = "cancelled" if row.cancelled else status.value
            at = from_db(row.timestamp)
            assert at is not None
            head.entries.append(
                LedgerEntry(
                    at=at,
                    kind=row.kind,
                    step=row.step,
                    working_days=row.working_days,
                    due=row.due,
                    task_id=row.task_id,
                    plan=row.plan,
                    duty=row.duty,
                    period=row.period,
                    task_agency=row.task_agency,
                    outcome=outcome,
                    personal_responsibility=bool(row.personal_responsibility),
                    responsible_title=row.responsible_title,
                    responsible_name=row.responsible_name,
                )
            )
    return list(heads.values())
