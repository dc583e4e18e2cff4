"""Chasing a task (đôn đốc): reminders before its deadline and the escalation ladder after it.

Pure data shared by the Task aggregate and the scheduler. A chase step is identified by its kind,
its step (working days before the deadline for a reminder, the ladder level for an escalation) and
the deadline it is about: each ``ChaseKey`` is recorded at most once per task, and an extension
(a new deadline) starts a fresh series. The Office's manual chase-up (``Task.ChaseUpSent``) is no
such step: it has no key and may be recorded any number of times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

CHASE_UP = "chase_up"  # the ledger's kind for a manual chase-up (Task.ChaseUpSent)


class ChaseKind(StrEnum):
    REMINDER = "reminder"  # nhắc hạn
    OVERDUE = "overdue"  # quá hạn
    ESCALATION = "escalation"  # báo cáo cấp trên


@dataclass(frozen=True, order=True)
class ChaseKey:
    kind: ChaseKind
    step: int
    due: date


@dataclass(frozen=True)
class Recipient:
    """The official a reminder, escalation or chase-up names, as the plan described them then.

    ``role`` is ``assignee_head``, ``signer`` or the code of the agency whose head is named;
    ``agency`` is the agency the person heads ("" for the plan's signer).
    """

    role: str
    agency: str
    title: str
    name: str = ""
    contact: str = ""

    @property
    def label(self) -> str:
        return f"{self.title} ({self.name})" if self.name else self.title
