"""Writing chase-up letters: for one agency on demand, or as a channel at escalation steps and at
the Office's manual chase-ups (ChaseUpSent)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from uuid import UUID

from planflow.application.app import PlanflowApp
from planflow.application.planrules import rules_from_plan
from planflow.application.queries import BoardFilter, list_tasks
from planflow.application.readmodels import CHASE_UP
from planflow.domain import clock
from planflow.domain.status import TaskStatus
from planflow.notify.docx_letter import render_docx
from planflow.notify.letters import Letter, build_letter, render_html, render_pdf
from planflow.notify.notices import Notice


class NothingOverdue(LookupError):
    def __init__(self, agency: str, plan: str) -> None:
        super().__init__(
            f"{agency} không có nhiệm vụ quá hạn trong kế hoạch {plan} / "
            f"{agency} has no overdue task in plan {plan}"
        )


class UnknownPlan(LookupError):
    def __init__(self, plan: str) -> None:
        super().__init__(f"không có kế hoạch {plan!r} / no plan {plan!r}")


FORMATS = ("html", "docx", "pdf")


def letter_for(
    app: PlanflowApp,
    plan_code: str,
    agency: str,
    now: datetime,
    level: int | None = None,
    min_level: int = 0,
) -> Letter:
    """The chase-up letter to ``agency`` about its overdue tasks, written at escalation ``level``
    (who signs follows it; by default, the level its longest-late task has reached, and at least
    ``min_level``)."""
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
    return build_letter(
        plan.document,
        agency,
        overdue,
        rules_from_plan(plan).calendar,
        now,
        level=level,
        min_level=min_level,
    )


def chase_up_letter(
    app: PlanflowApp, plan_code: str, task: str, now: datetime, note: str = ""
) -> Letter:
    """The letter of a manual chase-up: the one task, as it stood at ``now`` (late or not yet)."""
    plan = app.get_plan(plan_code)
    if plan is None:
        raise UnknownPlan(plan_code)
    state = app.get_task(UUID(task))
    views = list_tasks(
        app.engine,
        now,
        BoardFilter(plan=plan_code, duty=state.duty, period=state.period, include_cancelled=True),
        as_of=True,
    )
    chased = [v for v in views if v.id == task]
    return build_letter(
        plan.document,
        chased[0].agency if chased else state.agency,
        chased,
        rules_from_plan(plan).calendar,
        now,
        chase_up=True,
        note=note,
    )


def render(letter: Letter, fmt: str) -> bytes:
    """The letter as ``html``, ``docx`` or ``pdf``."""
    if fmt == "docx":
        return render_docx(letter)
    if fmt == "pdf":
        return render_pdf(letter)
    return render_html(letter).encode("utf-8")


class LetterChannel:
    """At escalation level ``min_level`` and above, writes the late agency's chase-up letter
    (by default HTML and DOCX; the composition root adds PDF) into a folder, one per agency, plan
    and day, for the Office to issue; who signs follows the step's level. A manual chase-up
    (ChaseUpSent) writes a letter about its one task, one per chase-up."""

    name = "letters"

    def __init__(
        self,
        app: PlanflowApp,
        folder: Path,
        min_level: int = 2,
        formats: tuple[str, ...] = ("html", "docx"),
    ) -> None:
        self.app = app
        self.folder = folder
        self.min_level = min_level
        self.formats = formats

    def deliver(self, notice: Notice) -> str:
        if notice.kind == CHASE_UP:
            return self._chase_up(notice)
        if notice.kind != "escalation" or notice.level < self.min_level:
            return "skipped: not an escalation letter step"
        try:
            letter = letter_for(
                self.app, notice.plan, notice.agency, notice.fired_at, min_level=notice.level
            )
        except NothingOverdue:
            return "skipped: nothing overdue any more"
        self.folder.mkdir(parents=True, exist_ok=True)
        day = clock.local_date(notice.fired_at)
        stem = self.folder / f"{day.isoformat()}-{notice.plan}-{notice.agency}-don-doc"
        for fmt in self.formats:
            stem.with_suffix(f".{fmt}").write_bytes(render(letter, fmt))
        return f"wrote {stem}.{'/.'.join(self.formats)}"

    def _chase_up(self, notice: Notice) -> str:
        letter = chase_up_letter(
            self.app, notice.plan, notice.task_id, notice.fired_at, notice.note
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        day = clock.local_date(notice.fired_at)
        # Duty ids hold dots: build the names whole rather than with Path.with_suffix.
        stem = f"{day.isoformat()}-{notice.plan}-{notice.agency}-don-doc-ngay-{notice.event_id[:8]}"
        for fmt in self.formats:
            (self.folder / f"{stem}.{fmt}").write_bytes(render(letter, fmt))
        return f"wrote {self.folder / stem}.{'/.'.join(self.formats)}"
