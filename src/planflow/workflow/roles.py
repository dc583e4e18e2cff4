"""Who answers for a duty, who helps, who receives its report, and whose head bears personal
responsibility (docs/workflow-format.md, "Lead and cooperating agencies"). Pure.

- ``assignees`` are the lead agencies (chủ trì): their tasks carry the deadline and are chased.
- ``cooperating`` agencies (phối hợp) each get one task per period that shows them the duty and
  records their contribution; it is never reminded, marked overdue or escalated.
- ``report_to`` names the agency that receives the report and accepts or returns it, or a
  recipient rule resolved per assignee. The Office (kind ``office``) is the default reviewer, and
  an agency never reviews its own work: either resolution leaves the task without a recipient of
  its own, and the Office reviews it.
- ``personal_responsibility`` is the duty's own value, or else that of the innermost section
  (``sections``) that covers the duty's ``section``.
"""

from __future__ import annotations

from collections.abc import Callable

from planflow.domain.task import COOPERATING, LEAD
from planflow.workflow.errors import Problem
from planflow.workflow.model import AgencyKind, Duty, Workflow
from planflow.workflow.yamlsource import SourceDocument

Expand = Callable[[str], list[str]]

__all__ = [
    "COOPERATING",
    "LEAD",
    "Expand",
    "cached",
    "check_overlaps",
    "check_roles",
    "offices",
    "personal_responsibility",
    "recipient_of",
    "rule_maps",
    "rule_size",
]


def covers(section: str, duty_section: str) -> bool:
    """``IV.1.a`` covers ``IV.1.a`` and ``IV.1.a.2``, not ``IV.1.ab``."""
    return duty_section == section or duty_section.startswith(section + ".")


def personal_responsibility(workflow: Workflow, duty: Duty) -> bool:
    if duty.personal_responsibility is not None:
        return duty.personal_responsibility
    best: tuple[int, bool] | None = None
    for section in workflow.sections:
        if section.personal_responsibility is None or not covers(section.id, duty.section):
            continue
        if best is None or len(section.id) > best[0]:
            best = (len(section.id), section.personal_responsibility)
    return best[1] if best else False


RuleMaps = dict[str, dict[str, str]]


def cached(expand: Expand, cache: dict[str, list[str]] | None = None) -> Expand:
    """``expand``, each code expanded once."""
    memo: dict[str, list[str]] = {} if cache is None else cache

    def once(code: str) -> list[str]:
        if code not in memo:
            memo[code] = expand(code)
        return memo[code]

    return once


def rule_maps(workflow: Workflow, expand: Expand) -> RuleMaps:
    """Each recipient rule as sender → recipient (the first entry naming the sender wins).
    ``expand`` should be cached: each code is expanded once."""
    maps: RuleMaps = {}
    for rule in workflow.recipient_rules:
        resolved: dict[str, str] = {}
        for entry in rule.resolve:
            for code in dict.fromkeys(entry.assignees):
                for agency in expand(code):
                    resolved.setdefault(agency, entry.recipient)
        maps[rule.code] = resolved
    return maps


def offices(workflow: Workflow) -> frozenset[str]:
    return frozenset(a.code for a in workflow.agencies if a.kind is AgencyKind.OFFICE)


def recipient_of(duty: Duty, agency: str, maps: RuleMaps, office: frozenset[str]) -> str | None:
    """The agency that reviews ``agency``'s report on ``duty``; None: the Office reviews it
    (``office``: the codes of the agencies of kind office)."""
    target = duty.report_to
    if target is None:
        return None
    if target in maps:
        target = maps[target].get(agency)
    if target is None or target == agency or target in office:
        return None
    return target


def rule_size(workflow: Workflow, sizes: Callable[[str], int]) -> int:
    """An upper bound of the work resolving the rules takes: the agencies their entries reach."""
    return sum(
        sizes(code)
        for rule in workflow.recipient_rules
        for entry in rule.resolve
        for code in set(entry.assignees)
    )


def check_overlaps(workflow: Workflow, source: SourceDocument, expand: Expand) -> list[Problem]:
    """An agency both lead and cooperating on one duty. Run once the file's size is known to be
    bounded (``check_size``): it expands every duty's assignees."""
    problems: list[Problem] = []
    for i, duty in enumerate(workflow.duties):
        if not duty.cooperating:
            continue
        leads = {a for code in set(duty.assignees) for a in expand(code)}
        for j, code in enumerate(duty.cooperating):
            if both := sorted(leads & set(expand(code))):
                problems.append(
                    source.problem(
                        ("duties", i, "cooperating", j),
                        f"cơ quan vừa chủ trì vừa phối hợp / agency both lead and cooperating: "
                        f"{', '.join(both)}",
                    )
                )
    return problems


def check_roles(workflow: Workflow, source: SourceDocument) -> list[Problem]:
    """Unknown codes in ``cooperating``, ``report_to``, rules and sections. Cheap: no code is
    expanded here."""
    problems: list[Problem] = []
    agencies = {a.code for a in workflow.agencies}
    groups = {g.code for g in workflow.groups}
    rules: set[str] = set()
    for i, rule in enumerate(workflow.recipient_rules):
        if rule.code in rules or rule.code in agencies or rule.code in groups:
            problems.append(
                source.problem(
                    ("recipient_rules", i, "code"),
                    f"mã quy tắc trùng lặp / duplicate recipient rule code {rule.code!r}",
                )
            )
        rules.add(rule.code)
        for j, entry in enumerate(rule.resolve):
            for k, code in enumerate(entry.assignees):
                if code not in agencies and code not in groups:
                    problems.append(
                        _unknown(source, ("recipient_rules", i, "resolve", j, "assignees", k), code)
                    )
            if entry.recipient not in agencies:
                problems.append(
                    _unknown(
                        source, ("recipient_rules", i, "resolve", j, "recipient"), entry.recipient
                    )
                )
    seen: set[str] = set()
    for i, section in enumerate(workflow.sections):
        if section.id in seen:
            problems.append(
                source.problem(
                    ("sections", i, "id"), f"mục trùng lặp / duplicate section {section.id!r}"
                )
            )
        seen.add(section.id)
    for i, duty in enumerate(workflow.duties):
        for j, code in enumerate(duty.cooperating):
            if code not in agencies and code not in groups:
                problems.append(_unknown(source, ("duties", i, "cooperating", j), code))
        if duty.report_to is not None and duty.report_to not in agencies | rules:
            problems.append(
                source.problem(
                    ("duties", i, "report_to"),
                    f"cơ quan hoặc quy tắc nhận báo cáo không tồn tại / unknown agency or "
                    f"recipient rule {duty.report_to!r}",
                )
            )
    return problems


def _unknown(source: SourceDocument, loc: tuple[str | int, ...], code: str) -> Problem:
    return source.problem(
        loc, f"cơ quan hoặc nhóm không tồn tại / unknown agency or group {code!r}"
    )
