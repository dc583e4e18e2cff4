"""Measure a draft against a hand-made workflow file: precision and recall of duties, assignees
(duty × agency), schedules (duty × period × due date), the task set (duty × agency × period × due
date, lead and cooperating tasks apart), and the issue-8 fields: lead agencies (duty × agency),
cooperating agencies (duty × agency), report recipients (duty × sender × recipient, rules resolved)
and personal responsibility (the duties whose heads bear it, sections applied).

Plan ids are ignored: renaming the plan is a review, not a reading error. Duty ids are names a
person picks: draft duties are aligned with the hand-made ones by section and order within it
(III.4's two clauses are III.4.1/III.4.2 in a draft and III.4/III.4-b by hand).
"""

from __future__ import annotations

from dataclasses import dataclass

from planflow.workflow.expand import expand
from planflow.workflow.loader import LoadedPlan, expand_group
from planflow.workflow.model import Duty, Workflow


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


def align(draft: Workflow, truth: Workflow) -> dict[str, str]:
    """Draft duty id → hand-made duty id, by section and order within the section."""
    by_section: dict[str, list[str]] = {}
    for duty in truth.duties:
        by_section.setdefault(duty.section, []).append(duty.id)
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for duty in draft.duties:
        n = seen.get(duty.section, 0)
        seen[duty.section] = n + 1
        ids = by_section.get(duty.section, [])
        out[duty.id] = ids[n] if n < len(ids) else duty.id
    return out


def _pairs(plan: LoadedPlan, codes: list[str], duty: str) -> set[tuple[str, ...]]:
    return {(duty, a) for code in codes for a in expand_group(plan.workflow, code)}


def _field(plan: LoadedPlan, names: dict[str, str], which: str) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for duty in plan.workflow.duties:
        codes = duty.assignees if which == "lead" else duty.cooperating
        out |= _pairs(plan, list(codes), names.get(duty.id, duty.id))
    return out


def _recipient(workflow: Workflow, duty: Duty, sender: str) -> str:
    if duty.report_to is None:
        return ""
    for rule in workflow.recipient_rules:
        if rule.code == duty.report_to:
            for entry in rule.resolve:
                members = {a for code in entry.assignees for a in expand_group(workflow, code)}
                if sender in members:
                    return entry.recipient
            return ""
    return duty.report_to


def _recipients(plan: LoadedPlan, names: dict[str, str]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for duty in plan.workflow.duties:
        if duty.done_when != "report" or duty.report_to is None:
            continue
        for code in duty.assignees:
            for sender in expand_group(plan.workflow, code):
                recipient = _recipient(plan.workflow, duty, sender)
                if recipient and recipient != sender:
                    out.add((names.get(duty.id, duty.id), sender, recipient))
    return out


def _responsible(plan: LoadedPlan, names: dict[str, str]) -> set[tuple[str, ...]]:
    sections = {s.id: s.personal_responsibility for s in plan.workflow.sections}
    out: set[tuple[str, ...]] = set()
    for duty in plan.workflow.duties:
        value = duty.personal_responsibility
        if value is None:
            parts = duty.section.split(".")
            for n in range(len(parts), 0, -1):
                found = sections.get(".".join(parts[:n]))
                if found is not None:
                    value = found
                    break
        if value:
            out.add((names.get(duty.id, duty.id),))
    return out


def score(draft: LoadedPlan, truth: LoadedPlan) -> dict[str, Score]:
    names = align(draft.workflow, truth.workflow)
    same = {d.id: d.id for d in truth.workflow.duties}
    d_tasks = expand(draft.workflow, draft.calendar)
    t_tasks = expand(truth.workflow, truth.calendar)

    def key(duty: str, role: str) -> str:
        return names.get(duty, duty) + ("" if role == "lead" else f"~{role}")

    return {
        "duties": _score(
            {(names[d.id],) for d in draft.workflow.duties},
            {(d.id,) for d in truth.workflow.duties},
        ),
        "assignees": _score(
            _field(draft, names, "lead") | _field(draft, names, "coop"),
            _field(truth, same, "lead") | _field(truth, same, "coop"),
        ),
        "schedules": _score(
            {(names.get(t.duty, t.duty), t.period, t.due.isoformat()) for t in d_tasks},
            {(t.duty, t.period, t.due.isoformat()) for t in t_tasks},
        ),
        "tasks": _score(
            {(key(t.duty, t.role), t.agency, t.period, t.due.isoformat()) for t in d_tasks},
            {(key(t.duty, t.role), t.agency, t.period, t.due.isoformat()) for t in t_tasks},
        ),
        "lead": _score(_field(draft, names, "lead"), _field(truth, same, "lead")),
        "cooperating": _score(_field(draft, names, "coop"), _field(truth, same, "coop")),
        "recipients": _score(_recipients(draft, names), _recipients(truth, same)),
        "responsibility": _score(_responsible(draft, names), _responsible(truth, same)),
    }
