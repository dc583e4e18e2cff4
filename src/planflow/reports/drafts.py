"""Drafting the Office's report when its own report duty comes due: an outbox channel.

When the scheduler records a reminder or an escalation for a report task of the plan's Office (in
Kiên Giang, IV.1.b.2: "the Office reports periodically to the Committee"), this channel writes the
consolidated report for that task's period, as it stands at that moment, beside the task: into
``folder``, named after the day, the plan, the period and the task, as DOCX (to edit and sign) and
XLSX (the tables). Each later reminder writes a fresher draft; nothing else is drafted.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from planflow.application.app import PlanflowApp
from planflow.application.summary import build_summary, plan_header, summary_period
from planflow.domain import clock
from planflow.domain.errors import InvalidArgument
from planflow.domain.task import Completion
from planflow.notify.notices import Notice
from planflow.reports import render

DRAFT_FORMATS = ("docx", "xlsx")


class DraftChannel:
    name = "drafts"

    def __init__(self, app: PlanflowApp, folder: Path) -> None:
        self.app = app
        self.folder = folder

    def deliver(self, notice: Notice) -> str:
        if notice.kind not in ("reminder", "escalation"):
            return "skipped: not a step of the Office's report duty"
        header = plan_header(self.app, notice.plan)
        task = self.app.get_task(UUID(notice.task_id))
        if task.completion is not Completion.REPORT or notice.agency not in header.office_codes:
            return "skipped: not the Office's report duty"
        try:
            period = summary_period(notice.period)
        except InvalidArgument:
            return "skipped: not a reporting period"
        figures = build_summary(self.app, notice.plan, period, notice.fired_at)
        self.folder.mkdir(parents=True, exist_ok=True)
        day = clock.local_date(notice.fired_at)
        stem = (
            f"{day.isoformat()}-{notice.plan}-{period.code}-{notice.task_id[:8]}"
            "-du-thao-bao-cao-tong-hop"
        )
        for fmt in DRAFT_FORMATS:
            (self.folder / f"{stem}.{fmt}").write_bytes(render(figures, fmt))
        return f"wrote {self.folder / stem}.docx/.xlsx"
