"""Writing chase-up letters: for one agency on demand, or as a channel at escalation steps."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from planflow.application.app import PlanflowApp
from planflow.application.queries import BoardFilter, list_tasks
from planflow.domain import clock
from planflow.domain.status import TaskStatus
from planflow.notify.docx_letter import render_docx
from planflow.notify.letters import Letter, build_letter, render_html
from planflow.notify.notices import Notice
from planflow.scheduler.planrules import rules_from_plan


class NothingOverdue(LookupError):
    def __init__(self, agency: str, plan: str) -> None:
        super().__init__(
            f"{agency} không có nhiệm vụ quá hạn trong kế hoạch {plan} / "
            f"{agency} has no overdue task in plan {plan}"
        )


class UnknownPlan(LookupError):
    def __init__(self, plan: str) -> None:
        super().__init__(f"không có kế hoạch {plan!r} / no plan {plan!r}")


def letter_for(app: PlanflowApp, plan_code: str, agency: str, now: datetime) -> Letter:
    plan = app.get_plan(plan_code)
    if plan is None:
        raise UnknownPlan(plan_code)
    overdue = list_tasks(
        app.engine,
        now,
        BoardFilter(plan=plan_code, agency=agency, status=TaskStatus.OPEN_OVERDUE),
        as_of=False,
    )
    if not overdue:
        raise NothingOverdue(agency, plan_code)
    return build_letter(plan.document, agency, overdue, rules_from_plan(plan).calendar, now)


def render(letter: Letter, fmt: str) -> bytes:
    return render_docx(letter) if fmt == "docx" else render_html(letter).encode("utf-8")


class LetterChannel:
    """At escalation level ``min_level`` and above, writes the late agency's chase-up letter
    (HTML and DOCX) into a folder, one per agency, plan and day, for the Office to issue."""

    name = "letters"

    def __init__(self, app: PlanflowApp, folder: Path, min_level: int = 2) -> None:
        self.app = app
        self.folder = folder
        self.min_level = min_level

    def deliver(self, notice: Notice) -> str:
        if notice.kind != "escalation" or notice.level < self.min_level:
            return "skipped: not an escalation letter step"
        try:
            letter = letter_for(self.app, notice.plan, notice.agency, notice.fired_at)
        except NothingOverdue:
            return "skipped: nothing overdue any more"
        self.folder.mkdir(parents=True, exist_ok=True)
        day = clock.local_date(notice.fired_at)
        stem = self.folder / f"{day.isoformat()}-{notice.plan}-{notice.agency}-don-doc"
        for fmt in ("html", "docx"):
            stem.with_suffix(f".{fmt}").write_bytes(render(letter, fmt))
        return f"wrote {stem}.html/.docx"
